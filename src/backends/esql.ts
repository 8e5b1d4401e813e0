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
import { assertNever, type Aggregation, type Detection, type Expr, type FieldRef, type Stage } from '../ir/types.js';
import { expandPatterns, mayExist } from '../lint/lineage.js';
import type { Profile } from '../profiles/profile.js';
import { RenderContext, conjuncts, type Backend, type BackendOutput } from './context.js';
import {
  caseless, columnPattern, commentText, esqlField, esqlString, inList, luceneRegex, numericLiteral, preferRaw, profileColumn, removedByFields,
  restrictingStage, timeSpan, userDomainNote, type Column, type EqLeaf, type Resolver,
} from './elastic-common.js';
import { stageLabel } from './stage-label.js';
import { compileTemplate } from './templates.js';

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
        this.ctx.report(diag('BE005', `raw-event search '${e.value}' has no ES|QL equivalent (ECS events have no searchable _raw)`, e.span, { backend: 'esql' }));
        return atom(neg ? 'true' : 'false');
      case 'cidr':
        return this.leaf(e.field, neg, present, (f) => {
          const test = `CIDR_MATCH(TO_IP(${f}), ${esqlString(e.network)})`;
          return { pos: test, neg: `NOT ${test}` };
        });
      case 'cond':
        this.ctx.report(diag('BE005', 'this where expression has no ES|QL translation yet', e.span, { backend: 'esql' }));
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
  /** After a KEEP or STATS only overlay columns exist. */
  private closed = false;

  constructor(private readonly ctx: RenderContext) {}

  /** Column resolver for the rows entering stage `index` (stages.length: the final rows). */
  resolver(index: number): Resolver {
    const set = this.ctx.sets[index];
    const overlay = new Map(this.overlay);
    const closed = this.closed;
    return (ref) => {
      if (set && !mayExist(set, ref.name)) return null;
      if (overlay.has(ref.name)) return overlay.get(ref.name) ?? null;
      return closed ? null : profileColumn(this.ctx, ref);
    };
  }

  where(expr: Expr, index: number): void {
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
          names.forEach((n) => this.overlay.set(n, null));
          return;
        }
        const names = this.ctx.fieldsBefore(index + 1).filter((n) => n !== '_raw');
        if (this.ctx.fieldsBefore(index + 1).includes('_raw')) this.notes.push('_raw has no ECS column and is not kept');
        const evals: string[] = [];
        const keep: string[] = [];
        const overlay = new Map<string, Column | null>();
        for (const n of names) {
          const col = resolve(ref(n));
          if (!col) continue;
          // The time column keeps its ECS name (@timestamp): Elastic tools expect it there.
          const name = col.type === 'time' ? col.name : n;
          if (col.name !== name) evals.push(`${esqlField(name)} = ${esqlField(col.name)}`);
          if (!keep.includes(esqlField(name))) keep.push(esqlField(name));
          overlay.set(n, { name, ...(col.type ? { type: col.type } : {}) });
        }
        if (evals.length) this.lines.push(`| EVAL ${evals.join(', ')}`);
        this.lines.push(keep.length ? `| KEEP ${keep.join(', ')}` : '| WHERE false');
        this.overlay = overlay;
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
          this.overlay.set(p.to.name, { name: p.to.name, ...(col.type ? { type: col.type } : {}) });
          this.overlay.set(p.from.name, null);
        }
        return;
      }
      case 'bucket': {
        if (next?.kind === 'aggregate' && next.mode === 'stats' && next.by.some((f) => f.name === st.as)) return; // folded into BY
        const col = resolve(st.field);
        if (!col) return;
        this.lines.push(`| EVAL ${esqlField(st.as)} = DATE_TRUNC(${timeSpan(st.seconds)}, ${esqlField(col.name)})`);
        this.overlay.set(st.as, { name: st.as, type: 'time' });
        return;
      }
      case 'aggregate':
        this.aggregate(st, index, pendingBucket);
        return;
      case 'filter':
        this.where(st.expr, index);
        return;
      case 'eval':
      case 'rex':
      case 'enrich':
      case 'sort':
      case 'fillnull':
        this.ctx.report(diag('BE001', `\`${stageLabel(st)}\` is not translated to ES|QL yet`, st.span, { backend: 'esql' }));
        return;
      default:
        assertNever(st, 'stage');
    }
  }

  private aggregate(st: Extract<Stage, { kind: 'aggregate' }>, index: number, bucket: Extract<Stage, { kind: 'bucket' }> | null): void {
    if (st.mode === 'eventstats') {
      this.ctx.report(diag('BE001', `\`${stageLabel(st)}\` has no ES|QL equivalent (INLINE STATS is not generally available)`, st.span, { backend: 'esql' }));
      this.notes.push(`not expressed: ${stageLabel(st)}`);
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
    for (const a of st.aggs) {
      const fn = AGG_FN[a.fn];
      if (!fn) {
        this.ctx.report(diag('BE001', `${a.fn}() depends on event order and is not translated to ES|QL`, a.span, { backend: 'esql' }));
        continue;
      }
      if (a.fn === 'list') {
        this.ctx.report(diag('BE002', 'list() keeps event order, duplicates and the first 100 values; ES|QL gives sorted distinct VALUES', a.span, { backend: 'esql' }));
      }
      if (a.field === null) {
        aggs.push(`${esqlField(a.as)} = COUNT(*)`);
        out.set(a.as, { name: a.as, type: 'number' });
        continue;
      }
      // values(*) has no ES|QL form: one aggregation per field that can reach this stage.
      const inputs = a.field === '*' ? this.ctx.fieldsBefore(index).filter((n) => !byNames.has(n) && n !== '_raw') : [a.field];
      for (const name of inputs) {
        const col = resolve({ name, span: a.span });
        const as = a.field === '*' ? a.as.replace(/\*/g, name) : a.as;
        if (!col) {
          this.notes.push(`${a.fn}(${name}) reads a field that no longer exists here; column ${as} left out`);
          continue;
        }
        aggs.push(`${esqlField(as)} = ${fn(esqlField(col.name))}`);
        out.set(as, { name: as, ...(a.fn === 'values' || a.fn === 'list' || a.fn === 'min' || a.fn === 'max' ? (col.type ? { type: col.type } : {}) : { type: 'number' }) });
      }
    }
    for (const f of st.by) {
      const type = removed.includes(f) ? undefined : resolve(f)?.type;
      if (!removed.includes(f)) out.set(f.name, { name: f.name, ...(type ? { type } : {}) });
    }
    const clauses = [...(aggs.length ? [aggs.join(', ')] : []), ...(groups.length ? [`BY ${groups.join(', ')}`] : [])];
    if (clauses.length) this.lines.push(`| STATS ${clauses.join(' ')}`);
    this.overlay = out;
    this.closed = true;
  }
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
    notes: p.notes,
    lines: p.lines,
  });
  return { text, diagnostics: ctx.diagnostics };
}

export const esqlBackend: Backend = { id: 'esql', extension: 'esql', defaultProfile: 'ecs', render };
