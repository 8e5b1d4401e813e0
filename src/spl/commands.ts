/**
 * The command table: one entry per SPL command. Adding a command means adding a parser here, an
 * AST variant in ast.ts, and a normalizer entry; nothing else dispatches on command names.
 */
import type { Span } from '../diagnostics.js';
import type { AggCall, Command, FieldName, MacroRef } from './ast.js';
import type { Cursor } from './cursor.js';
import { parseEvalExpr } from './eval-expr.js';
import { parseSearchExpr } from './search-expr.js';

export interface CommandContext {
  readonly c: Cursor;
  readonly src: string;
  /** Span of the command name token (or segment start for the implied search). */
  readonly nameSpan: Span;
  /** Span of the whole segment. */
  readonly span: Span;
}

export type CommandParser = (ctx: CommandContext) => Command;

function fieldList(c: Cursor, stopWords: readonly string[] = []): FieldName[] {
  const fields: FieldName[] = [];
  while (!c.atEnd()) {
    if (c.accept('comma')) continue;
    const t = c.peek();
    if (!t) break;
    if (t.kind === 'word' && stopWords.includes(t.text.toLowerCase())) break;
    if (t.kind !== 'word' && t.kind !== 'string' && t.kind !== 'squote') c.fail('SPL003', `expected a field name, found '${t.text}'`, t.span);
    c.next();
    fields.push({ name: t.kind === 'word' ? t.text : t.value, span: t.span });
  }
  return fields;
}

const search: CommandParser = ({ c, src, nameSpan, span }) => {
  // Data-source macros lead the implied search; they are collected, not searched for.
  const macros: MacroRef[] = [];
  while (c.is('macro')) macros.push(macroRef(c.next()));
  const expr = parseSearchExpr(c, src);
  if (!c.atEnd()) c.fail('SPL003', `unexpected '${c.peek()?.text ?? ''}' in search`);
  return { kind: 'search', expr, macros, span, nameSpan };
};

const where: CommandParser = ({ c, nameSpan, span }) => {
  if (c.atEnd()) c.fail('SPL004', 'where needs an expression', nameSpan);
  const expr = parseEvalExpr(c);
  if (!c.atEnd()) c.fail('SPL003', `unexpected '${c.peek()?.text ?? ''}' after the where expression`);
  return { kind: 'where', expr, span, nameSpan };
};

const regex: CommandParser = ({ c, nameSpan, span }) => {
  let field: FieldName | null = null;
  let negated = false;
  if (c.is('word')) {
    const f = c.next();
    field = { name: f.text, span: f.span };
    const op = c.peek();
    if (!op || op.kind !== 'op' || (op.text !== '=' && op.text !== '!=')) {
      const hint = /[-:]$/.test(f.text) ? ` (did you mean '${f.text.slice(0, -1)}='?)` : '';
      return c.fail('SPL003', `regex expects '<field>="<pattern>"' or '<field>!="<pattern>'"${hint}`, op?.span ?? f.span);
    }
    c.next();
    negated = op.text === '!=';
  }
  const p = c.peek();
  if (!p || p.kind !== 'string') return c.fail('SPL004', 'regex needs a double-quoted pattern', p?.span ?? nameSpan);
  c.next();
  if (!c.atEnd()) c.fail('SPL003', `unexpected '${c.peek()?.text ?? ''}' after the regex pattern`);
  return {
    kind: 'regex',
    field,
    negated,
    pattern: p.value,
    patternSpan: { start: p.span.start + 1, end: Math.max(p.span.start + 1, p.span.end - 1) },
    patternOffsets: p.valueOffsets ?? [],
    span,
    nameSpan,
  };
};

const table: CommandParser = ({ c, nameSpan, span }) => {
  const fields = fieldList(c);
  if (fields.length === 0) c.fail('SPL004', 'table needs at least one field', nameSpan);
  return { kind: 'table', fields, span, nameSpan };
};

const fields: CommandParser = ({ c, nameSpan, span }) => {
  let remove = false;
  if (c.is('word', '-') || c.is('word', '+')) remove = c.next().text === '-';
  const list = fieldList(c);
  if (list.length === 0) c.fail('SPL004', 'fields needs at least one field', nameSpan);
  return { kind: 'fields', remove, fields: list, span, nameSpan };
};

