import { describe, expect, it } from 'vitest';
import { RRegex } from 'rregex';
import { parseRegex, printRegex, translateRegex, type RegexFlavour } from '../../src/regex/index.js';
import { SEED_REGEX } from './cases.js';

function out(source: string, flavour: RegexFlavour): { pattern: string; ci: boolean; unsupported: string[] } {
  const t = translateRegex(source, flavour);
  if (!t.ok) throw new Error(`${source}: ${t.error.message}`);
  return { pattern: t.result.pattern, ci: t.result.caseInsensitive, unsupported: t.result.unsupported.map((u) => u.message) };
}

// [source, pattern, caseInsensitive]
type Row = [string, string, boolean];

const TABLES: Record<RegexFlavour, Row[]> = {
  pcre: [
    ['(?i)abc', 'abc', true],
    ['\\d\\w\\s', '[0-9][0-9A-Z_a-z][\\t\\n\\x0B\\f\\r ]', false],
    ['\\-\\=\\@\\.\\/\\:\\,', '-=@\\./:,', false],
    ['[^\\d\\s]', '[^\\t\\n\\x0B\\f\\r 0-9]', false],
    ['(?i)[a-f0-9]+', '[0-9A-Fa-f]+', true],
    ['a(?i)b', 'a[Bb]', false],
    ['(?s)a.b', 'a(.|\\n)b', false],
    ['(?:ab)+?(?<n>x)', '(ab)+?(x)', false],
    ['^a|b$', '^a|b$', false],
    ['\\Aa\\Z', '^a$', false],
    ['\\bx\\B', '\\bx\\B', false],
    ['[-\\]^]', '[\\-\\]\\^]', false],
    ['a{2}b{2,}c{2,3}', 'a{2}b{2,}c{2,3}', false],
    ['(?x) a b # c', 'ab', false],
    ['\\Q(a)\\E', '\\(a\\)', false],
  ],
  rust: [
    ['(?i)abc', '(?i)abc', false],
    ['\\d\\w\\s', '[0-9][0-9A-Z_a-z][\\t\\n\\x0B\\f\\r ]', false],
    ['\\-\\=\\@\\.\\/', '-=@\\./', false],
    ['a.b', 'a.b', false],
    ['(?s)a.b', 'a(?s:.)b', false],
    ['(a)(?<n>b)', '(?:a)(?:b)', false],
    ['^a|b$', '^a|b(?:\\n?\\z)', false],
    // A run of `$` at the end (the Armory's `\s*,\s*$$$$`) is one `$` in PCRE and in this spelling.
    ['a$$', 'a(?:\\n?\\z)(?:\\n?\\z)', false],
    ['a\\z', 'a\\z', false],
    ['\\bx\\b', '(?-u:\\b)x(?-u:\\b)', false],
    ['a+?', 'a+?', false],
    ['a#b<c>', 'a\\#b<c>', false],
    ['[<>&~-]', '[\\&\\-<>\\~]', false],
    // Rust's (?i) is Unicode-wide: k/s/non-ASCII atoms are guarded to keep PCRE's ASCII folding.
    ['(?i)key', '(?i)(?-i:[Kk])ey', false],
    ['(?i)\\w', '(?i)(?-i:[0-9A-Z_a-z])', false],
    ['(?i)[^a]', '(?i)[^Aa]', false],
    ['(?i)é', '(?i)(?-i:é)', false],
  ],
  js: [
    ['(?i)abc', 'abc', true],
    // Sets holding the astral characters consume a surrogate pair as one character.
    ['\\d\\w\\s\\S', '\\d\\w[\\t\\n\\v\\f\\r ](?:[^\\t\\n\\v\\f\\r \\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])', false],
    ['a.b', 'a(?:[^\\n\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])b', false],
    ['(?s)a.b', 'a(?:[^\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])b', false],
    ['\\W', '(?:[^0-9A-Z_a-z\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])', false],
    ['a$', 'a(?=\\n?$)', false],
    ['\\Aa\\z|b\\Z', '^a$|b(?=\\n?$)', false],
    ['(?m)^a$', '(?:^|(?<=\\n)(?=[\\s\\S]))a(?=\\n|$)', false],
    ['(a)\\1', '(a)(?:\\1)', false],
    ['(?<n>a)\\k<n>', '(?<n>a)\\k<n>', false],
    ['(?<=a)b(?!c)', '(?<=a)b(?!c)', false],
    ['a/b', 'a\\/b', false],
  ],
  // Ruby syntax as Elasticsearch's joni runs GROK: PCRE's ASCII meaning spelled out.
  oniguruma: [
    ['(?i)abc', '[Aa][Bb][Cc]', false],
    ['\\d\\w\\s', '[0-9][0-9A-Z_a-z][\\t\\n\\x{0B}\\f\\r ]', false],
    ['^a|b$', '\\Aa|b\\Z', false],
    ['a\\z', 'a\\z', false],
    ['(?s)a.b', 'a(?m:.)b', false],
    ['(?m)^a$', '(?:\\A|(?<=\\n)(?=(?m:.)))a(?=\\n|\\z)', false],
    ['\\bx', '(?:(?<=[0-9A-Z_a-z])(?![0-9A-Z_a-z])|(?<![0-9A-Z_a-z])(?=[0-9A-Z_a-z]))x', false],
    ['(?<n>a)\\k<n>', '(?<n>a)\\k<n>', false],
    ['(?P<n>a)', '(?<n>a)', false],
    ['a{2}?b{2,}?', 'a{2}b{2,}?', false],
    ['[a&&b]', '[\\&ab]', false],
    ['\\Q{,3}\\E', '\\{,3\\}', false],
    ['\\x80', '\\x{80}', false],
    ['\\\\R', '\\\\R', false],
  ],
  lucene: [
    ['abc', '.*abc.*', false],
    ['(?i)abc', '.*[Aa][Bb][Cc].*', false],
    ['(?i)[a-f]', '.*[A-Fa-f].*', false],
    ['(?i)[^x]', '.*[^Xx].*', false],
    ['\\d\\w\\s', '.*[0-9][0-9A-Z\\_a-z][\t\n\u000b\f\r ].*', false],
    ['a.b', '.*a[^\n]b.*', false],
    ['(?s)a.b', '.*a.b.*', false],
    ['^abc$', 'abc\n?', false],
    ['^abc\\z', 'abc', false],
    ['^a|b', '(a.*|.*b.*)', false],
    ['a|b', '.*(a|b).*', false],
    ['(a|b)$|d', '(.*(a|b)\n?|.*d.*)', false],
    ['x(a|b$)', '.*x(a.*|b\n?)', false],
    ['^$', '\n?', false],
    ['(?:ab)+?', '.*(ab)+.*', false],
    ['a"b#c@d&e<f>g~h', '.*a\\"b\\#c\\@d\\&e\\<f\\>g\\~h.*', false],
    ['[-\\]^]', '.*[\\-\\]\\^].*', false],
    ['a{2,}b{1,3}', '.*a{2,}b{1,3}.*', false],
    ['\\t\\x41', '.*\tA.*', false],
  ],
};

