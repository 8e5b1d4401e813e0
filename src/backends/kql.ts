/**
 * KQL backend (Microsoft Sentinel / Defender XDR / Azure Data Explorer), following
 * shared/notes/target-kql.md. Output: `<Table> | where <filter>` then one or more operators per
 * IR stage. Columns are the profile's target names until the first stage, which switches to CIM
 * names (`project`/`extend host = Computer, ...`), so every later stage speaks CIM.
 *
 * Null semantics: KQL strings are never null (a missing string is `""`), so "field present" is
 * `isnotempty`, and a column the declared table schema lacks, or an earlier `project` removed, is
 * an absent field: every test on it is `false` (Splunk drops events without the field).
 *
 * Modules: kql/escape.ts (quoting), kql/regex.ts (Rust regexes, capture groups for rex),
 * kql/value.ts (eval expressions with Splunk's null and multivalue semantics). Raw-event searches
 * are relaxed to `true` (relax.ts, wider); multivalue columns (values()/list() results) are
 * tested per value through `mv-apply`.
 */
import { diag, type Span } from '../diagnostics.js';
import { assertNever, type Aggregation, type Detection, type Expr, type Stage, type ValueExpr } from '../ir/types.js';
import { nameMatches } from '../lint/lineage.js';
import { and } from '../normalize/build.js';
import { fieldMappingOf, type Profile } from '../profiles/profile.js';
import { conjuncts, RenderContext, type Backend, type BackendOutput } from './context.js';
import { kqlColumn, kqlComment, kqlRegexLiteral, kqlString, rustEscape } from './kql/escape.js';
import { rustCapturing, rustPattern } from './kql/regex.js';
import { canMatchEmpty, repeatedMatchProblem } from '../regex/index.js';
import { ELEMENT, replacement, ValueTranslator, type Val, type ValueScope, type VType } from './kql/value.js';
import { rawSearch, relaxLeaves } from './relax.js';
import { COMPUTED_LOOKUPS } from '../runtime/stages.js';
import { stageLabel } from './stage-label.js';
import { compileTemplate } from './templates.js';

export { kqlColumn, kqlComment, kqlRegexLiteral, kqlString, kqlVerbatim } from './kql/escape.js';

// ---------------------------------------------------------------------------------------------

const NUMERIC = new Set(['int', 'long', 'real', 'double', 'decimal']);
const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;
const BASENAME = '@"[^\\\\]+$"';
/**
 * Internal type of a multivalue column (a dynamic array of strings, empty when the field is
 * absent): values()/list() results, mvappend/split, rex max_match. Kept apart from a target's own
 * `dynamic` columns (JSON values), which Splunk sees flattened.
 */
const ARRAY = 'array';

/** The value translator's type for a column type. */
function vtype(type: string): VType {
  switch (type) {
    case 'string':
    case 'long':
    case 'int':
    case 'real':
    case 'bool':
    case 'datetime':
    case 'dynamic':
    case 'array':
      return type;
    case 'double':
    case 'decimal':
      return 'real';
    default:
      return 'string';
  }
}

/** A column type for a translated value (an untyped null becomes an empty string). */
function columnType(v: Val): string {
  return v.type === 'null' ? 'string' : v.type;
}

/** A column as an expression with its Kusto type. */
interface Ref {
  readonly expr: string;
  readonly type: string;
}

type Lookup = { ok: true; ref: Ref } | { ok: false; why: 'no-column' | 'removed'; target?: string };

interface Line {
  readonly comment: string | null;
  readonly text: string;
}

class KqlRenderer {
  readonly lines: Line[] = [];
  readonly notes: string[] = [];
  /** CIM-named columns (name -> Kusto type) once the first stage ran; null before (target names). */
  private cols: Map<string, string> | null = null;
  /** CIM fields that the target has no column for (absent everywhere, unlike a projected-away field). */
  private readonly noColumn = new Set<string>();
  private readonly reportedMissing = new Set<string>();
  /** Target-named columns kept by `extend` that are not CIM fields (left out of `values(*)`). */
  private readonly targetOnly = new Set<string>();
  /** Fields bound to the element of an `mv-apply` while its per-element test is rendered. */
  private readonly element = new Map<string, Ref>();
  /** Temporary mv-apply result columns, dropped after the line that uses them. */
  private temps: string[] = [];
  private tempCount = 0;
  private readonly values: ValueTranslator;

  constructor(
    private readonly ctx: RenderContext,
    readonly table: string,
    private readonly schema: Readonly<Record<string, string>> | null,
  ) {
    const scope: ValueScope = {
      column: (name, span) => {
        const l = this.lookup(name, span);
        if (l.ok) return { text: l.ref.expr, type: vtype(l.ref.type) };
        if (l.why === 'no-column') this.filterRef(name, span);
        return null;
      },
      overElements: (array, aggregate, span) => this.overElements(array, aggregate, span),
      report: (d) => this.ctx.report(d),
    };
    this.values = new ValueTranslator(scope);
  }

  /**
   * An aggregate over the elements of a multivalue (a dynamic array of strings): `mv-apply` runs
   * `summarize` per row on the expanded elements, so `countif(test)` > 0 is "any value passes",
   * Splunk's reading of a test on a multivalue field. The array is wrapped in todynamic() because
   * mv-apply removes a column it expands by name (todynamic() would not do: it wants a string).
   */
  private overElements(array: string, aggregate: (element: Val) => string, span: Span): string | null {
    if (this.element.size > 0) {
      this.ctx.report(diag('BE001', 'a test on a multivalue field inside a test on another multivalue field has no KQL translation here', span, { backend: 'kql' }));
      return null;
    }
    const name = `ruleport_mv_${this.tempCount++}`;
    const agg = aggregate({ text: ELEMENT, type: 'string' });
    this.lines.push({ comment: null, text: `| mv-apply ${ELEMENT} = array_concat(${array}, dynamic([])) to typeof(string) on (summarize ${name} = ${agg})` });
    this.temps.push(name);
    return name;
  }

  /** Pushes a line that may use mv-apply temporaries, then drops them. */
  private emit(text: string, comment: string | null = null): void {
    this.lines.push({ comment, text });
    if (this.temps.length) {
      this.lines.push({ comment: null, text: `| project-away ${this.temps.join(', ')}` });
      this.temps = [];
    }
  }

  // --- columns ------------------------------------------------------------------------------

  private mapped(name: string): boolean {
    return (this.ctx.variant?.fields?.[name] ?? this.ctx.profile.fields[name]) !== undefined;
  }

  /** A CIM field in the target table (before any stage). */
  private target(name: string, span: Span | null): Lookup {
    const m = this.ctx.field(name, span);
    const declared = this.schema ? this.schema[m.name] : undefined;
    if (this.schema && declared === undefined) return { ok: false, why: 'no-column', target: m.name };
    if (m.derive === 'basename') return { ok: true, ref: { expr: `extract(${BASENAME}, 0, ${kqlColumn(m.name)})`, type: 'string' } };
    const type = declared ?? (m.type === 'number' ? 'long' : m.type === 'time' ? 'datetime' : 'string');
    return { ok: true, ref: { expr: kqlColumn(m.name), type } };
  }

  private lookup(name: string, span: Span | null): Lookup {
    const bound = this.element.get(name);
    if (bound) return { ok: true, ref: bound };
    if (this.cols === null) return this.target(name, span);
    const type = this.cols.get(name);
    if (type !== undefined) return { ok: true, ref: { expr: kqlColumn(name), type } };
    return { ok: false, why: this.noColumn.has(name) ? 'no-column' : 'removed' };
  }

  /** Column for a filter leaf, or null for an absent field (reported when the target lacks it). */
  private filterRef(name: string, span: Span): Ref | null {
    const l = this.lookup(name, span);
    if (l.ok) return l.ref;
    if (l.why === 'no-column' && !this.reportedMissing.has(name)) {
      this.reportedMissing.add(name);
      this.ctx.report(
        diag('BE006', `field '${name}' has no column in table ${this.table}${l.target ? ` (looked for '${l.target}')` : ''}; tests on it are false here, while Splunk events may carry it`, span, {
          backend: 'kql',
          direction: 'narrower',
        }),
      );
    }
    return null;
  }

