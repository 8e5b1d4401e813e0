/**
 * AST for PCRE2 patterns as Splunk uses them (`regex`, `match()`).
 *
 * Every node carries `start`/`end`: UTF-16 offsets into the pattern source, so
 * diagnostics can point at the construct a target cannot express.
 *
 * Inline flags are *resolved by the parser*: each leaf whose meaning depends on a
 * flag records the flag value in force at that point (`caseInsensitive` on
 * literals/classes/backrefs, `dotAll` on `.`, `multiline` on `^`/`$`). Printers
 * therefore never track flag scopes; the `flags` node and `Group.flags` are kept
 * only for source fidelity and diagnostics.
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Predefined classes. `h`/`v` are PCRE2 horizontal/vertical whitespace. */
export type ShorthandName = 'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'h' | 'H' | 'v' | 'V';

export type PosixClassName =
  | 'alpha' | 'digit' | 'alnum' | 'upper' | 'lower' | 'space' | 'blank' | 'punct'
  | 'xdigit' | 'word' | 'cntrl' | 'graph' | 'print' | 'ascii';

/** A single character (code point). `escaped` records that the source used a backslash form. */
export interface LiteralNode extends Span {
  readonly kind: 'literal';
  readonly value: number;
  readonly caseInsensitive: boolean;
  readonly escaped: boolean;
}

/** `.` (and `\N`, which is `.` that ignores `(?s)`). */
export interface AnyNode extends Span {
  readonly kind: 'any';
  readonly dotAll: boolean;
}

/** `\d` `\D` `\w` ... outside a class. The sets are closed under ASCII case folding. */
export interface ShorthandNode extends Span {
  readonly kind: 'shorthand';
  readonly name: ShorthandName;
}

export interface ClassCharItem extends Span {
  readonly kind: 'classChar';
  readonly value: number;
}

export interface ClassRangeItem extends Span {
  readonly kind: 'classRange';
  readonly from: number;
  readonly to: number;
}

export interface PosixClassItem extends Span {
  readonly kind: 'posix';
  readonly name: PosixClassName;
  readonly negated: boolean;
}

export type ClassItem = ClassCharItem | ClassRangeItem | PosixClassItem | ShorthandNode;

/** `[...]` / `[^...]`. */
export interface CharClassNode extends Span {
  readonly kind: 'class';
  readonly negated: boolean;
  readonly items: readonly ClassItem[];
  readonly caseInsensitive: boolean;
}

export type GroupKind = 'capturing' | 'named' | 'nonCapturing' | 'atomic';

/** Flag letters PCRE2 accepts in `(?...)`; `U` swaps greedy/lazy, `n` disables auto-capture. */
export interface FlagChange {
  readonly on: string;
  readonly off: string;
}

export interface GroupNode extends Span {
  readonly kind: 'group';
  readonly group: GroupKind;
  /** Set for `named` groups. */
  readonly name?: string;
  /** Capture number for `capturing`/`named` groups (1-based). */
  readonly index?: number;
  /** Scoped flags, e.g. `(?i:...)` (then `group` is `nonCapturing`). */
  readonly flags?: FlagChange;
  readonly body: RegexNode;
}

export interface LookaroundNode extends Span {
  readonly kind: 'lookaround';
  readonly behind: boolean;
  readonly negative: boolean;
  readonly body: RegexNode;
}

export type QuantifierMode = 'greedy' | 'lazy' | 'possessive';

export interface QuantifierNode extends Span {
  readonly kind: 'quantifier';
  readonly min: number;
  /** `null` = unbounded. */
  readonly max: number | null;
  readonly mode: QuantifierMode;
  readonly body: RegexNode;
}

/**
 * `start`: `^` (or `\A`/`\G` when `multiline` is false)
 * `end`: `$`/`\Z` — end of subject or before a final newline (PCRE semantics)
 * `endAbsolute`: `\z`
 * For `^`/`$` under `(?m)`, `multiline` is true and the line semantics apply.
 */
export interface AnchorNode extends Span {
  readonly kind: 'anchor';
  readonly anchor: 'start' | 'end' | 'endAbsolute';
  readonly multiline: boolean;
}

export interface WordBoundaryNode extends Span {
  readonly kind: 'wordBoundary';
  readonly negated: boolean;
}

export interface BackreferenceNode extends Span {
  readonly kind: 'backreference';
  /** Resolved group number (named references are resolved after parsing). */
  readonly index: number;
  readonly name?: string;
  readonly caseInsensitive: boolean;
}

/** A mid-pattern or leading `(?i)`-style setting. Zero-width; its effect is already resolved into leaves. */
export interface FlagsNode extends Span {
  readonly kind: 'flags';
  readonly flags: FlagChange;
}

export interface SequenceNode extends Span {
  readonly kind: 'sequence';
  readonly items: readonly RegexNode[];
}

export interface AlternationNode extends Span {
  readonly kind: 'alternation';
  readonly branches: readonly RegexNode[];
}

export type RegexNode =
  | LiteralNode
  | AnyNode
  | ShorthandNode
  | CharClassNode
  | GroupNode
  | LookaroundNode
  | QuantifierNode
  | AnchorNode
  | WordBoundaryNode
  | BackreferenceNode
  | FlagsNode
  | SequenceNode
  | AlternationNode;

export interface RegexError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

export interface ParsedRegex {
  readonly source: string;
  readonly ast: RegexNode;
  /** A leading `(?i)` (global case-insensitivity). Leaves also carry their own resolved flag. */
  readonly caseInsensitive: boolean;
  /** A leading `(?s)`. */
  readonly dotAll: boolean;
  /** A leading `(?m)`. */
  readonly multiline: boolean;
}

export type ParseResult = { ok: true; regex: ParsedRegex } | { ok: false; error: RegexError };

/** Exhaustiveness helper for `switch (node.kind)`. */
export function assertNever(x: never): never {
  throw new Error(`unexpected node: ${JSON.stringify(x)}`);
}
