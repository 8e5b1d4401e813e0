/**
 * `rust`: the Rust `regex` crate (KQL `matches regex`), unanchored search,
 * Unicode-aware by default.
 *
 * - Case-insensitivity stays inline as a leading `(?i)`. Rust folds Unicode
 *   (`k` ~ U+212A KELVIN SIGN, `s` ~ U+017F LONG S, é ~ É), PCRE here folds ASCII
 *   only, so atoms that could pick up a non-ASCII fold are wrapped in `(?-i:...)`
 *   with their ASCII cases spelled out.
 * - Shorthands are spelled as ASCII classes (Rust's are Unicode); `\b` is
 *   `(?-u:\b)`.
 * - PCRE `$` (end, or before a final newline) becomes `(?:\n?\z)`. It consumes the
 *   newline, which is only equivalent when nothing after it consumes input, so
 *   a non-final `$` is reported.
 * - All groups become non-capturing: KQL limits capture groups to 16 and
 *   capture numbering is irrelevant without backreferences.
 * - Only escapes Rust accepts are printed (it rejects `\<` `\>` in classes, and
 *   `\<` `\>` outside classes are word-boundary assertions).
 */
import { complement, has, MAX_CODE_POINT, type CodeSet } from '../charset.js';
import { type Dialect } from '../dialect.js';
import { bracket, characterEscaper, hasUnicodeCase, singleMember } from './common.js';

const { literal: plainLiteral, member } = characterEscaper({
  meta: '\\.+*?()|[]{}^$#',
  classMeta: '\\[]^-&~',
  controls: { 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' },
  hex: (cp) => `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}`,
});

/** ASCII letters whose Unicode fold set includes a non-ASCII character. */
const UNICODE_FOLDING_ASCII = new Set([0x4b, 0x6b, 0x53, 0x73]); // K k S s

/** Would Rust's Unicode `(?i)` make this set match something PCRE's ASCII folding does not? */
function foldsBeyondAscii(set: CodeSet): boolean {
  for (const cp of UNICODE_FOLDING_ASCII) if (has(set, cp)) return true;
  return set.some(([, hi]) => hi >= 0x80);
}

/** `guard`: wrap in `(?-i:...)` if Rust's Unicode folding would widen the set. */
function charSet(set: CodeSet, guard: boolean): string {
  const text = bracket(set, member, { full: '(?s:.)', empty: '[^\\x{0}-\\x{10FFFF}]' });
  // Rust folds the listed members before applying `^`, so check what is listed.
  const listed = has(set, MAX_CODE_POINT) ? complement(set) : set;
  return guard && foldsBeyondAscii(listed) && text.startsWith('[') ? `(?-i:${text})` : text;
}

export const rustDialect: Dialect = {
  caseMode: 'inline',
  literal(cp, ctx) {
    if (!ctx.caseFlag || ctx.caseFolding === 'unicode') return plainLiteral(cp);
    if (UNICODE_FOLDING_ASCII.has(cp)) {
      const upper = cp & ~0x20;
      return `(?-i:[${String.fromCharCode(upper)}${String.fromCharCode(upper | 0x20)}])`;
    }
    if (cp >= 0x80 && hasUnicodeCase(cp)) return `(?-i:${plainLiteral(cp)})`;
    return plainLiteral(cp);
  },
  charSet: (set, ctx) => {
    const only = singleMember(set);
    return only !== undefined && !ctx.caseFlag ? plainLiteral(only) : charSet(set, ctx.caseFlag && ctx.caseFolding === 'ascii');
  },
  any: (dotAll) => (dotAll ? '(?s:.)' : '.'),
  shorthand: () => undefined,
  groupOpen: () => '(?:',
  empty: '(?:)',
  emptySequence: '',
  lazySuffix: '?',
  usesFollowMin: true,
  anchor(node, ctx, tail, followMin) {
    if (node.multiline) {
      if (node.anchor === 'start') {
        // Rust's (?m)^ also matches after a final newline, PCRE's does not: the same matches
        // when what follows must consume a character, since none is left there.
        if (followMin === 0) ctx.report(node, 'multiline (?m) ^ that may be followed by nothing is not supported by the rust flavour (Rust also matches it after a final newline)');
        return '(?m:^)';
      }
      return '(?m:$)'; // before any \n or at the end, as in PCRE
    }
    switch (node.anchor) {
      case 'start':
        return '^';
      case 'endAbsolute':
        return '\\z';
      case 'end':
        if (!tail) ctx.report(node, '$ followed by more pattern is not supported by the rust flavour');
        return '(?:\\n?\\z)';
    }
  },
  wordBoundary(node, ctx) {
    // `(?-u:\B)` works on UTF-8 bytes and fires between the bytes of one non-ASCII
    // character (observed with rregex on "aéB"); `(?-u:\b)` cannot, both bytes are non-word.
    if (node.negated) ctx.report(node, '\\B is not supported by the rust flavour');
    return node.negated ? '(?-u:\\B)' : '(?-u:\\b)';
  },
  lookaround: () => undefined,
  backreference: () => undefined,
};
