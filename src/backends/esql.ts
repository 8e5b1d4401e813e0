/**
 * ES|QL backend: `FROM <indices> | WHERE … | EVAL/KEEP … | STATS … BY … | LIMIT`.
 *
 * Null semantics (target notes §9): a comparison, LIKE or RLIKE on a missing field is null and
 * drops the row, for `!=` and `NOT` alike. Splunk's `NOT f=v` keeps events without f, so negated
 * leaves are written `(f IS NULL OR <negated test>)` unless an enclosing conjunction already
 * requires f; negations are pushed down to the leaves first (De Morgan), where this is exact.
 *
 * Columns: before the first `table`/`fields` the rows carry ECS names (the profile mapping);
 * that stage EVALs the CIM names and KEEPs them, so later stages and the output use Splunk's names.
 */
import { diag } from '../diagnostics.js';
import { assertNever, type Aggregation, type Detection, type Expr, type FieldRef, type Stage, type ValueExpr } from '../ir/types.js';
import { catalogHas, expandPatterns, mayExist, readsOf } from '../lint/lineage.js';
import type { Profile } from '../profiles/profile.js';
import { RenderContext, conjuncts, type Backend, type BackendOutput } from './context.js';
import {
  caseless, columnPattern, commentText, elasticRelaxable, isMapped, lossyNotes, esqlField, esqlString, inList, luceneRegex, numericLiteral, preferRaw, profileColumn, removedByFields,
  restrictingStage, timeSpan, userDomainNote, type Column, type EqLeaf, type Resolver,
} from './elastic-common.js';
import { EsqlValueTranslator, javaRegex, javaReplacement, type VFrag } from './elastic-esql-eval.js';
import { relaxLeaves } from './relax.js';
import { translateRegex } from '../regex/index.js';
import { knownFields } from '../normalize/known-fields.js';
import { COMPUTED_LOOKUPS } from '../runtime/stages.js';
import { stageLabel } from './stage-label.js';
import { compileTemplate } from './templates.js';

/**
 * ECS address fields with GeoIP results beside them (`source.ip` → `source.geo.*`). `.address`
 * too: integrations that keep a possibly non-IP address there (CloudTrail's sourceIPAddress) copy
 * it to `.ip` when it is one and run geoip on that, filling the same `.geo.*`.
 */
const GEO_IP = /^(source|destination|client|server|host)\.(?:ip|address)$/;
/** Splunk iplocation columns → ECS geo sub-fields (lat/lon are the two halves of `location`). */
const GEO_COLUMN: Readonly<Record<string, string>> = {
  City: 'city_name', Country: 'country_name', Region: 'region_name', Continent: 'continent_name', Timezone: 'timezone', lat: 'location', lon: 'location',
};
/** The ES|QL expression for one iplocation column from the ECS geo fields beside `<prefix>.ip`. */
function geoExpr(prefix: string, column: string): string | null {
  const g = GEO_COLUMN[column];
  if (!g) return null;
  const f = esqlField(`${prefix}.geo.${g}`);
  return column === 'lat' ? `ST_Y(${f})` : column === 'lon' ? `ST_X(${f})` : f;
}

/** ECS keeps the raw event text only when the integration preserves it (preserve_original_event). */
const RAW_COLUMN = 'event.original';

/** Rows ES|QL returns without LIMIT is 1000; 10000 is the default maximum (esql.query.result_truncation_max_size). */
const ROW_LIMIT = 10000;

type Prec = 1 | 2 | 3;
interface Frag {
  readonly text: string;
  readonly prec: Prec;
}
const atom = (text: string): Frag => ({ text, prec: 3 });
const wrap = (f: Frag, min: Prec): string => (f.prec < min ? `(${f.text})` : f.text);

/** ES|QL LIKE pattern: `*`/`?` wildcards, `\` escapes (so literal `\` and `?` are escaped). */
function likePattern(segments: readonly string[]): string {
  return segments.map((s) => s.replace(/[\\*?]/g, '\\$&')).join('*');
}

/** A Splunk eval expression in ES|QL, its problems reported (`unsupported`: BE005 in filters, BE001 in eval). */
function translateValue(ctx: RenderContext, resolve: Resolver, e: ValueExpr, unsupported: 'BE005' | 'BE001'): VFrag | null {
  const t = new EsqlValueTranslator((name, span) => resolve({ name, span }));
  const out = t.translate(e);
  const lossy = unsupported === 'BE005' ? 'BE006' : 'BE002';
  for (const i of t.issues) {
    ctx.report(diag(i.kind === 'unsupported' ? unsupported : lossy, i.message, i.span, { backend: 'esql', ...(i.direction ? { direction: i.direction } : {}) }));
  }
  return out;
}

class EsqlCondition {
  constructor(
    private readonly ctx: RenderContext,
    private readonly resolve: Resolver,
  ) {}

