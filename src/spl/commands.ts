/**
 * The command table: one entry per SPL command. Adding a command means adding a parser here, an
 * AST variant in ast.ts, and a normalizer entry; nothing else dispatches on command names.
 */
import type { Span } from '../diagnostics.js';
import type { AggCall, Command, EvalExpr, FieldName, MacroRef, Option, SubsearchAst } from './ast.js';
import type { Cursor } from './cursor.js';
import type { Token } from './lexer.js';
import { parseEvalExpr } from './eval-expr.js';
import { parseSearchExpr } from './search-expr.js';

export interface CommandContext {
  readonly c: Cursor;
  readonly src: string;
  /** Span of the command name token (or segment start for the implied search). */
  readonly nameSpan: Span;
  /** Span of the whole segment. */
  readonly span: Span;
  /** The bracketed subsearch ending the segment, parsed (only `join` takes one). */
  readonly subsearch?: SubsearchAst;
}

export type CommandParser = (ctx: CommandContext) => Command;

function fieldList(c: Cursor, stopWords: readonly string[] = []): FieldName[] {
  const fields: FieldName[] = [];
  while (!c.atEnd()) {
    if (c.accept('comma')) continue;
    const t = c.peek();
    if (!t) break;
    if (t.kind === 'word' && stopWords.includes(t.text.toLowerCase())) break;
    if (t.kind === 'macro') {
      // Expanded by the normalizer from the macro table (kind `fields`).
      c.next();
      fields.push({ name: `\`${t.value}\``, span: t.span });
      continue;
    }
    if (t.kind !== 'word' && t.kind !== 'string' && t.kind !== 'squote') c.fail('SPL003', `expected a field name, found '${t.text}'`, t.span);
    c.next();
    fields.push({ name: t.kind === 'word' ? t.text : t.value, span: t.span });
  }
  return fields;
}

/**
 * One SPL argument: adjacent tokens with no space between them, quotes removed and the pieces
 * joined, as Splunk's argument tokenizer does. Rules rely on it: `(?<name>"regex")` and
 * `"(?<name>.+?\.exe")` both reach PCRE as one pattern.
 */