  /** Switches to CIM column names: `project` of `keep` (in that order) or `extend` of every catalog field. */
  private toCim(keep: readonly string[] | null, span: Span): void {
    const fields = keep ?? this.ctx.catalog();
    const entries: { name: string; ref: Ref }[] = [];
    const missing: string[] = [];
    for (const f of fields) {
      if (f === '_raw') {
        this.notes.push('_raw (the raw event text) has no KQL column; it is not projected');
        continue;
      }
      // Extending every catalog field must not report the ones the rule never names as unmapped.
      if (!keep && !this.mapped(f)) {
        if (this.schema && this.schema[f] === undefined) this.noColumn.add(f);
        else entries.push({ name: f, ref: { expr: kqlColumn(f), type: this.schema?.[f] ?? 'string' } });
        continue;
      }
      const l = this.target(f, null);
      if (l.ok) entries.push({ name: f, ref: l.ref });
      else {
        this.noColumn.add(f);
        missing.push(f);
      }
    }
    const assign = (e: { name: string; ref: Ref }): string => (e.ref.expr === kqlColumn(e.name) ? e.ref.expr : `${kqlColumn(e.name)} = ${e.ref.expr}`);
    if (keep) {
      if (missing.length) {
        this.ctx.report(diag('BE002', `no column in table ${this.table} for ${missing.map((m) => `'${m}'`).join(', ')}; left out of the projection`, span, { backend: 'kql' }));
      }
      if (entries.length === 0) {
        this.ctx.report(diag('BE001', 'the projection keeps no column the target has; KQL cannot project nothing', span, { backend: 'kql' }));
        this.cols = new Map();
        return;
      }
      this.lines.push({ comment: null, text: `| project ${entries.map(assign).join(', ')}` });
      this.cols = new Map(entries.map((e) => [e.name, e.ref.type]));
      return;
    }
    const renamed = entries.filter((e) => e.ref.expr !== kqlColumn(e.name));
    if (renamed.length) this.lines.push({ comment: null, text: `| extend ${renamed.map(assign).join(', ')}` });
    const schemaColumns = this.schema ? schemaEntries(this.schema) : [];
    this.cols = new Map([...schemaColumns, ...entries.map((e): [string, string] => [e.name, e.ref.type])]);
    const cim = new Set(entries.map((e) => e.name));
    for (const [c] of schemaColumns) if (!cim.has(c)) this.targetOnly.add(c);
  }

  private ensureCim(span: Span): Map<string, string> {
    if (this.cols === null) this.toCim(null, span);
    return this.cols as Map<string, string>;
  }

  /** Names selected by field patterns, in pattern order, from `names`; plain names are kept as listed. */
  private static select(patterns: readonly string[], names: readonly string[], keepPlain: boolean): string[] {
    const out: string[] = [];
    const taken = new Set<string>();
    for (const p of patterns) {
      const hits = p.includes('*') ? names.filter((n) => nameMatches(p, n)) : keepPlain || names.includes(p) ? [p] : [];
      for (const h of hits) {
        if (taken.has(h)) continue;
        taken.add(h);
        out.push(h);
      }
    }
    return out;
  }

  // --- filter -------------------------------------------------------------------------------

  expr(e: Expr, top = true): string {
    switch (e.kind) {
      case 'and':
        if (e.args.length === 0) return 'true';
        return this.group(e.args.map((a) => this.expr(a, false)), 'and', top);
      case 'or':
        if (e.args.length === 0) return 'false';
        return this.orExpr(e.args, top);
      case 'not':
        return `not(${this.expr(e.arg, true)})`;
      case 'eq':
        return this.eq(e);
      case 'regex':
        return this.regex(e, top);
      case 'cmp':
        return this.cmp(e, top);
      case 'exists': {
        const r = this.filterRef(e.field.name, e.span);
        if (!r) return 'false';
        if (r.type === ARRAY) return `array_length(${r.expr}) > 0`;
        return NUMERIC.has(r.type) || r.type === 'datetime' || r.type === 'bool' ? `isnotnull(${r.expr})` : `isnotempty(${r.expr})`;
      }
      case 'term':
        // Relaxed before rendering (relaxLeaves); reaching here is a bug in the caller.
        this.ctx.report(diag('BE005', `raw-event search '${e.value}' (${e.form}) has no KQL equivalent: there is no _raw column`, e.span, { backend: 'kql' }));
        return 'false';
      case 'cidr': {
        const r = this.filterRef(e.field.name, e.span);
        if (!r) return 'false';
        if (r.type === ARRAY) return this.anyElement(e, r);
        const fn = e.network.includes(':') ? 'ipv6_is_in_range' : 'ipv4_is_in_range';
        return `${fn}(${this.asString(r, e.span)}, ${kqlString(e.network)})`;
      }
      case 'cond': {
        const t = this.values.cond(e.expr).t;
        return top || /^[\w.]+(\(.*\))?$/.test(t) ? t : `(${t})`;
      }
      case 'undisclosed':
        // Relaxed before rendering (relaxLeaves); reaching here is a bug in the caller.
        this.ctx.report(diag('BE005', `filter macro \`${e.macro}\` has no published definition`, e.span, { backend: 'kql' }));
        return 'false';
      default:
        return assertNever(e, 'expression');
    }
  }

  private group(parts: readonly string[], op: 'and' | 'or', top: boolean): string {
    const text = parts.join(` ${op} `);
    return top || parts.length === 1 ? text : `(${text})`;
  }

  /** OR with exact-value tests of one field folded into `in~` / `in` lists. */
  private orExpr(args: readonly Expr[], top: boolean): string {
    const groups = new Map<string, Extract<Expr, { kind: 'eq' }>[]>();
    const order: (Expr | string)[] = [];
    for (const a of args) {
      if (a.kind === 'eq' && a.pattern.length === 1) {
        const key = `${a.caseSensitive ? 'cs' : 'ci'}:${a.field.name}`;
        const g = groups.get(key);
        if (g) g.push(a);
        else {
          groups.set(key, [a]);
          order.push(key);
        }
      } else order.push(a);
    }
    const parts = order.map((item) => {
      if (typeof item !== 'string') return this.expr(item, false);
      const g = groups.get(item) as Extract<Expr, { kind: 'eq' }>[];
      const first = g[0] as Extract<Expr, { kind: 'eq' }>;
      return g.length === 1 ? this.expr(first, false) : this.inList(g);
    });
    return this.group(parts, 'or', top);
  }

  /**
   * A filter leaf on a multivalue column: true when any value passes (Splunk), tested per element
   * in an mv-apply; the leaf is rendered again with its field bound to the element.
   */
  private anyElement(e: Expr & { field: { name: string } }, r: Ref): string {
    const name = e.field.name;
    const col = this.overElements(
      r.expr,
      (el) => {
        this.element.set(name, { expr: el.text, type: 'string' });
        try {
          return `countif(${this.expr(e, true)})`;
        } finally {
          this.element.delete(name);
        }
      },
      'span' in e ? e.span : { start: 0, end: 0 },
    );
    return col ? `${col} > 0` : 'false';
  }

  private inList(g: readonly Extract<Expr, { kind: 'eq' }>[]): string {
    const first = g[0] as Extract<Expr, { kind: 'eq' }>;
    const r = this.filterRef(first.field.name, first.span);
    if (!r) return 'false';
    if (r.type === ARRAY) return this.orOfArray(g, r);
    const values = [...new Set(g.map((e) => e.pattern[0] as string))];
    if (NUMERIC.has(r.type) && values.every((v) => INTEGER.test(v))) return `${r.expr} in (${values.join(', ')})`;
    const s = this.asString(r, first.span);
    return `${s} ${first.caseSensitive ? 'in' : 'in~'} (${values.map(kqlString).join(', ')})`;
  }

