/**
 * `pcre`: the PCRE subset Sigma's `|re` modifier accepts (spec v2.1: `.`, `^ $`,
 * `* + ? {n,m}`, `[...]`, `|`, `(...)`), matched unanchored. A leading `(?i)`
 * becomes the `|i` modifier (caseInsensitive=true). Shorthands are spelled as
 * explicit ASCII classes so every Sigma backend (Python, Go, Rust, JS...) agrees
 * with PCRE's ASCII `\d \w \s`. SigmaHQ rejects lookaround, backreferences,
 * atomic groups and possessive quantifiers.
 */
import { hex2, type Dialect } from '../dialect.js';
import { bracket } from './common.js';

const META = new Set('\\^$.|?*+()[]{}');
const CLASS_META = new Set('\\]^-[');
const CONTROL: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0b: '\\x0B', 0x0c: '\\f', 0x0d: '\\r' };

function control(cp: number): string | undefined {
  if (CONTROL[cp] !== undefined) return CONTROL[cp];
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return `\\x${hex2(cp)}`;
  return undefined;
}

function literal(cp: number): string {
  const c = String.fromCodePoint(cp);
  return control(cp) ?? (META.has(c) ? `\\${c}` : c);
}

function member(cp: number): string {
  const c = String.fromCodePoint(cp);
  return control(cp) ?? (CLASS_META.has(c) ? `\\${c}` : c);
}

export const pcreDialect: Dialect = {
  caseMode: 'result',
  literal: (cp) => literal(cp),
  // Empty set: [^\\s\\S] is valid in every PCRE-like engine (\\x{10FFFF} is not, without UTF).
  charSet: (set) => bracket(set, member, { full: '(.|\\n)', empty: '[^\\s\\S]' }),
  any: (dotAll) => (dotAll ? '(.|\\n)' : '.'),
  shorthand: () => undefined,
  // Only plain groups are in Sigma's subset; capture numbering is irrelevant without backrefs.
  groupOpen: () => '(',
  empty: '()',
  emptySequence: '',
  lazySuffix: '?',
  anchor(node, ctx) {
    if (node.multiline) {
      ctx.report(node, `multiline (?m) ${node.anchor === 'start' ? '^' : '$'} is not supported by the pcre flavour`);
      return node.anchor === 'start' ? '^' : '$';
    }
    switch (node.anchor) {
      case 'start':
        return '^';
      case 'end':
        return '$';
      case 'endAbsolute':
        // Sigma's subset has no end-of-string assertion that ignores a final newline.
        ctx.report(node, '\\z is not supported by the pcre flavour');
        return '$';
    }
  },
  wordBoundary: (node) => (node.negated ? '\\B' : '\\b'),
  lookaround: () => undefined,
  backreference: () => undefined,
};