  /** `neg`: render NOT e; `present`: column names an enclosing conjunction already requires. */
  render(e: Expr, neg: boolean, present: ReadonlySet<string>): Frag {
    switch (e.kind) {
      case 'and':
      case 'or': {
        const conj = (e.kind === 'and') !== neg;
        if (e.args.length === 0) return atom(conj ? 'true' : 'false');
        const list = inList(e);
        if (list) {
          const folded = this.inList(list, neg, present);
          if (folded) return folded;
        }
        const inner = conj ? new Set([...present, ...this.required(e.args, neg)]) : present;
        const parts = e.args.map((a) => this.render(a, neg, inner));
        if (parts.length === 1 && parts[0]) return parts[0];
        const prec: Prec = conj ? 2 : 1;
        return { text: parts.map((p) => wrap(p, prec)).join(conj ? ' AND ' : ' OR '), prec };
      }
      case 'not':
        return this.render(e.arg, !neg, present);
      case 'exists': {
        const col = this.resolve(e.field);
        if (!col) return atom(neg ? 'true' : 'false');
        return atom(`${esqlField(col.name)} ${neg ? 'IS NULL' : 'IS NOT NULL'}`);
      }
      case 'eq':
        return this.leaf(e.field, neg, present, (f, col) => this.eq(e, f, col));
      case 'regex':
        return this.leaf(e.field, neg, present, (f, col) => {
          if (col.derive) this.ctx.report(diag('BE005', `regex on '${e.field.name}' needs a derived field ES|QL does not have`, e.span, { backend: 'esql' }));
          const pattern = luceneRegex(this.ctx, 'esql', e);
          if (pattern === null) return null;
          const lit = preferRaw(pattern, esqlString);
          return { pos: `${f} RLIKE ${lit}`, neg: `${f} NOT RLIKE ${lit}` };
        });
      case 'cmp':
        return this.leaf(e.field, neg, present, (f, col) => {
          const lhs = e.numeric && col.type !== 'number' ? `TO_DOUBLE(${f})` : f;
          const rhs = e.numeric ? String(Number(e.value)) : esqlString(e.value);
          const inverse = { '<': '>=', '<=': '>', '>': '<=', '>=': '<' }[e.op];
          return { pos: `${lhs} ${e.op} ${rhs}`, neg: `${lhs} ${inverse} ${rhs}` };
        });
      case 'term':
        // relaxLeaves (EsqlPipeline.where) removes these first; one reaching here is reported.
        this.ctx.report(diag('BE005', `raw-event search '${e.value}' has no ES|QL equivalent (ECS events have no searchable _raw)`, e.span, { backend: 'esql' }));
        return atom(neg ? 'true' : 'false');
      case 'cidr':
        return this.leaf(e.field, neg, present, (f) => {
          const test = `CIDR_MATCH(TO_IP(${f}), ${esqlString(e.network)})`;
          return { pos: test, neg: `NOT ${test}` };
        });
      case 'cond': {
        const t = translateValue(this.ctx, this.resolve, e.expr, 'BE005');
        if (!t) return atom(neg ? 'true' : 'false');
        if (t.type !== 'bool' && t.type !== 'null') {
          this.ctx.report(diag('BE005', 'this where expression is not a condition', e.span, { backend: 'esql' }));
          return atom(neg ? 'true' : 'false');
        }
        // WHERE keeps exactly the rows where the expression is true; the negation must also keep
        // the rows where it is null (Splunk: `NOT cond` keeps what cond did not keep).
        return neg ? atom(`NOT COALESCE(${t.text}, false)`) : { text: t.text, prec: t.atomic ? 3 : 1 };
      }
      case 'undisclosed':
        // relaxLeaves (EsqlPipeline.where) removes these first; one reaching here is reported.
        this.ctx.report(diag('BE005', `filter macro \`${e.macro}\` has no published definition`, e.span, { backend: 'esql' }));
        return atom(neg ? 'true' : 'false');
      default:
        return assertNever(e, 'expression');
    }
  }

  /** Columns that positive `exists` conjuncts require (negated: `not exists` disjuncts). */
  private required(args: readonly Expr[], neg: boolean): string[] {
    if (neg) return [];
    return args.flatMap((a) => {
      const col = a.kind === 'exists' ? this.resolve(a.field) : null;
      return col ? [col.name] : [];
    });
  }

  /**
   * A single-field test. Missing column (removed earlier): the Splunk test is false. Negated on a
   * column that may be null: `(f IS NULL OR <negated>)`, because ES|QL drops null comparisons.
   */
  private leaf(ref: FieldRef, neg: boolean, present: ReadonlySet<string>, build: (f: string, col: Column) => { pos: string; neg: string } | null): Frag {
    const col = this.resolve(ref);
    if (!col) return atom(neg ? 'true' : 'false');
    const f = esqlField(col.name);
    const t = build(f, col);
    if (!t) return atom(neg ? 'true' : 'false');
    if (!neg) return atom(t.pos);
    return present.has(col.name) ? atom(t.neg) : { text: `${f} IS NULL OR ${t.neg}`, prec: 1 };
  }

  private eq(e: EqLeaf, f: string, col: Column): { pos: string; neg: string } {
    userDomainNote(this.ctx, 'esql', col, e);
    const num = numericLiteral(col, e.pattern);
    if (num !== null) return { pos: `${f} == ${num}`, neg: `${f} != ${num}` };
    const pattern = columnPattern(this.ctx, 'esql', col, e);
    const folded = !e.caseSensitive && !pattern.every(caseless);
    const base = col.type === 'number' ? `TO_STRING(${f})` : f;
    const lhs = folded ? `TO_LOWER(${base})` : base;
    const segs = folded ? pattern.map((s) => s.toLowerCase()) : pattern;
    if (segs.length === 1) {
      const lit = esqlString(segs[0] ?? '');
      return { pos: `${lhs} == ${lit}`, neg: `${lhs} != ${lit}` };
    }
    const lit = preferRaw(likePattern(segs), esqlString);
    return { pos: `${lhs} LIKE ${lit}`, neg: `${lhs} NOT LIKE ${lit}` };
  }

  /** `f IN (…)` with exact values (lower-cased for case-insensitive lists); null: render the OR. */
  private inList(leaves: readonly EqLeaf[], neg: boolean, present: ReadonlySet<string>): Frag | null {
    const first = leaves[0];
    if (!first || leaves.some((l) => l.pattern.length !== 1)) return null;
    return this.leaf(first.field, neg, present, (f, col) => {
      if (col.derive) return null;
      const nums = leaves.map((l) => numericLiteral(col, l.pattern));
      let lhs = f;
      let values: string;
      if (nums.every((n) => n !== null)) values = nums.join(', ');
      else {
        userDomainNote(this.ctx, 'esql', col, first);
        const folded = !first.caseSensitive && !leaves.every((l) => l.pattern.every(caseless));
        const base = col.type === 'number' ? `TO_STRING(${f})` : f;
        lhs = folded ? `TO_LOWER(${base})` : base;
        values = leaves.map((l) => esqlString(folded ? (l.pattern[0] ?? '').toLowerCase() : (l.pattern[0] ?? ''))).join(', ');
      }
      return { pos: `${lhs} IN (${values})`, neg: `${lhs} NOT IN (${values})` };
    }) as Frag | null;
  }
}

/**
 * Field names the stages after `index` create before any of them reads the name (eval, rex,
 * lookup/iplocation, rename, stats, bin): names the rule derives rather than finds in the events.
 */
