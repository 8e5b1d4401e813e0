/**
 * Regexes for KQL: the Rust flavour of the shared printer, plus capture groups for `extract`,
 * `extract_all` and `replace_regex`.
 *
 * The Rust printer makes every group non-capturing (see regex/flavours/rust.ts) and PrintOptions
 * has no switch to keep captures, so `rex` needs a way around it without touching src/regex: each
 * group that must capture gets a private-use sentinel character as the first item of its body,
 * the pattern is printed as usual, and every `(?:<sentinel>` in the output becomes `(`. The
 * sentinel sits at the start of the body, so it cannot change how a trailing `$` is printed (the
 * printer only looks at what follows), and a private-use code point has no case, so `(?i)`
 * handling leaves it alone.
 */
import { diag, type Diagnostic, type Span } from '../../diagnostics.js';
import type { GroupNode, RegexNode } from '../../regex/ast.js';
import { parseRegex, printRegex, translateRegex } from '../../regex/index.js';

/** The Rust translation of a PCRE, with RX001/RX101 diagnostics located in the SPL. */
export function rustPattern(pcre: string, span: Span, report: (d: Diagnostic) => void): string {
  const t = translateRegex(pcre, 'rust');
  if (!t.ok) {
    report(diag('RX001', t.error.message, { start: span.start + t.error.start, end: span.start + t.error.end }, { backend: 'kql' }));
    return pcre;
  }
  for (const u of t.result.unsupported) {
    report(diag('RX101', `KQL (Rust) regex: ${u.message}`, { start: span.start + u.start, end: span.start + u.end }, { backend: 'kql' }));
  }
  return t.result.pattern;
}

/** Can the (PCRE) pattern match the empty string? Over-approximates where unsure. */
export function matchesEmpty(n: RegexNode): boolean {
  switch (n.kind) {
    case 'literal':
    case 'any':
    case 'shorthand':
    case 'class':
      return false;
    case 'wordBoundary':
      return n.negated; // no word characters in "": \b fails, \B holds
    case 'anchor':
    case 'flags':
    case 'lookaround':
    case 'backreference':
      return true;
    case 'group':
      return matchesEmpty(n.body);
    case 'quantifier':
      return n.min === 0 || matchesEmpty(n.body);
    case 'sequence':
      return n.items.every(matchesEmpty);
    case 'alternation':
      return n.branches.some(matchesEmpty);
    default:
      return true;
  }
}

/** Can the pattern (PCRE source) match ""? True when it does not parse. */
export function patternMatchesEmpty(pcre: string): boolean {
  const parsed = parseRegex(pcre);
  return !parsed.ok || matchesEmpty(parsed.regex.ast);
}

const SENTINEL_BASE = 0xe000;
const SENTINEL_MAX = 0xf8ff;

export interface CapturingPattern {
  readonly pattern: string;
  /** 1-based capture index in `pattern` of each captured group, keyed by name or PCRE number. */
  readonly index: ReadonlyMap<string | number, number>;
  /** Capturing groups in `pattern`. */
  readonly count: number;
}

/**
 * The Rust pattern with the groups `keep` selects capturing (in source order), or null when the
 * pattern does not translate (the caller reports that through rustPattern).
 */
export function rustCapturing(pcre: string, keep: (g: GroupNode) => boolean): CapturingPattern | null {
  const parsed = parseRegex(pcre);
  if (!parsed.ok) return null;
  // A pattern that already holds private-use characters could be confused with the sentinels.
  if ([...pcre].some((c) => (c.codePointAt(0) as number) >= SENTINEL_BASE && (c.codePointAt(0) as number) <= SENTINEL_MAX)) return null;
  const keys: (string | number)[] = [];
  const mark = (n: RegexNode): RegexNode => {
    switch (n.kind) {
      case 'group': {
        const body = mark(n.body);
        if ((n.group !== 'named' && n.group !== 'capturing') || !keep(n)) return { ...n, body };
        const cp = SENTINEL_BASE + keys.length;
        keys.push(n.name ?? (n.index as number));
        const sentinel: RegexNode = { kind: 'literal', value: cp, caseInsensitive: false, escaped: false, start: n.start, end: n.start };
        return { ...n, body: { kind: 'sequence', items: [sentinel, body], start: n.body.start, end: n.body.end } };
      }
      case 'lookaround':
        return { ...n, body: mark(n.body) };
      case 'quantifier':
        return { ...n, body: mark(n.body) };
      case 'sequence':
        return { ...n, items: n.items.map(mark) };
      case 'alternation':
        return { ...n, branches: n.branches.map(mark) };
      default:
        return n;
    }
  };
  const ast = mark(parsed.regex.ast);
  if (keys.length === 0 || SENTINEL_BASE + keys.length > SENTINEL_MAX) return null;
  const printed = printRegex({ ...parsed.regex, ast }, 'rust').pattern;
  let out = '';
  const index = new Map<string | number, number>();
  let n = 0;
  for (const ch of printed) {
    const cp = ch.codePointAt(0) as number;
    if (cp < SENTINEL_BASE || cp >= SENTINEL_BASE + keys.length) {
      out += ch;
      continue;
    }
    // Every sentinel must directly follow the `(?:` its group opened.
    if (!out.endsWith('(?:')) return null;
    out = `${out.slice(0, -3)}(`;
    n++;
    const key = keys[cp - SENTINEL_BASE] as string | number;
    if (!index.has(key)) index.set(key, n);
  }
  if (n !== keys.length) return null;
  return { pattern: out, index, count: n };
}

export type { GroupNode };
