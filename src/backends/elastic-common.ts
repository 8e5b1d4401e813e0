/**
 * What the EQL and ES|QL backends share: string/identifier escaping for both languages, the
 * Lucene regex translation, wildcard-pattern helpers and the lineage facts behind the
 * "stats by a removed field" case. Syntax facts: /work/shared/notes/target-eql-esql.md §2–§5, §9.
 */
import { diag, type BackendId } from '../diagnostics.js';
import type { Expr, FieldRef, Stage, WildcardPattern } from '../ir/types.js';
import { mayExist } from '../lint/lineage.js';
import type { FieldType } from '../profiles/profile.js';
import { translateRegex } from '../regex/index.js';
import type { RenderContext } from './context.js';
import { rawSearch } from './relax.js';

// ---------------------------------------------------------------------------------------------
// Strings

/**
 * EQL double-quoted string. Only `\b \t \n \f \r \" \' \\` and `\u{X…}` are legal escapes; any
 * other backslash sequence is a lexer error, and raw CR/LF are not allowed (EqlBase.g4).
 */
export function eqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (cp < 0x20 || cp === 0x7f || cp === 0x2028 || cp === 0x2029) out += `\\u{${cp.toString(16).padStart(2, '0')}}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * ES|QL double-quoted string: `\t \n \r \" \\` are the only escapes (`"\d"` is a lexer error).
 * Other control characters are legal raw but would make the query unreadable; they are
 * impossible to escape, so they stay raw (only CR/LF are forbidden by the lexer).
 */
export function esqlString(value: string): string {
  const body = value.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? c);
  return `"${body}"`;
}

/**
 * Triple-quoted raw string (same lexer rule in EQL and ES|QL): no escape processing, no CR/LF,
 * no `"""` inside. A value ending in `"` is avoided too, since up to two `"` after the closing
 * quotes join the value and make the text hard to read. Null when the value cannot be raw.
 */
export function rawString(value: string): string | null {
  if (/[\r\n]/.test(value) || value.includes('"""') || value.endsWith('"')) return null;
  return `"""${value}"""`;
}

/** A raw string when possible (regexes and backslash-heavy patterns read better), else quoted. */
export function preferRaw(value: string, quote: (v: string) => string): string {
  return value.includes('\\') || value.includes('"') ? (rawString(value) ?? quote(value)) : quote(value);
}

/** Comment text on one line (`//` comments end at the line break). */
export function commentText(value: string): string {
  // Most comments hold no control character: testing first skips building a copy.
  return (COMMENT_UNSAFE.test(value) ? value.replace(COMMENT_UNSAFE_RUNS, ' ') : value).trim();
}

// eslint-disable-next-line no-control-regex
const COMMENT_UNSAFE = /[\u0000-\u001f\u007f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const COMMENT_UNSAFE_RUNS = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

// ---------------------------------------------------------------------------------------------
// Identifiers

// Column spellings are asked for over and over (every reference, every KEEP/STATS list, catalogs
// of hundreds of fields) with few distinct names; the spelling is a pure function of the name.
// Bounded so a long-lived process cannot grow without limit.
const eqlFields = new Map<string, string>();
const esqlFields = new Map<string, string>();
const MEMO_LIMIT = 50_000;

function memoized(memo: Map<string, string>, name: string, spell: (name: string) => string): string {
  let out = memo.get(name);
  if (out === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(name, (out = spell(name)));
  }
  return out;
}

const EQL_KEYWORDS = new Set([
  'and', 'any', 'by', 'false', 'in', 'join', 'like', 'maxspan', 'not', 'null', 'of', 'or', 'regex', 'sample', 'sequence', 'true', 'until', 'where', 'with',
]);

/** EQL field: `IDENTIFIER (. IDENTIFIER)*` with IDENTIFIER `[A-Za-z_@][A-Za-z0-9_]*`, else backticks. */
export function eqlField(name: string): string {
  return memoized(eqlFields, name, eqlFieldOf);
}

function eqlFieldOf(name: string): string {
  const parts = name.split('.');
  const plain = parts.every((p) => /^[A-Za-z_@][A-Za-z0-9_]*$/.test(p) && !EQL_KEYWORDS.has(p.toLowerCase()));
  return plain ? name : `\`${name.replace(/`/g, '``')}\``;
}

const ESQL_KEYWORDS = new Set([
  'and', 'as', 'asc', 'by', 'desc', 'dissect', 'drop', 'enrich', 'eval', 'false', 'first', 'from', 'grok', 'in', 'is', 'keep', 'last', 'like', 'limit',
  'lookup', 'metadata', 'mv_expand', 'not', 'null', 'nulls', 'on', 'or', 'rename', 'rlike', 'row', 'show', 'sort', 'stats', 'true', 'where', 'with',
]);