function createdAfter(stages: readonly Stage[], index: number): Set<string> {
  const created = new Set<string>();
  const readFirst = new Set<string>();
  for (const st of stages.slice(index + 1)) {
    for (const r of readsOf(st)) if (!created.has(r.field.name)) readFirst.add(r.field.name);
    switch (st.kind) {
      case 'eval':
        st.assignments.forEach((a) => created.add(a.field.name));
        break;
      case 'rex':
        if (st.mode === 'extract') st.groups.forEach((g) => created.add(g));
        break;
      case 'enrich':
        st.outputs.forEach((o) => created.add(o.as));
        break;
      case 'rename':
        st.pairs.forEach((p) => created.add(p.to.name));
        break;
      case 'aggregate':
        st.aggs.forEach((a) => created.add(a.as));
        break;
      case 'bucket':
        created.add(st.as);
        break;
      case 'join':
        knownFields(st.subsearch.stages).forEach((n) => created.add(n));
        break;
      case 'project':
      case 'filter':
      case 'sort':
      case 'fillnull':
        break;
      default:
        assertNever(st, 'stage');
    }
  }
  return new Set([...created].filter((n) => !readFirst.has(n)));
}

const AGG_FN: Readonly<Record<Aggregation['fn'], ((col: string) => string) | null>> = {
  values: (c) => `MV_SORT(VALUES(${c}))`,
  list: (c) => `MV_SORT(VALUES(${c}))`,
  count: (c) => `COUNT(${c})`,
  dc: (c) => `COUNT_DISTINCT(${c})`,
  min: (c) => `MIN(${c})`,
  max: (c) => `MAX(${c})`,
  sum: (c) => `SUM(${c})`,
  avg: (c) => `AVG(${c})`,
  earliest: null,
  latest: null,
  first: null,
  last: null,
  stdev: null,
  median: (c) => `MEDIAN(${c})`,
  range: null,
};

class EsqlPipeline {
  readonly lines: string[] = [];
  readonly notes: string[] = [];
  /** CIM name -> column, overriding the profile mapping; null = the field no longer exists. */
  private overlay = new Map<string, Column | null>();
  /**
   * True while a resolver holds the current overlay as its snapshot: the next change copies the
   * map first (resolvers are made for every stage and condition; most never see a change).
   */
  private overlayShared = false;
  /** After a KEEP or STATS only overlay columns exist. */
  private closed = false;
  /**
   * CIM IP field -> GeoIP values a KEEP carried (in hidden columns, per iplocation column) for a
   * later iplocation; `aggregated` once a STATS has collected them per group.
   */
  private readonly geoCarry = new Map<string, { prefix: string; cols: Map<string, string>; aggregated: boolean }>();

  constructor(private readonly ctx: RenderContext) {}

  /** Column resolver for the rows entering stage `index` (stages.length: the final rows). */
  resolver(index: number): Resolver {
    const set = this.ctx.sets[index];
    const overlay = this.overlay;
    this.overlayShared = true;
    const closed = this.closed;
    return (ref) => {
      if (set && !mayExist(set, ref.name)) return null;
      if (overlay.has(ref.name)) return overlay.get(ref.name) ?? null;
      return closed ? null : profileColumn(this.ctx, ref);
    };
  }

  /** Sets a column of the overlay (copying it first when a resolver holds it). */
  private setColumn(name: string, col: Column | null): void {
    if (this.overlayShared) {
      this.overlay = new Map(this.overlay);
      this.overlayShared = false;
    }
    this.overlay.set(name, col);
  }

  where(input: Expr, index: number): void {
    // Raw-event searches have no ECS counterpart: relaxed to true (wider), one diagnostic each.
    const relaxed = relaxLeaves(input, elasticRelaxable, 'esql');
    relaxed.diagnostics.forEach((d) => this.ctx.report(d));
    const expr = relaxed.expr;
    if (expr.kind === 'and' && expr.args.length === 0) return;
    const cond = new EsqlCondition(this.ctx, this.resolver(index));
    const parts = conjuncts(expr);
    const resolve = this.resolver(index);
    const present = new Set(parts.flatMap((p) => (p.kind === 'exists' ? [resolve(p.field)?.name ?? ''] : [])).filter(Boolean));
    for (const p of parts) this.lines.push(`| WHERE ${cond.render(p, false, present).text}`);
  }