  /** A string-typed view of a column (non-strings are compared through `tostring`). */
  private asString(r: Ref, span: Span): string {
    if (r.type === 'dynamic') {
      this.ctx.report(diag('BE005', 'a test on a multivalue column (the output of values()/list()) has no exact KQL spelling here; compared as its JSON text', span, { backend: 'kql' }));
    }
    return r.type === 'string' ? r.expr : `tostring(${r.expr})`;
  }

  private orOfArray(g: readonly Extract<Expr, { kind: 'eq' }>[], r: Ref): string {
    const first = g[0] as Extract<Expr, { kind: 'eq' }>;
    const name = first.field.name;
    const col = this.overElements(
      r.expr,
      (el) => {
        this.element.set(name, { expr: el.text, type: 'string' });
        try {
          return `countif(${this.inList(g)})`;
        } finally {
          this.element.delete(name);
        }
      },
      first.span,
    );
    return col ? `${col} > 0` : 'false';
  }

  private eq(e: Extract<Expr, { kind: 'eq' }>): string {
    const r = this.filterRef(e.field.name, e.field.span);
    if (!r) return 'false';
    if (r.type === ARRAY) {
      // Case-sensitive equality with one value needs no mv-apply.
      if (e.caseSensitive && e.pattern.length === 1 && e.pattern[0] !== '') return `set_has_element(${r.expr}, ${kqlString(e.pattern[0] as string)})`;
      return this.anyElement(e, r);
    }
    // `a**b` is `a*b`: drop empty inner segments.
    const segs = e.pattern.filter((s, i) => s !== '' || i === 0 || i === e.pattern.length - 1);
    const cs = e.caseSensitive ? '_cs' : '';
    if (segs.length === 1) {
      const v = segs[0] as string;
      if (NUMERIC.has(r.type) && (r.type === 'int' || r.type === 'long' ? INTEGER : NUMBER).test(v)) return `${r.expr} == ${v}`;
      if (v === '') {
        this.ctx.report(diag('BE006', "an empty value also matches a missing field in KQL (strings are never null)", e.span, { backend: 'kql', direction: 'wider' }));
      }
      return `${this.asString(r, e.span)} ${e.caseSensitive ? '==' : '=~'} ${kqlString(v)}`;
    }
    const s = this.asString(r, e.span);
    const [first, second] = segs as [string, string];
    if (segs.length === 2) {
      if (first === '' && second === '') return `isnotempty(${s})`;
      if (first === '') return `${s} endswith${cs} ${kqlString(second)}`;
      if (second === '') return `${s} startswith${cs} ${kqlString(first)}`;
    }
    if (segs.length === 3 && first === '' && segs[2] === '') return `${s} contains${cs} ${kqlString(second)}`;
    // Wildcards inside the value: a whole-value regex (`^...$` and `(?i)` are both needed).
    const re = `(?${e.caseSensitive ? '' : 'i'}s)^${segs.map(rustEscape).join('.*')}$`;
    return `${s} matches regex ${kqlRegexLiteral(re)}`;
  }

  private regex(e: Extract<Expr, { kind: 'regex' }>, top: boolean): string {
    const r = this.filterRef(e.field.name, e.field.span);
    if (!r) return 'false';
    if (r.type === ARRAY) return this.anyElement(e, r);
    const pattern = rustPattern(e.pattern, e.span, (d) => this.ctx.report(d));
    const s = this.asString(r, e.span);
    const test = `${s} matches regex ${kqlRegexLiteral(pattern)}`;
    // Splunk drops events without the field; a missing KQL string is "", which a pattern that can
    // match the empty string would match.
    if (!canMatchEmpty(e.pattern)) return test;
    return this.group([`isnotempty(${s})`, test], 'and', top);
  }

  private cmp(e: Extract<Expr, { kind: 'cmp' }>, top: boolean): string {
    const r = this.filterRef(e.field.name, e.field.span);
    if (!r) return 'false';
    if (r.type === ARRAY) return this.anyElement(e, r);
    if (e.numeric) {
      const lit = NUMBER.test(e.value) ? e.value : `toreal(${kqlString(e.value)})`;
      if (NUMERIC.has(r.type)) return `${r.expr} ${e.op} ${lit}`;
      // Splunk's _time is epoch seconds.
      if (r.type === 'datetime') return `${r.expr} ${e.op} unixtime_seconds_todatetime(${lit})`;
      if (r.type === 'dynamic') this.asString(r, e.span);
      return `toreal(${r.expr}) ${e.op} ${lit}`;
    }
    // A string comparison is lexicographic and false for a missing field.
    const s = this.asString(r, e.span);
    return this.group([`isnotempty(${s})`, `strcmp(${s}, ${kqlString(e.value)}) ${e.op} 0`], 'and', top);
  }

  // --- stages -------------------------------------------------------------------------------

  stages(stages: readonly Stage[]): void {
    stages.forEach((st, i) => {
      switch (st.kind) {
        case 'project':
          return this.project(st);
        case 'rename':
          return this.rename(st);
        case 'bucket': {
          const next = stages[i + 1];
          if (next?.kind === 'aggregate' && next.mode === 'stats' && next.by.some((b) => b.name === st.as) && !next.aggs.some((a) => a.field === st.as)) {
            this.pendingBin = st; // folded into the summarize's `by`
            return;
          }
          const cols = this.ensureCim(st.span);
          const b = this.binExpr(st);
          if (b) {
            this.lines.push({ comment: null, text: `| extend ${kqlColumn(st.as)} = ${b.expr}` });
            cols.set(st.as, b.type);
          }
          return;
        }
        case 'aggregate':
          if (st.mode === 'stats') this.stats(st, i);
          else if (st.mode === 'eventstats') this.eventstats(st, i);
          else if (this.byFields(st, this.ensureCim(st.span)).missing.length) {
            // No row has a by-field: streamstats forms no groups and adds nothing (as eventstats).
          } else if (!this.streamstatsOwnRow(st, stages[i - 1])) {
            this.ensureCim(st.span);
            this.ctx.report(
              diag('BE001', `\`${stageLabel(st)}\`: running aggregates in event order; KQL's row_cumsum/scan over serialized rows have no running distinct count or per-group reset matching streamstats`, st.span, {
                backend: 'kql',
              }),
            );
          }
          this.pendingBin = null;
          return;
        case 'filter': {
          this.ensureCim(st.span);
          const relaxed = relaxLeaves(st.expr, rawSearch, 'kql');
          relaxed.diagnostics.forEach((d) => this.ctx.report(d));
          this.emit(`| where ${this.expr(relaxed.expr)}`);
          return;
        }
        case 'eval':
          return this.evalStage(st);
        case 'rex':
          return st.mode === 'sed' ? this.rexSed(st) : this.rexExtract(st);
        case 'enrich':
          return st.command === 'iplocation' ? this.iplocation(st) : this.lookupStage(st, stages.slice(i + 1));
        case 'sort':
          return this.sort(st);
        case 'fillnull':
          return this.fillnull(st);
        case 'join':
          // Not exact in KQL: join kind=leftouter/inner returns every matching right row (Splunk's
          // max=1 keeps the first in the subsearch's order), renames clashing right columns
          // (Splunk overwrites them), and the subsearch's columns after `values(*) as *` are not
          // known statically.
          this.ensureCim(st.span);
          this.ctx.report(
            diag('BE001', `\`${stageLabel(st)}\`: KQL's join returns every matching row and renames clashing columns; Splunk's first-match, overwriting join has no exact KQL spelling here`, st.span, { backend: 'kql' }),
          );
          return;
        default:
          return assertNever(st, 'stage');
      }
    });
  }

  private pendingBin: Extract<Stage, { kind: 'bucket' }> | null = null;

