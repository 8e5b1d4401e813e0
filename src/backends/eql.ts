/**
 * EQL backend: `<category> where <condition>`. EQL pipes are only `head`/`tail`, so every stage
 * is reported lossy (wider: the query returns the events that feed the aggregation). Filter
 * stages that run before any aggregation or binning are folded into the condition.
 *
 * Null semantics (target notes §4): `not` and `!=` compile to `bool.must_not`, which matches
 * events lacking the field, so Splunk `NOT f=v` is `not f : "v"` and `f!=v` (IR: exists and not)
 * is `?f != null and not f : "v"`.
 */
import { diag } from '../diagnostics.js';
import { assertNever, type Detection, type Expr, type FieldRef, type Stage } from '../ir/types.js';
import { mayExist } from '../lint/lineage.js';
import type { Profile } from '../profiles/profile.js';
import { RenderContext, conjuncts, type Backend, type BackendOutput } from './context.js';
import {
  columnPattern, commentText, elasticRelaxable, eqlField, lossyNotes, eqlString, inList, isMapped, luceneRegex, numericLiteral, preferRaw, profileColumn, removedByFields,
  restrictingStage, userDomainNote, wildcardToLucene, type Column, type EqLeaf, type Resolver,
} from './elastic-common.js';
import { EqlCondTranslator } from './elastic-eql-cond.js';
import { relaxLeaves } from './relax.js';
import { stageLabel } from './stage-label.js';
import { compileTemplate } from './templates.js';

/** A literal segment holding a character that `:` and `like` would read as a wildcard. */
const hasWildcardChar = (segment: string): boolean => segment.includes('*') || segment.includes('?');

/** Binding strength of a rendered fragment: or < and < not/atom. */
type Prec = 1 | 2 | 3;
interface Frag {
  readonly text: string;
  readonly prec: Prec;
}

const atom = (text: string): Frag => ({ text, prec: 3 });

function wrap(f: Frag, min: Prec): string {
  return f.prec < min ? `(${f.text})` : f.text;
}

class EqlCondition {
  constructor(
    private readonly ctx: RenderContext,
    private readonly resolve: Resolver,
  ) {}

  render(e: Expr): Frag {
    switch (e.kind) {
      case 'and':
        if (e.args.length === 0) return atom('true');
        return this.join(e.args.map((a) => this.render(a)), 'and', 2);
      case 'or': {
        if (e.args.length === 0) return atom('false');
        const list = inList(e);
        const folded = list ? this.inList(list) : null;
        return folded ?? this.join(e.args.map((a) => this.render(a)), 'or', 1);
      }
      case 'not':
        return atom(`not ${wrap(this.render(e.arg), 3)}`);
      case 'eq':
        return this.eq(e);
      case 'regex': {
        const col = this.resolve(e.field);
        if (!col) return atom('false');
        if (col.derive) this.ctx.report(diag('BE005', `regex on '${e.field.name}' needs a derived field EQL does not have`, e.span, { backend: 'eql' }));
        const pattern = luceneRegex(this.ctx, 'eql', e);
        if (pattern === null) return atom('false');
        return atom(`${this.field(e.field, col)} regex ${preferRaw(pattern, eqlString)}`);
      }
      case 'cmp': {
        const col = this.resolve(e.field);
        if (!col) return atom('false');
        const f = this.field(e.field, col);
        if (!e.numeric) return atom(`${f} ${e.op} ${eqlString(e.value)}`);
        return atom(`${col.type === 'number' ? f : `number(${f})`} ${e.op} ${String(Number(e.value))}`);
      }
      case 'exists': {
        const col = this.resolve(e.field);
        return atom(col ? `?${eqlField(col.name)} != null` : 'false');
      }
      case 'term':
        this.ctx.report(diag('BE005', `raw-event search '${e.value}' has no EQL equivalent (ECS events have no searchable _raw)`, e.span, { backend: 'eql' }));
        return atom('false');
      case 'cidr': {
        const col = this.resolve(e.field);
        return atom(col ? `cidrMatch(${this.field(e.field, col)}, ${eqlString(e.network)})` : 'false');
      }
      case 'cond': {
        const t = new EqlCondTranslator((name, span) => {
          const ref = { name, span };
          const col = this.resolve(ref);
          return col ? { text: this.field(ref, col), exists: eqlField(col.name), ...(col.type ? { type: col.type } : {}) } : null;
        });
        const out = t.translate(e.expr);
        for (const i of t.issues) this.ctx.report(diag('BE005', `${i.message} (EQL)`, i.span, { backend: 'eql' }));
        return out ? out.t : atom('false');
      }
      case 'undisclosed':
        // render() relaxes these first (relaxLeaves); one reaching here is reported.
        this.ctx.report(diag('BE005', `filter macro \`${e.macro}\` has no published definition`, e.span, { backend: 'eql' }));
        return atom('false');
      default:
        return assertNever(e, 'expression');
    }
  }