  stage(st: Stage, index: number, next: Stage | undefined, pendingBucket: Extract<Stage, { kind: 'bucket' }> | null): void {
    const resolve = this.resolver(index);
    const ref = (name: string): FieldRef => ({ name, span: st.span });
    switch (st.kind) {
      case 'project': {
        if (st.mode === 'remove') {
          const names = expandPatterns(st.fields.map((f) => f.name), this.closed ? [...this.overlay.keys()] : this.ctx.catalog());
          const cols = [...new Set(names.map((n) => resolve(ref(n))?.name).filter((n): n is string => !!n))];
          if (cols.length) this.lines.push(`| DROP ${cols.map(esqlField).join(', ')}`);
          names.forEach((n) => this.setColumn(n, null));
          return;
        }
        const after = this.ctx.fieldsBefore(index + 1);
        const withRaw = after.includes('_raw');
        const names = after.filter((n) => n !== '_raw');
        if (withRaw) this.notes.push('_raw has no ECS column and is not kept (rex reads event.original)');
        const evals: string[] = [];
        const keep: string[] = [];
        const kept = new Set<string>();
        const overlay = new Map<string, Column | null>();
        const later = this.closed ? new Set<string>() : createdAfter(this.ctx.detection.stages, index);
        for (const n of names) {
          // A name the data source does not have (neither mapped nor in its catalog) that a later
          // stage creates is absent here, as in Splunk: KEEP must not name it, since ES|QL
          // rejects an unknown column.
          if (later.has(n) && !this.overlay.has(n) && !isMapped(this.ctx, n) && !catalogHas(this.ctx.catalog(), n)) {
            this.notes.push(`${n} is not kept: the data source has no such field and the rule creates it later`);
            continue;
          }
          const col = resolve(ref(n));
          if (!col) continue;
          // The time column keeps its ECS name (@timestamp): Elastic tools expect it there.
          const name = col.type === 'time' ? col.name : n;
          const column = esqlField(name);
          if (col.name !== name) evals.push(`${column} = ${esqlField(col.name)}`);
          if (!kept.has(column)) {
            kept.add(column);
            keep.push(column);
          }
          overlay.set(n, { name, ...(col.type ? { type: col.type } : {}) });
        }
        // Columns later stages read that Splunk would still have but KEEP would drop: GeoIP
        // columns for iplocation, and the original event text for rex on _raw.
        for (const later of this.ctx.detection.stages.slice(index + 1)) {
          if (later.kind === 'project' && later.mode !== 'remove') break;
          if (later.kind === 'enrich' && later.command === 'iplocation') {
            const inp = later.inputs[0];
            const m = inp && names.includes(inp.field.name) && !this.geoCarry.has(inp.field.name) ? GEO_IP.exec(resolve(ref(inp.field.name))?.name ?? '') : null;
            if (!inp || !m?.[1]) continue;
            // Hidden columns hold the GeoIP values until the iplocation stage reads them.
            const cols = new Map<string, string>();
            for (const o of later.outputs) {
              const g = geoExpr(m[1], o.column);
              if (!g || cols.has(o.column)) continue;
              const hidden = `_geo_${inp.field.name.replace(/[^A-Za-z0-9_]/g, '_')}_${o.column}`;
              cols.set(o.column, hidden);
              evals.push(`${hidden} = ${g}`);
              keep.push(hidden);
            }
            this.geoCarry.set(inp.field.name, { prefix: m[1], cols, aggregated: false });
          }
          if (later.kind === 'rex' && later.field.name === '_raw' && withRaw && !overlay.has('_raw')) {
            evals.push(`_raw = ${RAW_COLUMN}`);
            keep.push('_raw');
            overlay.set('_raw', { name: '_raw' });
          }
        }
        if (evals.length) this.lines.push(`| EVAL ${evals.join(', ')}`);
        this.lines.push(keep.length ? `| KEEP ${keep.join(', ')}` : '| WHERE false');
        this.overlay = overlay;
        this.overlayShared = false;
        this.closed = true;
        return;
      }
      case 'rename': {
        for (const p of st.pairs) {
          if (p.from.name.includes('*') || p.to.name.includes('*')) {
            this.ctx.report(diag('BE001', 'wildcard rename is not translated to ES|QL', st.span, { backend: 'esql' }));
            continue;
          }
          const col = resolve(p.from);
          if (!col) continue; // renaming a missing field does nothing in Splunk
          // In ECS naming the source column may back another CIM name too: copy, do not move.
          this.lines.push(this.closed ? `| RENAME ${esqlField(col.name)} AS ${esqlField(p.to.name)}` : `| EVAL ${esqlField(p.to.name)} = ${esqlField(col.name)}`);
          this.setColumn(p.to.name, { name: p.to.name, ...(col.type ? { type: col.type } : {}) });
          this.setColumn(p.from.name, null);
        }
        return;
      }
      case 'bucket': {
        if (next?.kind === 'aggregate' && next.mode === 'stats' && next.by.some((f) => f.name === st.as)) return; // folded into BY
        const col = resolve(st.field);
        if (!col) return;
        this.lines.push(`| EVAL ${esqlField(st.as)} = DATE_TRUNC(${timeSpan(st.seconds)}, ${esqlField(col.name)})`);
        this.setColumn(st.as, { name: st.as, type: 'time' });
        return;
      }
      case 'aggregate':
        this.aggregate(st, index, pendingBucket);
        return;
      case 'filter':
        this.where(st.expr, index);
        return;
      case 'eval':
        this.evalStage(st, index);
        return;
      case 'rex':
        this.rex(st, index);
        return;
      case 'enrich':
        if (st.command === 'iplocation') this.iplocation(st, index);
        else this.lookup(st, index);
        return;
      case 'sort':
        this.sort(st, index);
        return;
      case 'fillnull':
        this.fillnull(st, index);
        return;
      case 'join':
        // LOOKUP JOIN reads a lookup-mode index, not the rows of another query.
        this.ctx.report(diag('BE001', `\`${stageLabel(st)}\`: ES|QL cannot join on the rows of a subsearch (LOOKUP JOIN only reads a lookup index)`, st.span, { backend: 'esql' }));
        return;
      default:
        assertNever(st, 'stage');
    }
  }

  private evalStage(st: Extract<Stage, { kind: 'eval' }>, index: number): void {
    const before = this.resolver(index);
    // Assignments run left to right and see the fields the earlier ones set.
    const local = new Map<string, Column | null>();
    const resolve: Resolver = (ref) => (local.has(ref.name) ? (local.get(ref.name) ?? null) : before(ref));
    const parts: string[] = [];
    for (const a of st.assignments) {
      const t = translateValue(this.ctx, resolve, a.expr, 'BE001');
      if (t && t.type === 'bool') this.ctx.report(diag('BE001', `eval ${a.field.name}: Splunk does not assign a boolean result to a field`, a.field.span, { backend: 'esql' }));
      if (!t || t.type === 'bool') {
        this.notes.push(`not expressed: eval ${a.field.name}`);
        local.set(a.field.name, null);
        this.setColumn(a.field.name, null);
        continue;
      }
      const col: Column = { name: a.field.name, ...(t.type === 'number' ? { type: 'number' as const } : t.type === 'time' ? { type: 'time' as const } : {}) };
      parts.push(`${esqlField(col.name)} = ${t.text}`);
      local.set(a.field.name, col);
      this.setColumn(a.field.name, col);
    }
    if (parts.length) this.lines.push(`| EVAL ${parts.join(', ')}`);
  }

