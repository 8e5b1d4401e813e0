/**
 * Sigma correlation rules for the threshold idiom
 *   <filter> | [table|fields ...] | [bin span=X] | stats count [as c] [dc(f) as d] ... by g1, ...
 *            | where c > N [AND c <= M] | [table|fields|sort ...]
 * The base detection rule is the filter; the correlation (`event_count` for `count`,
 * `value_count` for `dc(f)`) counts its events per group-by and window and applies the threshold.
 * A plan accounts for every stage (column stages before stats change nothing stats reads, which is
 * checked; a `bin` without `by _time` changes nothing stats outputs; the rest is reported here).
 * Any other pipeline gets no plan, and the caller reports its stages as before.
 *
 * Windows (see the correlation specification, "Compatibility" and "Time Selection"): a `timespan`
 * is a window length; the specification treats fixed boundaries as a backend restriction, so a
 * reader may slide it. Splunk's `bin span=X` buckets are fixed and aligned, and without `bin` the
 * counts cover the whole search range, which a rule file does not state. Neither is exact, and
 * each is reported with its direction.
 */
import { diag, type Diagnostic, type Direction, type Span } from '../diagnostics.js';
import type { Aggregation, Expr, Stage } from '../ir/types.js';
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

export function planCorrelation(ctx: RenderContext): CorrelationPlan | null {
  const stages = ctx.detection.stages;
  const aggIndex = stages.findIndex((s) => s.kind === 'aggregate');
  const agg = stages[aggIndex];
  const where = stages[aggIndex + 1];
  if (!agg || agg.kind !== 'aggregate' || agg.mode !== 'stats' || !where || where.kind !== 'filter') return null;

  // Before stats: column selection and at most one `bin` of _time onto itself.
  let bucket: Extract<Stage, { kind: 'bucket' }> | null = null;
  for (const st of stages.slice(0, aggIndex)) {
    if (st.kind === 'bucket' && st.field.name === '_time' && st.as === '_time' && bucket === null) bucket = st;
    else if (!rowShapeOnly(st)) return null;
  }
  if (!stages.slice(aggIndex + 2).every(rowShapeOnly)) return null;

  // Measures: count of events, or distinct count of one concrete field.
  const measures = agg.aggs.filter((a) => (a.fn === 'count' && a.field === null) || (a.fn === 'dc' && a.field !== null && !a.field.includes('*')));
  const t = thresholds(where.expr, measures);
  if (!t) return null;

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
    lossy(
      `without \`bin\`, Splunk counts over the whole search time range, which the rule does not state; timespan ${span} is assumed (wider if the scheduled search covers at most ${span}, narrower if it covers more)`,
      agg.span,
      undefined,
    );
  }
  const extra = agg.aggs.filter((a) => a !== t.agg);
  if (extra.length > 0 || stages.slice(aggIndex + 2).length > 0) {
    // Which groups fire is unchanged; only the columns of the result rows differ.
    lossy(`the correlation reports each group and its ${t.agg.fn === 'count' ? 'event count' : 'distinct count'}; the other result columns (${[...extra.map((a) => `${a.fn}(${a.field ?? ''})`), ...stages.slice(aggIndex + 2).map((s) => s.kind)].join(', ')}) are not carried`, agg.span, undefined);
  }
  notes.push('group-by: Splunk stats drops events missing a group-by field; some Sigma backends group them under an empty value');

  const groupBy = mapped.slice(0, read.length - (t.agg.field ? 1 : 0)).map((m) => m.name);
  return {
    type: t.agg.fn === 'count' ? 'event_count' : 'value_count',
    groupBy: [...new Set(groupBy)],
    timespan: sigmaTimespan(seconds),
    field: t.agg.field ? (mapped[mapped.length - 1]?.name ?? null) : null,
    condition: t.bounds,
    diagnostics,
    notes,
  };
}
