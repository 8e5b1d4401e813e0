/**
 * `oniguruma`: the Ruby syntax of joni (Java Oniguruma) as Elasticsearch runs it for GROK, ES|QL's
 * GROK included: `new Regex(bytes, …, Option.DEFAULT, UTF8Encoding.INSTANCE, …)`, whose syntax is
 * `Syntax.DEFAULT` = RUBY (elastic/elasticsearch libs/grok/src/main/java/org/elasticsearch/grok/Grok.java).
 * GROK searches unanchored, like `rex`.
 *
 * Where Ruby syntax means something else than PCRE, the printer spells PCRE's meaning out:
 * - `\d \w \s`, `\b` and case folding are Unicode-aware with a UTF-8 encoding, PCRE's (without
 *   UCP, the working assumption for Splunk) are ASCII: shorthands become explicit ASCII classes,
 *   `\b` a lookaround over `[0-9A-Z_a-z]`, and `(?i)` explicit `[Kk]` sets (caseMode 'none');
 * - `^`/`$` always match at line breaks in Ruby: PCRE's `^` is `\A`, its `$` is `\Z` (end or
 *   before a final newline, as in PCRE); `(?m)` anchors become lookarounds;
 * - Ruby's `(?m)` is PCRE's `(?s)`: a dot-all `.` is `(?m:.)`;
 * - `\h` is a hex digit and `\v` a vertical tab in Ruby: neither is printed (sets are explicit);
 * - `&&` in a class is intersection in Ruby, so `&` is escaped in classes;
 * - `\xHH` above 0x7F is a byte in Ruby's UTF-8 patterns, so code points use `\x{…}`;
 * - with a named group in the pattern plain groups do not capture (CAPTURE_ONLY_NAMED_GROUP), so
 *   a numbered backreference is not supported; named ones print as `\k<name>`;
 * - `x{n}?` is an optional `x{n}` in Ruby (FIXED_INTERVAL_IS_GREEDY_ONLY): fixed counts print
 *   without the lazy suffix, which changes nothing for a fixed count.
 */
import { hex2, type Dialect } from '../dialect.js';
import { bracket, characterEscaper } from './common.js';

const { literal, member } = characterEscaper({
  meta: '\\^$.|?*+()[]{}',
  classMeta: '\\]^-[&',
  controls: { 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' },
  hex: (cp) => `\\x{${hex2(cp)}}`,
});

const WORD = '[0-9A-Z_a-z]';

export const onigurumaDialect: Dialect = {
  caseMode: 'none',
  literal: (cp) => literal(cp),
  charSet: (set) => bracket(set, member, { full: '(?m:.)', empty: '[^\\x{0}-\\x{10FFFF}]' }),
  any: (dotAll) => (dotAll ? '(?m:.)' : '.'),
  shorthand: () => undefined,
  groupOpen(kind, name) {
    if (kind === 'named' && name !== undefined) return `(?<${name}>`;
    if (kind === 'atomic') return '(?>';
    return kind === 'capturing' ? '(' : '(?:';
  },
  empty: '(?:)',
  emptySequence: '',
  lazySuffix: '?',
  fixedRepeatIsGreedyOnly: true,
  anchor(node) {
    if (node.multiline) {
      // PCRE (?m): ^ at the start or after an internal \n; $ before any \n or at the end.
      return node.anchor === 'start' ? '(?:\\A|(?<=\\n)(?=(?m:.)))' : '(?=\\n|\\z)';
    }
    switch (node.anchor) {
      case 'start':
        return '\\A';
      case 'end':
        return '\\Z';
      case 'endAbsolute':
        return '\\z';
    }
  },
  wordBoundary: (node) =>
    node.negated
      ? `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`
      : `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`,
  lookaround(node, body) {
    return `(?${node.behind ? '<' : ''}${node.negative ? '!' : '='}${body})`;
  },
  backreference(node, ctx) {
    // Ruby folds a case-insensitive backreference with Unicode rules; the printed sets are ASCII.
    if (node.caseInsensitive) ctx.report(node, 'a case-insensitive backreference is not supported by the oniguruma flavour');
    return node.name !== undefined ? `\\k<${node.name}>` : undefined;
  },
};
