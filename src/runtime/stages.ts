/**
 * Row-array stages for the rest of SPL: eval, rex (extract and sed), fillnull, sort, lookup and
 * streamstats. Pure functions: input rows are never mutated; unchanged rows may be returned as is.
 * Conventions as in index.ts: a field is absent when undefined, empty-string or an empty array.
 */
import type { EvalValue } from './eval.js';
import { compileReplacement, parseIPv4 } from './eval.js';
import type { FieldValue, Row, Scalar } from './index.js';
import { valuesOf } from './values.js';
import { TimePick, timeOf } from './time-pick.js';
import { Spread } from './spread.js';

function present(v: FieldValue | undefined): boolean {
  if (v === undefined || v === '') return false;
  return !Array.isArray(v) || v.length > 0;
}

const NUMERIC_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function asNumber(v: Scalar): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return NUMERIC_RE.test(v) ? Number(v) : null;
}

function lex(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- eval ---------------------------------------------------------------------------------------

export interface EvalAssignment {
  readonly field: string;
  /** A compiled expression (compileValueExpr). */
  readonly value: (row: Row) => EvalValue;
}

/**
 * `eval a=..., b=...`: assignments run left to right, each seeing the fields set before it.
 * A null result removes the field. A boolean result cannot be stored in a Splunk field (Splunk
 * rejects the search); it removes the field too. [assumption for the runtime]
 */
export function evalStage(rows: readonly Row[], assignments: readonly EvalAssignment[]): Row[] {
  return rows.map((row) => {
    const out: Row = { ...row };
    for (const { field, value } of assignments) {
      const v = value(out);
      if (v === null || typeof v === 'boolean') delete out[field];
      else if (typeof v === 'object') out[field] = [...v];
      else out[field] = v;
    }
    return out;
  });
}

// ---- rex ----------------------------------------------------------------------------------------

function nonGlobal(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}

/**
 * `rex field=f "(?<name>...)"`: the first value of `field` that matches sets each named group that
 * took part in the match (an empty capture is an empty field, i.e. none).
 * A row whose field is absent or does not match keeps its fields unchanged.
 * With max_match=N (0: no limit) the regex is matched up to N times, each search starting where
 * the previous match ended, and a group that captured more than one value becomes a multivalue
 * field (in match order); one value stays a single value. [doc] "max_match: Controls the number of
 * times the regex is matched. If greater than 1, the resulting fields are multivalued fields."
 * https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/rex
 * Multivalue input: the first matching value is used. [assumption]
 * The regex must not match the empty string when maxMatch is not 1: after an empty match PCRE
 * retries at the same place for a non-empty one, which a JS RegExp cannot (the matcher and the
 * ts backend report such a rex as unsupported instead of calling this).
 */
export function rexExtract(rows: readonly Row[], field: string, jsRegex: RegExp, groups: readonly string[], maxMatch = 1): Row[] {
  return rexExtractStage(field, jsRegex, groups, maxMatch)(rows);
}

/** rexExtract with its regex prepared once, for a stage that runs row by row. */
export function rexExtractStage(field: string, jsRegex: RegExp, groups: readonly string[], maxMatch = 1): (rows: readonly Row[]) => Row[] {
  const re = maxMatch === 1 ? nonGlobal(jsRegex) : new RegExp(jsRegex.source, jsRegex.flags.replace(/[gy]/g, '') + 'g');
  const extract = maxMatch === 1 ? firstMatch : everyMatch;
  return (rows) => rows.map((row) => {
    for (const v of valuesOf(row[field])) {
      const captured = extract(re, String(v), groups, maxMatch);
      if (!captured) continue;
      const out: Row = { ...row };
      for (const [g, values] of captured) {
        if (values.length === 0) delete out[g];
        else out[g] = values.length === 1 ? values[0] : values;
      }
      return out;
    }
    return row;
  });
}

/**
 * The non-empty values each named group captured, for the groups that took part in some match
 * (a group that captured only empty strings maps to []); undefined when nothing matched.
 */
type Captures = Map<string, string[]>;

function firstMatch(re: RegExp, s: string, groups: readonly string[]): Captures | undefined {
  const m = re.exec(s);
  if (!m) return undefined;
  const captured: Captures = new Map();
  collect(m, groups, captured);
  return captured;
}

function everyMatch(re: RegExp, s: string, groups: readonly string[], maxMatch: number): Captures | undefined {
  re.lastIndex = 0;
  let captured: Captures | undefined;
  for (let n = 0; maxMatch === 0 || n < maxMatch; n++) {
    const m = re.exec(s);
    if (!m) break;
    collect(m, groups, (captured ??= new Map()));
    // Never loop in place (callers pass regexes that cannot match the empty string).
    if (m[0] === '') re.lastIndex++;
  }
  return captured;
}

function collect(m: RegExpExecArray, groups: readonly string[], into: Captures): void {
  for (const g of groups) {
    const value = m.groups?.[g];
    if (value === undefined) continue; // group did not participate: field untouched [assumption]
    let values = into.get(g);
    if (!values) into.set(g, (values = []));
    if (value !== '') values.push(value);
  }
}

/**
 * `rex mode=sed field=f "s/regex/replacement/flags"`: replaces the first (or, with `g`, every) match
 * in each value of `field`. In the replacement `\1`..`\9` are groups and `\0` is the whole match;
 * `&` is literal (Splunk documents only `\n` backreferences, unlike sed's `&`) [assumption]; `$` is
 * literal. [doc] https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/rex
 */
export function rexSed(rows: readonly Row[], field: string, jsRegex: RegExp, replacement: string, global: boolean): Row[] {
  return rexSedStage(field, jsRegex, replacement, global)(rows);
}

/** rexSed with its regex and replacement prepared once, for a stage that runs row by row. */
export function rexSedStage(field: string, jsRegex: RegExp, replacement: string, global: boolean): (rows: readonly Row[]) => Row[] {
  const flags = jsRegex.flags.replace(/[gy]/g, '') + (global ? 'g' : '');
  const re = new RegExp(jsRegex.source, flags);
  const apply = compileReplacement(replacement);
  const sub = (s: string): string => {
    re.lastIndex = 0;
    return s.replace(re, (match: string, ...rest: unknown[]) => {
      const hasNamed = typeof rest[rest.length - 1] === 'object';
      return apply(match, rest.slice(0, rest.length - (hasNamed ? 3 : 2)) as (string | undefined)[]);
    });
  };
  return (rows) => rows.map((row) => {
    const v = row[field];
    if (!present(v)) return row;
    const out: Row = { ...row };
    const replaced = valuesOf(v).map((x) => sub(String(x))).filter((x) => x !== '');
    if (replaced.length === 0) delete out[field];
    else out[field] = Array.isArray(v) ? replaced : (replaced[0] as string);
    return out;
  });
}

// ---- fillnull -----------------------------------------------------------------------------------

/**
 * `fillnull [value=v] [fields]`: sets absent fields to `value`. With no field list the fields are
 * every field that appears in any row (Splunk: "null values are field values that are missing in a
 * particular result but present in another result").
 * [doc] https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/fillnull
 */
export function fillnull(rows: readonly Row[], value: string, fields: readonly string[]): Row[] {
  let names = fields;
  if (names.length === 0) {
    const all = new Set<string>();
    for (const r of rows) for (const [k, v] of Object.entries(r)) if (present(v)) all.add(k);
    names = [...all];
  }
  return rows.map((row) => {
    let out: Row | null = null;
    for (const f of names) {
      if (present(row[f])) continue;
      out ??= { ...row };
      out[f] = value;
    }
    return out ?? row;
  });
}

// ---- sort ---------------------------------------------------------------------------------------

export interface SortKey {
  readonly field: string;
  readonly descending: boolean;
  /** auto: numbers numerically and before strings; num: non-numbers count as missing; str; ip. */
  readonly as: 'auto' | 'num' | 'str' | 'ip';
}

type SortVal = { readonly rank: number; readonly n: number; readonly s: string } | null;

function ipKey(s: string): number | null {
  return parseIPv4(s.trim());
}

function sortValue(v: FieldValue | undefined, as: SortKey['as']): SortVal {
  // A multivalue field sorts by its first value. [assumption]
  const x = valuesOf(v)[0];
  if (x === undefined || x === '') return null;
  const s = String(x);
  switch (as) {
    case 'str':
      return { rank: 0, n: 0, s };
    case 'num': {
      const n = asNumber(x);
      return n === null ? null : { rank: 0, n, s };
    }
    case 'ip': {
      const n = ipKey(s);
      return n === null ? { rank: 1, n: 0, s } : { rank: 0, n, s };
    }
    case 'auto': {
      const n = asNumber(x);
      return n === null ? { rank: 1, n: 0, s } : { rank: 0, n, s };
    }
  }
}

function compareSortVals(a: NonNullable<SortVal>, b: NonNullable<SortVal>): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.rank === 0 && a.n !== b.n) return a.n < b.n ? -1 : 1;
  return lex(a.s, b.s);
}