  private rex(st: Extract<Stage, { kind: 'rex' }>, index: number): void {
    const fail = (why: string): void => {
      this.ctx.report(diag('BE001', `\`${stageLabel(st)}\`: ${why}`, st.span, { backend: 'esql' }));
      this.notes.push(`not expressed: ${stageLabel(st)}`);
      for (const g of st.groups) this.setColumn(g, null);
    };
    const raw = st.field.name === '_raw';
    const col = raw ? (this.closed ? (this.overlay.get('_raw') ?? null) : { name: RAW_COLUMN }) : this.resolver(index)(st.field);
    if (raw && col) {
      this.ctx.report(
        diag('BE002', `\`${stageLabel(st)}\` reads ${RAW_COLUMN}, the raw event text, which Elastic integrations keep only with their preserve_original_event option (and may render differently from Splunk's _raw)`, st.span, {
          backend: 'esql',
          direction: 'narrower',
        }),
      );
    }
    // rex on a field that does not exist extracts nothing and changes nothing.
    if (!col) return;
    if (col.type === 'number' || col.type === 'time') return fail(`${col.name} is not a string column`);
    const src = esqlField(col.name);
    if (st.mode === 'sed') {
      if (!st.global) return fail('without the g flag sed replaces only the first match; ES|QL REPLACE replaces every match');
      const re = javaRegex(st.pattern);
      if (re === null) return fail('the regex uses PCRE syntax that Java regular expressions (ES|QL REPLACE) do not have');
      this.lines.push(`| EVAL ${esqlField(st.field.name)} = REPLACE(${src}, ${preferRaw(re, esqlString)}, ${esqlString(javaReplacement(st.replacement ?? ''))})`);
      this.setColumn(st.field.name, { name: st.field.name });
      return;
    }
    // GROK runs joni (Oniguruma, Ruby syntax) with raw `(?<name>…)` captures; the oniguruma
    // flavour of the regex printer spells PCRE's meaning out in that syntax (see its header).
    // https://www.elastic.co/docs/reference/query-languages/esql/commands/grok
    if (st.groups.some((g) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(g))) return fail('a group name is not a plain GROK column name');
    const printed = translateRegex(st.pattern, 'oniguruma');
    if (!printed.ok) return fail(`the regex does not parse: ${printed.error.message}`);
    const [gap] = printed.result.unsupported;
    if (gap) return fail(`the regex has no Oniguruma form for GROK: ${gap.message}`);
    // A group column that may hold a value before this stage (one the pipeline made, or a field
    // the data source has): where the regex does not match, GROK sets it to null while Splunk's
    // rex leaves the earlier value.
    const set = this.ctx.sets[index];
    const earlier = st.groups.filter(
      (g) => (!set || mayExist(set, g)) && (this.overlay.has(g) ? this.overlay.get(g) != null : !this.closed && (isMapped(this.ctx, g) || catalogHas(this.ctx.catalog(), g))),
    );
    if (earlier.length) {
      this.ctx.report(
        diag('BE002', `\`${stageLabel(st)}\` becomes GROK: a row the regex does not match gets null in ${earlier.join(', ')}, where Splunk keeps the earlier value`, st.patternSpan, {
          backend: 'esql',
          direction: 'narrower',
        }),
      );
    }
    if (st.maxMatch !== 1) {
      const what = st.maxMatch === 0 ? 'every match' : `up to ${st.maxMatch} matches`;
      this.ctx.report(
        diag('BE002', `\`${stageLabel(st)}\` becomes GROK, which extracts the first match only where max_match=${st.maxMatch} collects ${what} into a multivalue field`, st.patternSpan, {
          backend: 'esql',
          direction: 'narrower',
        }),
      );
    }
    // `%{` would start a grok pattern reference; `\{` is the same literal brace in the regex.
    this.lines.push(`| GROK ${src} ${preferRaw(printed.result.pattern.replace(/%\{/g, '%\\{'), esqlString)}`);
    for (const g of st.groups) this.setColumn(g, { name: g });
  }

  private iplocation(st: Extract<Stage, { kind: 'enrich' }>, index: number): void {
    const [input] = st.inputs;
    const col = input ? this.resolver(index)(input.field) : null;
    if (!input || !col) return; // no IP field: iplocation adds nothing
    // ECS keeps GeoIP results next to the address (`source.ip` → `source.geo.*`), filled at ingest
    // by the geoip processor of the Elastic integrations; ES|QL ENRICH would need a range policy
    // over a GeoIP index, which Elastic does not ship.
    const carried = this.closed ? this.geoCarry.get(input.field.name) : undefined;
    const prefix = carried?.prefix ?? (this.closed ? undefined : GEO_IP.exec(col.name)?.[1]);
    if (!prefix) {
      this.ctx.report(
        diag('BE001', `\`${stageLabel(st)}\`: ${col.name} has no ECS geo fields next to it; ES|QL would need an ENRICH policy (type range over an ip_range GeoIP index) that has to be set up first`, st.span, { backend: 'esql' }),
      );
      this.notes.push(`not expressed: ${stageLabel(st)}`);
      st.outputs.forEach((o) => this.setColumn(o.as, null));
      return;
    }
    const evals: string[] = [];
    for (const o of st.outputs) {
      const src = carried ? carried.cols.get(o.column) : geoExpr(prefix, o.column);
      if (!src) {
        this.notes.push(`iplocation ${o.column} has no ECS geo field; ${o.as} left out`);
        this.setColumn(o.as, null);
        continue;
      }
      evals.push(`${esqlField(o.as)} = ${src}`);
      this.setColumn(o.as, { name: o.as, ...(o.column === 'lat' || o.column === 'lon' ? { type: 'number' as const } : {}) });
    }
    const mv = carried?.aggregated ? '; after stats the values of all the group\'s addresses are collected, where Splunk locates the multivalue field\'s first address only' : '';
    this.ctx.report(
      diag('BE002', `\`${stageLabel(st)}\` reads ${prefix}.geo.*, which the Elastic geoip ingest processor fills when the event is indexed; Splunk looks the address up at search time in its own database, so values differ when the databases differ or the pipeline has no geoip step (then they are null and tests on them miss)${mv}`, st.span, {
        backend: 'esql',
        // Collected values of every address add values Splunk lacks; otherwise values differ or are missing.
        direction: carried?.aggregated ? 'wider' : 'narrower',
      }),
    );
    if (evals.length) this.lines.push(`| EVAL ${evals.join(', ')}`);
    // Columns carried through KEEP/STATS only for this stage leave again.
    if (carried) {
      this.lines.push(`| DROP ${[...carried.cols.values()].join(', ')}`);
      this.geoCarry.delete(input.field.name);
    }
  }

