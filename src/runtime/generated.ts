/**
 * What the generated modules (out/ts/*.ts, written by src/backends/ts.ts) call besides the stage
 * runtime, so each module holds only its rule: its field readers, leaf matchers, filter and stages.
 * Splunk semantics: a field is absent when missing or empty; a multivalue field matches if any
 * value does. Field presence is `present` (raw events) and `isPresent` (mapped values).
 */
import type { FieldValue, InputMapping, Row, RuntimeStage, LookupTables } from './index.js';
import { mapEvent, needsInput } from './index.js';
import { streamStages } from './pipeline.js';
import type { RawEvent } from './raw.js';

/** True when any value of the field passes `test` (given as a string). */
export function anyValue(v: FieldValue | undefined, test: (s: string) => boolean): boolean {
  if (v === undefined) return false;
  if (typeof v === 'object') {
    for (const x of v) if (test(String(x))) return true;
    return false;
  }
  return test(String(v));
}

/** Whole-value match of literal segments around `*` wildcards (no regex: segments in order). */
export function wildcard(s: string, segs: readonly string[]): boolean {
  const first = segs[0] ?? '';
  const last = segs[segs.length - 1] ?? '';
  if (!s.startsWith(first)) return false;
  let pos = first.length;
  for (let i = 1; i < segs.length - 1; i++) {
    const seg = segs[i] ?? '';
    const k = s.indexOf(seg, pos);
    if (k < 0) return false;
    pos = k + seg.length;
  }
  return s.length - last.length >= pos && s.endsWith(last);
}

/** A row of the fields an eval condition reads, absent ones left out. */
export function rowOf(fields: Record<string, FieldValue | undefined>): Row {
  const row: Row = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) row[k] = v;
  return row;
}

/**
 * Bare keyword search on the event's line: `contains` when the caller shares keyword results
 * between rules, else containment in the line lower-cased once, on first use.
 */
export function keywordSearch(line: string, contains?: (lowerKeyword: string) => boolean): (lowerKeyword: string) => boolean {
  if (contains) return contains;
  let low: string | undefined;
  return (k) => (low ??= line.toLowerCase()).includes(k);
}

/** Options of a generated module's `run` and `stages`. */
export interface RunOptions {
  /** Lookup tables by name, for `lookup` and `iplocation` (table `geoip`). */
  readonly lookups?: LookupTables;
}

/**
 * A generated rule on raw events (`_raw` may hold the line): its filter, then its stages,
 * streamed (rows are held only by stages that need them all; stats holds its groups).
 */
export function runGenerated(
  events: Iterable<Readonly<Record<string, unknown>>>,
  rule: { readonly input: InputMapping; test(e: RawEvent, line: string): boolean; readonly stages: readonly RuntimeStage[] },
): Row[] {
  // A join's subsearch reads the same input again, so the events are kept in memory for it; rules
  // without a join stream them.
  const all = needsInput(rule.stages) ? Array.from(events) : undefined;
  const out: Row[] = [];
  const stream = streamStages(rule.stages, (row) => out.push(row), all);
  for (const e of all ?? events) {
    const line = typeof e['_raw'] === 'string' ? e['_raw'] : '';
    if (rule.test(e, line)) stream.push(mapEvent(e, rule.input));
  }
  stream.end();
  return out;
}