  /**
   * streamstats right after a stats whose by-fields it also groups by: every row is then alone in
   * its group, so the running aggregate is the aggregate of that row alone (the Armory's
   * `stats values(*) as * by _time, host | streamstats dc(process) by _time, host`). False when
   * the stage has another shape (the caller reports it).
   */
  private streamstatsOwnRow(st: Extract<Stage, { kind: 'aggregate' }>, prev: Stage | undefined): boolean {
    if (prev?.kind !== 'aggregate' || prev.mode !== 'stats' || prev.by.length === 0) return false;
    // current=f leaves the row out, so its aggregate is over no rows: not this shape.
    if (st.mode === 'streamstats' && !st.current) return false;
    if (!prev.by.every((b) => st.by.some((x) => x.name === b.name))) return false;
    const cols = this.ensureCim(st.span);
    const assigns: [string, string, string][] = [];
    for (const a of st.aggs) {
      if (a.field === null) {
        if (a.fn !== 'count') return false;
        assigns.push([a.as, '1', 'long']);
        continue;
      }
      if (a.field.includes('*')) return false;
      const type = cols.get(a.field);
      const c = kqlColumn(a.field);
      if (type === undefined) {
        if (a.fn !== 'dc' && a.fn !== 'count') return false;
        assigns.push([a.as, '0', 'long']);
        continue;
      }
      const present = type === ARRAY ? `array_length(${c}) > 0` : NUMERIC.has(type) || type === 'datetime' || type === 'bool' ? `isnotnull(${c})` : `isnotempty(${c})`;
      if (a.fn === 'dc') assigns.push([a.as, type === ARRAY ? `array_length(set_union(${c}, dynamic([])))` : `iff(${present}, 1, 0)`, 'long']);
      else if (a.fn === 'count' && type !== ARRAY) assigns.push([a.as, `iff(${present}, 1, 0)`, 'long']);
      else if (a.fn === 'values' && type === ARRAY) assigns.push([a.as, c, ARRAY]);
      else return false;
    }
    this.lines.push({ comment: `streamstats by the preceding stats' groups: each row is its own group`, text: `| extend ${assigns.map(([n, e]) => `${kqlColumn(n)} = ${e}`).join(', ')}` });
    for (const [n, , t] of assigns) cols.set(n, t);
    return true;
  }

  filterLine(e: Expr): void {
    this.emit(`| where ${this.expr(e)}`);
  }

  // --- eval, rex, enrich, sort, fillnull ------------------------------------------------

  /** eval: one `extend` per assignment, in order (each sees the fields the earlier ones set). */
  private evalStage(st: Extract<Stage, { kind: 'eval' }>): void {
    const cols = this.ensureCim(st.span);
    for (const a of st.assignments) {
      const v = this.values.value(a.expr);
      // Splunk removes a field assigned null; the column stays, holding KQL's "absent" value.
      this.emit(`| extend ${kqlColumn(a.field.name)} = ${v.type === 'null' ? '""' : v.text}`);
      cols.set(a.field.name, columnType(v));
    }
  }

  /** The string form of a rex source field, or null when the field does not exist here. */
  private rexSource(st: Extract<Stage, { kind: 'rex' }>): string | null {
    const l = this.lookup(st.field.name, st.field.span);
    if (!l.ok) {
      this.notes.push(`\`${stageLabel(st)}\`: '${st.field.name}' does not exist here, so Splunk extracts nothing and no KQL is needed`);
      return null;
    }
    if (l.ref.type === ARRAY) {
      this.ctx.report(
        diag('BE002', `rex on the multivalue field '${st.field.name}': Splunk uses the first value that matches; KQL reads only a single-valued field here (several values extract nothing)`, st.field.span, {
          backend: 'kql',
          direction: 'narrower',
        }),
      );
      return this.values.str({ text: l.ref.expr, type: 'array' });
    }
    return l.ref.type === 'string' ? l.ref.expr : `tostring(${l.ref.expr})`;
  }

  private rexSed(st: Extract<Stage, { kind: 'rex' }>): void {
    const cols = this.ensureCim(st.span);
    const src = this.rexSource(st);
    if (src === null) return;
    const r = replacement(st.pattern, st.replacement ?? '', st.patternSpan, (d) => this.ctx.report(d), !st.global);
    if (!r) {
      this.ctx.report(diag('BE001', `\`${stageLabel(st)}\`: the replacement's group references cannot be kept in KQL's regex`, st.patternSpan, { backend: 'kql' }));
      return;
    }
    this.lines.push({ comment: null, text: `| extend ${kqlColumn(st.field.name)} = replace_regex(${src}, ${kqlRegexLiteral(r.pattern)}, ${kqlString(r.rewrite)})` });
    cols.set(st.field.name, 'string');
  }

  /**
   * rex extraction: each named group becomes a column. With max_match=1, `extract` takes the
   * group of the first match; a row without a match keeps the field's earlier value (Splunk sets
   * nothing then). Otherwise `extract_all` collects the group over every match into a multivalue.
   */
  private rexExtract(st: Extract<Stage, { kind: 'rex' }>): void {
    const cols = this.ensureCim(st.span);
    const src = this.rexSource(st);
    if (src === null) return;
    const test = kqlRegexLiteral(rustPattern(st.pattern, st.patternSpan, (d) => this.ctx.report(d)));
    // A group named like the source field is assigned last, so the others still read the source.
    const groups = [...new Set(st.groups)].sort((a, b) => Number(a === st.field.name) - Number(b === st.field.name));
    const assigns: string[] = [];
    const types: [string, string][] = [];
    if (st.maxMatch === 1) {
      const c = rustCapturing(st.pattern, (g) => g.group === 'named' && g.name !== undefined && groups.includes(g.name));
      if (!c) {
        this.ctx.report(diag('BE001', `\`${stageLabel(st)}\`: the pattern's named groups cannot be kept in KQL's regex`, st.patternSpan, { backend: 'kql' }));
        return;
      }
      const re = kqlRegexLiteral(c.pattern);
      for (const g of groups) {
        const k = c.index.get(g);
        if (k === undefined) continue;
        const value = `extract(${re}, ${k}, ${src})`;
        const old = cols.get(g);
        const oldText = old === undefined ? null : old === 'string' ? kqlColumn(g) : old === ARRAY ? this.values.str({ text: kqlColumn(g), type: 'array' }) : `tostring(${kqlColumn(g)})`;
        assigns.push(`${kqlColumn(g)} = ${oldText === null ? value : `iff(${src} matches regex ${test}, ${value}, ${oldText})`}`);
        types.push([g, 'string']);
      }
    } else {
      const problem = repeatedMatchProblem(st.pattern, "KQL's extract_all");
      if (problem) {
        this.ctx.report(diag('BE001', `rex max_match=${st.maxMatch} with ${problem}`, st.span, { backend: 'kql' }));
        return;
      }
      for (const g of groups) {
        const c = rustCapturing(st.pattern, (n) => n.group === 'named' && n.name === g);
        if (!c) {
          this.ctx.report(diag('BE001', `\`${stageLabel(st)}\`: group '${g}' cannot be kept in KQL's regex`, st.patternSpan, { backend: 'kql' }));
          continue;
        }
        // With one capturing group extract_all returns that group's text for every match.
        let all = `extract_all(${kqlRegexLiteral(c.pattern)}, ${src})`;
        if (st.maxMatch > 1) all = `array_slice(${all}, 0, ${st.maxMatch - 1})`;
        const old = cols.get(g);
        const oldArr = old === undefined ? null : this.values.arr({ text: kqlColumn(g), type: vtype(old) });
        assigns.push(`${kqlColumn(g)} = ${oldArr === null ? `coalesce(${all}, dynamic([]))` : `iff(array_length(${all}) > 0, ${all}, ${oldArr})`}`);
        types.push([g, ARRAY]);
      }
    }
    if (assigns.length === 0) return;
    this.lines.push({ comment: null, text: `| extend ${assigns.join(', ')}` });
    for (const [g, t] of types) cols.set(g, t);
  }