/**
 * Splunk `sort`: keys in order, `-` descending. Numbers sort numerically, strings in byte
 * (code-unit) order: digits before uppercase before lowercase. Rows missing a key sort last in
 * both directions ("smallest if descending, largest if ascending"). Stable. `limit` 0 keeps all.
 * [doc] https://help.splunk.com/splunk-enterprise/spl-search-reference/9.0/search-commands/sort ,
 * https://help.splunk.com/en/splunk-enterprise/search/spl2-search-manual/sort-and-order
 * `auto` puts numeric values before non-numeric ones, which agrees with "numbers before letters";
 * Splunk's own auto heuristic for strings that merely start with digits is not reproduced.
 * `ip` sorts IPv4 addresses numerically, before other values.
 */
export function sortRows(rows: readonly Row[], keys: readonly SortKey[], limit: number): Row[] {
  const decorated = rows.map((row, index) => ({ row, index, vals: keys.map((k) => sortValue(row[k.field], k.as)) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const x = a.vals[i] ?? null;
      const y = b.vals[i] ?? null;
      if (x === null && y === null) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = compareSortVals(x, y);
      if (c !== 0) return (keys[i] as SortKey).descending ? -c : c;
    }
    return a.index - b.index;
  });
  const sorted = decorated.map((d) => d.row);
  return limit > 0 ? sorted.slice(0, limit) : sorted;
}

