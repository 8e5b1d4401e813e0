/** Splits an SPL pipeline into commands and hands each to its entry in the command table. */
import { diag, type Diagnostic, type Span } from '../diagnostics.js';
import type { Command, Pipeline } from './ast.js';
import { COMMANDS, macroRef } from './commands.js';
import { Cursor, ParseError } from './cursor.js';
import { lex, type Token } from './lexer.js';

export interface ParseResult {
  readonly pipeline: Pipeline;
  readonly diagnostics: readonly Diagnostic[];
}

export function parseSpl(src: string): ParseResult {
  const { tokens, diagnostics: lexDiags } = lex(src);
  const diagnostics: Diagnostic[] = [...lexDiags];
  const commands: Command[] = [];
  const segments = splitSegments(tokens, src, diagnostics);
  segments.forEach((seg, index) => {
    for (const cmd of parseSegment(seg, index === 0, src, diagnostics)) commands.push(cmd);
  });
  return { pipeline: { commands }, diagnostics };
}

interface Segment {
  readonly tokens: Token[];
  readonly span: Span;
}

/** Splits at pipes outside brackets (a `[...]` subsearch keeps its own pipes). */
function splitSegments(tokens: readonly Token[], src: string, diagnostics: Diagnostic[]): Segment[] {
  const segments: Segment[] = [];
  let current: Token[] = [];
  let start = 0;
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'lbracket') depth++;
    if (t.kind === 'rbracket') depth = Math.max(0, depth - 1);
    if (t.kind === 'pipe' && depth === 0) {
      segments.push({ tokens: current, span: { start, end: t.span.start } });
      current = [];
      start = t.span.end;
      continue;
    }
    current.push(t);
  }
  segments.push({ tokens: current, span: { start, end: src.length } });
  segments.forEach((s, i) => {
    if (s.tokens.length === 0 && !(i === 0 && segments.length === 1 && src.trim() === '')) {
      diagnostics.push(diag('SPL004', i === 0 ? 'pipeline starts with a pipe but no search' : 'empty command between pipes', { start: Math.max(0, s.span.start - 1), end: Math.max(s.span.start, s.span.end) }));
    }
  });
  return segments.filter((s) => s.tokens.length > 0);
}

function parseSegment(seg: Segment, first: boolean, src: string, diagnostics: Diagnostic[]): Command[] {
  const toks = [...seg.tokens];
  // Macros at the end of a command (`... | where x `hec_collect``) are commands of their own.
  const trailing: Command[] = [];
  while (toks.length > 1 && toks[toks.length - 1]?.kind === 'macro') {
    const t = toks.pop() as Token;
    trailing.unshift({ kind: 'macro', macro: macroRef(t), span: t.span, nameSpan: t.span });
  }
  const head = toks[0] as Token;
  const span: Span = { start: head.span.start, end: toks[toks.length - 1]?.span.end ?? head.span.end };
  let name: string;
  let nameSpan: Span;
  let body: Token[];
  if (head.kind === 'macro' && !first && toks.length === 1) {
    return [{ kind: 'macro', macro: macroRef(head), span: head.span, nameSpan: head.span }, ...trailing];
  }
  if (first && !(head.kind === 'word' && head.text.toLowerCase() === 'search')) {
    name = 'search';
    nameSpan = { start: head.span.start, end: head.span.start };
    body = toks;
  } else if (head.kind === 'word') {
    name = head.text.toLowerCase();
    nameSpan = head.span;
    body = toks.slice(1);
  } else {
    diagnostics.push(diag('SPL003', `expected a command name, found '${head.text}'`, head.span));
    return trailing;
  }
  const bracket = body.find((t) => t.kind === 'lbracket');
  // foreach's brackets hold a template the normalizer expands, not a subsearch.
  if (bracket && name !== 'foreach') {
    diagnostics.push(diag('SPL102', 'subsearches ([...]) are not supported', bracket.span));
    return trailing;
  }
  const parser = COMMANDS[name];
  if (!parser) {
    diagnostics.push(diag('SPL101', `command '${name}' is not supported`, nameSpan));
    return [{ kind: 'unknown', name, span, nameSpan }, ...trailing];
  }
  try {
    return [parser({ c: new Cursor(body, { start: nameSpan.end, end: span.end }), src, nameSpan, span }), ...trailing];
  } catch (err) {
    if (err instanceof ParseError) {
      diagnostics.push(err.diagnostic);
      return trailing;
    }
    throw err;
  }
}
