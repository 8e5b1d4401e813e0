/**
 * The reference matcher: compiles the IR into closures over the runtime (field names and regexes
 * resolved once, not per event). The generated modules in out/ts/ are the second implementation;
 * tests run both on the same events.
 */
import { assertNever, type Detection, type Expr, type Stage } from '../ir/types.js';
import { repeatedMatchProblem, translateRegex } from '../regex/index.js';
import type { Profile } from '../profiles/profile.js';
import { fieldMappingOf } from '../profiles/profile.js';
import type { Diagnostic, Span } from '../diagnostics.js';
import { onlyUndisclosed, relaxLeaves } from '../backends/relax.js';
import { regexPrefilter } from '../regex/prefilter.js';
import type { ValueExpr } from '../ir/types.js';
import {
  fieldReader,
  guardedTest,
  type FieldValue,
  type KeyValueProbe,
  type LinePrefilter,
  type RawEvent,
  type Scalar,
  cidrMatcher,
  compileCondition,
  compileValueExpr,
  enrich,
  enrichComputed,
  COMPUTED_LOOKUPS,
  evalStage,
  fillnull,
  pcreToJs,
  rexExtractStage,
  rexSedStage,
  sortRows,
  STATS_FUNCTIONS,
  STREAMSTATS_FUNCTIONS,
  compare,
  isPresent,
  rawContains,
  runRule,
  wildcardMatcher,
  type InputMapping,
  type Row,
  type RuntimeStage,
} from '../runtime/index.js';

export type Predicate = (row: Row) => boolean;

/** JS RegExp for a Splunk PCRE pattern, via the regex layer's `js` flavour. */
export function jsRegex(pattern: string): RegExp {
  const t = translateRegex(pattern, 'js');
  if (!t.ok) throw new Error(`regex does not compile: ${t.error.message}`);
  return new RegExp(t.result.pattern, t.result.caseInsensitive ? 'i' : '');
}

export interface ExprOptions {
  /** Necessary-factor tests before each regex (default true; the differential test turns them off). */
  readonly prefilter?: boolean;
}

/** A field value test: any value of the field passes `test`. */
function anyValue(test: (s: string) => boolean): (v: FieldValue | undefined) => boolean {
  return (v) => {
    if (v === undefined) return false;
    if (Array.isArray(v)) {
      for (const x of v as readonly Scalar[]) if (test(String(x))) return true;
      return false;
    }
    return test(String(v));
  };
}

/** The regex test for a Splunk PCRE: guarded against catastrophic backtracking, prefiltered. */
export function regexTest(pattern: string, opts: ExprOptions = {}): (s: string) => boolean {
  const guarded = guardedTest(jsRegex(pattern), pattern);
  const pf = opts.prefilter === false ? null : regexPrefilter(pattern);
  if (!pf) return guarded;
  const pre = new RegExp(pf.source, pf.flags);
  return (s) => pre.test(s) && guarded(s);
}

/** How a compiled expression reads fields from its context (a mapped row, or a raw event). */
interface Access<C> {
  field(name: string): (c: C) => FieldValue | undefined;
  raw(c: C): string;
  /** An eval condition over the context. */
  cond(expr: ValueExpr): (c: C) => boolean;
}