const rename: CommandParser = ({ c, nameSpan, span }) => {
  const pairs: { from: FieldName; to: FieldName }[] = [];
  while (!c.atEnd()) {
    if (c.accept('comma')) continue;
    const [from] = fieldList1(c);
    c.expect('word', "'as'", 'as');
    const [to] = fieldList1(c);
    pairs.push({ from, to });
  }
  if (pairs.length === 0) c.fail('SPL004', 'rename needs <field> AS <newname>', nameSpan);
  return { kind: 'rename', pairs, span, nameSpan };
};

function fieldList1(c: Cursor): [FieldName] {
  const t = c.next();
  if (t.kind !== 'word' && t.kind !== 'string' && t.kind !== 'squote') c.fail('SPL003', `expected a field name, found '${t.text}'`, t.span);
  return [{ name: t.kind === 'word' ? t.text : t.value, span: t.span }];
}

const bin: CommandParser = ({ c, nameSpan, span }) => {
  let field: FieldName | null = null;
  let as: FieldName | null = null;
  let spanText: string | null = null;
  let spanSpan: Span = nameSpan;
  while (!c.atEnd()) {
    const t = c.next();
    if (t.kind === 'word' && c.is('op', '=')) {
      c.next();
      const v = c.next();
      if (t.text.toLowerCase() === 'span') {
        spanText = v.value;
        spanSpan = v.span;
      } else {
        c.fail('SPL101', `bin option '${t.text}' is not supported yet (only span=)`, t.span);
      }
    } else if (t.kind === 'word' && t.text.toLowerCase() === 'as') {
      const [f] = fieldList1(c);
      as = f;
    } else if (t.kind === 'word' && field === null) {
      field = { name: t.text, span: t.span };
    } else {
      c.fail('SPL003', `unexpected '${t.text}' in bin`, t.span);
    }
  }
  if (spanText === null) return c.fail('SPL004', 'bin needs span=<length> (bins= and other options are not supported yet)', nameSpan);
  return { kind: 'bin', field, spanText, spanSpan, as, span, nameSpan };
};

function aggregates(c: Cursor): AggCall[] {
  const aggs: AggCall[] = [];
  while (!c.atEnd() && !c.is('word', 'by')) {
    if (c.accept('comma')) continue;
    const fnTok = c.expect('word', 'a statistical function');
    let arg: FieldName | null = null;
    let end = fnTok.span.end;
    if (c.is('lparen') && !c.peek()?.spaceBefore) {
      c.next();
      if (!c.is('rparen')) {
        const a = c.next();
        if (a.kind !== 'word' && a.kind !== 'string' && a.kind !== 'squote') c.fail('SPL003', `expected a field name, found '${a.text}'`, a.span);
        arg = { name: a.kind === 'word' ? a.text : a.value, span: a.span };
      }
      end = c.expect('rparen', "')'").span.end;
    }
    let as: FieldName | null = null;
    if (c.is('word', 'as')) {
      c.next();
      const [f] = fieldList1(c);
      as = f;
      end = f.span.end;
    }
    aggs.push({ fn: fnTok.text.toLowerCase(), arg, as, span: { start: fnTok.span.start, end } });
  }
  return aggs;
}

function statsLike(variant: 'stats' | 'eventstats'): CommandParser {
  return ({ c, nameSpan, span }) => {
    const aggs = aggregates(c);
    if (aggs.length === 0) c.fail('SPL004', `${variant} needs at least one function`, nameSpan);
    let by: FieldName[] = [];
    if (c.accept('word', 'by')) {
      by = fieldList(c);
      if (by.length === 0) c.fail('SPL004', "'by' needs at least one field", nameSpan);
    }
    return { kind: 'stats', variant, aggs, by, span, nameSpan };
  };
}

export function macroRef(t: { value: string; span: Span }): MacroRef {
  const m = /^\s*([\w.:-]+)\s*(?:\((.*)\))?\s*$/s.exec(t.value);
  if (!m) return { name: t.value.trim(), args: [], span: t.span };
  const args = m[2] === undefined ? [] : splitMacroArgs(m[2]);
  return { name: m[1] as string, args, span: t.span };
}

function splitMacroArgs(text: string): string[] {
  const args: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      args.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  args.push(cur.trim());
  return args.map((a) => (a.startsWith('"') && a.endsWith('"') && a.length >= 2 ? a.slice(1, -1) : a));
}

export const COMMANDS: Readonly<Record<string, CommandParser>> = {
  search,
  where,
  regex,
  table,
  fields,
  rename,
  bin,
  bucket: bin,
  stats: statsLike('stats'),
  eventstats: statsLike('eventstats'),
};
