/**
 * The reference matcher: compiles the IR into closures over the runtime (field names and regexes
 * resolved once, not per event). The generated modules in out/ts/ are the second implementation;
 * tests run both on the same events.
 */
import { assertNever, type Detection, type Expr, type Stage } from '../ir/types.js';
import { translateRegex } from '../regex/index.js';
import type { Profile } from '../profiles/profile.js';
import { fieldMappingOf } from '../profiles/profile.js';
import type { Span } from '../diagnostics.js';
import {
  cidrMatcher,
  compileCondition,
  compileValueExpr,
  enrich,
  evalStage,
  fillnull,
  pcreToJs,
  rexExtract,
  rexSed,
  sortRows,
  compare,
  isPresent,
  rawContains,
  regexMatcher,
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

export function compileExpr(e: Expr): Predicate {
  switch (e.kind) {
    case 'and': {
      const parts = e.args.map(compileExpr);
      return (row) => parts.every((p) => p(row));
    }
    case 'or': {
      const parts = e.args.map(compileExpr);
      return (row) => parts.some((p) => p(row));
    }
    case 'not': {
      const inner = compileExpr(e.arg);
      return (row) => !inner(row);
    }
    case 'eq': {
      const m = wildcardMatcher(e.pattern, e.caseSensitive);
      const f = e.field.name;
      return (row) => m(row[f]);
    }
    case 'regex': {
      const m = regexMatcher(jsRegex(e.pattern));
      const f = e.field.name;
      return (row) => m(row[f]);
    }
    case 'cmp': {
      const { op, value, numeric } = e;
      const f = e.field.name;
      return (row) => compare(row[f], op, value, numeric);
    }
    case 'exists': {
      const f = e.field.name;
      return (row) => isPresent(row[f]);
    }
    case 'term': {
      const v = e.value;
      return (row) => rawContains(String(row['_raw'] ?? ''), v);
    }
    case 'cidr': {
      const m = cidrMatcher(e.network);
      const f = e.field.name;
      return (row) => m(row[f]);
    }
    case 'cond':
      return compileCondition(e.expr);
    default:
      return assertNever(e, 'expression');
  }
}

/** A construct the matcher cannot run, with the span that caused it. */
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
}

export function compileStage(st: Stage, opts: MatcherOptions = {}): RuntimeStage {
  switch (st.kind) {
    case 'project':
      return { kind: 'project', mode: st.mode, fields: st.fields.map((f) => f.name) };
    case 'rename':
      return { kind: 'rename', pairs: st.pairs.map((p) => [p.from.name, p.to.name] as const) };
    case 'bucket':
      return { kind: 'bucket', field: st.field.name, seconds: st.seconds, as: st.as };
    case 'aggregate':
      return { kind: 'aggregate', mode: st.mode, aggs: st.aggs.map((a) => ({ fn: a.fn, field: a.field, as: a.as })), by: st.by.map((f) => f.name) };
    case 'filter':
      return { kind: 'filter', test: compileExpr(st.expr) };
    case 'eval': {
      const assignments = st.assignments.map((a) => ({ field: a.field.name, value: compileValueExpr(a.expr) }));
      return { kind: 'rows', run: (rows) => evalStage(rows, assignments) };
    }
    case 'rex': {
      const re = pcreToJs(st.pattern, st.mode === 'sed' && st.global ? 'g' : '');
      const field = st.field.name;
      if (st.mode === 'sed') {
        const { replacement, global } = st;
        return { kind: 'rows', run: (rows) => rexSed(rows, field, re, replacement ?? '', global) };
      }
      if (st.maxMatch !== 1) throw new MatcherUnsupported(st.span, `rex max_match=${st.maxMatch} (multivalue extraction) is not in the matcher yet`);
      const groups = st.groups;
      return { kind: 'rows', run: (rows) => rexExtract(rows, field, re, groups) };
    }
    case 'enrich': {
      const table = opts.lookups?.get(st.table) ?? null;
      if (!table) throw new MatcherUnsupported(st.span, `${st.command} needs the table '${st.table}' (give it with --lookup ${st.table}=<file.csv>)`);
      const inputs = st.inputs.map((i) => ({ field: i.field.name, column: i.column }));
      const { outputs, overwrite } = st;
      return { kind: 'rows', run: (rows) => enrich(rows, table, inputs, outputs, overwrite) };
    }
    case 'sort': {
      const keys = st.keys.map((k) => ({ field: k.field.name, descending: k.descending, as: k.as }));
      const limit = st.limit;
      return { kind: 'rows', run: (rows) => sortRows(rows, keys, limit) };
    }
    case 'fillnull': {
      const { value } = st;
      const fields = st.fields.map((f) => f.name);
      return { kind: 'rows', run: (rows) => fillnull(rows, value, fields) };
    }
    default:
      return assertNever(st, 'stage');
  }
}

export function inputMapping(profile: Profile): InputMapping {
  return Object.fromEntries(Object.entries(profile.fields).map(([k, v]) => [k, fieldMappingOf(v)]));
}

export interface CompiledRule {
  readonly input: InputMapping;
  readonly filter: Predicate;
  readonly stages: readonly RuntimeStage[];
}

export function compileDetection(d: Detection, profile: Profile, opts: MatcherOptions = {}): CompiledRule {
  return { input: inputMapping(profile), filter: compileExpr(d.filter), stages: d.stages.map((st) => compileStage(st, opts)) };
}

export function runDetection(d: Detection, profile: Profile, events: Iterable<Readonly<Record<string, unknown>>>, opts: MatcherOptions = {}): Row[] {
  return runRule(events, compileDetection(d, profile, opts));
}
