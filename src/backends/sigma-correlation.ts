/**
 * Sigma correlation rules for the threshold idiom
 *   <filter> | [table|fields|where ...] | [bin span=X] | [stats values(*) as * by G1]
 *            | stats|eventstats count [as c] [dc(f) as d] ... by G2 | where c > N [AND c <= M]
 *            | [table|fields|sort ...]
 * The base detection rule is the filter (with the `where`s before any aggregation folded in); the
 * correlation (`event_count` for `count`, `value_count` for `dc(f)`) counts its events per
 * group-by and window and applies the threshold. After `stats values(*) as * by G1` only `dc`
 * carries over, and only when G2 is part of G1 (the union of each row's distinct values is then
 * the group's). A plan accounts for every stage: column stages change nothing stats reads (which
 * is checked), a `bin` without `by _time` changes nothing stats outputs, and the rest is reported
 * here. Any other pipeline gets no plan, and the caller reports its stages as before.
 *
 * Windows (see the correlation specification, "Compatibility" and "Time Selection"): a `timespan`
 * is a window length; the specification treats fixed boundaries as a backend restriction, so a
 * reader may slide it. Splunk's `bin span=X` buckets are fixed and aligned, and without `bin` the
 * counts cover the whole search range, which a rule file does not state. Neither is exact, and
 * each is reported with its direction.
 */
import { diag, type Diagnostic, type Direction, type Span } from '../diagnostics.js';
import { assertNever, type Aggregation, type Expr, type Stage } from '../ir/types.js';
import { mayExist } from '../lint/lineage.js';
import type { RenderContext } from './context.js';

export type ThresholdOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq';

export interface CorrelationPlan {
  readonly type: 'event_count' | 'value_count';
  /** Sigma field names, in the SPL's by-clause order (without `_time`). */
  readonly groupBy: readonly string[];
  /** `^\d+[smhd]$`. */
  readonly timespan: string;
  /** value_count: the Sigma field whose distinct values are counted. */
  readonly field: string | null;
  /** Conjunction of bounds on the count, in a fixed key order. */
  readonly condition: readonly { readonly op: ThresholdOp; readonly value: number }[];
  /** Event filters from stages before the aggregation, to AND into the base rule's detection. */
  readonly filters: readonly Expr[];
  readonly diagnostics: readonly Diagnostic[];
  /** One line each, for the comment block of the output. */
  readonly notes: readonly string[];
}

/** Search range assumed when the SPL has no `bin`: the rule file does not say how far back Splunk searches. */
export const ASSUMED_SEARCH_RANGE_SECONDS = 24 * 3600;

/** Stages that change neither which rows exist nor the values stats reads: columns and order only. */
function rowShapeOnly(st: Stage): boolean {
  return st.kind === 'project' || st.kind === 'sort';
}