// ---- lookup -------------------------------------------------------------------------------------

export interface LookupInput {
  /** The event field. */
  readonly field: string;
  /** The table column it is matched against. */
  readonly column: string;
}

export interface LookupOutput {
  readonly column: string;
  /** The event field to write. */
  readonly as: string;
}

/** Splunk's default max_matches for a lookup without time_field. [doc: transforms.conf] */
const MAX_MATCHES = 100;

/**
 * The table indexed by its key columns, built once per table and key columns: the matcher runs
 * lookup row by row as events stream in (pipeline.ts), so it must not re-index per call.
 */
interface TableIndex {
  /** JSON of the key column values -> table rows, in file order. */
  readonly rows: Map<string, number[]>;
  /** The columns that are not key columns (the outputs when none are listed). */
  readonly others: readonly string[];
}

const tableIndexes = new WeakMap<object, Map<string, TableIndex>>();

function tableIndex(table: readonly Readonly<Record<string, string>>[], inputs: readonly LookupInput[]): TableIndex {
  let byColumns = tableIndexes.get(table);
  if (!byColumns) {
    byColumns = new Map();
    tableIndexes.set(table, byColumns);
  }
  const columns = JSON.stringify(inputs.map((i) => i.column));
  const cached = byColumns.get(columns);
  if (cached) return cached;
  const index = new Map<string, number[]>();
  table.forEach((t, i) => {
    const key: string[] = [];
    for (const inp of inputs) {
      const v = t[inp.column];
      if (v === undefined || v === '') return;
      key.push(v);
    }
    const id = JSON.stringify(key);
    const list = index.get(id) ?? [];
    list.push(i);
    index.set(id, list);
  });
  const inputColumns = new Set(inputs.map((i) => i.column));
  const others = new Set<string>();
  for (const t of table) for (const k of Object.keys(t)) if (!inputColumns.has(k)) others.add(k);
  const built = { rows: index, others: [...others] };
  byColumns.set(columns, built);
  return built;
}