  private lookup(st: Extract<Stage, { kind: 'enrich' }>, index: number): void {
    const resolve = this.resolver(index);
    const idx = st.table.replace(/\.csv$/i, '').toLowerCase();
    const computed = Object.prototype.hasOwnProperty.call(COMPUTED_LOOKUPS, st.table);
    if (computed || !/^[a-z0-9][a-z0-9_.-]*$/.test(idx) || st.outputs.length === 0) {
      const why = computed
        ? `'${st.table}' is computed by a script for each value (a Splunk external lookup), so there is no table to load into a lookup index`
        : st.outputs.length === 0
          ? 'without OUTPUT the lookup adds every column of the table, which the query cannot name'
          : `'${st.table}' is not a valid index name`;
      this.ctx.report(diag('BE001', `\`${stageLabel(st)}\`: ${why}`, st.span, { backend: 'esql' }));
      this.notes.push(`not expressed: ${stageLabel(st)}`);
      st.outputs.forEach((o) => this.setColumn(o.as, null));
      return;
    }
    const keys: string[] = [];
    const evals: string[] = [];
    for (const inp of st.inputs) {
      const col = resolve(inp.field);
      if (!col) {
        // A missing input field matches no row: the outputs stay absent.
        st.outputs.forEach((o) => this.setColumn(o.as, this.overlay.get(o.as) ?? null));
        return;
      }
      // LOOKUP JOIN matches columns of the same name, so the input is copied to the key's name.
      if (col.name !== inp.column) evals.push(`${esqlField(inp.column)} = ${esqlField(col.name)}`);
      keys.push(esqlField(inp.column));
    }
    if (evals.length) this.lines.push(`| EVAL ${evals.join(', ')}`);
    this.lines.push(`| LOOKUP JOIN ${idx} ON ${keys.join(', ')}`);
    const outs: string[] = [];
    for (const o of st.outputs) {
      if (o.as !== o.column) {
        const prev = resolve({ name: o.as, span: st.span });
        // OUTPUTNEW fills only fields that are absent.
        outs.push(`${esqlField(o.as)} = ${!st.overwrite && prev ? `COALESCE(${esqlField(prev.name)}, ${esqlField(o.column)})` : esqlField(o.column)}`);
      }
      this.setColumn(o.as, { name: o.as });
    }
    if (outs.length) this.lines.push(`| EVAL ${outs.join(', ')}`);
    this.ctx.report(
      diag(
        'BE002',
        `\`${stageLabel(st)}\` becomes LOOKUP JOIN ${idx} (ES|QL 8.18+/9.x): the Splunk table must be loaded into a lookup-mode index of that name; every column of that index is added and overwrites same-named columns; several matching rows give several result rows where Splunk builds multivalue fields; Splunk's lookup options (case_sensitive_match, match_type, external or KV-store lookups) do not apply${!st.overwrite && st.outputs.some((o) => o.as === o.column) ? '; OUTPUTNEW onto the column the join writes cannot keep existing values' : ''}`,
        st.span,
        // The extra result rows are what the translation adds; a missing index fails the query.
        { backend: 'esql', direction: 'wider' },
      ),
    );
  }

  private sort(st: Extract<Stage, { kind: 'sort' }>, index: number): void {
    const resolve = this.resolver(index);
    const keys: string[] = [];
    const loose: string[] = [];
    for (const k of st.keys) {
      const col = resolve(k.field);
      if (!col) continue; // sorting by a field no row has changes nothing
      const f = esqlField(col.name);
      if (k.as === 'ip') loose.push(`${k.field.name} as an IP address`);
      else if (col.type !== 'number' && col.type !== 'time' && k.as !== 'str') loose.push(`${k.field.name} (Splunk orders numeric-looking values numerically, before strings)`);
      keys.push(`${k.as === 'ip' ? `TO_IP(${f})` : k.as === 'num' && col.type !== 'number' ? `TO_DOUBLE(${f})` : f} ${k.descending ? 'DESC' : 'ASC'} NULLS LAST`);
    }
    if (loose.length) {
      this.ctx.report(diag('BE002', `\`${stageLabel(st)}\`: ES|QL orders by the column's type; the row order can differ for ${loose.join(', ')}${st.limit > 0 && st.limit < ROW_LIMIT ? `, so the first ${st.limit} rows can leave out rows Splunk keeps` : ''}`, st.span, { backend: 'esql', direction: 'narrower' }));
    }
    if (keys.length) this.lines.push(`| SORT ${keys.join(', ')}`);
    if (st.limit > 0 && st.limit < ROW_LIMIT) this.lines.push(`| LIMIT ${st.limit}`);
  }

  private fillnull(st: Extract<Stage, { kind: 'fillnull' }>, index: number): void {
    let names = st.fields.map((f) => f.name);
    if (names.length === 0) {
      // Every field of the row: nameable only once KEEP/STATS has fixed the columns.
      if (!this.closed) {
        this.ctx.report(diag('BE001', `\`${stageLabel(st)}\` fills every field; ES|QL needs the columns named, and before a table/fields/stats they are not known`, st.span, { backend: 'esql' }));
        this.notes.push(`not expressed: ${stageLabel(st)}`);
        return;
      }
      names = [...this.overlay.entries()].filter(([, c]) => c !== null).map(([n]) => n);
    }
    const resolve = this.resolver(index);
    const numeric = /^-?\d+(\.\d+)?$/.test(st.value);
    const evals: string[] = [];
    for (const name of names) {
      const col = resolve({ name, span: st.span });
      const num = numeric && col?.type === 'number';
      const value = num ? st.value : esqlString(st.value);
      let current = col ? esqlField(col.name) : null;
      if (col && !num && (col.type === 'number' || col.type === 'time')) current = `TO_STRING(${current ?? ''})`;
      evals.push(`${esqlField(name)} = ${current ? `COALESCE(${current}, ${value})` : value}`);
      this.setColumn(name, { name, ...(num ? { type: 'number' as const } : {}) });
    }
    if (evals.length) this.lines.push(`| EVAL ${evals.join(', ')}`);
  }