describe.each(Object.keys(TABLES) as RegexFlavour[])('printRegex %s', (flavour) => {
  it.each(TABLES[flavour])('%s', (source, pattern, ci) => {
    const r = out(source, flavour);
    expect(r.unsupported).toEqual([]);
    expect(r.pattern).toBe(pattern);
    expect(r.ci).toBe(ci);
  });
});

describe('unsupported constructs are reported with spans', () => {
  const cases: [string, RegexFlavour, string, number, number][] = [
    ['a(?=b)', 'pcre', 'lookahead is not supported by the pcre flavour', 1, 6],
    ['(a)\\1', 'rust', 'backreference is not supported by the rust flavour', 3, 5],
    ['(?>a)', 'js', 'atomic group (?>...) is not supported by the js flavour', 0, 5],
    ['a++', 'pcre', 'possessive quantifier is not supported by the pcre flavour', 0, 3],
    ['a\\bc', 'lucene', '\\b is not supported by the lucene flavour', 1, 3],
    ['a^b', 'lucene', 'an anchor that is not at the start or end of a top-level branch is not supported by the lucene flavour', 1, 2],
    ['(a$|b)c', 'rust', '$ followed by more pattern is not supported by the rust flavour', 2, 3],
    ['a\\z', 'pcre', '\\z is not supported by the pcre flavour', 1, 3],
    ['(?m)a^b?', 'rust', 'multiline (?m) ^ that may be followed by nothing is not supported by the rust flavour (Rust also matches it after a final newline)', 5, 6],
    ['\\Ba', 'rust', '\\B is not supported by the rust flavour', 0, 2],
    ['(?<n>(a)\\1)', 'oniguruma', 'backreference is not supported by the oniguruma flavour', 8, 10],
  ];
  it.each(cases)('%s (%s)', (source, flavour, message, start, end) => {
    const t = translateRegex(source, flavour);
    expect(t.ok && t.result.unsupported).toEqual([{ message, start, end }]);
  });

  it('a run of $ followed by more pattern is still reported, once per $', () => {
    const t = translateRegex('a$$b', 'rust');
    expect(t.ok && t.result.unsupported.map((u) => u.start)).toEqual([1, 2]);
  });

  it('reports a case-mixed backreference in js', () => {
    expect(out('(a)(?i)\\1', 'js').unsupported).toHaveLength(1);
    expect(out('(?i)(a)(?-i)\\1', 'js').unsupported).toHaveLength(0); // case-sensitive \\1, no flag: fine
  });
});