/**
 * `lookup table in AS f ... OUTPUT|OUTPUTNEW out AS g ...` (and `iplocation` with a GeoIP table).
 * Matching is exact and case-sensitive on every input column (case_sensitive_match defaults to
 * true); a multivalue input tries each value. Matching table rows (file order, at most 100) give
 * each output field its values; several distinct values make a multivalue. With no outputs listed,
 * every non-input column is output under its own name. OUTPUT overwrites existing fields,
 * OUTPUTNEW only fills absent ones. A row with no match is unchanged ("nothing is output to your
 * event if no match is found"; whether OUTPUT blanks an existing field then is [assumption: no]).
 * A null table (not available to the matcher) leaves every row unchanged.
 * [doc] https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/search-commands/lookup ,
 * https://docs.splunk.com/Documentation/Splunk/9.4.0/Knowledge/Addfieldmatchingrulestoyourlookupconfiguration
 */
export function enrich(
  rows: readonly Row[],
  table: readonly Readonly<Record<string, string>>[] | null,
  inputs: readonly LookupInput[],
  outputs: readonly LookupOutput[],
  overwrite: boolean,
): Row[] {
  if (table === null || inputs.length === 0) return [...rows];
  const { rows: index, others } = tableIndex(table, inputs);
  const outs = outputs.length === 0 ? others.map((c) => ({ column: c, as: c })) : outputs;
  return rows.map((row) => {
    // Every combination of input values (a multivalue input tries each value).
    let combos: string[][] = [[]];
    for (const inp of inputs) {
      const vs = valuesOf(row[inp.field]).map(String).filter((s) => s !== '');
      if (vs.length === 0) return row;
      combos = combos.flatMap((c) => vs.map((v) => [...c, v]));
    }
    const matches: number[] = [];
    for (const c of combos) for (const i of index.get(JSON.stringify(c)) ?? []) if (!matches.includes(i)) matches.push(i);
    if (matches.length === 0) return row;
    matches.sort((a, b) => a - b);
    const hits = matches.slice(0, MAX_MATCHES);
    const out: Row = { ...row };
    for (const o of outs) {
      if (!overwrite && present(row[o.as])) continue;
      const vals: string[] = [];
      for (const i of hits) {
        const v = table[i]?.[o.column];
        if (v !== undefined && v !== '' && !vals.includes(v)) vals.push(v);
      }
      if (vals.length === 0) {
        if (overwrite) delete out[o.as]; // a matched row with an empty output column clears it
        continue;
      }
      out[o.as] = vals.length === 1 ? (vals[0] as string) : vals;
    }
    return out;
  });
}

// ---- streamstats --------------------------------------------------------------------------------

export interface StreamAgg {
  readonly fn: string;
  /** Field name, `*` for every field, or null (count of events). */
  readonly field: string | null;
  readonly as: string;
}

export const STREAMSTATS_FUNCTIONS: ReadonlySet<string> = new Set(['count', 'dc', 'values', 'list', 'sum', 'avg', 'min', 'max', 'range', 'stdev', 'first', 'last', 'earliest', 'latest']);

interface AggState {
  count: number;
  seen: Set<string>;
  all: Scalar[];
  sum: number;
  nums: number;
  min: Scalar | undefined;
  max: Scalar | undefined;
  /** The numeric values' range() and stdev(). */
  spread: Spread;
  first: Scalar | undefined;
  last: Scalar | undefined;
  earliest: TimePick;
  latest: TimePick;
}

function newState(): AggState {
  return { count: 0, seen: new Set(), all: [], sum: 0, nums: 0, min: undefined, max: undefined, spread: new Spread(), first: undefined, last: undefined, earliest: new TimePick(false), latest: new TimePick(true) };
}

/** min/max order as in stats: numbers numerically and below strings, strings lexicographically. */
function statsOrder(a: Scalar, b: Scalar): number {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return lex(String(a), String(b));
}

