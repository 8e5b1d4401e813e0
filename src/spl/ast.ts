/**
 * SPL syntax tree: what was written, with a span on every node, and no Splunk semantics yet
 * (precedence is resolved; meaning is the normalizer's job).
 */
import type { Span } from '../diagnostics.js';

/** A field name as written (may hold `*` wildcards where the command allows them). */
export interface FieldName {
  readonly name: string;
  readonly span: Span;
}

/** A search value: a bare word or quoted string, optionally wrapped in TERM() or CASE(). */
export interface SearchValue {
  readonly text: string;
  readonly quoted: boolean;
  readonly wrapper: 'TERM' | 'CASE' | null;
  readonly span: Span;
}

export type SearchOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type SearchExpr =
  | { readonly kind: 'and'; readonly args: readonly SearchExpr[]; readonly span: Span }
  | { readonly kind: 'or'; readonly args: readonly SearchExpr[]; readonly span: Span }
  | { readonly kind: 'not'; readonly arg: SearchExpr; readonly span: Span }
  | { readonly kind: 'compare'; readonly field: FieldName; readonly op: SearchOp; readonly value: SearchValue; readonly span: Span }
  | { readonly kind: 'in'; readonly field: FieldName; readonly values: readonly SearchValue[]; readonly span: Span }
  | { readonly kind: 'keyword'; readonly value: SearchValue; readonly span: Span };

export type EvalExpr =
  | { readonly kind: 'field'; readonly name: string; readonly span: Span }
  | { readonly kind: 'string'; readonly value: string; readonly span: Span; readonly valueOffsets: readonly number[] }
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly span: Span }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly EvalExpr[]; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: 'NOT' | '-'; readonly arg: EvalExpr; readonly span: Span }
  | {
      readonly kind: 'binary';
      readonly op: 'AND' | 'OR' | 'XOR' | '=' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '.' | 'LIKE';
      readonly left: EvalExpr;
      readonly right: EvalExpr;
      readonly span: Span;
    };

export interface AggCall {
  /** Function name, lower-cased, abbreviations kept (`c`, `dc`) for the normalizer to resolve. */
  readonly fn: string;
  /** Argument field, `*`, or null for `count` with no argument. */
  readonly arg: FieldName | null;
  readonly as: FieldName | null;
  readonly span: Span;
}

/** A `name=value` command option. */
export interface Option {
  readonly name: string;
  readonly value: string;
  readonly span: Span;
}

/** A macro reference `` `name(args)` `` left in the pipeline. */
export interface MacroRef {
  readonly name: string;
  readonly args: readonly string[];
  readonly span: Span;
}

interface CommandBase {
  /** The whole command, from its name (or start of the implied search) to before the next pipe. */
  readonly span: Span;
  /** Span of the command name (the start of the segment for the implied search). */
  readonly nameSpan: Span;
}

export type Command =
  | (CommandBase & { readonly kind: 'search'; readonly expr: SearchExpr | null; readonly macros: readonly MacroRef[] })
  | (CommandBase & { readonly kind: 'where'; readonly expr: EvalExpr })
  | (CommandBase & {
      readonly kind: 'regex';
      readonly field: FieldName | null; // null: _raw
      readonly negated: boolean;
      readonly pattern: string;
      readonly patternSpan: Span;
      /** pattern index -> SPL offset, for locating regex errors. */
      readonly patternOffsets: readonly number[];
    })
  | (CommandBase & { readonly kind: 'table'; readonly fields: readonly FieldName[] })
  | (CommandBase & { readonly kind: 'fields'; readonly remove: boolean; readonly fields: readonly FieldName[] })
  | (CommandBase & { readonly kind: 'rename'; readonly pairs: readonly { readonly from: FieldName; readonly to: FieldName }[] })
  | (CommandBase & { readonly kind: 'bin'; readonly field: FieldName | null; readonly spanText: string; readonly spanSpan: Span; readonly as: FieldName | null })
  | (CommandBase & {
      readonly kind: 'stats';
      readonly variant: 'stats' | 'eventstats' | 'streamstats';
      readonly aggs: readonly AggCall[];
      readonly by: readonly FieldName[];
      /** Options written before the functions (`window=2 current=f`), name -> value token. */
      readonly options: readonly Option[];
    })
  | (CommandBase & { readonly kind: 'eval'; readonly assignments: readonly { readonly field: FieldName; readonly expr: EvalExpr }[] })
  | (CommandBase & {
      readonly kind: 'rex';
      readonly field: FieldName | null;
      readonly pattern: string;
      readonly patternSpan: Span;
      readonly patternOffsets: readonly number[];
      readonly options: readonly Option[];
    })
  | (CommandBase & {
      readonly kind: 'lookup';
      readonly table: FieldName;
      readonly inputs: readonly { readonly column: FieldName; readonly as: FieldName | null }[];
      readonly outputMode: 'OUTPUT' | 'OUTPUTNEW' | null;
      readonly outputs: readonly { readonly column: FieldName; readonly as: FieldName | null }[];
      readonly options: readonly Option[];
    })
  | (CommandBase & { readonly kind: 'iplocation'; readonly field: FieldName; readonly options: readonly Option[] })
  | (CommandBase & {
      readonly kind: 'sort';
      readonly limit: number | null;
      readonly keys: readonly { readonly field: FieldName; readonly descending: boolean; readonly as: 'auto' | 'num' | 'str' | 'ip' }[];
    })
  | (CommandBase & { readonly kind: 'fillnull'; readonly options: readonly Option[]; readonly fields: readonly FieldName[] })
  | (CommandBase & {
      readonly kind: 'foreach';
      /** Field-name patterns to iterate over (`*location`, `old_key_*`). */
      readonly fields: readonly FieldName[];
      /** mode=, fieldstr=, matchstr=, matchseg1=... */
      readonly options: readonly Option[];
      /** The template subpipeline between the brackets, as written in the SPL. */
      readonly body: string;
      /** Where `body` is in the SPL (a macro expansion points it at the macro call instead). */
      readonly bodySpan: Span;
    })
  | (CommandBase & {
      readonly kind: 'join';
      /** `type=`, `max=`, `overwrite=`, `usetime=`, `earlier=`, as written. */
      readonly options: readonly Option[];
      readonly fields: readonly FieldName[];
      readonly subsearch: SubsearchAst;
    })
  | (CommandBase & { readonly kind: 'macro'; readonly macro: MacroRef })
  | (CommandBase & { readonly kind: 'unknown'; readonly name: string });

/** `[ search ... | ... ]`: a pipeline of its own; the span covers the brackets. */
export interface SubsearchAst {
  readonly commands: readonly Command[];
  readonly span: Span;
}

export type CommandKind = Command['kind'];

export interface Pipeline {
  readonly commands: readonly Command[];
}