  /**
   * iplocation via geo_info_from_ip_address, which returns country, state, city, latitude and
   * longitude. Splunk reads its bundled MaxMind GeoLite2 City database, KQL Microsoft's own data:
   * the same address can locate differently, so tests on the results can err either way.
   */
  private iplocation(st: Extract<Stage, { kind: 'enrich' }>): void {
    const cols = this.ensureCim(st.span);
    const input = st.inputs[0];
    if (!input) return;
    const l = this.lookup(input.field.name, input.field.span);
    if (!l.ok) {
      this.notes.push(`\`${stageLabel(st)}\`: '${input.field.name}' does not exist here, so Splunk adds nothing and no KQL is needed`);
      return;
    }
    const ip = l.ref.type === ARRAY ? `tostring(${l.ref.expr}[0])` : l.ref.type === 'string' ? l.ref.expr : `tostring(${l.ref.expr})`;
    const KEYS: Record<string, [string, string]> = { City: ['city', 'string'], Country: ['country', 'string'], Region: ['state', 'string'], lat: ['latitude', 'real'], lon: ['longitude', 'real'] };
    const assigns: string[] = [];
    const missing: string[] = [];
    for (const o of st.outputs) {
      const k = KEYS[o.column];
      if (!k) {
        missing.push(o.column);
        continue;
      }
      const [key, type] = k;
      assigns.push(`${kqlColumn(o.as)} = ${type === 'real' ? `toreal(ruleport_geo.${key})` : `tostring(ruleport_geo.${key})`}`);
      cols.set(o.as, type);
    }
    this.ctx.report(
      diag(
        'BE002',
        `\`${stageLabel(st)}\` becomes geo_info_from_ip_address: Splunk's GeoLite2 data and Microsoft's can place an address differently, so later tests on ${st.outputs.map((o) => o.as).join(', ')} may keep more or fewer rows${l.ref.type === ARRAY ? `; of the multivalue '${input.field.name}' only the first value is located` : ''}${missing.length ? `; ${missing.join(', ')} has no KQL counterpart and is left absent` : ''}`,
        st.span,
        { backend: 'kql' },
      ),
    );
    this.lines.push({ comment: 'iplocation: Microsoft geo data, not Splunk\'s GeoLite2', text: `| extend ruleport_geo = geo_info_from_ip_address(${ip})` });
    if (assigns.length) this.lines.push({ comment: null, text: `| extend ${assigns.join(', ')}` });
    this.lines.push({ comment: null, text: '| project-away ruleport_geo' });
  }

  /**
   * lookup: `dnslookup` is Splunk's scripted DNS lookup (a resolver, not a table), which KQL cannot
   * run; its outputs stay absent. Other lookup tables would need a Sentinel watchlist
   * (`_GetWatchlist('<name>')`), which the profile cannot declare; reported as unsupported.
   */
  private lookupStage(st: Extract<Stage, { kind: 'enrich' }>, rest: readonly Stage[]): void {
    const cols = this.ensureCim(st.span);
    if (Object.prototype.hasOwnProperty.call(COMPUTED_LOOKUPS, st.table)) {
      this.ctx.report(diag('BE001', `lookup '${st.table}' is computed by a script for each value (a Splunk external lookup); there is no table to upload as a watchlist`, st.span, { backend: 'kql' }));
      return;
    }
    if (st.table !== 'dnslookup') {
      this.ctx.report(
        diag('BE001', `lookup table '${st.table}' has no KQL source: the profile declares no lookup tables (in Sentinel, upload it as a watchlist and join _GetWatchlist('${st.table}'))`, st.span, { backend: 'kql' }),
      );
      return;
    }
    const outs = st.outputs.map((o) => o.as);
    const tested = rest.some((s) => usesAny(s, outs));
    this.ctx.report(
      diag(
        'BE002',
        `\`lookup dnslookup\` resolves names with DNS at search time, which KQL cannot do; ${outs.join(', ')} ${tested ? 'stay absent, so later tests on them are false' : 'stay absent (only the output rows lack them)'}`,
        st.span,
        { backend: 'kql', ...(tested ? { direction: 'narrower' as const } : {}) },
      ),
    );
    const fresh = outs.filter((o) => st.overwrite || !cols.has(o));
    if (fresh.length) this.lines.push({ comment: 'lookup dnslookup (a DNS resolver) has no KQL equivalent: outputs left empty', text: `| extend ${fresh.map((o) => `${kqlColumn(o)} = ""`).join(', ')}` });
    for (const o of fresh) cols.set(o, 'string');
  }

  /**
   * sort: KQL sorts descending by default, so every key says asc/desc; Splunk puts missing values
   * last either way, hence the `isempty` key first for strings and `nulls last` for others.
   */
  private sort(st: Extract<Stage, { kind: 'sort' }>): void {
    const cols = this.ensureCim(st.span);
    const keys: string[] = [];
    for (const k of st.keys) {
      const type = cols.get(k.field.name);
      if (type === undefined) continue; // a missing field orders nothing
      const c = kqlColumn(k.field.name);
      const dir = k.descending ? 'desc' : 'asc';
      if (type === ARRAY) {
        this.ctx.report(diag('BE002', `sort by the multivalue '${k.field.name}': ordered by its JSON text here`, k.field.span, { backend: 'kql' }));
        keys.push(`array_length(${c}) == 0 asc`, `tostring(${c}) ${dir}`);
        continue;
      }
      if (type !== 'string') {
        keys.push(`${k.as === 'str' ? `tostring(${c})` : c} ${dir} nulls last`);
        continue;
      }
      keys.push(`isempty(${c}) asc`);
      if (k.as === 'num') keys.push(`toreal(${c}) ${dir} nulls last`);
      else if (k.as === 'ip') keys.push(`parse_ipv4(${c}) ${dir} nulls last`, `${c} ${dir}`);
      else if (k.as === 'auto') {
        // Splunk's auto order: numbers (numerically) before other strings (lexicographically).
        keys.push(`isnull(toreal(${c})) asc`, `toreal(${c}) ${dir} nulls last`, `${c} ${dir}`);
      } else keys.push(`${c} ${dir}`);
    }
    if (keys.length) {
      this.lines.push({ comment: "Splunk's sort is stable; KQL's order among equal keys is not defined", text: `| sort by ${keys.join(', ')}` });
      this.ctx.report(diag('BE002', `\`${stageLabel(st)}\`: rows with equal keys keep their input order in Splunk; KQL's sort does not promise that`, st.span, { backend: 'kql' }));
    }
    if (st.limit > 0) this.lines.push({ comment: null, text: `| take ${st.limit}` });
  }

  /** fillnull: empty (absent) values of the listed fields, or of every column, become the value. */
  private fillnull(st: Extract<Stage, { kind: 'fillnull' }>): void {
    const cols = this.ensureCim(st.span);
    const all = st.fields.length === 0;
    const names = all ? [...cols.keys()].filter((c) => !this.targetOnly.has(c)) : st.fields.map((f) => f.name);
    if (all) {
      this.ctx.report(
        diag('BE002', '`fillnull` without fields fills every field that some row has in Splunk; here every column of the result, including columns no row has a value in', st.span, {
          backend: 'kql',
          direction: 'wider',
        }),
      );
    }
    const v = kqlString(st.value);
    const assigns: string[] = [];
    for (const n of names) {
      const type = cols.get(n);
      const c = kqlColumn(n);
      if (type === undefined) assigns.push(`${c} = ${v}`);
      else if (type === 'string') assigns.push(`${c} = iff(isempty(${c}), ${v}, ${c})`);
      else if (type === ARRAY) assigns.push(`${c} = iff(array_length(${c}) > 0, ${c}, pack_array(${v}))`);
      else assigns.push(`${c} = iff(isnull(${c}), ${v}, tostring(${c}))`);
      cols.set(n, type === ARRAY ? ARRAY : 'string');
    }
    if (assigns.length) this.lines.push({ comment: null, text: `| extend ${assigns.join(', ')}` });
  }