/** `time`: the row's `_time`, for earliest()/latest(). */
function feed(st: AggState, values: readonly Scalar[], time: number | undefined): void {
  for (const v of values) {
    st.count++;
    st.seen.add(String(v));
    if (st.all.length < 10000) st.all.push(v);
    const n = asNumber(v);
    if (n !== null) {
      st.sum += n;
      st.nums++;
      st.spread.add(n);
    }
    if (st.min === undefined || statsOrder(v, st.min) < 0) st.min = v;
    if (st.max === undefined || statsOrder(v, st.max) > 0) st.max = v;
    st.first ??= v;
    st.last = v;
    st.earliest.add(v, time);
    st.latest.add(v, time);
  }
}

function result(fn: string, st: AggState): FieldValue | undefined {
  switch (fn) {
    case 'count':
      return st.count;
    case 'dc':
      return st.seen.size;
    case 'values': {
      const vs = [...st.seen].sort(lex);
      return vs.length === 0 ? undefined : vs.length === 1 ? vs[0] : vs;
    }
    case 'list': {
      const vs = st.all.slice(0, 100).map(String);
      return vs.length === 0 ? undefined : vs.length === 1 ? vs[0] : vs;
    }
    case 'sum':
      return st.nums ? st.sum : undefined;
    case 'avg':
      return st.nums ? st.sum / st.nums : undefined;
    case 'min':
      return st.min;
    case 'max':
      return st.max;
    case 'range':
      // max - min of the numeric values (Splunk's range() ignores non-numbers).
      return st.spread.range();
    case 'stdev':
      return st.spread.stdev();
    case 'first':
      return st.first;
    case 'last':
      return st.last;
    case 'earliest':
      return st.earliest.result();
    case 'latest':
      return st.latest.result();
    default:
      return undefined;
  }
}

/** streamstats options as the runtime takes them (the IR's StreamWindow). */
export interface StreamOptions {
  /** At most this many rows per aggregate; 0: every row so far. */
  readonly window: number;
  /** False: the row itself is left out. */
  readonly current: boolean;
  /** With a window: one window over the whole stream (true) or one per group (false). */
  readonly global: boolean;
  readonly resetOnChange: boolean;
}

const DEFAULT_STREAM: StreamOptions = { window: 0, current: true, global: true, resetOnChange: false };

/** The running-state keys and output names of one row: `${agg index}` or `${agg index}:${field}`. */
function aggTargets(row: Row, aggs: readonly StreamAgg[], by: readonly string[]): { agg: StreamAgg; key: string; field: string | null; name: string }[] {
  const out: { agg: StreamAgg; key: string; field: string | null; name: string }[] = [];
  aggs.forEach((a, i) => {
    if (a.field === null) {
      out.push({ agg: a, key: `${i}`, field: null, name: a.as });
      return;
    }
    const fields = a.field === '*' ? Object.keys(row).filter((k) => !by.includes(k)) : [a.field];
    for (const f of fields) out.push({ agg: a, key: `${i}:${f}`, field: f, name: a.field === '*' ? (a.as === '*' ? f : a.as.replace('*', f)) : a.as });
  });
  return out;
}

/** Feeds one row into a state: count() counts the row, every other target the field's values. */
function feedRow(st: AggState, row: Row, field: string | null): void {
  if (field === null) st.count++;
  else feed(st, valuesOf(row[field]).filter((v) => v !== ''), timeOf(row));
}

/**
 * `streamstats [window=N] [current=t|f] [global=t|f] [reset_on_change=t|f] <aggs> [by f...]`:
 * each row gets the aggregate of the rows of its group seen so far in input order (itself included
 * unless current=f). count with no field counts rows; with a field (and every other function)
 * only the row's values of that field are fed, so a row lacking the field still receives the
 * running value so far (count and dc are then 0, the others absent).
 * - window=N: only the last N rows count. With global=true (Splunk's default) the window is the
 *   last N rows of the whole stream and the aggregate takes the rows in it of the row's group;
 *   with global=false each group keeps its own last N rows. With current=f the window is the N
 *   rows before the row (window=1 current=f: the previous row).
 * - reset_on_change: a row whose by-field values differ from those of the previous row that had
 *   every by-field clears every aggregate (and window) before it is counted.
 * A row lacking a by-field is passed through without aggregates, takes no window slot and
 * triggers no reset [assumption, matching stats dropping such rows from groups]; a multivalue
 * by-field groups by its whole value list [assumption]. Unknown functions throw.
 * [doc] https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats
 */
