/**
 * `stats` and `eventstats` by folding: each row is folded into its groups' accumulators as it
 * arrives and then forgotten, so what `stats` holds grows with the groups and the distinct values
 * they keep (values/dc), never with the number of rows. `eventstats` must give every input row its
 * group's final aggregate, so it holds its rows until the end (see pipeline.ts).
 *
 * Splunk semantics kept (notes: shared/notes/splunk-semantics.md §7):
 * - a row lacking a by-field forms no group; a multivalue by-field puts the row in each value's group;
 * - values(): distinct, as strings, in code-unit (lexicographic) order; dc(): number of those strings;
 * - list(): arrival order, the first 100 values only (Splunk's documented list() cap);
 * - min()/max(): numerically when every value is a number, else lexicographically over all values;
 * - sum()/avg(): over the values that are numbers, in arrival order; stdev()/range() over them too
 *   (spread.ts);
 * - first()/last() in arrival order; earliest()/latest() by `_time` (time-pick.ts);
 * - count: of rows without a field (and for `count(*) as *`, per field), of values with one;
 * - output rows sorted by their by-values, by-fields first, then the aggregates in order, with the
 *   fields of an `f(*) as *` aggregate in name order.
 */
import type { FieldValue, Row, Scalar } from './index.js';
import { lex, valuesOf } from './values.js';
import { TimePick, timeOf } from './time-pick.js';
import { Spread } from './spread.js';

export interface AggSpec {
  readonly fn: string;
  /** A field, `*` for every field, or null (count of rows). */
  readonly field: string | null;
  readonly as: string;
}

/** The functions stats and eventstats compute (accumulator() below). */
export const STATS_FUNCTIONS: ReadonlySet<string> = new Set(['count', 'values', 'dc', 'list', 'min', 'max', 'sum', 'avg', 'stdev', 'range', 'first', 'last', 'earliest', 'latest']);

/** Splunk's list() keeps the first 100 values (limits.conf list_maxsize). [doc] */
export const LIST_MAX = 100;

/** One aggregate of one field in one group. */
interface Accumulator {
  /** `time`: the row's `_time` (earliest/latest use it). */
  add(v: Scalar, time: number | undefined): void;
  /** The result; `rows` is the group's row count (count of rows). */
  result(rows: number): FieldValue | undefined;
  /** Values held (distinct strings, list entries): the memory that grows with the data. */
  readonly size: number;
}

class Count implements Accumulator {
  private n = 0;
  constructor(private readonly ofRows: boolean) {}
  add(): void {
    this.n++;
  }
  result(rows: number): number {
    return this.ofRows ? rows : this.n;
  }
  get size(): number {
    return 0;
  }
}

class Distinct implements Accumulator {
  private readonly seen = new Set<string>();
  constructor(private readonly fn: 'values' | 'dc') {}
  add(v: Scalar): void {
    this.seen.add(String(v));
  }
  result(): FieldValue | undefined {
    if (this.fn === 'dc') return this.seen.size;
    return this.seen.size ? [...this.seen].sort(lex) : undefined;
  }
  get size(): number {
    return this.seen.size;
  }
}

class List implements Accumulator {
  private readonly kept: string[] = [];
  add(v: Scalar): void {
    if (this.kept.length < LIST_MAX) this.kept.push(String(v));
  }
  result(): FieldValue | undefined {
    return this.kept.length ? [...this.kept] : undefined;
  }
  get size(): number {
    return this.kept.length;
  }
}

class Extreme implements Accumulator {
  private any = false;
  private allNumbers = true;
  private num: number | undefined;
  private str: string | undefined;
  constructor(private readonly max: boolean) {}
  add(v: Scalar): void {
    this.any = true;
    const n = Number(v);
    if (Number.isNaN(n)) this.allNumbers = false;
    else if (this.allNumbers) this.num = this.num === undefined ? n : this.max ? Math.max(this.num, n) : Math.min(this.num, n);
    const s = String(v);
    if (this.str === undefined || (this.max ? s > this.str : s < this.str)) this.str = s;
  }
  result(): FieldValue | undefined {
    if (!this.any) return undefined;
    return this.allNumbers ? this.num : this.str;
  }
  get size(): number {
    return 0;
  }
}