  private binExpr(st: Extract<Stage, { kind: 'bucket' }>): { expr: string; type: string; source: string } | null {
    const l = this.lookup(st.field.name, st.field.span);
    if (!l.ok) return null; // Splunk's bin leaves a missing field missing
    const col = l.ref.expr;
    if (l.ref.type === 'datetime') {
      // KQL bins from 0001-01-01; that equals epoch alignment when the span divides a day.
      const expr = 86400 % st.seconds === 0 ? `bin(${col}, ${timespan(st.seconds)})` : `bin_at(${col}, ${timespan(st.seconds)}, datetime(1970-01-01))`;
      return { expr, type: 'datetime', source: col };
    }
    if (NUMERIC.has(l.ref.type)) return { expr: `bin(${col}, ${st.seconds})`, type: l.ref.type, source: col };
    this.ctx.report(diag('BE001', `\`${stageLabel(st)}\`: '${st.field.name}' is a ${l.ref.type} column, not a time`, st.span, { backend: 'kql' }));
    return { expr: `bin(todatetime(${col}), ${timespan(st.seconds)})`, type: 'datetime', source: col };
  }

  private project(st: Extract<Stage, { kind: 'project' }>): void {
    const patterns = st.fields.map((f) => f.name);
    if (st.mode === 'remove') {
      const cols = this.ensureCim(st.span);
      const gone = KqlRenderer.select(patterns, [...cols.keys()], false);
      if (gone.length) this.lines.push({ comment: null, text: `| project-away ${gone.map(kqlColumn).join(', ')}` });
      gone.forEach((g) => cols.delete(g));
      return;
    }
    const extra = st.mode === 'keep' ? ['_time', '_raw'] : [];
    if (this.cols === null) {
      this.toCim(KqlRenderer.select([...patterns, ...extra], this.ctx.catalog(), true), st.span);
      return;
    }
    const cols = this.cols;
    const names = KqlRenderer.select([...patterns, ...extra], [...cols.keys()], false);
    if (names.length === 0) {
      this.ctx.report(diag('BE001', 'the projection keeps no existing column; KQL cannot project nothing', st.span, { backend: 'kql' }));
      return;
    }
    this.lines.push({ comment: null, text: `| project ${names.map(kqlColumn).join(', ')}` });
    this.cols = new Map(names.map((n) => [n, cols.get(n) as string]));
  }

  private rename(st: Extract<Stage, { kind: 'rename' }>): void {
    const cols = this.ensureCim(st.span);
    for (const { from, to } of st.pairs) {
      const moves: [string, string][] = [];
      if (from.name.includes('*')) {
        const stars = (s: string): number => s.split('*').length - 1;
        if (stars(from.name) !== stars(to.name)) {
          this.ctx.report(diag('BE001', `rename ${from.name} as ${to.name}: the wildcard counts differ`, st.span, { backend: 'kql' }));
          continue;
        }
        const re = new RegExp(`^${from.name.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.*)')}$`, 's');
        for (const c of cols.keys()) {
          const m = re.exec(c);
          if (m) {
            let k = 1;
            moves.push([c, to.name.replace(/\*/g, () => m[k++] ?? '')]);
          }
        }
      } else if (cols.has(from.name)) moves.push([from.name, to.name]);
      for (const [a, b] of moves) {
        if (a === b) continue;
        // Splunk's rename overwrites an existing field of the new name.
        if (cols.has(b)) {
          this.lines.push({ comment: null, text: `| project-away ${kqlColumn(b)}` });
          cols.delete(b);
        }
        this.lines.push({ comment: null, text: `| project-rename ${kqlColumn(b)} = ${kqlColumn(a)}` });
        const type = cols.get(a) as string;
        cols.delete(a);
        cols.set(b, type);
      }
    }
  }

  /** The aggregations of a stats/eventstats stage as `name = fn(...)`, with output types. */
  private aggregations(
    st: Extract<Stage, { kind: 'aggregate' }>,
    cols: Map<string, string>,
    byNames: readonly string[],
    tuples = false,
  ): { name: string; expr: string; type: string; tuple?: string }[] {
    const out: { name: string; expr: string; type: string; tuple?: string }[] = [];
    /** Position in `out` of each wildcard output name (`values(*)` can name hundreds). */
    const wildcardAt = new Map<string, number>();
    // An output named explicitly (`earliest(_time) as _time`) wins over the same name from a
    // wildcard (`values(*) as *`); KQL rejects a column assigned twice (KS171).
    const explicit = new Set(st.aggs.filter((a) => a.field === null || !a.field.includes('*')).map((a) => a.as));
    for (const a of st.aggs) {
      if (a.field !== null && a.field.includes('*')) {
        // `values(*) as *`: every column that may exist before the stage, minus the by-fields.
        const available = [...cols.keys()].filter((c) => !this.targetOnly.has(c));
        const inputs = KqlRenderer.select([a.field], available, false).filter((f) => !byNames.includes(f));
        for (const f of inputs) {
          const name = a.field === '*' ? a.as.replace(/\*/g, f) : a.as === a.field ? f : a.as.replace(/\*/g, f);
          if (explicit.has(name) || byNames.includes(name)) continue;
          // Two wildcards naming the same output (`values(*) as * values(*src_ip) as *src_ip`): the
          // later one sets it, as the runtime's stats assigns outputs in order.
          const earlier = wildcardAt.get(name);
          if (earlier !== undefined) out[earlier] = { name, ...this.aggregate(a, f, cols) };
          else {
            wildcardAt.set(name, out.length);
            out.push({ name, ...this.aggregate(a, f, cols) });
          }
        }
        continue;
      }
      const byTime = tuples && a.field !== null && a.field !== '_time' && (a.fn === 'earliest' || a.fn === 'latest') ? this.byTime(a, a.field, cols, out.length) : null;
      out.push({ name: a.as, ...(byTime ?? this.aggregate(a, a.field, cols)) });
    }
    return out;
  }

  /**
   * earliest(x)/latest(x): x of the earliest/latest event that has x, as `arg_min`/`arg_max` over
   * _time (rows whose _time is null are skipped, so events without x get a null time). Needs the
   * tuple form of summarize, `(time, x) = arg_min(...)`; the time column is dropped afterwards.
   */
  private byTime(a: Aggregation, field: string, cols: Map<string, string>, n: number): { expr: string; type: string; tuple: string } | null {
    const time = cols.get('_time');
    const type = cols.get(field);
    if (time !== 'datetime' || type === undefined || type === ARRAY) return null;
    const c = kqlColumn(field);
    const present = NUMERIC.has(type) || type === 'datetime' || type === 'bool' ? `isnotnull(${c})` : `isnotempty(${c})`;
    const tmp = `ruleport_t_${n}`;
    return { expr: `${a.fn === 'earliest' ? 'arg_min' : 'arg_max'}(iff(${present}, _time, datetime(null)), ${c})`, type, tuple: tmp };
  }

