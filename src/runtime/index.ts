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
  return v !== undefined && (!Array.isArray(v) || v.length > 0);
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
  /**
   * Any other stage, as a function over all rows (eval, rex, sort, fillnull, lookup, ...).
   * rowWise: each row's output depends on that row alone (run(a ++ b) = run(a) ++ run(b)), so the
   * stage runs row by row as events stream in instead of holding every row (pipeline.ts).
   */
  | { readonly kind: 'rows'; readonly rowWise?: boolean; readonly run: (rows: Row[]) => Row[] }
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

/** The whole rule: map, filter, then the stages (streamed: stats holds groups, not rows). */
export function runRule(events: Iterable<Readonly<Record<string, unknown>>>, rule: SubRule): Row[] {
  // A join's subsearch reads the same input again, so the events are kept in memory for it; rules
  // without a join stream them.
  const all = needsInput(rule.stages) ? Array.from(events) : undefined;
  const out: Row[] = [];
  const stream = streamStages(rule.stages, (row) => out.push(row), all);
  for (const raw of all ?? events) {
    const row = mapEvent(raw, rule.input);
    if (rule.filter(row)) stream.push(row);
  }
  stream.end();
  return out;
}

import { streamStages } from './pipeline.js';
import { COMPUTED_LOOKUPS, type ComputedLookup, type JoinOptions } from './stages.js';
import type { StreamOptions } from './streamstats.js';
import { cidrTester } from './eval.js';
import { valuesOf } from './values.js';

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
export { rexExtract, rexExtractStage, rexSed, rexSedStage } from './rex.js';
export { streamstats, STREAMSTATS_FUNCTIONS, type StreamAgg, type StreamOptions } from './streamstats.js';
export {
  evalStage,
  fillnull,
  sortRows,
  enrich,
  enrichComputed,
  joinRows,
  shannonEntropy,
  COMPUTED_LOOKUPS,
  type EvalAssignment,
  type SortKey,
  type LookupInput,
  type LookupOutput,
  type ComputedLookup,
  type JoinOptions,
} from './stages.js';
export { project, rename, bucket, projector, renameRow, bucketRow, runStages, streamStages, type RowStream, type RetainedState } from './pipeline.js';
export { stats, AggregateFolder, LIST_MAX, STATS_FUNCTIONS, type AggSpec, type AggregateState } from './aggregate.js';
export { anyValue, wildcard, rowOf, keywordSearch, runGenerated, type RunOptions } from './generated.js';
export { fieldReader, present, type RawEvent, type KeyValueProbe, type LinePrefilter } from './raw.js';
export { guardedTest, linearRegex, BACKTRACK_SAFE_LENGTH, HARD_INPUT_LIMIT, type GuardKind } from './linear.js';
