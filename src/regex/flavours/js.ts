/**
 * `js`: JavaScript RegExp WITHOUT the `u` flag, unanchored `.test()`; the caller
 * adds flag `i` when caseInsensitive is true.
 *
 * Non-u `\d \w \b` are ASCII like PCRE's; `\s` and `.` are not (Unicode spaces;
 * `.` also excludes \r \u2028 \u2029), so they are spelled out. JS `$` is the
 * absolute end, PCRE `$` also matches before a final newline.
 *
 * Known gaps, not reported: the non-u `i` flag also folds non-ASCII letters
 * (é/É) which PCRE without UTF does not; a backreference to an unset group
 * matches the empty string in JS but fails in PCRE; astral characters are two
 * code units in JS.
 */
import { hex2, type Dialect } from '../dialect.js';
import { bracket } from './common.js';
import { equals, intersect, isEmpty, MAX_CODE_POINT, type CodeSet } from '../charset.js';

const BMP: CodeSet = [[0, 0xffff]];
const ASTRAL: CodeSet = [[0x10000, MAX_CODE_POINT]];

const META = new Set('\\^$.|?*+()[]{}/');
const CLASS_META = new Set('\\]^-[');
const CONTROL: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0b: '\\v', 0x0c: '\\f', 0x0d: '\\r' };

function escapeCode(cp: number): string | undefined {
  if (CONTROL[cp] !== undefined) return CONTROL[cp];
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return `\\x${hex2(cp)}`;
  if (cp === 0x2028 || cp === 0x2029 || (cp >= 0xd800 && cp <= 0xdfff)) return `\\u${cp.toString(16).toUpperCase()}`;
  return undefined;
}

export const jsDialect: Dialect = {
  caseMode: 'result',
  literal(cp) {
    const c = String.fromCodePoint(cp);
    if (cp > 0xffff) return `(?:${c})`; // a surrogate pair: keep a following quantifier on both halves
    return escapeCode(cp) ?? (META.has(c) ? `\\${c}` : c);
  },
  charSet(set, ctx, span) {
    // Non-u classes hold UTF-16 code units. "All astral characters" (from a negated class)
    // prints fine as a negated BMP class; a partial astral subset cannot be expressed.
    const astral = intersect(set, ASTRAL);
    if (!isEmpty(astral) && !equals(astral, ASTRAL)) {
      ctx.report(span, 'a class with characters outside the BMP is not supported by the js flavour');
    }
    const printable = equals(astral, ASTRAL) ? set : intersect(set, BMP);
    const member = (cp: number): string => {
      const c = String.fromCodePoint(cp);
      return escapeCode(cp) ?? (CLASS_META.has(c) ? `\\${c}` : c);
    };
    return bracket(printable, member, { full: '[\\s\\S]', empty: '[]' });
  },
  any: (dotAll) => (dotAll ? '[\\s\\S]' : '[^\\n]'),
  shorthand: (name) => ('dDwW'.includes(name) ? `\\${name}` : undefined),
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