class Sum implements Accumulator {
  private sum = 0;
  private n = 0;
  constructor(private readonly average: boolean) {}
  add(v: Scalar): void {
    const x = Number(v);
    if (Number.isNaN(x)) return;
    this.sum += x;
    this.n++;
  }
  result(): number | undefined {
    if (this.n === 0) return undefined;
    return this.average ? this.sum / this.n : this.sum;
  }
  get size(): number {
    return 0;
  }
}

class SpreadOf implements Accumulator {
  private readonly spread = new Spread();
  constructor(private readonly fn: 'stdev' | 'range') {}
  add(v: Scalar): void {
    const x = Number(v);
    if (!Number.isNaN(x)) this.spread.add(x);
  }
  result(): number | undefined {
    return this.fn === 'stdev' ? this.spread.stdev() : this.spread.range();
  }
  get size(): number {
    return 0;
  }
}

class Pick implements Accumulator {
  private v: Scalar | undefined;
  constructor(private readonly last: boolean) {}
  add(v: Scalar): void {
    if (this.last || this.v === undefined) this.v = v;
  }
  result(): Scalar | undefined {
    return this.v;
  }
  get size(): number {
    return 0;
  }
}

function accumulator(fn: string, ofRows: boolean): Accumulator {
  switch (fn) {
    case 'count':
      return new Count(ofRows);
    case 'values':
    case 'dc':
      return new Distinct(fn);
    case 'list':
      return new List();
    case 'min':
    case 'max':
      return new Extreme(fn === 'max');
    case 'sum':
    case 'avg':
      return new Sum(fn === 'avg');
    case 'stdev':
    case 'range':
      return new SpreadOf(fn);
    case 'first':
      return new Pick(false);
    case 'last':
      return new Pick(true);
    case 'earliest':
    case 'latest':
      return new TimePick(fn === 'latest');
    default:
      throw new Error(`ruleport runtime: unknown aggregation ${fn}`);
  }
}

interface Group {
  /** The by-values as the first row of the group had them (a number stays a number). */
  readonly byValues: readonly Scalar[];
  rows: number;
  /** Per aggregate: its accumulator (field or count of rows), or, for `f(*)`, one per field name. */
  readonly accs: readonly (Accumulator | Map<string, Accumulator>)[];
}

/** What a folder holds, for tests of the memory bound. */
export interface AggregateState {
  readonly groups: number;
  /** Distinct values and list entries held over all groups and fields. */
  readonly values: number;
}

/**
 * The groups of one stats/eventstats, fed row by row. `fold` returns the id of the row's first
 * group (eventstats gives a row the aggregates of that one) or null when the row forms none.
 */
export class AggregateFolder {
  private readonly groups = new Map<string, Group>();
  private readonly byFields: ReadonlySet<string>;
  /** Whether an aggregate reads the rows' `_time` (earliest/latest), so others skip it. */
  private readonly timed: boolean;

  constructor(
    private readonly aggs: readonly AggSpec[],
    private readonly by: readonly string[],
  ) {
    this.byFields = new Set(by);
    this.timed = aggs.some((a) => a.fn === 'earliest' || a.fn === 'latest');
  }

  fold(row: Row): string | null {
    // The by-values of the row; a missing by-field means no group.
    const parts: Scalar[][] = [];
    for (const f of this.by) {
      const vs = valuesOf(row[f]);
      if (vs.length === 0) return null;
      parts.push([...vs]);
    }
    let first: string | null = null;
    // Cartesian product: a multivalue by-field puts the row in each value's group.
    for (const key of parts.reduce<Scalar[][]>((acc, vs) => acc.flatMap((k) => vs.map((v) => [...k, v])), [[]])) {
      const id = JSON.stringify(key.map(String));
      first ??= id;
      let g = this.groups.get(id);
      if (!g) {
        g = this.newGroup(key);
        this.groups.set(id, g);
      }
      this.add(g, row);
    }
    return first;
  }