/** Seconds as a Sigma timespan in the largest unit that divides it exactly. */
export function sigmaTimespan(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

const OP_ORDER: readonly ThresholdOp[] = ['gt', 'gte', 'lt', 'lte', 'eq'];

/**
 * One bound of the where clause on the measure `name`, exact over integer counts: `c > 2.5` is
 * `c >= 3`. Null when the conjunct is anything else.
 */
function bound(e: Expr, name: string): { op: ThresholdOp; value: number } | null {
  if (e.kind === 'cmp' && e.numeric && e.field.name === name) {
    const x = Number(e.value);
    if (!Number.isFinite(x)) return null;
    if (Number.isInteger(x)) return { op: ({ '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const)[e.op], value: x };
    switch (e.op) {
      case '>':
      case '>=':
        return { op: 'gte', value: Math.ceil(x) };
      case '<':
      case '<=':
        return { op: 'lte', value: Math.floor(x) };
    }
  }
  // where `c = 5` / `c == 5`: a case-sensitive literal; only a canonical integer is a number test.
  if (e.kind === 'eq' && e.field.name === name && e.pattern.length === 1) {
    const text = e.pattern[0] ?? '';
    if (/^-?\d+$/.test(text) && String(Number(text)) === text) return { op: 'eq', value: Number(text) };
  }
  return null;
}

/** The bounds of a filter stage, when every conjunct bounds the same measure. */
function thresholds(e: Expr, measures: readonly Aggregation[]): { agg: Aggregation; bounds: { op: ThresholdOp; value: number }[] } | null {
  const parts = e.kind === 'and' ? e.args : [e];
  if (parts.length === 0) return null;
  for (const agg of measures) {
    const bounds = parts.map((p) => bound(p, agg.as));
    if (bounds.every((b) => b !== null)) {
      const ops = new Set(bounds.map((b) => b.op));
      if (ops.size !== bounds.length) return null; // `c > 1 AND c > 5`: one key per op in YAML
      return { agg, bounds: [...bounds].sort((a, b) => OP_ORDER.indexOf(a.op) - OP_ORDER.indexOf(b.op)) };
    }
  }
  return null;
}

/** True when every bound only gets easier to meet as the count grows (`gt`, `gte`). */
function monotoneUp(bounds: readonly { op: ThresholdOp }[]): boolean {
  return bounds.every((b) => b.op === 'gt' || b.op === 'gte');
}

/** `stats values(*) as * by ...`: one row per group holding every distinct value of every field. */
function isCollapse(st: Stage): st is Extract<Stage, { kind: 'aggregate' }> {
  return st.kind === 'aggregate' && st.mode === 'stats' && st.aggs.length > 0 && st.aggs.every((a) => a.fn === 'values' && a.field === '*' && a.as === '*');
}

/** Fields an expression reads, or null when it holds an eval condition Sigma has no spelling for. */
function plainFields(e: Expr): string[] | null {
  switch (e.kind) {
    case 'and':
    case 'or': {
      const parts = e.args.map(plainFields);
      return parts.every((p) => p !== null) ? parts.flat() : null;
    }
    case 'not':
      return plainFields(e.arg);
    case 'eq':
    case 'regex':
    case 'cmp':
    case 'exists':
    case 'cidr':
      return [e.field.name];
    case 'term': // a raw-event search after a pipe reads the row, not the event text
    case 'cond':
    case 'undisclosed': // no known fields: its definition is not published
      return null;
    default:
      return assertNever(e, 'expression');
  }
}

export function planCorrelation(ctx: RenderContext): CorrelationPlan | null {
  const stages = ctx.detection.stages;
  // Walk to the measuring stage: columns, one `bin` of _time, event filters (folded into the base
  // rule), and at most one `stats values(*) as *` that collapses events into rows per group.
  let bucket: Extract<Stage, { kind: 'bucket' }> | null = null;
  let collapse: Extract<Stage, { kind: 'aggregate' }> | null = null;
  const filters: Expr[] = [];
  let k = 0;
  for (; k < stages.length; k++) {
    const st = stages[k] as Stage;
    const set = ctx.sets[k];
    if (rowShapeOnly(st)) continue;
    if (st.kind === 'bucket' && st.field.name === '_time' && st.as === '_time' && !bucket && !collapse) bucket = st;
    else if (st.kind === 'filter' && !collapse) {
      // A filter on events before any aggregation is part of the base rule, if every field it reads
      // is still there (a removed field would be absent in Splunk but present on the raw event).
      const read = plainFields(st.expr);
      // `_time` tests belong to the window, not to a detection item.
      if (!read || !set || read.some((n) => n === '_time' || !mayExist(set, n))) return null;
      filters.push(st.expr);
    } else if (isCollapse(st) && !collapse) collapse = st;
    else break;
  }
  const agg = stages[k];
  const where = stages[k + 1];
  if (!agg || agg.kind !== 'aggregate' || agg.mode === 'streamstats' || !where || where.kind !== 'filter') return null;
  if (!stages.slice(k + 2).every(rowShapeOnly)) return null;

  // Measures: count of events, or distinct count of one concrete field. After a collapse only a
  // distinct count carries over (the union of each row's distinct values is the group's), and only
  // when the measuring groups are unions of collapsed groups.
  const measures = agg.aggs.filter((a) => (a.fn === 'count' && a.field === null && !collapse) || (a.fn === 'dc' && a.field !== null && !a.field.includes('*')));
  const t = thresholds(where.expr, measures);
  if (!t) return null;
  const collapsedBy = collapse?.by.map((f) => f.name) ?? [];
  if (collapse && !agg.by.every((f) => collapsedBy.includes(f.name))) return null;
  const aggIndex = k;

  // Every field stats reads must still exist there (else Splunk forms no groups) and map to a plain
  // Sigma field: a derived one (a base name cut from a path) would group or count differently.
  const before = ctx.sets[aggIndex];
  const read = [...agg.by.map((f) => f.name).filter((n) => n !== '_time'), ...(t.agg.field ? [t.agg.field] : [])];
  if (!before || read.some((n) => !mayExist(before, n) || n.includes('*'))) return null;
  const mapped = read.map((n) => ctx.field(n, null));
  if (mapped.some((m) => m.derive !== undefined)) return null;

  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const up = monotoneUp(t.bounds);
  const lossy = (message: string, span: Span, direction: Direction | undefined): void => {
    diagnostics.push(diag('BE002', message, span, { backend: 'sigma', ...(direction ? { direction } : {}) }));
    notes.push(`lossy${direction ? ` (${direction})` : ''}: ${message}`);
  };
  const unlessUp = up ? '' : '; with an upper or exact bound the difference can go either way';

  const byTime = agg.by.some((f) => f.name === '_time');
  let seconds: number;
  if (byTime && bucket) {
    seconds = bucket.seconds;
    lossy(
      `\`bin span=${sigmaTimespan(seconds)}\` counts in fixed, aligned buckets; the correlation timespan ${sigmaTimespan(seconds)} is a window a Sigma backend may slide, which also fires on a burst that straddles a bucket boundary${unlessUp}`,
      bucket.span,
      up ? 'wider' : undefined,
    );
  } else if (byTime) {
    // `by _time` without `bin` groups events with the same timestamp; the smallest Sigma window is 1s.
    seconds = 1;
    lossy(`\`stats ... by _time\` without \`bin\` groups events with the very same timestamp; the correlation uses a 1s window, which also counts events a fraction of a second apart${unlessUp}`, agg.span, up ? 'wider' : undefined);
  } else {
    seconds = ASSUMED_SEARCH_RANGE_SECONDS;
    const span = sigmaTimespan(seconds);
    // A longer range gives larger counts: that helps lower bounds and hurts upper ones.
    const effect = up
      ? `wider if the scheduled search covers at most ${span}, narrower if it covers more`
      : t.bounds.every((b) => b.op === 'lt' || b.op === 'lte')
        ? `narrower if the scheduled search covers at most ${span}, wider if it covers more`
        : 'either way, depending on how much the scheduled search covers';
    lossy(
      `without \`bin\`, Splunk counts over the whole search time range, which the rule does not state; timespan ${span} is assumed (${effect})`,
      agg.span,
      undefined,
    );
  }
  // _time is on every event, so grouping by it drops nothing.
  const dropped = collapsedBy.filter((n) => n !== '_time' && !agg.by.some((f) => f.name === n));
  if (collapse && dropped.length > 0) {
    lossy(`the first \`stats\` also drops events without ${dropped.join(', ')}; the correlation counts them${unlessUp}`, collapse.span, up ? 'wider' : undefined);
  }
  if (agg.mode === 'eventstats') {
    // Same groups fire; Splunk returns every row of a firing group rather than one row per group.
    lossy('`eventstats` keeps every row of a group that passes the threshold; the correlation reports one result per group', agg.span, undefined);
  }
  const extra = agg.aggs.filter((a) => a !== t.agg);
  if (extra.length > 0 || stages.slice(aggIndex + 2).length > 0) {
    // Which groups fire is unchanged; only the columns of the result rows differ.
    lossy(`the correlation reports each group and its ${t.agg.fn === 'count' ? 'event count' : 'distinct count'}; the other result columns (${[...extra.map((a) => `${a.fn}(${a.field ?? ''})`), ...stages.slice(aggIndex + 2).map((s) => s.kind)].join(', ')}) are not carried`, agg.span, undefined);
  }
  const groupBy = mapped.slice(0, read.length - (t.agg.field ? 1 : 0)).map((m) => m.name);
  if (groupBy.length > 0) {
    // An extra group can only add results, whatever the bounds.
    const byNames = agg.by.map((f) => f.name).filter((n) => n !== '_time');
    lossy(`Splunk's ${agg.mode} leaves out events without ${byNames.join(' or ')}; a Sigma backend may count them as a group of their own`, agg.span, 'wider');
  }
  return {
    type: t.agg.fn === 'count' ? 'event_count' : 'value_count',
    groupBy: [...new Set(groupBy)],
    timespan: sigmaTimespan(seconds),
    field: t.agg.field ? (mapped[mapped.length - 1]?.name ?? null) : null,
    condition: t.bounds,
    filters,
    diagnostics,
    notes,
  };
}