  private aggregate(a: Aggregation, field: string | null, cols: Map<string, string>): { expr: string; type: string } {
    if (field === null) {
      if (a.fn === 'count') return { expr: 'count()', type: 'long' };
      this.ctx.report(diag('BE001', `${a.fn}() needs a field`, a.span, { backend: 'kql' }));
      return { expr: 'count()', type: 'long' };
    }
    const type = cols.get(field);
    if (type === undefined) {
      // The field does not exist here (Splunk: no values).
      if (a.fn === 'count' || a.fn === 'dc') return { expr: 'countif(false)', type: 'long' };
      if (a.fn === 'values' || a.fn === 'list') return { expr: 'make_set_if("", false)', type: ARRAY };
      return { expr: 'take_anyif("", false)', type: 'string' };
    }
    const c = kqlColumn(field);
    if (type === ARRAY) {
      // make_set flattens arrays, so a multivalue input contributes each of its values.
      const set = `make_set_if(${c}, array_length(${c}) > 0)`;
      if (a.fn === 'values' || a.fn === 'list') return { expr: `array_sort_asc(${set})`, type: ARRAY };
      if (a.fn === 'dc') return { expr: `array_length(${set})`, type: 'long' };
      this.ctx.report(diag('BE002', `${a.fn}(${field}) of a multivalue field: KQL reads only a single value per row here (several values count as one, or as none)`, a.span, { backend: 'kql' }));
      const one = this.values.str({ text: c, type: 'array' });
      if (a.fn === 'count') return { expr: `countif(array_length(${c}) > 0)`, type: 'long' };
      return { expr: `take_anyif(${one}, isnotempty(${one}))`, type: 'string' };
    }
    const present = NUMERIC.has(type) || type === 'datetime' || type === 'bool' ? `isnotnull(${c})` : `isnotempty(${c})`;
    // Splunk's values()/dc() see values as strings ("10" < "9", "1" differs from "1.0").
    const text = type === 'string' ? c : `tostring(${c})`;
    switch (a.fn) {
      case 'earliest':
      case 'latest':
        // The earliest/latest _time is the minimum/maximum.
        if (field === '_time' && type === 'datetime') return { expr: `${a.fn === 'earliest' ? 'min' : 'max'}(${c})`, type };
        break;
      default:
        break;
    }
    switch (a.fn) {
      case 'values':
        return { expr: `array_sort_asc(make_set_if(${text}, ${present}))`, type: ARRAY };
      case 'count':
        return { expr: `countif(${present})`, type: 'long' };
      case 'dc':
        return { expr: `count_distinctif(${text}, ${present})`, type: 'long' };
      case 'sum':
      case 'avg':
        return { expr: `${a.fn}(${NUMERIC.has(type) ? c : `toreal(${c})`})`, type: 'real' };
      case 'min':
      case 'max':
        if (NUMERIC.has(type) || type === 'datetime') return { expr: `${a.fn}(${c})`, type };
        this.ctx.report(
          diag('BE002', `${a.fn}(${field}) compares as numbers; Splunk falls back to lexicographic order for values that are not numbers, which this ignores`, a.span, { backend: 'kql' }),
        );
        return { expr: `${a.fn}(toreal(${c}))`, type: 'real' };
      case 'list':
        this.ctx.report(diag('BE002', `list(${field}) keeps event order in Splunk; KQL's make_list order is not defined`, a.span, { backend: 'kql' }));
        return { expr: `make_list_if(${text}, ${present}, 100)`, type: ARRAY };
      case 'stdev':
        return { expr: `stdev(${NUMERIC.has(type) ? c : `toreal(${c})`})`, type: 'real' };
      case 'range':
        return { expr: `max(toreal(${c})) - min(toreal(${c}))`, type: 'real' };
      case 'median':
        this.ctx.report(diag('BE002', `median(${field}) becomes KQL's percentile(…, 50), an estimate`, a.span, { backend: 'kql' }));
        return { expr: `percentile(toreal(${c}), 50)`, type: 'real' };
      case 'earliest':
      case 'latest':
      case 'first':
      case 'last':
        this.ctx.report(diag('BE001', `${a.fn}(${field}) depends on event order and has no KQL aggregate here; rendered as take_any for reference only`, a.span, { backend: 'kql' }));
        return { expr: `take_anyif(${c}, ${present})`, type };
      default:
        return assertNever(a.fn, 'aggregation');
    }
  }

  /** By-fields split into those present (with their `by` spelling) and those missing. */
  private byFields(st: Extract<Stage, { kind: 'aggregate' }>, cols: Map<string, string>): { by: string[]; guard: string[]; missing: string[]; types: [string, string][] } {
    const by: string[] = [];
    const guard: string[] = [];
    const missing: string[] = [];
    const types: [string, string][] = [];
    for (const f of st.by) {
      const bin = this.pendingBin && this.pendingBin.as === f.name ? this.binExpr(this.pendingBin) : null;
      if (bin) {
        by.push(`${kqlColumn(f.name)} = ${bin.expr}`);
        guard.push(`isnotempty(${bin.source})`);
        types.push([f.name, bin.type]);
        continue;
      }
      const type = cols.get(f.name);
      if (type === undefined) {
        missing.push(f.name);
        continue;
      }
      by.push(kqlColumn(f.name));
      guard.push(type === ARRAY ? `array_length(${kqlColumn(f.name)}) > 0` : `isnotempty(${kqlColumn(f.name)})`);
      types.push([f.name, type]);
    }
    return { by, guard, missing, types };
  }

  private noGroups(missing: readonly string[], st: Extract<Stage, { kind: 'aggregate' }>, index: number): void {
    const lacking = missing.filter((m) => this.noColumn.has(m));
    const removed = missing.filter((m) => !this.noColumn.has(m));
    if (lacking.length) {
      this.ctx.report(
        diag('BE002', `by-field ${quoteList(lacking)} has no column in table ${this.table}; the stage forms no groups here`, st.span, { backend: 'kql', direction: 'narrower' }),
      );
    }
    const set = this.ctx.sets[index];
    const remover = set?.kind === 'restricted' ? `the earlier \`${stageName(set.by)}\`` : 'an earlier stage';
    const why = [
      ...(removed.length ? [`${quoteList(removed)} (${st.mode} by-field) was removed by ${remover}`] : []),
      ...(lacking.length ? [`${quoteList(lacking)} (${st.mode} by-field) has no column in ${this.table}`] : []),
    ].join('; ');
    this.lines.push({ comment: `${why}, so Splunk forms no groups and the rule returns no rows`, text: '| where false' });
  }

  private stats(st: Extract<Stage, { kind: 'aggregate' }>, index: number): void {
    const cols = this.ensureCim(st.span);
    const { by, guard, missing, types } = this.byFields(st, cols);
    const aggs = this.aggregations(st, cols, st.by.map((f) => f.name), true);
    // A multivalue by-field puts the row into the group of each of its values (Splunk).
    for (const [n, t] of types) {
      if (t !== ARRAY) continue;
      this.lines.push({ comment: null, text: `| mv-expand ${kqlColumn(n)} to typeof(string)` });
    }
    types.forEach((entry, i) => {
      if (entry[1] !== ARRAY) return;
      types[i] = [entry[0], 'string'];
      guard[i] = `isnotempty(${kqlColumn(entry[0])})`;
    });
    if (missing.length) this.noGroups(missing, st, index);
    else if (guard.length) {
      this.lines.push({ comment: 'Splunk drops events whose by-field is missing; KQL would group them under ""', text: `| where ${guard.join(' and ')}` });
    }
    const aggText = aggs.map((a) => `${a.tuple ? `(${a.tuple}, ${kqlColumn(a.name)})` : kqlColumn(a.name)} = ${a.expr}`).join(', ');
    if (!aggText && !by.length) {
      this.ctx.report(diag('BE001', `\`${stageLabel(st)}\` aggregates nothing in this target`, st.span, { backend: 'kql' }));
    }
    // With nothing to aggregate (values(*) over no other field) the groups alone are the rows.
    this.lines.push({ comment: null, text: `| summarize${aggText ? ` ${aggText}` : by.length ? '' : ' count()'}${by.length ? ` by ${by.join(', ')}` : ''}` });
    const tuples = aggs.flatMap((a) => (a.tuple ? [a.tuple] : []));
    if (tuples.length) this.lines.push({ comment: null, text: `| project-away ${tuples.join(', ')}` });
    // Splunk returns stats rows ordered by the by-fields.
    if (by.length) this.lines.push({ comment: null, text: `| sort by ${types.map(([n]) => `${kqlColumn(n)} asc`).join(', ')}` });
    this.cols = new Map([...types, ...aggs.map((a): [string, string] => [a.name, a.type])]);
  }

