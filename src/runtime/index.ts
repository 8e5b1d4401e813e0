/**
 * The runtime the native matcher needs, exported as `ruleport/runtime` so generated modules in
 * out/ts/ stay standalone apart from it. Splunk semantics: search values compare
 * case-insensitively as whole values with `*` wildcards, multivalue fields match if any value
 * does, missing and empty fields are absent, stats drops rows whose by-fields are absent.
 */

export type Scalar = string | number;
export type FieldValue = Scalar | readonly Scalar[];
export type Row = Record<string, FieldValue | undefined>;

export interface InputField {
  readonly name: string;
  readonly derive?: 'basename';
  readonly type?: 'string' | 'number' | 'time';
}

/** CIM field -> where it lives in the input events. */
export type InputMapping = Readonly<Record<string, InputField>>;

function valuesOf(v: FieldValue | undefined): readonly Scalar[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? (v as readonly Scalar[]) : [v as Scalar];
}

/** Splunk's `_time`: epoch seconds. Sysmon's UtcTime is `YYYY-MM-DD hh:mm:ss.fff` in UTC. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v === '') return undefined;
  const iso = /^\d{4}-\d{2}-\d{2} /.test(v) ? `${v.replace(' ', 'T')}Z` : v;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return i === -1 ? path : path.slice(i + 1);
}

function present(v: unknown): v is Scalar | Scalar[] {
  return v !== undefined && v !== null && v !== '' && (typeof v === 'string' || typeof v === 'number' || Array.isArray(v));
}

/**
 * Maps one raw event to the rule's field names. Raw fields without a mapping pass through under
 * their own names, so rules that use raw names still work. Empty values are absent, as in Splunk.
 */
export function mapEvent(raw: Readonly<Record<string, unknown>>, mapping: InputMapping): Row {
  const row: Row = {};
  for (const [k, v] of Object.entries(raw)) if (k !== '_source' && present(v)) row[k] = v;
  for (const [cim, src] of Object.entries(mapping)) {
    const v = raw[src.name];
    if (!present(v)) continue;
    if (src.type === 'time') {
      const t = parseTime(v);
      if (t !== undefined) row[cim] = t;
    } else if (src.derive === 'basename') {
      row[cim] = basename(String(v));
    } else row[cim] = v;
  }
  return row;
}

/** Literal segments between `*` wildcards -> a case-insensitive (or not) whole-value matcher. */
export function wildcardMatcher(segments: readonly string[], caseSensitive: boolean): (v: FieldValue | undefined) => boolean {
  if (segments.length === 1) {
    const lit = caseSensitive ? (segments[0] ?? '') : (segments[0] ?? '').toLowerCase();
    return (v) => valuesOf(v).some((x) => (caseSensitive ? String(x) : String(x).toLowerCase()) === lit);
  }
  const body = segments.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*');
  const re = new RegExp(`^${body}$`, caseSensitive ? '' : 'i');
  return (v) => valuesOf(v).some((x) => re.test(String(x)));
}

export function regexMatcher(re: RegExp): (v: FieldValue | undefined) => boolean {
  return (v) => valuesOf(v).some((x) => re.test(String(x)));
}

/** True when any value of the field is an address inside the network (IPv4 or IPv6 CIDR). */
export function cidrMatcher(network: string): (v: FieldValue | undefined) => boolean {
  const test = cidrTester(network);
  if (!test) throw new Error(`ruleport runtime: '${network}' is not a network in CIDR notation`);
  return (v) => valuesOf(v).some((x) => test(String(x)));
}

export function isPresent(v: FieldValue | undefined): boolean {
  return valuesOf(v).length > 0;
}

export function compare(v: FieldValue | undefined, op: '<' | '<=' | '>' | '>=', literal: string, numeric: boolean): boolean {
  return valuesOf(v).some((x) => {
    const a = numeric ? Number(x) : String(x);
    const b = numeric ? Number(literal) : literal;
    if (numeric && Number.isNaN(a)) return false;
    switch (op) {
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
    }
  });
}

/** Bare keyword / phrase / TERM on the raw event text: case-insensitive containment. */
let lastRaw = '';
let lastLower = '';
const seen = new Map<string, boolean>();
/** Hashed set of the character pairs of the current event (4096 bits): a cheap "cannot contain". */
const pairs = new Uint32Array(128);
const pairHashes = new Map<string, Uint16Array>();

