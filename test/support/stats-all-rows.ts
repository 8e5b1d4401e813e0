/**
 * The all-rows stats/eventstats the runtime had before aggregation streamed (commit 3f630a9,
 * src/runtime/index.ts), kept verbatim as an independent oracle: it collects every row of a
 * group, then aggregates. test/runtime/aggregate.test.ts holds the streaming folder to it.
 * The intended differences: list() now keeps Splunk's first 100 values, this oracle keeps all;
 * earliest()/latest() now go by `_time`, this oracle by arrival (the same on rows without
 * `_time`, which is what the random rows of the equivalence test are); stats without by-fields
 * now gives one row on no input (added below).
 */
import type { FieldValue, Row, Scalar } from '../../src/runtime/index.js';
import { bucket, project, rename, streamstats, type RuntimeStage } from '../../src/runtime/index.js';

function valuesOf(v: FieldValue | undefined): readonly Scalar[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? (v as readonly Scalar[]) : [v as Scalar];
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

export function statsAllRows(
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
  // (Intended difference, as in aggregate.ts since: stats without by-fields gives one row on no input.)
  if (mode === 'stats' && by.length === 0 && groups.size === 0) groups.set('[]', { key: [], rows: [] });
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
    // (The same intended difference: a no-input row that would hold no field is left out.)
    if (g.rows.length > 0 || Object.keys(out).length > 0) results.set(id, out);
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

/** The batch runStages of that commit: each stage over the whole array. */
export function runStagesAllRows(rows: Row[], stages: readonly RuntimeStage[]): Row[] {
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
        current = st.mode === 'streamstats' ? streamstats(current, st.aggs, st.by) : statsAllRows(current, st.aggs, st.by, st.mode);
        break;
      case 'filter':
        current = current.filter(st.test);
        break;
      case 'rows':
        current = st.run(current);
        break;
    }
  }
  return current;
}