  /** eventstats: the group aggregates joined back onto every row (rows without a group keep no value). */
  private eventstats(st: Extract<Stage, { kind: 'aggregate' }>, index: number): void {
    const cols = this.ensureCim(st.span);
    const { guard, missing, types } = this.byFields(st, cols);
    if (missing.length) return; // no groups: Splunk adds nothing to any row
    const aggs = this.aggregations(st, cols, st.by.map((f) => f.name));
    if (aggs.length === 0) return;
    const name = `ruleport_rows_${index}`;
    const keys = types.length ? types.map(([n]) => n) : [];
    const right = keys.length ? keys.map((k) => `ruleport_by_${k.replace(/[^A-Za-z0-9_]/g, '_')}`) : ['ruleport_key'];
    // KQL cannot join on a dynamic column (KS241): a multivalue key joins on its text, so rows
    // group by their whole set of values rather than by each value.
    const multi = types.filter(([, t]) => t === ARRAY).map(([n]) => n);
    const leftKey = (k: string): string => (multi.includes(k) ? `ruleport_lk_${k.replace(/[^A-Za-z0-9_]/g, '_')}` : kqlColumn(k));
    const by = keys.length ? keys.map((k, i) => `${right[i] as string} = ${multi.includes(k) ? `tostring(${kqlColumn(k)})` : kqlColumn(k)}`) : [];
    const on = keys.length ? keys.map((k, i) => `$left.${leftKey(k)} == $right.${right[i] as string}`) : ['ruleport_key'];
    const tmp = aggs.map((_, i) => `ruleport_agg_${i}`);
    if (multi.length) {
      this.ctx.report(
        diag('BE002', `\`${stageLabel(st)}\`: by-field ${quoteList(multi)} is multivalue here; KQL groups rows by the whole set of values, Splunk by each value`, st.span, { backend: 'kql' }),
      );
      this.lines.push({ comment: 'multivalue by-field: grouped by its whole set of values', text: `| extend ${multi.map((k) => `${leftKey(k)} = tostring(${kqlColumn(k)})`).join(', ')}` });
    }
    if (!keys.length) this.lines.push({ comment: null, text: '| extend ruleport_key = 1' });
    this.lines.push({ comment: null, text: `| as ${name}` });
    const sub = [
      name,
      ...(guard.length ? [`where ${guard.join(' and ')}`] : []),
      `summarize ${aggs.map((a, i) => `${tmp[i] as string} = ${a.expr}`).join(', ')}${keys.length ? ` by ${by.join(', ')}` : ' by ruleport_key = 1'}`,
    ].join(' | ');
    this.lines.push({ comment: null, text: `| join kind=leftouter (${sub}) on ${on.join(', ')}` });
    this.lines.push({ comment: null, text: `| extend ${aggs.map((a, i) => `${kqlColumn(a.name)} = ${tmp[i] as string}`).join(', ')}` });
    const away = keys.length ? [...right, ...multi.map(leftKey), ...tmp] : ['ruleport_key', 'ruleport_key1', ...tmp];
    this.lines.push({ comment: null, text: `| project-away ${away.join(', ')}` });
    for (const a of aggs) cols.set(a.name, a.type);
  }
}

const schemaEntryLists = new WeakMap<Readonly<Record<string, string>>, readonly [string, string][]>();

/** A declared table schema as [column, type] pairs (profiles are loaded once; rules ask per stage). */
function schemaEntries(schema: Readonly<Record<string, string>>): readonly [string, string][] {
  let list = schemaEntryLists.get(schema);
  if (!list) schemaEntryLists.set(schema, (list = Object.entries(schema)));
  return list;
}

/** Does a later stage test or group by one of these fields (so an absent value changes rows)? */
function usesAny(st: Stage, names: readonly string[]): boolean {
  const inExpr = (e: Expr): boolean => {
    switch (e.kind) {
      case 'and':
      case 'or':
        return e.args.some(inExpr);
      case 'not':
        return inExpr(e.arg);
      case 'term':
      case 'undisclosed':
        return false;
      case 'cond':
        return inValue(e.expr);
      default:
        return names.includes(e.field.name);
    }
  };
  const inValue = (v: ValueExpr): boolean => (v.kind === 'field' ? names.includes(v.name) : v.kind === 'call' || v.kind === 'op' ? v.args.some(inValue) : false);
  switch (st.kind) {
    case 'filter':
      return inExpr(st.expr);
    case 'aggregate':
      return st.by.some((b) => names.includes(b.name));
    case 'eval':
      return st.assignments.some((a) => inValue(a.expr));
    default:
      return false;
  }
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}

function stageName(st: Stage): string {
  if (st.kind === 'project') return st.mode === 'table' ? 'table' : 'fields';
  if (st.kind === 'aggregate') return st.mode;
  return st.kind === 'bucket' ? 'bin' : st.kind === 'rename' ? 'rename' : 'where';
}

/** A KQL timespan literal for a number of seconds. */
function timespan(seconds: number): string {
  if (Number.isInteger(seconds)) {
    if (seconds % 86400 === 0) return `${seconds / 86400}d`;
    if (seconds % 3600 === 0) return `${seconds / 3600}h`;
    if (seconds % 60 === 0) return `${seconds / 60}m`;
  }
  return `${seconds}s`;
}

/** Top-level conditions the chosen table already implies, when the target has no column to test them. */
function impliedByTable(ctx: RenderContext, profile: Profile, schema: Readonly<Record<string, string>> | null): { filter: Expr; dropped: string[] } {
  const when = Object.entries(ctx.variant?.when ?? {});
  const dropped: string[] = [];
  const kept = conjuncts(ctx.filter).filter((p) => {
    if (p.kind !== 'eq' || p.pattern.length !== 1) return true;
    const hit = when.find(([f, v]) => f === p.field.name && v.toLowerCase() === (p.pattern[0] as string).toLowerCase());
    if (!hit) return true;
    const own = ctx.variant?.fields?.[p.field.name] ?? profile.fields[p.field.name];
    const column = own === undefined ? undefined : fieldMappingOf(own).name;
    const testable = column !== undefined && (schema === null || schema[column] !== undefined);
    if (testable) return true;
    dropped.push(`${hit[0]}=${hit[1]}`);
    return false;
  });
  return { filter: dropped.length ? and(kept) : ctx.filter, dropped };
}

let template: ((view: object) => string) | null = null;

function render(detection: Detection, profile: Profile): BackendOutput {
  const ctx = new RenderContext('kql', detection, profile);
  const table = ctx.variant?.table;
  if (!ctx.variant || table === undefined) {
    return { text: null, diagnostics: ctx.diagnostics.length ? ctx.diagnostics : [diag('BE004', `profile '${profile.name}' gives no KQL table`, null, { backend: 'kql' })] };
  }
  const schema = profile.tables?.[table] ?? null;
  const r = new KqlRenderer(ctx, table, schema);
  const { filter, dropped } = impliedByTable(ctx, profile, schema);
  if (dropped.length) r.notes.push(`${dropped.join(', ')} is implied by table ${table} (no column to test it)`);
  // Raw-event searches have no KQL column to run on: relaxed to `true` in the direction that keeps
  // every match (BE006, wider).
  const relaxed = relaxLeaves(filter, rawSearch, 'kql');
  relaxed.diagnostics.forEach((d) => ctx.report(d));
  if (!(relaxed.expr.kind === 'and' && relaxed.expr.args.length === 0)) r.filterLine(relaxed.expr);
  r.stages(detection.stages);
  const lines: Line[] = [...r.lines];
  const issues = ctx.diagnostics
    .filter((d) => d.backend === 'kql' && (d.kind === 'lossy' || d.kind === 'unsupported' || d.kind === 'syntax'))
    .map((d) => `${d.code} ${d.kind}${d.direction ? ` (${d.direction})` : ''}: ${d.message}`);
  template ??= compileTemplate('kql', 'rule', { comment: kqlComment, table: (v) => kqlColumn(String(v)) });
  const text = template({
    title: detection.title,
    id: detection.id,
    profile: profile.name,
    table,
    spl: detection.spl,
    notes: [...r.notes, ...issues],
    lines,
  });
  return { text, diagnostics: ctx.diagnostics };
}

export const kqlBackend: Backend = { id: 'kql', extension: 'kql', defaultProfile: 'kql-sysmon', render };