  /** eventstats: INLINE STATS keeps every row and adds the group's aggregates. */
  private inlineStats(st: Extract<Stage, { kind: 'aggregate' }>, index: number): void {
    const resolve = this.resolver(index);
    const by: string[] = [];
    for (const f of st.by) {
      const col = resolve(f);
      if (!col) {
        // No row has the by-field: eventstats forms no groups and adds nothing.
        st.aggs.forEach((a) => this.setColumn(a.as, null));
        this.notes.push(`${stageLabel(st)}: by-field ${f.name} does not exist here, so nothing is added`);
        return;
      }
      by.push(esqlField(col.name));
    }
    const aggs: string[] = [];
    const added: string[] = [];
    for (const a of st.aggs) {
      const fn = AGG_FN[a.fn];
      if (!fn || a.field === '*') {
        this.ctx.report(diag('BE001', `${a.fn}(${a.field ?? ''}) in eventstats is not translated to ES|QL`, a.span, { backend: 'esql' }));
        this.setColumn(a.as, null);
        continue;
      }
      const col = a.field === null ? null : resolve({ name: a.field, span: a.span });
      if (a.field !== null && !col) {
        this.setColumn(a.as, null);
        continue;
      }
      aggs.push(`${esqlField(a.as)} = ${col ? fn(esqlField(col.name)) : 'COUNT(*)'}`);
      added.push(a.as);
      const keepsType = a.fn === 'values' || a.fn === 'list' || a.fn === 'min' || a.fn === 'max';
      this.setColumn(a.as, { name: a.as, ...(keepsType ? (col?.type ? { type: col.type } : {}) : { type: 'number' as const }) });
    }
    if (!aggs.length) return;
    this.ctx.report(diag('BE002', `\`${stageLabel(st)}\` becomes INLINE STATS, a technical preview of ES|QL 9.2+ (older versions reject the query, which then returns nothing)`, st.span, { backend: 'esql', direction: 'narrower' }));
    this.lines.push(`| INLINE STATS ${aggs.join(', ')}${by.length ? ` BY ${by.join(', ')}` : ''}`);
    if (by.length) {
      // Splunk adds nothing to an event lacking a by-field; INLINE STATS gives it the null group's value.
      const missing = by.map((b) => `${b} IS NULL`).join(' OR ');
      this.lines.push(`| EVAL ${added.map((a) => `${esqlField(a)} = CASE(${missing}, null, ${esqlField(a)})`).join(', ')}`);
    }
  }

