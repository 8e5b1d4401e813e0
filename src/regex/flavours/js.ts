/**
 * `js`: JavaScript RegExp WITHOUT the `u` flag, unanchored `.test()`; the caller
 * adds flag `i` when caseInsensitive is true.
 *
 * Non-u `\d \w \b` are ASCII like PCRE's; `\s` and `.` are not (Unicode spaces;
 * `.` also excludes \r \u2028 \u2029), so they are spelled out. JS `$` is the
 * absolute end, PCRE `$` also matches before a final newline.
 *
 * Non-u patterns see UTF-16 code units, PCRE sees characters: a set that holds
 * the astral characters (`.`, negated classes, `\D \W \S`) is printed as
 * `(?:[^...\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])`, so a surrogate
 * pair is always consumed as one character (`conhost.exe` must match
 * `conhost😀exe`, `\W{30}` must not count an emoji twice). Lone surrogates
 * (invalid UTF-16, which PCRE cannot be given) match no such set.
 *
 * Known gaps, not reported: the non-u `i` flag also folds non-ASCII letters
 * (é/É) which PCRE without UTF does not; a backreference to an unset group
 * matches the empty string in JS but fails in PCRE.
 */
import { classBody, hex2, type Dialect } from '../dialect.js';
import { bracket, characterEscaper } from './common.js';
import { complement, equals, intersect, isEmpty, MAX_CODE_POINT, union, type CodeSet } from '../charset.js';

const BMP: CodeSet = [[0, 0xffff]];
const ASTRAL: CodeSet = [[0x10000, MAX_CODE_POINT]];
const SURROGATES: CodeSet = [[0xd800, 0xdfff]];
const PAIR = '[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]';

const { literal: escapedLiteral, member } = characterEscaper({
  meta: '\\^$.|?*+()[]{}/',
  classMeta: '\\]^-[',
  controls: { 0x09: '\\t', 0x0a: '\\n', 0x0b: '\\v', 0x0c: '\\f', 0x0d: '\\r' },
  hex: (cp) => `\\x${hex2(cp)}`,
  // Line separators and lone surrogates would break the pattern (or its source text) as written.
  extra: (cp) => (cp === 0x2028 || cp === 0x2029 || (cp >= 0xd800 && cp <= 0xdfff) ? `\\u${cp.toString(16).toUpperCase()}` : undefined),
});

/** A set holding every astral character: BMP members as one code unit, astral ones as a pair. */
function withAstral(set: CodeSet): string {
  const excluded = union(intersect(complement(set), BMP), SURROGATES);
  return `(?:[^${classBody(excluded, member)}]|${PAIR})`;
}

export const jsDialect: Dialect = {
  caseMode: 'result',
  literal(cp) {
    const c = String.fromCodePoint(cp);
    if (cp > 0xffff) return `(?:${c})`; // a surrogate pair: keep a following quantifier on both halves
    return escapedLiteral(cp);
  },
  charSet(set, ctx, span) {
    // Non-u classes hold UTF-16 code units. "All astral characters" (from a negated class)
    // prints as a class or a surrogate pair; a partial astral subset is not supported.
    const astral = intersect(set, ASTRAL);
    if (!isEmpty(astral) && !equals(astral, ASTRAL)) {
      ctx.report(span, 'a class with characters outside the BMP is not supported by the js flavour');
    }
    if (equals(astral, ASTRAL)) return withAstral(set);
    return bracket(intersect(set, BMP), member, { full: '[\\s\\S]', empty: '[]' });
  },
  any: (dotAll) => withAstral(dotAll ? [[0, MAX_CODE_POINT]] : complement([[0x0a, 0x0a]])),
  // \D and \W hold the astral characters: they go through charSet.
  shorthand: (name) => (name === 'd' || name === 'w' ? `\\${name}` : undefined),
  groupOpen(kind, name) {
    if (kind === 'named' && name !== undefined) return `(?<${name}>`;
    return kind === 'capturing' ? '(' : '(?:';
  },
  empty: '(?:)',
  emptySequence: '',
  lazySuffix: '?',
  anchor(node) {
    if (node.multiline) {
      // PCRE (?m): ^ after an internal \n (not after a final one); $ before any \n or at the end.
      return node.anchor === 'start' ? '(?:^|(?<=\\n)(?=[\\s\\S]))' : '(?=\\n|$)';
    }
    switch (node.anchor) {
      case 'start':
        return '^';
      case 'end':
        return '(?=\\n?$)';
      case 'endAbsolute':
        return '$';
    }
  },
  wordBoundary: (node) => (node.negated ? '\\B' : '\\b'),
  lookaround(node, body) {
    return `(?${node.behind ? '<' : ''}${node.negative ? '!' : '='}${body})`;
  },
  backreference(node, ctx) {
    if (node.caseInsensitive !== ctx.caseFlag) {
      ctx.report(node, 'a backreference whose case sensitivity differs from the rest of the pattern is not supported by the js flavour');
    }
    // Group numbers are preserved (capturing groups stay capturing); (?:) stops a following digit joining the number.
    return node.name !== undefined ? `\\k<${node.name}>` : `(?:\\${node.index})`;
  },
};