function gluedArgument(c: Cursor, what: string, at: Span): { value: string; span: Span; offsets: number[] } {
  const first = c.peek();
  if (!first) return c.fail('SPL004', `${what} needs a double-quoted argument`, at);
  let value = '';
  const offsets: number[] = [];
  let end = first.span.end;
  for (let t: Token | undefined = first; t && (t === first || !t.spaceBefore) && t.kind !== 'pipe'; t = c.peek()) {
    c.next();
    end = t.span.end;
    if (t.kind === 'string') {
      value += t.value;
      offsets.push(...(t.valueOffsets ?? []).slice(0, t.value.length));
    } else {
      value += t.text;
      for (let i = 0; i < t.text.length; i++) offsets.push(t.span.start + i);
    }
  }
  offsets.push(end);
  // Splunk's docs ask for quotes, but rules also write short patterns bare (`regex auid=^\d+`);
  // without quotes the argument ends at the first space or pipe, as in Splunk.
  return { value, span: { start: first.span.start, end }, offsets };
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
  const p = gluedArgument(c, 'regex', nameSpan);
  if (!c.atEnd()) c.fail('SPL003', `unexpected '${c.peek()?.text ?? ''}' after the regex pattern`);
  return { kind: 'regex', field, negated, pattern: p.value, patternSpan: p.span, patternOffsets: p.offsets, span, nameSpan };
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

/** Leading `name=value` options (`max_match=0`, `window=2`, `prefix="src_"`). */
function options(c: Cursor, allowed: readonly string[]): Option[] {
  const out: Option[] = [];
  while (c.is('word') && c.is('op', '=', 1) && allowed.includes((c.peek()?.text ?? '').toLowerCase())) {
    const name = c.next();
    c.next();
    const v = c.next();
    if (v.kind !== 'word' && v.kind !== 'string') c.fail('SPL005', `option ${name.text}= needs a value`, v.span);
    out.push({ name: name.text.toLowerCase(), value: v.value, span: { start: name.span.start, end: v.span.end } });
  }
  return out;
}

function statsLike(variant: 'stats' | 'eventstats' | 'streamstats'): CommandParser {
  return ({ c, nameSpan, span }) => {
    const opts = options(c, ['window', 'current', 'global', 'reset_on_change', 'time_window', 'allnum', 'partitions', 'dedup_splitvals', 'delim']);
    const aggs = aggregates(c);
    if (aggs.length === 0) c.fail('SPL004', `${variant} needs at least one function`, nameSpan);
    let by: FieldName[] = [];
    if (c.accept('word', 'by')) {
      by = fieldList(c);
      if (by.length === 0) c.fail('SPL004', "'by' needs at least one field", nameSpan);
    }
    if (!c.atEnd()) c.fail('SPL003', `unexpected '${c.peek()?.text ?? ''}' in ${variant}`);
    return { kind: 'stats', variant, aggs, by, options: opts, span, nameSpan };
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

const evalCommand: CommandParser = ({ c, nameSpan, span }) => {
  const assignments: { field: FieldName; expr: EvalExpr }[] = [];
  while (!c.atEnd()) {
    if (c.accept('comma')) continue;
    const t = c.next();
    if (t.kind !== 'word' && t.kind !== 'squote' && t.kind !== 'string') c.fail('SPL003', `expected the name of the field to set, found '${t.text}'`, t.span);
    c.expect('op', "'='", '=');
    assignments.push({ field: { name: t.kind === 'word' ? t.text : t.value, span: t.span }, expr: parseEvalExpr(c) });
    if (!c.atEnd() && !c.is('comma')) c.fail('SPL003', `expected ',' between eval assignments, found '${c.peek()?.text ?? ''}'`);
  }
  if (assignments.length === 0) c.fail('SPL004', 'eval needs <field>=<expression>', nameSpan);
  return { kind: 'eval', assignments, span, nameSpan };
};

const rex: CommandParser = ({ c, nameSpan, span }) => {
  const opts = options(c, ['field', 'max_match', 'mode', 'offset_field']);
  const p = gluedArgument(c, 'rex', nameSpan);
  opts.push(...options(c, ['field', 'max_match', 'mode', 'offset_field']));
  if (!c.atEnd()) c.fail('SPL003', `unexpected '${c.peek()?.text ?? ''}' after the rex pattern`);
  const fieldOpt = opts.find((o) => o.name === 'field');
  return {
    kind: 'rex',
    field: fieldOpt ? { name: fieldOpt.value, span: fieldOpt.span } : null,
    pattern: p.value,
    patternSpan: p.span,
    patternOffsets: p.offsets,
    options: opts.filter((o) => o.name !== 'field'),
    span,
    nameSpan,
  };
};

/** `<column> [AS <field>]` pairs, until a stop word or the end. */
function renamePairs(c: Cursor, stop: readonly string[]): { column: FieldName; as: FieldName | null }[] {
  const out: { column: FieldName; as: FieldName | null }[] = [];
  while (!c.atEnd()) {
    if (c.accept('comma')) continue;
    if (stop.some((w) => c.is('word', w))) break;
    const [column] = fieldList1(c);
    let as: FieldName | null = null;
    if (c.accept('word', 'as')) [as] = fieldList1(c);
    out.push({ column, as });
  }
  return out;
}

const lookup: CommandParser = ({ c, nameSpan, span }) => {
  const opts = options(c, ['local', 'update', 'event_time_field']);
  const [table] = fieldList1(c);
  const inputs = renamePairs(c, ['output', 'outputnew']);
  if (inputs.length === 0) c.fail('SPL004', 'lookup needs at least one input field', table.span);
  let outputMode: 'OUTPUT' | 'OUTPUTNEW' | null = null;
  let outputs: { column: FieldName; as: FieldName | null }[] = [];
  if (c.is('word', 'output') || c.is('word', 'outputnew')) {
    outputMode = c.next().text.toUpperCase() as 'OUTPUT' | 'OUTPUTNEW';
    outputs = renamePairs(c, []);
  }
  return { kind: 'lookup', table, inputs, outputMode, outputs, options: opts, span, nameSpan };
};

const iplocation: CommandParser = ({ c, nameSpan, span }) => {
  const allowed = ['prefix', 'allfields', 'lang'];
  const opts = options(c, allowed);
  const [field] = fieldList1(c);
  opts.push(...options(c, allowed));
  if (!c.atEnd()) c.fail('SPL003', `unexpected '${c.peek()?.text ?? ''}' in iplocation`);
  return { kind: 'iplocation', field, options: opts, span, nameSpan };
};

const sort: CommandParser = ({ c, nameSpan, span }) => {
  let limit: number | null = null;
  if (c.is('word') && /^\d+$/.test(c.peek()?.text ?? '')) limit = Number(c.next().text);
  else if (c.is('word', 'limit') && c.is('op', '=', 1)) {
    c.next();
    c.next();
    const v = c.next();
    if (!/^\d+$/.test(v.text)) c.fail('SPL005', 'limit= needs a number', v.span);
    limit = Number(v.text);
  }
  const keys: { field: FieldName; descending: boolean; as: 'auto' | 'num' | 'str' | 'ip' }[] = [];
  let pendingSign: boolean | null = null;
  while (!c.atEnd()) {
    if (c.accept('comma')) continue;
    const t = c.next();
    if (t.kind === 'word' && (t.text === '-' || t.text === '+')) {
      pendingSign = t.text === '-';
      continue;
    }
    if (t.kind === 'word' && (t.text.toLowerCase() === 'd' || t.text.toLowerCase() === 'desc') && keys.length > 0 && c.atEnd()) {
      // A trailing `desc` reverses the whole order.
      for (let i = 0; i < keys.length; i++) keys[i] = { ...(keys[i] as (typeof keys)[number]), descending: !(keys[i] as (typeof keys)[number]).descending };
      continue;
    }
    let descending = pendingSign ?? false;
    pendingSign = null;
    let name = t.kind === 'word' ? t.text : t.value;
    let as: 'auto' | 'num' | 'str' | 'ip' = 'auto';
    if (t.kind === 'word' && /^[-+]/.test(name)) {
      descending = name.startsWith('-');
      name = name.slice(1);
    }
    const wrapper = name.toLowerCase();
    if ((wrapper === 'num' || wrapper === 'str' || wrapper === 'ip' || wrapper === 'auto') && c.is('lparen')) {
      c.next();
      const [inner] = fieldList1(c);
      c.expect('rparen', "')'");
      name = inner.name;
      as = wrapper;
    }
    if (name === '') c.fail('SPL004', 'sort needs a field after the sign', t.span);
    keys.push({ field: { name, span: t.span }, descending, as });
  }
  if (keys.length === 0) c.fail('SPL004', 'sort needs at least one field', nameSpan);
  return { kind: 'sort', limit, keys, span, nameSpan };
};

const fillnull: CommandParser = ({ c, span, nameSpan }) => {
  const opts = options(c, ['value']);
  return { kind: 'fillnull', options: opts, fields: fieldList(c), span, nameSpan };
};

/**
 * `foreach [options] <wc-field>... [ <template subpipeline> ]`: the template is kept as SPL text,
 * since `<<FIELD>>` is only SPL once the normalizer has put a field name in its place.
 */
const foreach: CommandParser = ({ c, src, nameSpan, span }) => {
  // Splunk writes mode= before the fields and fieldstr=/matchstr= after them; both are accepted.
  const allowed = ['mode', 'fieldstr', 'matchstr', 'matchseg1', 'matchseg2', 'matchseg3'];
  const opts: Option[] = [];
  const fields: FieldName[] = [];
  while (!c.atEnd() && !c.is('lbracket')) {
    if (c.accept('comma')) continue;
    const before = opts.length;
    opts.push(...options(c, allowed));
    if (opts.length > before) continue;
    const [f] = fieldList1(c);
    fields.push(f);
  }
  if (fields.length === 0) c.fail('SPL004', 'foreach needs at least one field (wildcards allowed)', nameSpan);
  const open = c.expect('lbracket', "'[' and a template subsearch");
  let depth = 1;
  let close: Token | null = null;
  while (!c.atEnd()) {
    const t = c.next();
    if (t.kind === 'lbracket') depth++;
    if (t.kind === 'rbracket' && --depth === 0) {
      close = t;
      break;
    }
  }
  if (!close) return c.fail('SPL004', "foreach template: missing ']'", open.span);
  if (!c.atEnd()) c.fail('SPL003', `unexpected '${c.peek()?.text ?? ''}' after the foreach template`);
  const bodySpan = { start: open.span.end, end: close.span.start };
  return { kind: 'foreach', fields, options: opts, body: src.slice(bodySpan.start, bodySpan.end), bodySpan, span, nameSpan };
};

/** `join [type=...] [max=N] [overwrite=bool] <field>, ... [ <subsearch> ]`. */
const join: CommandParser = ({ c, nameSpan, span, subsearch }) => {
  const allowed = ['type', 'max', 'overwrite', 'usetime', 'earlier', 'left', 'right'];
  const opts = options(c, allowed);
  const fields = fieldList(c);
  if (!subsearch) return c.fail('SPL004', 'join needs a subsearch in brackets ([ search ... ])', nameSpan);
  return { kind: 'join', options: opts, fields, subsearch, span, nameSpan };
};

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
  streamstats: statsLike('streamstats'),
  eval: evalCommand,
  rex,
  lookup,
  iplocation,
  sort,
  fillnull,
  foreach,
  join,
};