  /**
   * streamstats right after a stats (only row filters and sorts between) by the same fields: every
   * row is its own group (its by-values are unique and not null), so the running aggregate at a
   * row is the aggregate of that row alone: dc(f) the number of distinct values of its f, count 1.
   * Nothing else is order-free. False (and nothing written) when that does not hold.
   */
  private streamstatsOverSingleRows(st: Extract<Stage, { kind: 'aggregate'; mode: 'streamstats' }>, index: number): boolean {
    // current=f leaves the row out: its own group then has no rows to aggregate.
    if (!st.current) return false;
    const stages = this.ctx.detection.stages;
    let i = index - 1;
    while (i >= 0 && (stages[i]?.kind === 'filter' || stages[i]?.kind === 'sort')) i--;
    const prev = stages[i];
    if (prev?.kind !== 'aggregate' || prev.mode !== 'stats') return false;
    const names = (fs: readonly FieldRef[]): string => [...new Set(fs.map((f) => f.name))].sort().join('\u0000');
    if (names(prev.by) !== names(st.by)) return false;
    if (!st.aggs.every((a) => (a.fn === 'dc' && a.field !== null && a.field !== '*') || (a.fn === 'count' && a.field === null))) return false;
    const resolve = this.resolver(index);
    const parts = st.aggs.map((a) => {
      const col = a.field === null ? null : resolve({ name: a.field, span: a.span });
      // dc() of a row without the field is 0, like Splunk's dc() of no values.
      return `${esqlField(a.as)} = ${a.fn === 'count' ? '1' : col ? `COALESCE(MV_COUNT(MV_DEDUPE(${esqlField(col.name)})), 0)` : '0'}`;
    });
    this.lines.push(`// ${commentText(`\`${stageLabel(st)}\`: each row is its own group after the stats by the same fields, so the running value is the row's own`)}`);
    this.lines.push(`| EVAL ${parts.join(', ')}`);
    for (const a of st.aggs) this.setColumn(a.as, { name: a.as, type: 'number' });
    return true;
  }

  private aggregate(st: Extract<Stage, { kind: 'aggregate' }>, index: number, bucket: Extract<Stage, { kind: 'bucket' }> | null): void {
    if (st.mode === 'streamstats' && this.streamstatsOverSingleRows(st, index)) return;
    if (st.mode === 'streamstats') {
      const resolve = this.resolver(index);
      const absent = st.by.find((f) => !resolve(f));
      if (absent) {
        // No row has the by-field: streamstats forms no groups and adds nothing (in any window).
        st.aggs.forEach((a) => this.setColumn(a.as, null));
        this.notes.push(`${stageLabel(st)}: by-field ${absent.name} does not exist here, so nothing is added`);
        return;
      }
      // Running aggregates depend on event order; ES|QL has no windowed or cumulative STATS.
      this.ctx.report(diag('BE001', `\`${stageLabel(st)}\` has no ES|QL equivalent (no running aggregates)`, st.span, { backend: 'esql' }));
      this.notes.push(`not expressed: ${stageLabel(st)}`);
      return;
    }
    if (st.mode === 'eventstats') {
      this.inlineStats(st, index);
      return;
    }
    const resolve = this.resolver(index);
    const bucketCol = bucket ? resolve(bucket.field) : null;
    const removed = removedByFields(this.ctx, index, st);
    if (removed.length) {
      const by = restrictingStage(this.ctx, index);
      this.lines.push(
        `// ${commentText(`Splunk: the by-field${removed.length > 1 ? 's' : ''} ${removed.map((f) => f.name).join(', ')} ${removed.length > 1 ? 'were' : 'was'} removed by the earlier \`${by ? stageLabel(by) : 'table'}\`, so stats forms no groups and the rule returns no rows; WHERE false keeps that result`)}`,
      );
      this.lines.push('| WHERE false');
    }
    const groups: string[] = [];
    const notNull: string[] = [];
    const byNames = new Set(st.by.map((f) => f.name));
    for (const f of st.by) {
      if (removed.includes(f)) continue;
      if (bucket && f.name === bucket.as && bucketCol) {
        groups.push(`${esqlField(f.name)} = BUCKET(${esqlField(bucketCol.name)}, ${timeSpan(bucket.seconds)})`);
        continue;
      }
      const col = resolve(f);
      if (!col) continue;
      // ES|QL groups null keys; Splunk drops events without a by-field.
      notNull.push(`${esqlField(col.name)} IS NOT NULL`);
      groups.push(col.name === f.name ? esqlField(col.name) : `${esqlField(f.name)} = ${esqlField(col.name)}`);
    }
    if (notNull.length) this.lines.push(`| WHERE ${notNull.join(' AND ')}`);
    const aggs: string[] = [];
    const out = new Map<string, Column | null>();
    const explicit = new Set(st.aggs.filter((a) => a.field !== '*').map((a) => a.as));
    for (const a of st.aggs) {
      const fn = AGG_FN[a.fn] ?? timeExtreme(a);
      if (!fn) {
        this.ctx.report(diag('BE001', `${a.fn}() depends on event order and is not translated to ES|QL`, a.span, { backend: 'esql' }));
        continue;
      }
      if (a.fn === 'list') {
        this.ctx.report(diag('BE002', 'list() keeps event order, duplicates and the first 100 values; ES|QL gives sorted distinct VALUES, so counts and positions in the list differ', a.span, { backend: 'esql', direction: 'narrower' }));
      }
      if (a.field === null) {
        aggs.push(`${esqlField(a.as)} = COUNT(*)`);
        out.set(a.as, { name: a.as, type: 'number' });
        continue;
      }
      // values(*) has no ES|QL form: one aggregation per field that can reach this stage.
      // A name another aggregation of the stage gives explicitly is that one's (STATS needs unique
      // names; in Splunk the later, explicit one overwrites the wildcard's).
      const inputs =
        a.field === '*' ? this.ctx.fieldsBefore(index).filter((n) => !byNames.has(n) && n !== '_raw' && !explicit.has(a.as.replace(/\*/g, n))) : [a.field];
      for (const name of inputs) {
        const col = resolve({ name, span: a.span });
        const as = a.field === '*' ? a.as.replace(/\*/g, name) : a.as;
        if (!col) {
          this.notes.push(`${a.fn}(${name}) reads a field that no longer exists here; column ${as} left out`);
          continue;
        }
        aggs.push(`${esqlField(as)} = ${fn(esqlField(col.name))}`);
        const keepsType = a.fn === 'values' || a.fn === 'list' || a.fn === 'min' || a.fn === 'max' || a.fn === 'earliest' || a.fn === 'latest';
        out.set(as, { name: as, ...(keepsType ? (col.type ? { type: col.type } : {}) : { type: 'number' }) });
      }
    }
    for (const f of st.by) {
      const type = removed.includes(f) ? undefined : resolve(f)?.type;
      if (!removed.includes(f)) out.set(f.name, { name: f.name, ...(type ? { type } : {}) });
    }
    // GeoIP values carried for a later iplocation follow their address into the groups.
    for (const [field, carry] of this.geoCarry) {
      if (!out.has(field) || out.get(field) === null) {
        this.geoCarry.delete(field);
        continue;
      }
      for (const hidden of carry.cols.values()) aggs.push(`${hidden} = MV_SORT(VALUES(${hidden}))`);
      carry.aggregated = true;
    }
    const clauses = [...(aggs.length ? [aggs.join(', ')] : []), ...(groups.length ? [`BY ${groups.join(', ')}`] : [])];
    if (clauses.length) this.lines.push(`| STATS ${clauses.join(' ')}`);
    this.overlay = out;
    this.overlayShared = false;
    this.closed = true;
  }
}

/**
 * earliest(_time)/latest(_time): the time of the chronologically first/last event is the smallest/
 * largest _time, so MIN/MAX is exact. Other fields need the value at that time, which STATS has
 * no function for.
 */
function timeExtreme(a: Aggregation): ((col: string) => string) | null {
  if (a.field !== '_time') return null;
  if (a.fn === 'earliest') return (c) => `MIN(${c})`;
  if (a.fn === 'latest') return (c) => `MAX(${c})`;
  return null;
}

let template: ((view: object) => string) | null = null;

function render(detection: Detection, profile: Profile): BackendOutput {
  const ctx = new RenderContext('esql', detection, profile);
  const indices = ctx.variant?.indices ?? [];
  if (!ctx.variant || indices.length === 0) {
    if (ctx.variant) ctx.report(diag('BE004', `profile '${profile.name}' gives no indices for this data source`, null, { backend: 'esql' }));
    return { text: null, diagnostics: ctx.diagnostics };
  }
  const p = new EsqlPipeline(ctx);
  p.lines.push(`FROM ${indices.map((i) => (/^[A-Za-z0-9_.*:-]+$/.test(i) ? i : esqlString(i))).join(', ')}`);
  p.where(ctx.filter, 0);
  detection.stages.forEach((st, i) => {
    const prev = detection.stages[i - 1];
    p.stage(st, i, detection.stages[i + 1], prev?.kind === 'bucket' ? prev : null);
  });
  p.lines.push(`// ${commentText(`ES|QL returns 1000 rows without LIMIT; ${ROW_LIMIT} is its default maximum`)}`);
  p.lines.push(`| LIMIT ${ROW_LIMIT}`);
  template ??= compileTemplate('esql', 'query', { comment: (v) => commentText(String(v)) });
  const text = template({
    title: detection.title,
    id: detection.id,
    profile: `${profile.name} (${indices.join(', ')})`,
    notes: [...p.notes, ...lossyNotes(ctx, ['BE002', 'BE006'])],
    lines: p.lines,
  });
  return { text, diagnostics: ctx.diagnostics };
}

export const esqlBackend: Backend = { id: 'esql', extension: 'esql', defaultProfile: 'ecs', render };