  private join(parts: Frag[], op: 'and' | 'or', prec: Prec): Frag {
    if (parts.length === 1 && parts[0]) return parts[0];
    return { text: parts.map((p) => wrap(p, prec)).join(` ${op} `), prec };
  }

  /** Field reference; `?` makes a field the profile does not know null instead of a query error. */
  private field(ref: FieldRef, col: Column): string {
    return `${isMapped(this.ctx, ref.name) ? '' : '?'}${eqlField(col.name)}`;
  }

  private eq(e: EqLeaf): Frag {
    const col = this.resolve(e.field);
    if (!col) return atom('false');
    userDomainNote(this.ctx, 'eql', col, e);
    const f = this.field(e.field, col);
    const num = numericLiteral(col, e.pattern);
    if (num !== null) return atom(`${f} == ${num}`);
    const pattern = columnPattern(this.ctx, 'eql', col, e);
    const lhs = col.type === 'number' ? `string(${f})` : f;
    const literalWildcard = pattern.some(hasWildcardChar);
    if (pattern.length === 1) {
      const value = eqlString(pattern[0] ?? '');
      // `:` reads `*`/`?` as wildcards and cannot escape them; `in~` is exact and case-insensitive.
      if (e.caseSensitive) return atom(`${lhs} == ${value}`);
      return atom(literalWildcard ? `${lhs} in~ (${value})` : `${lhs} : ${value}`);
    }
    // A literal `*` or `?` cannot be matched by `:`/`like` (no escape: elastic/elasticsearch#65237):
    // use a regex with explicit case classes instead of `regex~`, whose folding differs across versions.
    if (literalWildcard) return atom(`${lhs} regex ${preferRaw(wildcardToLucene(pattern, !e.caseSensitive), eqlString)}`);
    return atom(`${lhs} ${e.caseSensitive ? 'like' : ':'} ${eqlString(pattern.join('*'))}`);
  }

  /** `f IN (…)`: `in~` for exact values, `:` lists when wildcards appear, else the plain OR. */
  private inList(leaves: readonly EqLeaf[]): Frag | null {
    const first = leaves[0];
    if (!first) return null;
    const col = this.resolve(first.field);
    if (!col || col.derive) return null;
    const f = this.field(first.field, col);
    const nums = leaves.map((l) => numericLiteral(col, l.pattern));
    if (nums.every((n) => n !== null)) return atom(`${f} in (${nums.join(', ')})`);
    if (col.type === 'number') return null;
    userDomainNote(this.ctx, 'eql', col, first);
    const values = leaves.map((l) => eqlString(l.pattern.join('*'))).join(', ');
    const exact = leaves.every((l) => l.pattern.length === 1);
    if (exact) return atom(`${f} ${first.caseSensitive ? 'in' : 'in~'} (${values})`);
    if (leaves.some((l) => l.pattern.some(hasWildcardChar))) return null;
    return atom(`${f} ${first.caseSensitive ? 'like' : ':'} (${values})`);
  }
}

