/**
 * The IR: the neutral, JSON-serializable form of a detection that every backend consumes.
 * One spelling per meaning (see normalize/): `f!=v` is `and(exists f, not eq)`, `NOT f=v` is
 * `not eq`, `regex f!=` is `not regex`. Spans point into the rule's SPL text.
 * The JSON schema in ir-schema.json must follow any change here (a test checks every rule).
 */
import type { Span } from '../diagnostics.js';

export interface FieldRef {
  readonly name: string;
  readonly span: Span;
}

/**
 * A value pattern as literal segments between `*` wildcards: `a*b` is ["a","b"], `*a*` is
 * ["","a",""], a plain value is one segment. SPL search has no way to write a literal `*`.
 */
export type WildcardPattern = readonly string[];

export type Expr =
  | { readonly kind: 'and'; readonly args: readonly Expr[] } // and [] is true
  | { readonly kind: 'or'; readonly args: readonly Expr[] } // or [] is false
  | { readonly kind: 'not'; readonly arg: Expr; readonly span: Span }
  | {
      readonly kind: 'eq';
      readonly field: FieldRef;
      readonly pattern: WildcardPattern;
      /** Search values are case-insensitive unless CASE(); where/eval comparisons are case-sensitive. */
      readonly caseSensitive: boolean;
      readonly span: Span;
    }
  | {
      readonly kind: 'regex';
      readonly field: FieldRef;
      /** PCRE source as Splunk hands it to PCRE (after SPL string unescaping). */
      readonly pattern: string;
      /** Span of the pattern text in the SPL. */
      readonly span: Span;
    }
  | {
      readonly kind: 'cmp';
      readonly field: FieldRef;
      readonly op: '<' | '<=' | '>' | '>=';
      readonly value: string;
      /** True when the literal is a number, so the comparison is numeric. */
      readonly numeric: boolean;
      readonly span: Span;
    }
  | { readonly kind: 'exists'; readonly field: FieldRef; readonly span: Span }
  | {
      readonly kind: 'term';
      /** A bare keyword, quoted phrase or TERM() searched in the raw event. */
      readonly value: string;
      readonly form: 'keyword' | 'phrase' | 'token';
      readonly span: Span;
    };

export type ExprKind = Expr['kind'];

export type AggFunction = 'values' | 'count' | 'dc' | 'min' | 'max' | 'sum' | 'avg' | 'earliest' | 'latest' | 'first' | 'last' | 'list';

export interface Aggregation {
  readonly fn: AggFunction;
  /** Field name, `*` for every field, or null (count of events). */
  readonly field: string | null;
  /** Output name; with field `*`, `*` means "same name as the input field". */
  readonly as: string;
  readonly span: Span;
}

export type Stage =
  | {
      readonly kind: 'project';
      /** table keeps fields in the listed order; fields + keeps in event order; fields - removes. */
      readonly mode: 'table' | 'keep' | 'remove';
      /** Field-name patterns; `*` matches any run of characters, names are case-sensitive. */
      readonly fields: readonly FieldRef[];
      readonly span: Span;
    }
  | { readonly kind: 'rename'; readonly pairs: readonly { readonly from: FieldRef; readonly to: FieldRef }[]; readonly span: Span }
  | {
      readonly kind: 'bucket';
      readonly field: FieldRef;
      readonly seconds: number;
      readonly as: string;
      readonly span: Span;
    }
  | {
      readonly kind: 'aggregate';
      /** stats collapses rows into groups; eventstats adds the group's aggregates to each row. */
      readonly mode: 'stats' | 'eventstats';
      readonly aggs: readonly Aggregation[];
      readonly by: readonly FieldRef[];
      readonly span: Span;
    }
  | {
      readonly kind: 'filter';
      /** Filters after the first stage, on rows rather than raw events. */
      readonly expr: Expr;
      readonly span: Span;
    };

export type StageKind = Stage['kind'];

export interface DataSource {
  /** Data-source id from the macro table (`sysmon`, `windows_security`, ...), null if unknown. */
  readonly id: string | null;
  readonly macros: readonly string[];
}

export interface Detection {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly references: readonly string[];
  readonly techniqueIds: readonly string[];
  readonly spl: string;
  readonly source: DataSource;
  readonly filter: Expr;
  readonly stages: readonly Stage[];
}

export function assertNever(x: never, what: string): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(x)}`);
}