/**
 * ES|QL column: unquoted identifiers are `LETTER (LETTER|DIGIT|_)*` or `(_|@)(LETTER|DIGIT|_)+`,
 * dotted; anything else (or a keyword) is backtick-quoted with doubled backticks.
 */
export function esqlField(name: string): string {
  return memoized(esqlFields, name, esqlFieldOf);
}

function esqlFieldOf(name: string): string {
  const parts = name.split('.');
  const plain = parts.every((p) => (/^[A-Za-z][A-Za-z0-9_]*$/.test(p) || /^[_@][A-Za-z0-9_]+$/.test(p)) && !ESQL_KEYWORDS.has(p.toLowerCase()));
  return plain ? name : `\`${name.replace(/`/g, '``')}\``;
}

// ---------------------------------------------------------------------------------------------
// Fields

/** A resolved column: its target name (unquoted), type, and whether the profile left it unmapped. */
export interface Column {
  readonly name: string;
  readonly type?: FieldType;
  readonly derive?: 'basename';
}

/** Resolves a CIM field reference to a target column, or null when the field cannot exist here. */
export type Resolver = (ref: FieldRef) => Column | null;

/** The profile mapping of a field (reports unmapped fields once, per the profile's policy). */
export function profileColumn(ctx: RenderContext, ref: FieldRef): Column {
  const m = ctx.field(ref.name, ref.span);
  return { name: m.name, ...(m.type ? { type: m.type } : {}), ...(m.derive ? { derive: m.derive } : {}) };
}