const pairHash = (a: number, b: number): number => ((a * 31 + b) * 2654435761) >>> 20;

function hashesOf(value: string): Uint16Array {
  let h = pairHashes.get(value);
  if (!h) {
    h = new Uint16Array(Math.max(0, value.length - 1));
    for (let i = 0; i + 1 < value.length; i++) h[i] = pairHash(value.charCodeAt(i), value.charCodeAt(i + 1));
    if (pairHashes.size > 100_000) pairHashes.clear();
    pairHashes.set(value, h);
  }
  return h;
}

export function rawContains(raw: string, value: string): boolean {
  // Rules test many keywords on the same event (several rules share most of them): lower-case the
  // event once, index its character pairs, and remember each keyword's answer for it.
  if (raw !== lastRaw) {
    lastRaw = raw;
    lastLower = raw.toLowerCase();
    seen.clear();
    pairs.fill(0);
    for (let i = 0; i + 1 < lastLower.length; i++) {
      const h = pairHash(lastLower.charCodeAt(i), lastLower.charCodeAt(i + 1));
      pairs[h >>> 5] = (pairs[h >>> 5] as number) | (1 << (h & 31));
    }
  }
  let hit = seen.get(value);
  if (hit === undefined) {
    const lower = value.toLowerCase();
    hit = true;
    for (const h of hashesOf(lower)) {
      if (((pairs[h >>> 5] as number) & (1 << (h & 31))) === 0) {
        hit = false;
        break;
      }
    }
    if (hit) hit = lastLower.includes(lower);
    seen.set(value, hit);
  }
  return hit;
}

// ---- stages ---------------------------------------------------------------------------------

export type RuntimeStage =
  | { readonly kind: 'project'; readonly mode: 'table' | 'keep' | 'remove'; readonly fields: readonly string[] }
  | { readonly kind: 'rename'; readonly pairs: readonly (readonly [string, string])[] }
  | { readonly kind: 'bucket'; readonly field: string; readonly seconds: number; readonly as: string }
  | {
      readonly kind: 'aggregate';
      readonly mode: 'stats' | 'eventstats' | 'streamstats';
      readonly aggs: readonly { readonly fn: string; readonly field: string | null; readonly as: string }[];
      readonly by: readonly string[];
      /** streamstats options; absent: Splunk's defaults. */
      readonly stream?: StreamOptions;
    }
  | { readonly kind: 'filter'; readonly test: (row: Row) => boolean }
  /** Any other stage, as a function over all rows (eval, rex, sort, fillnull, lookup, ...). */
  | { readonly kind: 'rows'; readonly run: (rows: Row[]) => Row[] }
  /** `join`: the subsearch runs over the same input events as the rule (see runRule). */
  | (JoinOptions & { readonly kind: 'join'; readonly subsearch: SubRule });

/** A whole search over input events: mapping, row filter, stages (a rule, or a subsearch). */
export interface SubRule {
  readonly input: InputMapping;
  readonly filter: (row: Row) => boolean;
  readonly stages: readonly RuntimeStage[];
}

/** Does a pipeline need the input events after filtering (a join's subsearch reads them all)? */
export function needsInput(stages: readonly RuntimeStage[]): boolean {
  return stages.some((s) => s.kind === 'join');
}

function nameMatcher(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (n) => n === pattern;
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return (n) => re.test(n);
}

export function project(rows: readonly Row[], mode: 'table' | 'keep' | 'remove', patterns: readonly string[]): Row[] {
  const matchers = patterns.map(nameMatcher);
  return rows.map((row) => {
    const out: Row = {};
    const keys = Object.keys(row);
    if (mode === 'remove') {
      for (const k of keys) if (!matchers.some((m) => m(k))) out[k] = row[k];
      return out;
    }
    // table: listed order, each pattern's matches in the row's order; fields keeps _time/_raw too.
    for (const m of mode === 'keep' ? [...matchers, nameMatcher('_time'), nameMatcher('_raw')] : matchers) {
      for (const k of keys) if (m(k) && !(k in out)) out[k] = row[k];
    }
    return out;
  });
}