export function streamstats(rows: readonly Row[], aggs: readonly StreamAgg[], by: readonly string[], options: StreamOptions = DEFAULT_STREAM): Row[] {
  for (const a of aggs) if (!STREAMSTATS_FUNCTIONS.has(a.fn)) throw new Error(`ruleport runtime: streamstats does not support ${a.fn}()`);
  if (!Number.isInteger(options.window) || options.window < 0) throw new Error(`ruleport runtime: streamstats window=${options.window} is not a row count`);
  // Running states per group (no window), or the rows in the window(s) (window > 0).
  const groups = new Map<string, Map<string, AggState>>();
  const windows = new Map<string, { id: string; row: Row }[]>();
  let lastId: string | null = null;
  return rows.map((row) => {
    const key: string[][] = [];
    for (const f of by) {
      const vs = valuesOf(row[f]).map(String).filter((s) => s !== '');
      if (vs.length === 0) return row;
      key.push(vs);
    }
    const id = JSON.stringify(key);
    if (options.resetOnChange && lastId !== null && lastId !== id) {
      groups.clear();
      windows.clear();
    }
    lastId = id;
    const out: Row = { ...row };
    const targets = aggTargets(row, aggs, by);
    if (options.window > 0) {
      // One buffer for the stream (global) or one per group; the aggregate is recomputed from it.
      const bufferId = options.global ? '' : id;
      let buffer = windows.get(bufferId);
      if (!buffer) {
        buffer = [];
        windows.set(bufferId, buffer);
      }
      const push = (): void => {
        (buffer as { id: string; row: Row }[]).push({ id, row });
        if ((buffer as unknown[]).length > options.window) (buffer as unknown[]).shift();
      };
      if (options.current) push();
      const members = buffer.filter((e) => e.id === id).map((e) => e.row);
      for (const t of targets) {
        const st = newState();
        for (const r of members) feedRow(st, r, t.field);
        const v = result(t.agg.fn, st);
        if (v !== undefined) out[t.name] = v;
      }
      if (!options.current) push();
      return out;
    }
    let states = groups.get(id);
    if (!states) {
      states = new Map();
      groups.set(id, states);
    }
    for (const t of targets) {
      let st = states.get(t.key);
      if (!st) {
        st = newState();
        states.set(t.key, st);
      }
      // current=f: the aggregate of the rows before this one, then this row joins the state.
      if (options.current) feedRow(st, row, t.field);
      const v = result(t.agg.fn, st);
      if (v !== undefined) out[t.name] = v;
      if (!options.current) feedRow(st, row, t.field);
    }
    return out;
  });
}

// ---- computed lookups ---------------------------------------------------------------------------

/**
 * A lookup Splunk computes with a script (an external lookup) instead of reading a file: the input
 * columns of one row in, the output columns out.
 */
export type ComputedLookup = (inputs: Readonly<Record<string, string>>) => Readonly<Record<string, string>>;

/** Python's str.isspace() characters, which str.strip() removes (a different set from trim()'s). */
const PY_SPACE = new Set([
  ...'\t\n\v\f\r \u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000',
  ...Array.from({ length: 4 }, (_, i) => String.fromCharCode(0x1c + i)),
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
]);