/** Where each stage goes: folded into the condition, or reported as not expressible. */
function planStages(ctx: RenderContext, detection: Detection): { extra: Expr[]; resolvers: Resolver[]; notes: string[] } {
  const extra: Expr[] = [];
  const resolvers: Resolver[] = [];
  const notes: string[] = [];
  // CIM name -> the original field it holds after a rename; null = renamed away.
  const aliases = new Map<string, FieldRef | null>();
  let rowsChanged = false;
  detection.stages.forEach((st: Stage, i) => {
    if (st.kind === 'filter' && !rowsChanged) {
      const set = ctx.sets[i];
      const aliasSnapshot = new Map(aliases);
      resolvers.push((ref) => {
        if (set && !mayExist(set, ref.name)) return null;
        const orig = aliasSnapshot.has(ref.name) ? aliasSnapshot.get(ref.name) : ref;
        return orig ? profileColumn(ctx, orig) : null;
      });
      extra.push(st.expr);
      return;
    }
    if (st.kind === 'rename') {
      for (const p of st.pairs) {
        const from = aliases.has(p.from.name) ? aliases.get(p.from.name) : p.from;
        aliases.set(p.to.name, from ?? null);
        aliases.set(p.from.name, null);
      }
    }
    // Only projections, plain renames and sorts leave the rows' values alone; a filter after any
    // other stage cannot be folded into the event condition.
    if (!(st.kind === 'project' || st.kind === 'sort' || (st.kind === 'rename' && !st.pairs.some((p) => p.from.name.includes('*'))))) rowsChanged = true;
    if (st.kind === 'join') {
      ctx.report(diag('BE001', `\`${stageLabel(st)}\`: EQL has no joins on a subsearch's rows (its sequences and samples correlate events, not result rows)`, st.span, { backend: 'eql' }));
      notes.push(`not expressed: ${stageLabel(st)}`);
      rowsChanged = true;
      return;
    }
    let why = '';
    if (st.kind === 'aggregate') {
      const removed = removedByFields(ctx, i, st);
      const by = restrictingStage(ctx, i);
      if (removed.length && st.mode === 'stats') {
        why = `; in Splunk the by-field${removed.length > 1 ? 's' : ''} ${removed.map((f) => `'${f.name}'`).join(', ')} ${removed.length > 1 ? 'were' : 'was'} removed by the earlier \`${by ? stageLabel(by) : 'table'}\`, so the Splunk rule returns no rows at all`;
      }
    }
    ctx.report(
      diag('BE002', `\`${stageLabel(st)}\` has no EQL equivalent (EQL pipes are only head/tail); the query returns the events that feed it${why}`, st.span, {
        backend: 'eql',
        direction: 'wider',
      }),
    );
    notes.push(`not expressed: ${stageLabel(st)}${why}`);
  });
  return { extra, resolvers, notes };
}

let template: ((view: object) => string) | null = null;

function render(detection: Detection, profile: Profile): BackendOutput {
  const ctx = new RenderContext('eql', detection, profile);
  if (!ctx.variant) return { text: null, diagnostics: ctx.diagnostics };
  const plan = planStages(ctx, detection);
  const base = new EqlCondition(ctx, (ref) => profileColumn(ctx, ref));
  // Raw-event searches have no ECS counterpart: relaxed to true (wider), one diagnostic each.
  const relax = (e: Expr): Expr => {
    const r = relaxLeaves(e, elasticRelaxable, 'eql');
    r.diagnostics.forEach((d) => ctx.report(d));
    return r.expr;
  };
  const parts: Frag[] = conjuncts(relax(ctx.filter)).map((c) => base.render(c));
  plan.extra.forEach((expr, k) => {
    const resolver = plan.resolvers[k];
    if (resolver) parts.push(...conjuncts(relax(expr)).map((c) => new EqlCondition(ctx, resolver).render(c)));
  });
  const condition = parts.length === 0 ? 'true' : parts.length === 1 ? (parts[0] as Frag).text : parts.map((p) => wrap(p, 2)).join('\n  and ');
  const category = ctx.variant.category ?? 'any';
  template ??= compileTemplate('eql', 'query', { comment: (v) => commentText(String(v)) });
  const text = template({
    title: detection.title,
    id: detection.id,
    profile: `${profile.name} (event category '${category}'${ctx.variant.indices?.length ? `; search ${ctx.variant.indices.join(', ')}` : ''})`,
    notes: [...plan.notes, ...lossyNotes(ctx, ['BE006'])],
    category: /^[A-Za-z_][A-Za-z0-9_]*$/.test(category) ? category : eqlString(category),
    condition,
  });
  return { text, diagnostics: ctx.diagnostics };
}

export const eqlBackend: Backend = { id: 'eql', extension: 'eql', defaultProfile: 'ecs', render };
