/**
 * Regexes for KQL: the Rust flavour of the shared printer, plus capture groups for `extract`,
 * `extract_all` and `replace_regex`.
 *
 * The Rust printer makes every group non-capturing (KQL allows at most 16 captures); the
 * `capture` print option keeps the groups `rex` extracts as numbered captures, in source order.
 */
import { diag, type Diagnostic, type Span } from '../../diagnostics.js';
import type { GroupNode } from '../../regex/ast.js';
import { parseRegex, printRegex, translateRegex } from '../../regex/index.js';
import { walk } from '../../regex/analyze.js';

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
  // Capture numbers follow the opening parentheses, which the printer keeps in source order.
  const kept: GroupNode[] = [];
  walk(parsed.regex.ast, (n) => {
    if (n.kind === 'group' && (n.group === 'named' || n.group === 'capturing') && keep(n)) kept.push(n);
  });
  if (kept.length === 0) return null;
  const chosen = new Set(kept);
  const pattern = printRegex(parsed.regex, 'rust', { capture: (g) => chosen.has(g) }).pattern;
  // Should the printer ever repeat a group body, capture numbers would shift: refuse then.
  if (capturingOpens(pattern) !== kept.length) return null;
  const index = new Map<string | number, number>();
  kept.forEach((g, i) => {
    const key = g.name ?? (g.index as number);
    if (!index.has(key)) index.set(key, i + 1);
  });
  return { pattern, index, count: kept.length };
}

/** Plain `(` group openings in a printed pattern (not escaped, not in a class, not `(?`). */
function capturingOpens(pattern: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(' && pattern[i + 1] !== '?') n++;
  }
  return n;
}

export type { GroupNode };