/** Python's str.strip() with no argument. */
function pythonStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_SPACE.has(s[a] as string)) a++;
  while (b > a && PY_SPACE.has(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

/**
 * Shannon entropy in bits per character, as URL Toolbox's `ut_shannon.py` computes it: over the
 * code points of the value, summed in first-occurrence order with log(p)/log(2) (Python's
 * math.log(p, 2)), so the float is the one Splunk shows. An empty value has entropy 0.
 * [source] https://github.com/splunk/utbox/blob/master/utbox/bin/ut_shannon.py
 */
export function shannonEntropy(word: string): number {
  const occ = new Map<string, number>();
  let length = 0;
  for (const c of word) {
    occ.set(c, (occ.get(c) ?? 0) + 1);
    length++;
  }
  let entropy = 0;
  for (const v of occ.values()) {
    const p = v / length;
    entropy -= p * (Math.log(p) / Math.log(2));
  }
  return entropy;
}

/** A float as Python's str() writes it (the CSV Splunk reads back): `2.0`, not `2`. */
function pythonFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/**
 * External lookups whose script is public, by lookup name. `ut_shannon_lookup` (URL Toolbox):
 * input column `word`, stripped of surrounding whitespace, output column `ut_shannon`.
 */
export const COMPUTED_LOOKUPS: Readonly<Record<string, ComputedLookup>> = {
  ut_shannon_lookup: (inputs) => ({ ut_shannon: pythonFloat(shannonEntropy(pythonStrip(inputs['word'] ?? ''))) }),
};

/**
 * `lookup` on a computed table: rows lacking an input field are unchanged (Splunk sends the
 * script nothing to look up); a multivalue input is looked up value by value and the outputs
 * collected as a multivalue [assumption: as file lookups try each value]. OUTPUT overwrites,
 * OUTPUTNEW only fills absent fields.
 */
export function enrichComputed(
  rows: readonly Row[],
  compute: ComputedLookup,
  inputs: readonly LookupInput[],
  outputs: readonly LookupOutput[],
  overwrite: boolean,
): Row[] {
  return rows.map((row) => {
    let combos: Record<string, string>[] = [{}];
    for (const inp of inputs) {
      const vs = valuesOf(row[inp.field]).map(String).filter((s) => s !== '');
      if (vs.length === 0) return row;
      combos = combos.flatMap((c) => vs.map((v) => ({ ...c, [inp.column]: v })));
    }
    const results = combos.map(compute);
    const out: Row = { ...row };
    const outs = outputs.length ? outputs : Object.keys(results[0] ?? {}).map((c) => ({ column: c, as: c }));
    for (const o of outs) {
      if (!overwrite && present(row[o.as])) continue;
      const vals: string[] = [];
      for (const r of results) {
        const v = r[o.column];
        if (v !== undefined && v !== '' && !vals.includes(v)) vals.push(v);
      }
      if (vals.length === 0) continue;
      out[o.as] = vals.length === 1 ? (vals[0] as string) : vals;
    }
    return out;
  });
}

// ---- join ---------------------------------------------------------------------------------------

export interface JoinOptions {
  readonly type: 'inner' | 'left';
  readonly fields: readonly string[];
  /** Subsearch rows joined to each row; 0: all. */
  readonly max: number;
  readonly overwrite: boolean;
}

/**
 * `join`: each row is combined with the first `max` subsearch rows (in subsearch order) whose join
 * fields all have the row's values; one output row per combination, in row order. A row with no
 * match (or lacking a join field) is kept unchanged by type=left and dropped by type=inner. With
 * overwrite=true the subsearch's fields replace the row's; with false they only fill absent ones.
 * Values compare exactly (case-sensitive); a multivalue key compares as its whole value list
 * [assumption]. [doc] https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/join
 */
export function joinRows(rows: readonly Row[], subRows: readonly Row[], o: JoinOptions): Row[] {
  const keyOf = (row: Row): string | null => {
    const parts: (readonly string[])[] = [];
    for (const f of o.fields) {
      const v = row[f];
      if (!present(v)) return null;
      parts.push(valuesOf(v).map(String));
    }
    return JSON.stringify(parts);
  };
  const index = new Map<string, Row[]>();
  for (const r of subRows) {
    const k = keyOf(r);
    if (k === null) continue;
    const list = index.get(k);
    if (!list) index.set(k, [r]);
    else if (o.max === 0 || list.length < o.max) list.push(r);
  }
  const out: Row[] = [];
  for (const row of rows) {
    const k = keyOf(row);
    const matches = k === null ? undefined : index.get(k);
    if (!matches) {
      if (o.type === 'left') out.push(row);
      continue;
    }
    for (const m of matches) {
      const joined: Row = { ...row };
      for (const [f, v] of Object.entries(m)) {
        if (v === undefined) continue;
        if (o.overwrite || !present(joined[f])) joined[f] = v;
      }
      out.push(joined);
    }
  }
  return out;
}