describe('seed rule regex', () => {
  it('pcre: strips (?i) into the flag and spells classes in ASCII', () => {
    const r = out(SEED_REGEX, 'pcre');
    expect(r.ci).toBe(true);
    expect(r.unsupported).toEqual([]);
    expect(r.pattern.startsWith('(--dns)?(([\\t\\n\\x0B\\f\\r ]+)|(=))?((server=)|(host=))?(([0-9]{1,3}\\.')).toBe(true);
    expect(r.pattern).not.toMatch(/\\[dws=@:,-]/);
  });

  it('rust: compiles in rregex with at most 16 capture groups (KQL limit)', () => {
    const r = out(SEED_REGEX, 'rust');
    expect(r.unsupported).toEqual([]);
    const re = new RRegex(r.pattern);
    try {
      expect(re.isMatch('iodine -f t1.example.com')).toBe(true);
    } finally {
      re.free();
    }
    expect(r.pattern.match(/\((?!\?)/g) ?? []).toHaveLength(0);
  });

  it('lucene: whole-value form, no PCRE-only syntax', () => {
    const r = out(SEED_REGEX, 'lucene');
    expect(r.unsupported).toEqual([]);
    expect(r.pattern).not.toContain('(?');
    expect(r.pattern).not.toMatch(/\\[dwsbAzZ]/);
    // The first top-level branch ends in `$` inside a group: its `.*` is replaced by an optional newline there.
    expect(r.pattern).toContain('[Ii][Nn][Ff][Oo])))\n?)|.*(');
    expect(r.pattern.startsWith('(.*(\\-\\-[Dd][Nn][Ss])?')).toBe(true);
    // The other (unanchored) branches stay together under one `.*(...).*` (far fewer automaton states).
    expect(r.pattern.endsWith('\\:[0-9]{1,5})).*)')).toBe(true);
  });
});

describe('rust case folding', () => {
  it('does not let (?i) match the Kelvin sign or long s (PCRE folds ASCII only)', () => {
    for (const source of ['(?i)k', '(?i)s', '(?i)\\w', '(?i)[a-z]', '(?i)[^k]x']) {
      const r = out(source, 'rust');
      const re = new RRegex(r.pattern);
      try {
        expect(re.isMatch('\u212a'), r.pattern).toBe(source === '(?i)[^k]x' ? false : false);
        expect(re.isMatch('\u017f'), r.pattern).toBe(false);
      } finally {
        re.free();
      }
    }
    const kx = new RRegex(out('(?i)[^k]x', 'rust').pattern);
    try {
      expect(kx.isMatch('\u212ax')).toBe(true); // U+212A is not k for PCRE, so [^k] matches it
    } finally {
      kx.free();
    }
  });

  it("caseFolding: 'unicode' leaves (?i) unguarded (PCRE2 in UTF mode folds like Rust)", () => {
    const parsed = parseRegex('(?i)key');
    expect(parsed.ok && printRegex(parsed.regex, 'rust', { caseFolding: 'unicode' }).pattern).toBe('(?i)key');
  });
});

describe('translateRegex', () => {
  it('returns parse errors as values', () => {
    expect(translateRegex('(a', 'js')).toEqual({
      ok: false,
      error: { message: 'missing closing parenthesis for group opened at offset 0', start: 0, end: 2 },
    });
  });
});