/** True when the profile maps the field (unmapped fields get EQL's `?` so the query still runs). */
export function isMapped(ctx: RenderContext, name: string): boolean {
  return (ctx.variant?.fields?.[name] ?? ctx.profile.fields[name]) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Values and patterns

/** A plain integer pattern compared against a number-typed field. */
export function numericLiteral(col: Column, pattern: WildcardPattern): string | null {
  const [only] = pattern;
  return col.type === 'number' && pattern.length === 1 && only !== undefined && /^-?\d+$/.test(only) ? String(Number(only)) : null;
}

/**
 * The pattern as it applies to the target column. A `basename` field is the last component of a
 * full path, so `name` becomes `*\name`; a wildcard inside it can also match directory names.
 */
export function columnPattern(ctx: RenderContext, backend: BackendId, col: Column, e: Extract<Expr, { kind: 'eq' }>): WildcardPattern {
  if (col.derive !== 'basename') return e.pattern;
  if (e.pattern.length > 1 || e.pattern.some((s) => s.includes('\\'))) {
    ctx.report(diag('BE006', `'${e.field.name}' is the file name part of ${col.name}; a wildcard inside it also matches directory names`, e.span, { backend, direction: 'wider' }));
  }
  if (e.pattern.length === 1) return ['', `\\${e.pattern[0] ?? ''}`];
  return e.pattern[0] === '' ? e.pattern : ['', `\\${e.pattern[0] ?? ''}`, ...e.pattern.slice(1)];
}

/** Lucene regexp (whole-string) for a wildcard pattern; letters as `[aA]` classes when case-insensitive. */
export function wildcardToLucene(pattern: WildcardPattern, caseInsensitive: boolean): string {
  return pattern
    .map((seg) =>
      [...seg]
        .map((ch) => {
          if (/^[A-Za-z0-9]$/.test(ch) || (ch.codePointAt(0) ?? 0) > 0x7f) {
            const lo = ch.toLowerCase();
            const up = ch.toUpperCase();
            return caseInsensitive && lo !== up && [...lo].length === 1 && [...up].length === 1 ? `[${up}${lo}]` : ch;
          }
          // Escaping any other character is literal in every Lucene version (§5.1); controls stay raw.
          return (ch.codePointAt(0) ?? 0) < 0x20 ? ch : `\\${ch}`;
        })
        .join(''),
    )
    .join('.*');
}

/** True when no character of the text changes under case folding (digits, punctuation). */
export function caseless(text: string): boolean {
  return text.toLowerCase() === text.toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Regex

/**
 * The Lucene (whole-string) form of a Splunk PCRE, or null after reporting why it cannot be
 * used. The translator writes case-insensitivity as explicit classes; a result that still needs
 * a case-insensitive flag is reported, because `regex~` folding differs across Elasticsearch
 * versions and ES|QL `RLIKE` has none.
 */
export function luceneRegex(ctx: RenderContext, backend: BackendId, e: Extract<Expr, { kind: 'regex' }>): string | null {
  const t = translateRegex(e.pattern, 'lucene');
  if (!t.ok) {
    ctx.report(diag('RX001', t.error.message, e.span, { backend }));
    return null;
  }
  for (const u of t.result.unsupported) {
    ctx.report(diag('RX101', `Lucene regex: ${u.message}`, { start: e.span.start + u.start, end: e.span.start + u.end }, { backend }));
  }
  if (t.result.caseInsensitive) {
    ctx.report(diag('RX101', 'Lucene regex: the translation needs a case-insensitive flag, which this target cannot express portably', e.span, { backend }));
  }
  return t.result.pattern;
}

// ---------------------------------------------------------------------------------------------
// IN-list folding

export type EqLeaf = Extract<Expr, { kind: 'eq' }>;

/** An `or` whose arguments are all `eq` on one field with one case mode (what `f IN (…)` becomes). */
export function inList(e: Expr): readonly EqLeaf[] | null {
  if (e.kind !== 'or' || e.args.length < 2) return null;
  const leaves = e.args.filter((a): a is EqLeaf => a.kind === 'eq');
  if (leaves.length !== e.args.length) return null;
  const [first] = leaves;
  return first && leaves.every((l) => l.field.name === first.field.name && l.caseSensitive === first.caseSensitive) ? leaves : null;
}

// ---------------------------------------------------------------------------------------------
// Lineage

/** By-fields of a stats stage that an earlier `table`/`fields` removed (Splunk then forms no groups). */
export function removedByFields(ctx: RenderContext, index: number, stage: Extract<Stage, { kind: 'aggregate' }>): FieldRef[] {
  const before = ctx.sets[index];
  if (!before || before.kind === 'open') return [];
  return stage.by.filter((f) => !mayExist(before, f.name));
}

/** The stage that restricted the field set before stage `index`, for messages. */
export function restrictingStage(ctx: RenderContext, index: number): Stage | null {
  const before = ctx.sets[index];
  return before && before.kind === 'restricted' ? before.by : null;
}

/** ES|QL time-span literal for a bucket size: the largest unit that divides it. */
export function timeSpan(seconds: number): string {
  const units: [number, string][] = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${Math.max(1, Math.round(seconds * 1000))} milliseconds`;
}

/**
 * ECS splits Windows `DOMAIN\name` into `user.domain` and `user.name` (target notes §8); no ECS
 * field holds the combined value Splunk's `user` has, so a value with a backslash never matches.
 */
export function userDomainNote(ctx: RenderContext, backend: BackendId, col: Column, e: EqLeaf): void {
  if (col.name !== 'user.name' || !e.pattern.some((s) => s.includes('\\'))) return;
  ctx.report(
    diag('BE006', `'${e.field.name}' holds DOMAIN\\name in Splunk but ECS splits it into user.domain and user.name; a value with a backslash never equals user.name`, e.span, { backend, direction: 'narrower' }),
  );
}

// ---------------------------------------------------------------------------------------------
// Notes

/**
 * One comment line per lossy diagnostic of the given codes, so the output itself says where it
 * differs from Splunk and in which direction (the diagnostics carry the same text and location).
 */
export function lossyNotes(ctx: RenderContext, codes: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of ctx.diagnostics) {
    if (d.kind !== 'lossy' || !codes.includes(d.code)) continue;
    const text = `lossy${d.direction ? ` (${d.direction})` : ''}: ${d.message}`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(text);
  }
  return out;
}

/**
 * Leaves EQL and ES|QL relax rather than fail on (see relax.ts): raw-event searches (no raw text
 * in ECS events) and regexes the Lucene dialect cannot express (an inner anchor, look-around, a
 * back-reference). Dropping such a leaf keeps every match (`wider`), the direction the Armory's
 * prefilter-then-refine rules tolerate; regex syntax errors stay errors.
 */
export function elasticRelaxable(leaf: Expr): string | null {
  const raw = rawSearch(leaf);
  if (raw !== null || leaf.kind !== 'regex') return raw;
  const t = translateRegex(leaf.pattern, 'lucene');
  if (!t.ok) return null;
  const [first] = t.result.unsupported;
  if (first) return `regex on '${leaf.field.name}': ${first.message}`;
  if (t.result.caseInsensitive) return `regex on '${leaf.field.name}' needs a case-insensitive flag, which Lucene regexes cannot express portably`;
  return null;
}
