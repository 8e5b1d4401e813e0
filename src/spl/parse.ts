/** Splits an SPL pipeline into commands and hands each to its entry in the command table. */
import { diag, type Diagnostic, type Span } from '../diagnostics.js';
import type { Command, Pipeline, SubsearchAst } from './ast.js';
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
  const commands = parseCommands(tokens, { start: 0, end: src.length }, src, diagnostics);
  return { pipeline: { commands }, diagnostics };
}

/** The commands of a pipeline spelled by `tokens` (the whole search, or a subsearch's inside). */
function parseCommands(tokens: readonly Token[], span: Span, src: string, diagnostics: Diagnostic[]): Command[] {
  const commands: Command[] = [];
  const segments = splitSegments(tokens, span, src, diagnostics);
  segments.forEach((seg, index) => {
    for (const cmd of parseSegment(seg, index === 0, src, diagnostics)) commands.push(cmd);
  });
  return commands;
}

interface Segment {
  readonly tokens: Token[];
  readonly span: Span;
}

/** Splits at pipes outside brackets (a `[...]` subsearch keeps its own pipes). */
function splitSegments(tokens: readonly Token[], whole: Span, src: string, diagnostics: Diagnostic[]): Segment[] {
  const segments: Segment[] = [];
  let current: Token[] = [];
  let start = whole.start;
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
  segments.push({ tokens: current, span: { start, end: whole.end } });
  segments.forEach((s, i) => {
    if (s.tokens.length === 0 && !(i === 0 && segments.length === 1 && src.slice(whole.start, whole.end).trim() === '')) {
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
  const open = body.findIndex((t) => t.kind === 'lbracket');
  let subsearch: SubsearchAst | undefined;
  // foreach's brackets hold a template the normalizer expands, not a subsearch.
  if (open >= 0 && name !== 'foreach') {
    const bracket = body[open] as Token;
    if (name !== 'join') {
      diagnostics.push(diag('SPL102', `subsearches ([...]) are only supported in join, not in ${name}`, bracket.span));
      return trailing;
    }
    const close = matchingBracket(body, open);
    if (close < 0) {
      diagnostics.push(diag('SPL004', "subsearch '[' has no closing ']'", bracket.span));
      return trailing;
    }
    const after = body[close + 1];
    if (after) {
      diagnostics.push(diag('SPL003', `unexpected '${after.text}' after the subsearch`, after.span));
      return trailing;
    }
    const inner = body.slice(open + 1, close);
    const closeTok = body[close] as Token;
    const innerSpan: Span = { start: bracket.span.end, end: closeTok.span.start };
    if (inner.length === 0) {
      diagnostics.push(diag('SPL004', 'empty subsearch', { start: bracket.span.start, end: closeTok.span.end }));
      return trailing;
    }
    subsearch = { commands: parseCommands(inner, innerSpan, src, diagnostics), span: { start: bracket.span.start, end: closeTok.span.end } };
    body = body.slice(0, open);
  }
  const parser = COMMANDS[name];
  if (!parser) {
    diagnostics.push(diag('SPL101', `command '${name}' is not supported`, nameSpan));
    return [{ kind: 'unknown', name, span, nameSpan }, ...trailing];
  }
  try {
    return [parser({ c: new Cursor(body, { start: nameSpan.end, end: subsearch?.span.start ?? span.end }), src, nameSpan, span, subsearch }), ...trailing];
  } catch (err) {
    if (err instanceof ParseError) {
      diagnostics.push(err.diagnostic);
      return trailing;
    }
    throw err;
  }
}

/** Index of the `]` closing the `[` at `open`, or -1. */
function matchingBracket(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'lbracket') depth++;
    else if (t.kind === 'rbracket' && --depth === 0) return i;
  }
  return -1;
}
