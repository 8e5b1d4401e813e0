/**
 * `pcre`: the PCRE subset Sigma's `|re` modifier accepts (spec v2.1: `.`, `^ $`,
 * `* + ? {n,m}`, `[...]`, `|`, `(...)`), matched unanchored. A leading `(?i)`
 * becomes the `|i` modifier (caseInsensitive=true). Shorthands are spelled as
 * explicit ASCII classes so every Sigma backend (Python, Go, Rust, JS...) agrees
 * with PCRE's ASCII `\d \w \s`. SigmaHQ rejects lookaround, backreferences,
 * atomic groups and possessive quantifiers.
 */
import { hex2, type Dialect } from '../dialect.js';
import { bracket, characterEscaper } from './common.js';

const { literal, member } = characterEscaper({
  meta: '\\^$.|?*+()[]{}',
  classMeta: '\\]^-[',
  controls: { 0x09: '\\t', 0x0a: '\\n', 0x0b: '\\x0B', 0x0c: '\\f', 0x0d: '\\r' },
  hex: (cp) => `\\x${hex2(cp)}`,
});

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
