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
  start: number;
  end: number;
}

/** Predefined classes. `h`/`v` are PCRE2 horizontal/vertical whitespace. */
export type ShorthandName = 'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'h' | 'H' | 'v' | 'V';

export type PosixClassName =
  | 'alpha' | 'digit' | 'alnum' | 'upper' | 'lower' | 'space' | 'blank' | 'punct'
  | 'xdigit' | 'word' | 'cntrl' | 'graph' | 'print' | 'ascii';

/** A single character (code point). `escaped` records that the source used a backslash form. */
export interface LiteralNode extends Span {
  kind: 'literal';
  value: number;
  caseInsensitive: boolean;
  escaped: boolean;
}

/** `.` (and `\N`, which is `.` that ignores `(?s)`). */
export interface AnyNode extends Span {
  kind: 'any';
  dotAll: boolean;
}

/** `\d` `\D` `\w` ... outside a class. The sets are closed under ASCII case folding. */
export interface ShorthandNode extends Span {
  kind: 'shorthand';
  name: ShorthandName;
}

export interface ClassCharItem extends Span {
  kind: 'classChar';
  value: number;
}

export interface ClassRangeItem extends Span {
  kind: 'classRange';
  from: number;
  to: number;
}

export interface PosixClassItem extends Span {
  kind: 'posix';
  name: PosixClassName;
  negated: boolean;
}

export type ClassItem = ClassCharItem | ClassRangeItem | PosixClassItem | ShorthandNode;

/** `[...]` / `[^...]`. */
export interface CharClassNode extends Span {
  kind: 'class';
  negated: boolean;
  items: ClassItem[];
  caseInsensitive: boolean;
}

export type GroupKind = 'capturing' | 'named' | 'nonCapturing' | 'atomic';

/** Flag letters PCRE2 accepts in `(?...)`; `U` swaps greedy/lazy, `n` disables auto-capture. */
export interface FlagChange {
  on: string;
  off: string;
}

export interface GroupNode extends Span {
  kind: 'group';
  group: GroupKind;
  /** Set for `named` groups. */
  name?: string;
  /** Capture number for `capturing`/`named` groups (1-based). */
  index?: number;
  /** Scoped flags, e.g. `(?i:...)` (then `group` is `nonCapturing`). */
  flags?: FlagChange;
  body: RegexNode;
}

export interface LookaroundNode extends Span {
  kind: 'lookaround';
  behind: boolean;
  negative: boolean;
  body: RegexNode;
}

export type QuantifierMode = 'greedy' | 'lazy' | 'possessive';

export interface QuantifierNode extends Span {
  kind: 'quantifier';
  min: number;
  /** `null` = unbounded. */
  max: number | null;
  mode: QuantifierMode;
  body: RegexNode;
}

/**
 * `start`: `^` (or `\A`/`\G` when `multiline` is false)
 * `end`: `$`/`\Z` — end of subject or before a final newline (PCRE semantics)
 * `endAbsolute`: `\z`
 * For `^`/`$` under `(?m)`, `multiline` is true and the line semantics apply.
 */
export interface AnchorNode extends Span {
  kind: 'anchor';
  anchor: 'start' | 'end' | 'endAbsolute';
  multiline: boolean;
}

export interface WordBoundaryNode extends Span {
  kind: 'wordBoundary';
  negated: boolean;
}

export interface BackreferenceNode extends Span {
  kind: 'backreference';
  /** Resolved group number (named references are resolved after parsing). */
  index: number;
  name?: string;
  caseInsensitive: boolean;
}

/** A mid-pattern or leading `(?i)`-style setting. Zero-width; its effect is already resolved into leaves. */
export interface FlagsNode extends Span {
  kind: 'flags';
  flags: FlagChange;
}

export interface SequenceNode extends Span {
  kind: 'sequence';
  items: RegexNode[];
}

export interface AlternationNode extends Span {
  kind: 'alternation';
  branches: RegexNode[];
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
  message: string;
  start: number;
  end: number;
}

export interface ParsedRegex {
  source: string;
  ast: RegexNode;
  /** A leading `(?i)` (global case-insensitivity). Leaves also carry their own resolved flag. */
  caseInsensitive: boolean;
  /** A leading `(?s)`. */
  dotAll: boolean;
  /** A leading `(?m)`. */
  multiline: boolean;
}

export type ParseResult = { ok: true; regex: ParsedRegex } | { ok: false; error: RegexError };

/** Exhaustiveness helper for `switch (node.kind)`. */
export function assertNever(x: never): never {
  throw new Error(`unexpected node: ${JSON.stringify(x)}`);
}
