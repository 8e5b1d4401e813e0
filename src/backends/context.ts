/**
 * What every backend shares: choosing the profile's source variant (and the filter conditions it
 * implies), mapping CIM field names with the profile's unmapped-field policy, and the static
 * field lists that wildcards expand to.
 */
import { diag, type BackendId, type Diagnostic, type Span } from '../diagnostics.js';
import { catalogHas, expandPatterns, fieldSets, type FieldSet } from '../lint/lineage.js';
import type { Detection, Expr } from '../ir/types.js';
import { sourceCatalog } from '../ir/sources.js';
import { fieldMappingOf, type FieldMapping, type Profile, type SourceVariant } from '../profiles/profile.js';

export interface BackendOutput {
  /** Null when the backend could not produce a usable file. */
  readonly text: string | null;
  readonly diagnostics: readonly Diagnostic[];
}

export interface Backend {
  readonly id: BackendId;
  readonly extension: string;
  readonly defaultProfile: string;
  render(detection: Detection, profile: Profile): BackendOutput;
}

export class RenderContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly variant: SourceVariant | null;
  /** The detection filter minus the conditions the chosen source variant implies. */
  readonly filter: Expr;
  private readonly reported = new Set<string>();
  private readonly mappings: Map<string, FieldMapping | null>;

  constructor(
    readonly backend: BackendId,
    readonly detection: Detection,
    readonly profile: Profile,
  ) {
    const chosen = chooseVariant(detection, profile);
    this.variant = chosen?.variant ?? null;
    this.mappings = mappingsOf(this.variant ?? profile);
    this.filter = chosen?.filter ?? detection.filter;
    if (!chosen) {
      const what = detection.source.id ? `data source '${detection.source.id}'` : 'a rule with no data-source macro';
      this.diagnostics.push(diag('BE004', `profile '${profile.name}' has no mapping for ${what}`, null, { backend }));
    }
  }

  /**
   * Field sets before each stage (see lint/lineage.ts): worked out on first use (not every backend
   * asks), once per detection (the backends of one rule share them).
   */
  get sets(): readonly FieldSet[] {
    const a = analysisOf(this.detection);
    return (a.sets ??= fieldSets(this.detection));
  }

  /** Target mapping of a CIM field; reports an unmapped field once, per the profile's policy. */
  field(name: string, span: Span | null): FieldMapping {
    let own = this.mappings.get(name);
    if (own === undefined) {
      const m = this.variant?.fields?.[name] ?? this.profile.fields[name];
      this.mappings.set(name, (own = m === undefined ? null : fieldMappingOf(m)));
    }
    if (own !== null) return own;
    if (!this.reported.has(name)) {
      this.reported.add(name);
      this.diagnostics.push(
        diag('BE003', `field '${name}' has no mapping in profile '${this.profile.name}'; ${this.profile.unmapped === 'keep' ? 'kept as is' : 'cannot translate'}`, span, {
          backend: this.backend,
          severity: this.profile.unmapped === 'keep' ? 'warning' : 'error',
        }),
      );
    }
    return { name };
  }

  /** CIM fields of the rule's data source (for expanding wildcards), or [] if unknown. */
  catalog(): readonly string[] {
    return catalogOf(this.detection);
  }

  /** Concrete field names the set before stage `index` allows, in catalog order. */
  fieldsBefore(index: number): readonly string[] {
    const memo = analysisOf(this.detection).fieldsBefore;
    let names = memo.get(index);
    if (names === undefined) {
      const set = this.sets[index];
      const catalog = this.catalog();
      names = !set || set.kind === 'open' ? catalog : expandPatterns(set.patterns, catalog).concat(set.patterns.filter((p) => !p.includes('*') && !catalogHas(catalog, p)));
      memo.set(index, names);
    }
    return names;
  }

  report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }
}

// Field mappings by source variant (or profile): every leaf, column and catalog field asks, and a
// profile's tables never change once loaded. Null: the profile does not map the field.
const mappingMemo = new WeakMap<object, Map<string, FieldMapping | null>>();

function mappingsOf(owner: object): Map<string, FieldMapping | null> {
  let memo = mappingMemo.get(owner);
  if (!memo) mappingMemo.set(owner, (memo = new Map()));
  return memo;
}

/**
 * What every backend derives from the rule alone (its lineage, the field lists it expands to):
 * the IR is immutable and each rule goes through every backend, so it is worked out once per
 * detection rather than once per backend and call.
 */
interface DetectionAnalysis {
  sets: readonly FieldSet[] | null;
  /** fieldsBefore() results by stage index. */
  readonly fieldsBefore: Map<number, readonly string[]>;
}

const analyses = new WeakMap<Detection, DetectionAnalysis>();

function analysisOf(detection: Detection): DetectionAnalysis {
  let a = analyses.get(detection);
  if (!a) analyses.set(detection, (a = { sets: null, fieldsBefore: new Map() }));
  return a;
}

function catalogOf(detection: Detection): readonly string[] {
  const id = detection.source.id;
  return id ? (sourceCatalog()[id]?.fields ?? []) : [];
}

/** Top-level conjuncts of a filter. */
export function conjuncts(e: Expr): readonly Expr[] {
  return e.kind === 'and' ? e.args : [e];
}

/**
 * The `and` of some of a filter's conjuncts. They come from an `and` the IR built with and()
 * (normalize/build.ts), so they are flat and distinct already: and() would only flatten and
 * deduplicate them again, re-keying each.
 */
function conjunction(parts: readonly Expr[]): Expr {
  return parts.length === 1 ? (parts[0] as Expr) : { kind: 'and', args: parts };
}

function chooseVariant(detection: Detection, profile: Profile): { variant: SourceVariant; filter: Expr } | null {
  const id = detection.source.id;
  const variants = id ? profile.sources[id] : undefined;
  if (!variants) return null;
  const parts = conjuncts(detection.filter);
  for (const variant of variants) {
    const when = Object.entries(variant.when ?? {});
    const implied = new Set<Expr>();
    const holds = when.every(([field, value]) => {
      const hit = parts.find((p) => p.kind === 'eq' && p.field.name === field && p.pattern.length === 1 && p.pattern[0]?.toLowerCase() === value.toLowerCase());
      if (hit) implied.add(hit);
      return hit !== undefined;
    });
    if (!holds) continue;
    // Conditions the target's data selection implies are dropped only where the target has no
    // field for them (Sigma's logsource); elsewhere they stay as an explicit, cheap test.
    const drop = variant.logsource !== undefined && implied.size > 0;
    return { variant, filter: drop ? conjunction(parts.filter((p) => !implied.has(p))) : detection.filter };
  }
  return null;
}
