/**
 * The per-target hooks the generic printer (print.ts) calls. A flavour is mostly
 * spelling; semantics that differ between engines are normalised before the hooks
 * are called (classes arrive as exact code point sets, flags are resolved per leaf).
 */
import type {
  AnchorNode, BackreferenceNode, GroupKind, GroupNode, LookaroundNode, RegexError, RegexNode, ShorthandName, Span,
  WordBoundaryNode,
} from './ast.js';
import type { CodeSet } from './charset.js';

export type RegexFlavour = 'pcre' | 'rust' | 'lucene' | 'js' | 'oniguruma';

export interface PrintResult {
  pattern: string;
  /** The caller must match case-insensitively (Sigma `|i`, JS flag `i`). */
  caseInsensitive: boolean;
  unsupported: RegexError[];
}

export interface PrintContext {
  flavour: RegexFlavour;
  /**
   * True when the engine-level case-insensitive mode is on (a result flag or an
   * inline `(?i)`): every case-relevant leaf of the pattern is case-insensitive.
   * When false, case-insensitive leaves are spelled out as `[aA]`-style sets.
   */
  caseFlag: boolean;
  /**
   * How the source PCRE folds case: 'ascii' (no UTF mode, the working assumption
   * for Splunk) or 'unicode' (PCRE2 in UTF mode, where `(?i)k` also matches U+212A).
   */
  caseFolding: CaseFolding;
  report(span: Span, message: string): void;
}

export type CaseFolding = 'ascii' | 'unicode';

export interface PrintOptions {
  /** Default 'ascii'. Only the rust flavour differs: with 'unicode' its `(?i)` needs no `(?-i:...)` guards. */
  caseFolding?: CaseFolding;
  /**
   * Groups to print as plain numbered capturing groups `(...)`, in source order, whatever the
   * flavour does with groups otherwise (rust makes them all non-capturing). For extraction
   * (`rex` in KQL's `extract`/`replace_regex`). Not cacheable: `translateRegex` bypasses its memo.
   */
  capture?: (group: GroupNode) => boolean;
}

export interface Dialect {
  /** How a global case-insensitive mode is expressed: result flag, inline `(?i)`, or not at all. */
  caseMode: 'result' | 'inline' | 'none';
  /** An atom matching exactly this code point (case folding, if any, is the engine's). */
  literal(cp: number, ctx: PrintContext): string;
  /** An atom matching exactly this set of code points (already case-folded when needed). */
  charSet(set: CodeSet, ctx: PrintContext, span: Span): string;
  any(dotAll: boolean): string;
  /** Native spelling of a shorthand outside classes when it matches PCRE exactly, else undefined. */
  shorthand(name: ShorthandName): string | undefined;
  groupOpen(kind: GroupKind, name: string | undefined): string;
  /** An atom matching the empty string (used for empty branches and best-effort output). */
  empty: string;
  /** Spelling of an empty sequence (Lucene cannot have an empty alternative). */
  emptySequence: string;
  lazySuffix: string;
  /** `x{n}?` means an optional `x{n}` (Ruby): a fixed count is printed without the lazy suffix. */
  fixedRepeatIsGreedyOnly?: boolean;
  /**
   * `tail`: nothing consuming follows in the branch; `followMin`: the fewest characters a match
   * consumes after the anchor, computed only for a dialect that sets `usesFollowMin` (else 0).
   */
  anchor(node: AnchorNode, ctx: PrintContext, tail: boolean, followMin: number): string;
  usesFollowMin?: boolean;
  wordBoundary(node: WordBoundaryNode, ctx: PrintContext): string;
  /** Lookaround with its printed body, or undefined if unsupported. */
  lookaround(node: LookaroundNode, body: string): string | undefined;
  backreference(node: BackreferenceNode, ctx: PrintContext): string | undefined;
  /** Optional whole-pattern hook (Lucene: whole-value matching needs `.*` wrapping). */
  printRoot?(root: RegexNode, ctx: PrintContext, print: (node: RegexNode, tail: boolean) => string): string;
}

/** Sets printed as a list of members rather than `lo-hi` when the range is this short. */
const SHORT_RANGE = 5;

/** The inside of a bracket expression for `set`, with `member` spelling each code point. */
export function classBody(set: CodeSet, member: (cp: number) => string): string {
  let out = '';
  for (const [lo, hi] of set) {
    if (hi - lo < SHORT_RANGE) {
      for (let cp = lo; cp <= hi; cp++) out += member(cp);
    } else {
      out += `${member(lo)}-${member(hi)}`;
    }
  }
  return out;
}

export const hex2 = (cp: number): string => cp.toString(16).toUpperCase().padStart(2, '0');