export function rename(rows: readonly Row[], pairs: readonly (readonly [string, string])[]): Row[] {
  return rows.map((row) => {
    const out: Row = { ...row };
    for (const [from, to] of pairs) {
      if (!(from in out)) continue;
      out[to] = out[from];
      delete out[from];
    }
    return out;
  });
}

export function bucket(rows: readonly Row[], field: string, seconds: number, as: string): Row[] {
  return rows.map((row) => {
    const t = row[field];
    if (typeof t !== 'number') return row;
    return { ...row, [as]: Math.floor(t / seconds) * seconds };
  });
}

/** Splunk orders values() lexicographically; we use code-unit order (assumption: byte order). */
function lexicalDistinct(values: readonly Scalar[]): string[] {
  return [...new Set(values.map(String))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function numbersOf(values: readonly Scalar[]): number[] {
  return values.map(Number).filter((n) => !Number.isNaN(n));
}

function aggregate(fn: string, values: readonly Scalar[], rowCount: number): FieldValue | undefined {
  switch (fn) {
    case 'values':
      return values.length ? lexicalDistinct(values) : undefined;
    case 'list':
      return values.length ? values.map(String) : undefined;
    case 'count':
      return rowCount;
    case 'dc':
      return new Set(values.map(String)).size;
    case 'min':
    case 'max': {
      const nums = numbersOf(values);
      if (nums.length === values.length && nums.length > 0) return fn === 'min' ? Math.min(...nums) : Math.max(...nums);
      const strs = lexicalDistinct(values);
      return fn === 'min' ? strs[0] : strs[strs.length - 1];
    }
    case 'sum': {
      const nums = numbersOf(values);
      return nums.length ? nums.reduce((a, b) => a + b, 0) : undefined;
    }
    case 'avg': {
      const nums = numbersOf(values);
      return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : undefined;
    }
    case 'first':
    case 'earliest':
      return values[0];
    case 'last':
    case 'latest':
      return values[values.length - 1];
    default:
      throw new Error(`ruleport runtime: unknown aggregation ${fn}`);
  }
}

function groupKey(row: Row, by: readonly string[]): string[][] | null {
  const parts: string[][] = [];
  for (const f of by) {
    const vs = valuesOf(row[f]);
    if (vs.length === 0) return null; // Splunk forms no group for a row without a by-field
    parts.push(vs.map(String));
  }
  return parts;
}

/** Cartesian product: a multivalue by-field puts the row in each value's group. */
function keysOf(parts: string[][]): string[][] {
  return parts.reduce<string[][]>((acc, vs) => acc.flatMap((k) => vs.map((v) => [...k, v])), [[]]);
}

export function stats(
  rows: readonly Row[],
  aggs: readonly { readonly fn: string; readonly field: string | null; readonly as: string }[],
  by: readonly string[],
  mode: 'stats' | 'eventstats',
): Row[] {
  const groups = new Map<string, { key: string[]; rows: Row[] }>();
  const rowKeys = new Map<Row, string[]>();
  for (const row of rows) {
    const parts = groupKey(row, by);
    if (!parts) continue;
    const ids: string[] = [];
    for (const key of keysOf(parts)) {
      const id = JSON.stringify(key);
      ids.push(id);
      const g = groups.get(id) ?? { key, rows: [] };
      g.rows.push(row);
      groups.set(id, g);
    }
    rowKeys.set(row, ids);
  }
  const results = new Map<string, Row>();
  for (const [id, g] of groups) {
    const out: Row = {};
    by.forEach((f, i) => {
      const k = g.key[i] as string;
      const orig = valuesOf(g.rows[0]?.[f]).find((v) => String(v) === k);
      out[f] = orig ?? k;
    });
    for (const a of aggs) {
      if (a.field === '*') {
        const names = new Set<string>();
        for (const r of g.rows) for (const k of Object.keys(r)) if (!by.includes(k)) names.add(k);
        for (const n of [...names].sort()) {
          const v = aggregate(a.fn, g.rows.flatMap((r) => valuesOf(r[n])), g.rows.length);
          if (v !== undefined) out[a.as === '*' ? n : a.as.replace('*', n)] = v;
        }
      } else {
        const vals = a.field === null ? [] : g.rows.flatMap((r) => valuesOf(r[a.field as string]));
        const v = aggregate(a.fn, vals, a.field === null ? g.rows.length : vals.length);
        if (v !== undefined) out[a.as] = v;
      }
    }
    results.set(id, out);
  }
  if (mode === 'eventstats') {
    return rows.map((row) => {
      const id = rowKeys.get(row)?.[0];
      const agg = id ? results.get(id) : undefined;
      return agg ? { ...row, ...agg } : row;
    });
  }
  // Splunk sorts stats output by the by-fields (lexicographically).
  return [...results.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/**
 * The stages over the rows. `events` is the whole input, needed only by a join's subsearch (which
 * Splunk runs as a search of its own); without it a join is an error, not a silent no-op.
 */
export function runStages(rows: Row[], stages: readonly RuntimeStage[], events?: readonly Readonly<Record<string, unknown>>[]): Row[] {
  let current = rows;
  for (const st of stages) {
    switch (st.kind) {
      case 'project':
        current = project(current, st.mode, st.fields);
        break;
      case 'rename':
        current = rename(current, st.pairs);
        break;
      case 'bucket':
        current = bucket(current, st.field, st.seconds, st.as);
        break;
      case 'aggregate':
        current = st.mode === 'streamstats' ? streamstats(current, st.aggs, st.by, st.stream) : stats(current, st.aggs, st.by, st.mode);
        break;
      case 'filter':
        current = current.filter(st.test);
        break;
      case 'rows':
        current = st.run(current);
        break;
      case 'join': {
        if (!events) throw new Error('ruleport runtime: a join needs the input events for its subsearch');
        current = joinRows(current, runRule(events, st.subsearch), st);
        break;
      }
    }
  }
  return current;
}

/** The whole rule: map, filter, then the stages. */
export function runRule(events: Iterable<Readonly<Record<string, unknown>>>, rule: SubRule): Row[] {
  // A join's subsearch reads the same input again, so the events are kept in memory for it; rules
  // without a join still stream them.
  const all = needsInput(rule.stages) ? Array.from(events) : undefined;
  const kept: Row[] = [];
  for (const raw of all ?? events) {
    const row = mapEvent(raw, rule.input);
    if (rule.filter(row)) kept.push(row);
  }
  return runStages(kept, rule.stages, all);
}

import { COMPUTED_LOOKUPS, joinRows, streamstats, type ComputedLookup, type JoinOptions, type StreamOptions } from './stages.js';
import { cidrTester } from './eval.js';

export type LookupTable = readonly Readonly<Record<string, string>>[];
export type LookupTables = ReadonlyMap<string, LookupTable>;

/** A lookup table the rule needs; running without it would silently skip the enrichment. */
export function lookupTable(tables: LookupTables | undefined, name: string): LookupTable {
  const t = tables?.get(name);
  if (!t) throw new Error(`ruleport runtime: the rule needs lookup table '${name}'`);
  return t;
}

/** A computed (script) lookup the runtime knows by name; see COMPUTED_LOOKUPS. */
export function computedLookup(name: string): ComputedLookup {
  const f = Object.prototype.hasOwnProperty.call(COMPUTED_LOOKUPS, name) ? COMPUTED_LOOKUPS[name] : undefined;
  if (!f) throw new Error(`ruleport runtime: no computed lookup '${name}'`);
  return f;
}

// ---- eval expressions and the remaining SPL stages (eval.ts, stages.ts) ------------------------
export {
  compileValueExpr,
  compileCondition,
  EVAL_FUNCTIONS,
  toNum,
  toStr,
  pcreToJs,
  likeToRegExp,
  cidrTester,
  strftime,
  strptime,
  relativeTime,
  type EvalValue,
  type EvalOptions,
} from './eval.js';
export {
  evalStage,
  rexExtract,
  rexSed,
  fillnull,
  sortRows,
  enrich,
  enrichComputed,
  joinRows,
  shannonEntropy,
  COMPUTED_LOOKUPS,
  streamstats,
  STREAMSTATS_FUNCTIONS,
  type EvalAssignment,
  type SortKey,
  type LookupInput,
  type LookupOutput,
  type StreamAgg,
  type StreamOptions,
  type ComputedLookup,
  type JoinOptions,
} from './stages.js';
export { fieldReader, present, type RawEvent, type KeyValueProbe, type LinePrefilter } from './raw.js';
export { guardedTest, linearRegex, BACKTRACK_SAFE_LENGTH, HARD_INPUT_LIMIT, type GuardKind } from './linear.js';