  private newGroup(byValues: readonly Scalar[]): Group {
    return { byValues, rows: 0, accs: this.aggs.map((a) => (a.field === '*' ? new Map() : accumulator(a.fn, a.field === null))) };
  }

  private add(g: Group, row: Row): void {
    g.rows++;
    const time = this.timed ? timeOf(row) : undefined;
    this.aggs.forEach((a, i) => {
      const acc = g.accs[i] as Accumulator | Map<string, Accumulator>;
      if (acc instanceof Map) {
        for (const name of Object.keys(row)) {
          if (this.byFields.has(name)) continue;
          let one = acc.get(name);
          if (!one) {
            one = accumulator(a.fn, true);
            acc.set(name, one);
          }
          for (const v of valuesOf(row[name])) one.add(v, time);
        }
      } else if (a.field !== null) {
        for (const v of valuesOf(row[a.field])) acc.add(v, time);
      }
    });
  }

  private resultOf(g: Group): Row {
    const out: Row = {};
    this.by.forEach((f, i) => {
      out[f] = g.byValues[i];
    });
    this.aggs.forEach((a, i) => {
      const acc = g.accs[i] as Accumulator | Map<string, Accumulator>;
      if (acc instanceof Map) {
        for (const name of [...acc.keys()].sort(lex)) {
          const v = (acc.get(name) as Accumulator).result(g.rows);
          if (v !== undefined) out[a.as === '*' ? name : a.as.replace('*', name)] = v;
        }
      } else {
        const v = acc.result(g.rows);
        if (v !== undefined) out[a.as] = v;
      }
    });
    return out;
  }

  /** The result row of each group, keyed by group id. */
  results(): Map<string, Row> {
    const out = new Map<string, Row>();
    for (const [id, g] of this.groups) out.set(id, this.resultOf(g));
    return out;
  }

  /**
   * stats output: one row per group, sorted by the by-values (Splunk's order). Without by-fields,
   * no input still gives one row when an aggregate has a value on nothing (count and dc: 0), which
   * is what `| stats count | where count=0` ("no data seen") relies on, as KQL's and ES|QL's
   * aggregations without a group do; a row that would hold no field at all (only values(),
   * min(), ...) is left out [assumption], so a rule ending in `stats values(*) as *` returns
   * nothing on no match.
   */
  rows(): Row[] {
    if (this.by.length === 0 && this.groups.size === 0) {
      const none = this.resultOf(this.newGroup([]));
      return Object.keys(none).length > 0 ? [none] : [];
    }
    return [...this.groups.keys()].sort(lex).map((id) => this.resultOf(this.groups.get(id) as Group));
  }

  state(): AggregateState {
    let values = 0;
    for (const g of this.groups.values()) {
      for (const acc of g.accs) {
        if (acc instanceof Map) for (const one of acc.values()) values += one.size;
        else values += acc.size;
      }
    }
    return { groups: this.groups.size, values };
  }
}

/** eventstats over all rows: each row with its first group's aggregates added (by-fields included). */
function eventstats(rows: readonly Row[], folder: AggregateFolder): Row[] {
  const ids = rows.map((row) => folder.fold(row));
  const results = folder.results();
  return rows.map((row, i) => {
    const id = ids[i];
    const agg = id ? results.get(id) : undefined;
    return agg ? { ...row, ...agg } : row;
  });
}

/** stats or eventstats over an array of rows (the streaming form is in pipeline.ts). */
export function stats(rows: readonly Row[], aggs: readonly AggSpec[], by: readonly string[], mode: 'stats' | 'eventstats'): Row[] {
  const folder = new AggregateFolder(aggs, by);
  if (mode === 'eventstats') return eventstats(rows, folder);
  for (const row of rows) folder.fold(row);
  return folder.rows();
}