function compileWith<C>(e: Expr, acc: Access<C>, opts: ExprOptions): (c: C) => boolean {
  const rec = (x: Expr): ((c: C) => boolean) => compileWith(x, acc, opts);
  switch (e.kind) {
    case 'and': {
      const parts = e.args.map(rec);
      return (c) => {
        for (const p of parts) if (!p(c)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = e.args.map(rec);
      return (c) => {
        for (const p of parts) if (p(c)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = rec(e.arg);
      return (c) => !inner(c);
    }
    case 'eq': {
      const m = wildcardMatcher(e.pattern, e.caseSensitive);
      const f = acc.field(e.field.name);
      return (c) => m(f(c));
    }
    case 'regex': {
      const m = anyValue(regexTest(e.pattern, opts));
      const f = acc.field(e.field.name);
      return (c) => m(f(c));
    }
    case 'cmp': {
      const { op, value, numeric } = e;
      const f = acc.field(e.field.name);
      return (c) => compare(f(c), op, value, numeric);
    }
    case 'exists': {
      const f = acc.field(e.field.name);
      return (c) => isPresent(f(c));
    }
    case 'term': {
      const v = e.value.toLowerCase();
      return (c) => rawContains(acc.raw(c), v);
    }
    case 'cidr': {
      const m = cidrMatcher(e.network);
      const f = acc.field(e.field.name);
      return (c) => m(f(c));
    }
    case 'cond':
      return acc.cond(e.expr);
    case 'undisclosed':
      // compileExpr/compileRawFilter relax these first (relaxWider); none reaches here.
      throw new Error(`undisclosed filter \`${e.macro}\` reached the matcher unrelaxed`);
    default:
      return assertNever(e, 'expression');
  }
}

const rowAccess: Access<Row> = {
  field: (name) => (row) => row[name],
  raw: (row) => String(row['_raw'] ?? ''),
  cond: (expr) => compileCondition(expr),
};

/**
 * Filter macros with no published definition (`undisclosed`) dropped in the direction that keeps
 * every match, as every backend does; `matcherLossy` lists the diagnostics.
 */
function relaxWider(e: Expr): Expr {
  return relaxLeaves(e, onlyUndisclosed, 'ts').expr;
}

/** The lossy diagnostics of running a detection in the matcher (undisclosed filters dropped). */
export function matcherLossy(d: Detection): Diagnostic[] {
  const out: Diagnostic[] = [];
  const walk = (filter: Expr, stages: readonly Stage[]): void => {
    out.push(...relaxLeaves(filter, onlyUndisclosed, 'ts').diagnostics);
    for (const st of stages) {
      if (st.kind === 'filter') out.push(...relaxLeaves(st.expr, onlyUndisclosed, 'ts').diagnostics);
      if (st.kind === 'join') walk(st.subsearch.filter, st.subsearch.stages);
    }
  };
  walk(d.filter, d.stages);
  return out;
}

/** The filter over mapped rows (the reference semantics; also used for filter stages). */
export function compileExpr(e: Expr, opts: ExprOptions = {}): Predicate {
  return compileWith(relaxWider(e), rowAccess, opts);
}

function valueFields(e: ValueExpr, out: Set<string>): void {
  if (e.kind === 'field') out.add(e.name);
  else if (e.kind === 'call' || e.kind === 'op') for (const a of e.args) valueFields(a, out);
}

export interface RawContext {
  readonly e: RawEvent;
  /** The input line (`_raw`). */
  readonly line: string;
}

/** A test on a raw event and its line. */
export type RawPredicate = (e: RawEvent, line: string) => boolean;

/**
 * The filter over raw events: each field read straight from its input name (resolved here, once),
 * so no mapped row is built for events that fail. Same verdict as compileExpr on mapEvent's row.
 */
export function compileRawFilter(e: Expr, input: InputMapping, opts: ExprOptions = {}): RawPredicate {
  const readers = new Map<string, (ev: RawEvent) => FieldValue | undefined>();
  const reader = (name: string): ((ev: RawEvent) => FieldValue | undefined) => {
    let r = readers.get(name);
    if (!r) {
      r = name === '_raw' ? () => undefined : fieldReader(name, input);
      readers.set(name, r);
    }
    return r;
  };
  const acc: Access<RawContext> = {
    field: (name) => {
      if (name === '_raw') return (c) => (c.line === '' ? undefined : c.line);
      const r = reader(name);
      return (c) => r(c.e);
    },
    raw: (c) => c.line,
    cond: (expr) => {
      const names = new Set<string>();
      valueFields(expr, names);
      const fields = [...names].map((n) => [n, n === '_raw' ? null : reader(n)] as const);
      const test = compileCondition(expr);
      return (c) => {
        const row: Row = {};
        for (const [n, r] of fields) {
          const v = r ? r(c.e) : c.line || undefined;
          if (v !== undefined) row[n] = v;
        }
        return test(row);
      };
    },
  };
  const p = compileWith(relaxWider(e), acc, opts);
  return (ev, line) => p({ e: ev, line });
}

function plainProbe(e: Expr, input: InputMapping): KeyValueProbe | null {
  if (e.kind !== 'eq' || e.pattern.length !== 1) return null;
  const name = e.field.name;
  const value = e.pattern[0] ?? '';
  if (name === '_raw' || name === '_source' || value === '') return null;
  const m = Object.prototype.hasOwnProperty.call(input, name) ? input[name] : undefined;
  if (m && (m.derive !== undefined || m.type === 'time')) return null;
  const keys = [...new Set([m?.name ?? name, name])];
  if (keys.some((k) => /["\\/]/.test(k))) return null;
  return { keys, values: [value], caseSensitive: e.caseSensitive };
}

/**
 * Necessary conditions of the whole filter that can be checked on the raw line bytes: top-level
 * conjuncts `f=v` (or an OR of them) on fields read as they are (no basename, no time parsing).
 */
export function linePrefilter(filter: Expr, input: InputMapping): LinePrefilter {
  const out: KeyValueProbe[][] = [];
  for (const c of filter.kind === 'and' ? filter.args : [filter]) {
    const alts = c.kind === 'or' ? c.args : [c];
    if (alts.length === 0) continue;
    const probes = alts.map((a) => plainProbe(a, input));
    if (probes.every((p): p is KeyValueProbe => p !== null)) out.push(probes);
  }
  return out;
}

/** A construct the matcher cannot run, with the span that caused it. */
/**
 * The first aggregate of a stats/eventstats/streamstats the runtime does not compute, and why.
 * median(): Splunk does not document which value an even count of values gives.
 */
export function aggregateUnsupported(st: Extract<Stage, { kind: 'aggregate' }>): { span: Span; message: string } | undefined {
  const known = st.mode === 'streamstats' ? STREAMSTATS_FUNCTIONS : STATS_FUNCTIONS;
  const agg = st.aggs.find((a) => !known.has(a.fn));
  if (!agg) return undefined;
  const why = agg.fn === 'median' ? ': Splunk does not document which value an even number of values gives' : '';
  return { span: agg.span, message: `${agg.fn}() in ${st.mode} is not in the native matcher${why}` };
}

/** Why a `rex max_match=N` extraction (N other than 1) cannot run exactly on JS, if it cannot. */
export function multiMatchUnsupported(pattern: string, maxMatch: number): string | undefined {
  if (maxMatch === 1) return undefined;
  const problem = repeatedMatchProblem(pattern, 'a JS RegExp');
  return problem && `rex max_match=${maxMatch} with ${problem}`;
}

export class MatcherUnsupported extends Error {
  constructor(
    readonly span: Span,
    message: string,
  ) {
    super(message);
  }
}

export interface MatcherOptions {
  /** Lookup tables by name (`lookup <name>`, `iplocation` uses `geoip`), as rows of columns. */
  readonly lookups?: ReadonlyMap<string, readonly Readonly<Record<string, string>>[]>;
  /** The profile, for the input mapping of a join's subsearch (its data source may differ). */
  readonly profile?: Profile;
}

export function compileStage(st: Stage, opts: MatcherOptions & ExprOptions = {}): RuntimeStage {
  switch (st.kind) {
    case 'project':
      return { kind: 'project', mode: st.mode, fields: st.fields.map((f) => f.name) };
    case 'rename':
      return { kind: 'rename', pairs: st.pairs.map((p) => [p.from.name, p.to.name] as const) };
    case 'bucket':
      return { kind: 'bucket', field: st.field.name, seconds: st.seconds, as: st.as };
    case 'aggregate': {
      const unsupported = aggregateUnsupported(st);
      if (unsupported) throw new MatcherUnsupported(unsupported.span, unsupported.message);
      const aggs = st.aggs.map((a) => ({ fn: a.fn, field: a.field, as: a.as }));
      const by = st.by.map((f) => f.name);
      if (st.mode !== 'streamstats') return { kind: 'aggregate', mode: st.mode, aggs, by };
      return { kind: 'aggregate', mode: st.mode, aggs, by, stream: { window: st.window, current: st.current, global: st.global, resetOnChange: st.resetOnChange } };
    }
    case 'filter':
      return { kind: 'filter', test: compileExpr(st.expr, opts) };
    case 'eval': {
      const assignments = st.assignments.map((a) => ({ field: a.field.name, value: compileValueExpr(a.expr) }));
      return { kind: 'rows', rowWise: true, run: (rows) => evalStage(rows, assignments) };
    }
    case 'rex': {
      const re = pcreToJs(st.pattern, st.mode === 'sed' && st.global ? 'g' : '');
      const field = st.field.name;
      if (st.mode === 'sed') {
        const { replacement, global } = st;
        return { kind: 'rows', rowWise: true, run: rexSedStage(field, re, replacement ?? '', global) };
      }
      const unsupported = multiMatchUnsupported(st.pattern, st.maxMatch);
      if (unsupported) throw new MatcherUnsupported(st.span, unsupported);
      const { groups, maxMatch } = st;
      return { kind: 'rows', rowWise: true, run: rexExtractStage(field, re, groups, maxMatch) };
    }
    case 'enrich': {
      const table = opts.lookups?.get(st.table) ?? null;
      const inputs = st.inputs.map((i) => ({ field: i.field.name, column: i.column }));
      const { outputs, overwrite } = st;
      // A script lookup the runtime computes (ut_shannon_lookup); a table given by the user wins.
      const computed = Object.prototype.hasOwnProperty.call(COMPUTED_LOOKUPS, st.table) ? COMPUTED_LOOKUPS[st.table] : undefined;
      if (!table && computed) return { kind: 'rows', rowWise: true, run: (rows) => enrichComputed(rows, computed, inputs, outputs, overwrite) };
      if (!table) throw new MatcherUnsupported(st.span, `${st.command} needs the table '${st.table}' (give it with --lookup ${st.table}=<file.csv>)`);
      return { kind: 'rows', rowWise: true, run: (rows) => enrich(rows, table, inputs, outputs, overwrite) };
    }
    case 'sort': {
      const keys = st.keys.map((k) => ({ field: k.field.name, descending: k.descending, as: k.as }));
      const limit = st.limit;
      return { kind: 'rows', run: (rows) => sortRows(rows, keys, limit) };
    }
    case 'fillnull': {
      const { value } = st;
      const fields = st.fields.map((f) => f.name);
      // Without a field list fillnull fills the fields of any row, so it needs them all.
      return { kind: 'rows', rowWise: fields.length > 0, run: (rows) => fillnull(rows, value, fields) };
    }
    case 'join': {
      if (!opts.profile) throw new MatcherUnsupported(st.span, 'join needs the profile to map its subsearch\'s input');
      const sub = st.subsearch;
      // The subsearch is a search of its own: its data source picks its input mapping.
      const pseudo: Detection = { id: '', title: '', description: '', references: [], techniqueIds: [], spl: '', source: sub.source, filter: sub.filter, stages: sub.stages };
      const subsearch = { input: inputMapping(opts.profile, pseudo), filter: compileExpr(sub.filter, opts), stages: sub.stages.map((s) => compileStage(s, opts)) };
      return { kind: 'join', type: st.type, fields: st.fields.map((f) => f.name), max: st.max, overwrite: st.overwrite, subsearch };
    }
    default:
      return assertNever(st, 'stage');
  }
}

/**
 * Where each rule field lives in the input events: the profile's global `fields`, overridden by the
 * `fields` of the data source's variant (`sources.<id>`: the first whose `when` the filter's
 * top-level `f=v` conjuncts satisfy). Events of another channel simply lack those fields.
 */
export function inputMapping(profile: Profile, source?: Detection | string | null): InputMapping {
  const id = typeof source === 'string' ? source : (source?.source.id ?? null);
  const variants = id ? profile.sources[id] : undefined;
  const conj = source && typeof source !== 'string' ? (source.filter.kind === 'and' ? source.filter.args : [source.filter]) : [];
  const variant = variants?.find((v) =>
    Object.entries(v.when ?? {}).every(([f, val]) =>
      conj.some((p) => p.kind === 'eq' && p.field.name === f && p.pattern.length === 1 && p.pattern[0]?.toLowerCase() === val.toLowerCase()),
    ),
  );
  // Profiles are immutable data with hundreds of fields, and every rule asks: one mapping per
  // profile and variant.
  let perProfile = mappings.get(profile);
  if (!perProfile) mappings.set(profile, (perProfile = new Map()));
  const key = variant ?? null;
  let mapping = perProfile.get(key);
  if (!mapping) {
    const global = Object.entries(profile.fields).map(([k, v]) => [k, fieldMappingOf(v)] as const);
    const own = Object.entries(variant?.fields ?? {}).map(([k, v]) => [k, fieldMappingOf(v)] as const);
    mapping = Object.fromEntries([...global, ...own]) as InputMapping;
    perProfile.set(key, mapping);
  }
  return mapping;
}

const mappings = new WeakMap<Profile, Map<object | null, InputMapping>>();

export interface CompiledRule {
  readonly input: InputMapping;
  /** The filter on mapped rows. */
  readonly filter: Predicate;
  /** The same filter on raw events (fields read from their input names). */
  readonly test: RawPredicate;
  /** Necessary conditions on the raw line, checked before decoding. */
  readonly prefilter: LinePrefilter;
  readonly stages: readonly RuntimeStage[];
}

export function compileDetection(d: Detection, profile: Profile, opts: MatcherOptions & ExprOptions = {}): CompiledRule {
  const input = inputMapping(profile, d);
  return {
    input,
    filter: compileExpr(d.filter, opts),
    test: compileRawFilter(d.filter, input, opts),
    prefilter: linePrefilter(d.filter, input),
    stages: d.stages.map((st) => compileStage(st, { ...opts, profile })),
  };
}

export function runDetection(d: Detection, profile: Profile, events: Iterable<Readonly<Record<string, unknown>>>, opts: MatcherOptions = {}): Row[] {
  return runRule(events, compileDetection(d, profile, opts));
}
