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
    }
  | {
      readonly kind: 'cidr';
      readonly field: FieldRef;
      /** An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`). */
      readonly network: string;
      readonly span: Span;
    }
  | {
      /** An eval condition with no simpler spelling: true keeps the row, false or null drops it. */
      readonly kind: 'cond';
      readonly expr: ValueExpr;
      readonly span: Span;
    }
  | {
      /**
       * A filter macro the catalog calls but whose definition its authors do not publish (kind
       * `undisclosed` in the macro table): which events it keeps is unknown. Backends and the
       * matcher drop it in the wider direction (as `true` under an even number of NOTs), with a
       * lossy diagnostic at the call; a --macros file with the real definition replaces it.
       */
      readonly kind: 'undisclosed';
      readonly macro: string;
      readonly span: Span;
    };

export type ExprKind = Expr['kind'];

/** Operators of eval expressions (`where`, `eval`), with Splunk's eval semantics. */
export type ValueOp =
  | 'AND' | 'OR' | 'XOR' | 'NOT'
  | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE'
  | '+' | '-' | '*' | '/' | '%' | '.' | 'neg';

/**
 * An eval expression: what `eval` assigns and what `where` tests when no simpler filter spelling
 * exists. Function names are lower-case Splunk names (`if`, `coalesce`, `match`, ...).
 */
export type ValueExpr =
  | { readonly kind: 'field'; readonly name: string; readonly span: Span }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null; readonly span: Span }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly ValueExpr[]; readonly span: Span }
  | { readonly kind: 'op'; readonly op: ValueOp; readonly args: readonly ValueExpr[]; readonly span: Span };

export type ValueExprKind = ValueExpr['kind'];

export type AggFunction = 'values' | 'count' | 'dc' | 'min' | 'max' | 'sum' | 'avg' | 'earliest' | 'latest' | 'first' | 'last' | 'list' | 'stdev' | 'median' | 'range';

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
  | ({
      readonly kind: 'aggregate';
      /** streamstats adds to each row the running aggregate over the rows seen so far. */
      readonly mode: 'streamstats';
      readonly aggs: readonly Aggregation[];
      readonly by: readonly FieldRef[];
      readonly span: Span;
    } & StreamWindow)
  | {
      readonly kind: 'filter';
      /** Filters after the first stage, on rows rather than raw events. */
      readonly expr: Expr;
      readonly span: Span;
    }
  | {
      readonly kind: 'eval';
      /** Assignments run left to right; each sees the fields the earlier ones set. */
      readonly assignments: readonly { readonly field: FieldRef; readonly expr: ValueExpr }[];
      readonly span: Span;
    }
  | {
      readonly kind: 'rex';
      readonly field: FieldRef;
      /** PCRE with named groups; each group name becomes a field (extract mode). */
      readonly pattern: string;
      readonly patternSpan: Span;
      readonly mode: 'extract' | 'sed';
      /** Named groups, in pattern order (extract mode). */
      readonly groups: readonly string[];
      /** Matches to extract per row (max_match): 1 by default, 0 for all (multivalue fields). */
      readonly maxMatch: number;
      /** sed mode: the replacement and flags of `s/regex/replacement/flags`. */
      readonly replacement: string | null;
      readonly global: boolean;
      readonly span: Span;
    }
  | {
      /** `lookup` and `iplocation`: fields added from a table keyed by input fields. */
      readonly kind: 'enrich';
      readonly command: 'lookup' | 'iplocation';
      readonly table: string;
      readonly inputs: readonly { readonly field: FieldRef; readonly column: string }[];
      readonly outputs: readonly { readonly column: string; readonly as: string }[];
      /** lookup OUTPUTNEW only fills fields that are absent. */
      readonly overwrite: boolean;
      readonly span: Span;
    }
  | {
      readonly kind: 'sort';
      readonly keys: readonly { readonly field: FieldRef; readonly descending: boolean; readonly as: 'auto' | 'num' | 'str' | 'ip' }[];
      /** Splunk's sort keeps 10000 rows unless told otherwise; 0 means all. */
      readonly limit: number;
      readonly span: Span;
    }
  | {
      readonly kind: 'fillnull';
      readonly value: string;
      /** Empty: every field of the row. */
      readonly fields: readonly FieldRef[];
      readonly span: Span;
    }
  | {
      /**
       * `join [type=] [max=] [overwrite=] <fields> [ <subsearch> ]`: each row gets the fields of
       * the first `max` subsearch rows with equal values in every join field. The subsearch is a
       * whole search of its own over the same input (its own filter, stages and data source).
       */
      readonly kind: 'join';
      /** inner drops rows with no match; left (`outer` is a synonym in SPL) keeps them unchanged. */
      readonly type: 'inner' | 'left';
      readonly fields: readonly FieldRef[];
      /** Subsearch rows joined per row; 0 means all (Splunk's default is 1). */
      readonly max: number;
      /** Subsearch fields replace the row's fields of the same name (Splunk's default: true). */
      readonly overwrite: boolean;
      readonly subsearch: SubSearch;
      readonly span: Span;
    };

/**
 * streamstats options, always spelled out (defaults: window 0, current true, global true,
 * resetOnChange false). `global` only matters with a window; the normalizer sets it to true when
 * window is 0 so that one meaning has one spelling.
 */
export interface StreamWindow {
  /** The aggregate covers at most this many rows; 0: every row so far. */
  readonly window: number;
  /** False: the row itself is left out (the aggregate of the rows before it). */
  readonly current: boolean;
  /** With a window: true, one window of the last rows of the stream, aggregated per group; false, one window per group. */
  readonly global: boolean;
  /** Every aggregate restarts when a row's by-field values differ from the previous row's. */
  readonly resetOnChange: boolean;
}

/** A subsearch: a search pipeline of its own, normalized like a detection's. */
export interface SubSearch {
  readonly source: DataSource;
  readonly filter: Expr;
  readonly stages: readonly Stage[];
  /** The bracketed text, brackets included. */
  readonly span: Span;
}

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
