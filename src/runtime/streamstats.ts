/**
 * `streamstats`: each row gets the running aggregates of the rows of its group seen so far (or
 * in a window of the last rows). Pure: input rows are never mutated.
 */
import type { FieldValue, Row, Scalar } from './index.js';
import { asNumber, lex, minMaxOrder, valuesOf } from './values.js';
import { TimePick, timeOf } from './time-pick.js';
import { Spread } from './spread.js';

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
    if (st.min === undefined || minMaxOrder(v, st.min) < 0) st.min = v;
    if (st.max === undefined || minMaxOrder(v, st.max) > 0) st.max = v;
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
