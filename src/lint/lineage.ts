/**
 * Field lineage through the pipeline: which fields can still exist after each stage. It finds
 * fields used after a stage removed them (the seed's `stats ... by process` after
 * `table ... process_*`), and gives backends the concrete column lists they must spell out.
 */
import { diag, type Diagnostic, type Span } from '../diagnostics.js';
import { assertNever, type Detection, type Expr, type FieldRef, type Stage, type ValueExpr } from '../ir/types.js';

/** What may exist after a stage: anything, or only names matching one of the patterns. */
export type FieldSet =
  | { readonly kind: 'open' }
  | { readonly kind: 'restricted'; readonly patterns: readonly string[]; readonly by: Stage };

const patternCache = new Map<string, RegExp>();

/** Splunk field-name wildcard match (case-sensitive, `*` any run). */
export function nameMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  return wildcardRegex(pattern).test(name);
}

function wildcardRegex(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map(escapeRe).join('.*')}$`, 's');
    patternCache.set(pattern, re);
  }
  return re;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function mayExist(set: FieldSet, name: string): boolean {
  return set.kind === 'open' || set.patterns.some((p) => nameMatches(p, name));
}

/** Concrete fields, in pattern order, that a list of patterns selects from a catalog. */
export function expandPatterns(patterns: readonly string[], catalog: readonly string[]): string[] {
  const out: string[] = [];
  const taken = new Set<string>();
  for (const p of patterns) {
    // A plain name selects itself when the catalog has it: no scan of the catalog.
    if (!p.includes('*')) {
      if (!taken.has(p) && catalogHas(catalog, p)) {
        taken.add(p);
        out.push(p);
      }
      continue;
    }
    const re = wildcardRegex(p);
    for (const f of catalog) {
      if (!taken.has(f) && re.test(f)) {
        taken.add(f);
        out.push(f);
      }
    }
  }
  return out;
}

const catalogSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/** Membership in a catalog (data-source field lists are long and asked about often). */
export function catalogHas(catalog: readonly string[], name: string): boolean {
  let set = catalogSets.get(catalog);
  if (!set) catalogSets.set(catalog, (set = new Set(catalog)));
  return set.has(name);
}

function exprFields(e: Expr, out: FieldRef[]): void {
  switch (e.kind) {
    case 'and':
    case 'or':
      e.args.forEach((a) => exprFields(a, out));
      return;
    case 'not':
      exprFields(e.arg, out);
      return;
    case 'eq':
    case 'regex':
    case 'cmp':
    case 'exists':
      out.push(e.field);
      return;
    case 'cidr':
      out.push(e.field);
      return;
    case 'cond':
      valueFields(e.expr, out);
      return;
    case 'term':
    case 'undisclosed':
      return;
    default:
      assertNever(e, 'expression');
  }
}

export function valueFields(e: ValueExpr, out: FieldRef[]): void {
  switch (e.kind) {
    case 'field':
      out.push({ name: e.name, span: e.span });
      return;
    case 'literal':
      return;
    case 'call':
    case 'op':
      e.args.forEach((a) => valueFields(a, out));
      return;
    default:
      assertNever(e, 'value expression');
  }
}

/** Fields a stage reads, with the role each plays (for messages). */
export function readsOf(stage: Stage): { field: FieldRef; role: string }[] {
  switch (stage.kind) {
    case 'project':
      return [];
    case 'rename':
      return stage.pairs.map((p) => ({ field: p.from, role: 'renamed' }));
    case 'bucket':
      return [{ field: stage.field, role: 'binned' }];
    case 'aggregate':
      return [
        ...stage.by.map((f) => ({ field: f, role: `${stage.mode} by-field` })),
        ...stage.aggs.filter((a) => a.field !== null && a.field !== '*').map((a) => ({ field: { name: a.field as string, span: a.span }, role: `${a.fn}() argument` })),
      ];
    case 'filter': {
      const refs: FieldRef[] = [];
      exprFields(stage.expr, refs);
      return refs.map((f) => ({ field: f, role: 'filtered' }));
    }
    case 'eval': {
      // Reads are checked against the fields before the stage, so a field an earlier assignment
      // of the same eval creates is not flagged.
      const created = new Set<string>();
      const reads: { field: FieldRef; role: string }[] = [];
      for (const a of stage.assignments) {
        const refs: FieldRef[] = [];
        valueFields(a.expr, refs);
        for (const f of refs) if (!created.has(f.name)) reads.push({ field: f, role: 'read by eval' });
        created.add(a.field.name);
      }
      return reads;
    }
    case 'rex':
      return [{ field: stage.field, role: 'read by rex' }];
    case 'enrich':
      return stage.inputs.map((i) => ({ field: i.field, role: `${stage.command} input` }));
    case 'sort':
      return stage.keys.map((k) => ({ field: k.field, role: 'sort key' }));
    case 'fillnull':
      return [];
    case 'join':
      return stage.fields.map((f) => ({ field: f, role: 'join field' }));
    default:
      return assertNever(stage, 'stage');
  }
}

/** The field set after a stage, given the set before it. */
export function applyStage(before: FieldSet, stage: Stage): FieldSet {
  switch (stage.kind) {
    case 'project':
      if (stage.mode === 'remove') return before; // removal narrows, but never to a known list
      // `fields +` keeps _time and _raw implicitly; `table` keeps exactly what it lists.
      return restrict(before, [...stage.fields.map((f) => f.name), ...(stage.mode === 'keep' ? ['_time', '_raw'] : [])], stage);
    case 'rename':
      return before.kind === 'open' ? before : { kind: 'restricted', patterns: [...before.patterns, ...stage.pairs.map((p) => p.to.name)], by: before.by };
    case 'bucket':
      return before.kind === 'open' || mayExist(before, stage.as) ? before : { ...before, patterns: [...before.patterns, stage.as] };
    case 'aggregate': {
      if (stage.mode !== 'stats') {
        return before.kind === 'open' ? before : { ...before, patterns: [...before.patterns, ...stage.aggs.map((a) => a.as)] };
      }
      const out: string[] = stage.by.map((f) => f.name);
      for (const a of stage.aggs) {
        if (a.field === '*') {
          if (before.kind === 'open') return before;
          out.push(...before.patterns);
        } else out.push(a.as);
      }
      return { kind: 'restricted', patterns: out, by: stage };
    }
    case 'filter':
    case 'sort':
      return before;
    case 'eval':
      return widen(before, stage.assignments.map((a) => a.field.name));
    case 'rex':
      return widen(before, stage.mode === 'extract' ? stage.groups : []);
    case 'enrich':
      return widen(before, stage.outputs.map((o) => o.as));
    case 'fillnull':
      return widen(before, stage.fields.map((f) => f.name));
    case 'join': {
      // Rows keep their fields and gain the subsearch's (whatever its own stages leave).
      const sub = stageSets(stage.subsearch.stages);
      const after = sub[sub.length - 1] as FieldSet;
      return after.kind === 'open' ? { kind: 'open' } : widen(before, after.patterns);
    }
    default:
      return assertNever(stage, 'stage');
  }
}

/** The set plus fields a stage creates. */
function widen(before: FieldSet, names: readonly string[]): FieldSet {
  if (before.kind === 'open') return before;
  const add = names.filter((n) => !mayExist(before, n));
  return add.length ? { ...before, patterns: [...before.patterns, ...add] } : before;
}

function restrict(before: FieldSet, patterns: string[], stage: Stage): FieldSet {
  if (before.kind === 'open') return { kind: 'restricted', patterns, by: stage };
  // Keep only the listed names that could still exist.
  const kept = patterns.filter((p) => before.patterns.some((q) => nameMatches(q, p) || nameMatches(p, q)));
  return { kind: 'restricted', patterns: kept, by: stage };
}

/** Field sets before each stage and after the last one (length stages.length + 1). */
export function fieldSets(detection: Detection): FieldSet[] {
  return stageSets(detection.stages);
}

function stageSets(stages: readonly Stage[]): FieldSet[] {
  const sets: FieldSet[] = [{ kind: 'open' }];
  for (const st of stages) sets.push(applyStage(sets[sets.length - 1] as FieldSet, st));
  return sets;
}

function stageName(stage: Stage): string {
  switch (stage.kind) {
    case 'project':
      return stage.mode === 'table' ? 'table' : 'fields';
    case 'aggregate':
      return stage.mode;
    case 'bucket':
      return 'bin';
    case 'rename':
    case 'filter':
    case 'eval':
    case 'rex':
    case 'sort':
    case 'fillnull':
      return stage.kind;
    case 'enrich':
      return stage.command;
    case 'join':
      return 'join';
    default:
      return assertNever(stage, 'stage');
  }
}

function stageSpanHead(stage: Stage): Span {
  return stage.span;
}

export function lintLineage(detection: Detection): Diagnostic[] {
  return lintStages(detection.stages);
}

/** Lineage findings of a pipeline's stages, subsearches included. */
function lintStages(stages: readonly Stage[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const sets = stageSets(stages);
  stages.forEach((stage, i) => {
    if (stage.kind === 'join') diagnostics.push(...lintStages(stage.subsearch.stages));
    const before = sets[i] as FieldSet;
    for (const { field, role } of readsOf(stage)) {
      if (before.kind === 'open' || mayExist(before, field.name)) continue;
      const remover = stageName(before.by);
      const consequence = stage.kind === 'aggregate' && role.endsWith('by-field') && stage.mode === 'stats'
        ? `${stage.mode} forms no groups and the rule returns no rows`
        : 'this stage never sees it';
      diagnostics.push(
        diag('LINT001', `field '${field.name}' (${role}) was removed by the earlier \`${remover}\`, so ${consequence}`, field.span, {
          related: { span: stageSpanHead(before.by), message: `\`${remover}\` keeps only: ${before.patterns.join(', ')}` },
        }),
      );
    }
    if (stage.kind === 'project') {
      const seen = new Set<string>();
      for (const f of stage.fields) {
        if (seen.has(f.name)) diagnostics.push(diag('LINT002', `field '${f.name}' is listed twice in ${stageName(stage)}`, f.span));
        seen.add(f.name);
      }
    }
  });
  return diagnostics;
}
