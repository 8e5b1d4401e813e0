import { describe, expect, it } from 'vitest';
import { parseRegex, type RegexNode } from '../../src/regex/index.js';
import { pcre2Available, pcreRun } from './pcre-oracle.js';

function ast(source: string): RegexNode {
  const r = parseRegex(source);
  if (!r.ok) throw new Error(`${source}: ${r.error.message}`);
  return r.regex.ast;
}

describe('parseRegex: structure', () => {
  it('parses literals, any and sequences with offsets', () => {
    expect(ast('a.')).toEqual({
      kind: 'sequence', start: 0, end: 2, items: [
        { kind: 'literal', value: 0x61, caseInsensitive: false, escaped: false, start: 0, end: 1 },
        { kind: 'any', dotAll: false, start: 1, end: 2 },
      ],
    });
  });

  it('parses groups of every kind', () => {
    const seq = ast('(a)(?:b)(?<n>c)(?P<m>d)(?>e)(?=f)(?<!g)') as Extract<RegexNode, { kind: 'sequence' }>;
    expect(seq.items.map((n) => (n.kind === 'group' ? `${n.group}:${n.name ?? ''}:${n.index ?? ''}` : n.kind))).toEqual([
      'capturing::1', 'nonCapturing::', 'named:n:2', 'named:m:3', 'atomic::', 'lookaround', 'lookaround',
    ]);
    expect(seq.items[6]).toMatchObject({ kind: 'lookaround', behind: true, negative: true, start: 33, end: 39 });
  });

  it('parses quantifiers (greedy, lazy, possessive, braces)', () => {
    const seq = ast('a*b+?c?+d{2}e{2,}f{2,5}?') as Extract<RegexNode, { kind: 'sequence' }>;
    expect(seq.items.map((n) => (n.kind === 'quantifier' ? [n.min, n.max, n.mode] : n.kind))).toEqual([
      [0, null, 'greedy'], [1, null, 'lazy'], [0, 1, 'possessive'], [2, 2, 'greedy'], [2, null, 'greedy'], [2, 5, 'lazy'],
    ]);
  });

  it('reads { that is not a quantifier as a literal (PCRE2 10.42)', () => {
    expect(ast('a{,3}')).toMatchObject({ kind: 'sequence', items: [{ value: 0x61 }, { value: 0x7b }, { value: 0x2c }, { value: 0x33 }, { value: 0x7d }] });
  });

  it('parses classes with ranges, negation, escapes, shorthands and POSIX names', () => {
    expect(ast('[^a-c\\d\\-[:alpha:]\\]]')).toMatchObject({
      kind: 'class', negated: true, items: [
        { kind: 'classRange', from: 0x61, to: 0x63 },
        { kind: 'shorthand', name: 'd' },
        { kind: 'classChar', value: 0x2d },
        { kind: 'posix', name: 'alpha', negated: false },
        { kind: 'classChar', value: 0x5d },
      ],
    });
    expect(ast('[]a]')).toMatchObject({ kind: 'class', items: [{ value: 0x5d }, { value: 0x61 }] });
    expect(ast('[\\b]')).toMatchObject({ kind: 'class', items: [{ value: 0x08 }] });
  });

  it('parses anchors, boundaries and backreferences', () => {
    const seq = ast('^\\A\\b\\B$\\Z\\z') as Extract<RegexNode, { kind: 'sequence' }>;
    expect(seq.items.map((n) => (n.kind === 'anchor' ? n.anchor : n.kind === 'wordBoundary' ? (n.negated ? 'B' : 'b') : n.kind))).toEqual([
      'start', 'start', 'b', 'B', 'end', 'end', 'endAbsolute',
    ]);
    expect(ast('(?<x>a)\\k<x>\\1\\g{-1}')).toMatchObject({
      items: [{}, { kind: 'backreference', index: 1, name: 'x' }, { kind: 'backreference', index: 1 }, { kind: 'backreference', index: 1 }],
    });
  });

  it('decodes character escapes', () => {
    const values = (s: string): number[] =>
      (ast(s) as Extract<RegexNode, { kind: 'sequence' }>).items.map((n) => (n.kind === 'literal' ? n.value : -1));
    expect(values('\\t\\n\\r\\f\\e\\a\\x41\\x{263A}\\0\\012\\cA')).toEqual([9, 10, 13, 12, 0x1b, 7, 0x41, 0x263a, 0, 10, 1]);
    expect(values('\\-\\=\\@\\:\\,\\.\\/')).toEqual([...'-=@:,./'].map((c) => c.charCodeAt(0)));
    expect(values('\\Qa.*\\E')).toEqual([0x61, 0x2e, 0x2a]);
  });

  it('resolves inline flags into leaves, PCRE-scoped', () => {
    const r = parseRegex('(?i)a');
    expect(r.ok && r.regex.caseInsensitive).toBe(true);
    // (?i) in one branch carries into later branches of the same group, not out of it.
    expect(ast('(a(?i)b|c)d')).toMatchObject({
      items: [
        { body: { branches: [{ items: [{ caseInsensitive: false }, { kind: 'flags' }, { caseInsensitive: true }] }, { caseInsensitive: true }] } },
        { value: 0x64, caseInsensitive: false },
      ],
    });
    expect(ast('(?i:a)b')).toMatchObject({ items: [{ flags: { on: 'i', off: '' }, body: { caseInsensitive: true } }, { caseInsensitive: false }] });
    expect(ast('(?s).')).toMatchObject({ items: [{}, { kind: 'any', dotAll: true }] });
    expect(ast('(?m)^')).toMatchObject({ items: [{}, { kind: 'anchor', multiline: true }] });
    expect(ast('(?x) a b # c')).toMatchObject({ items: [{}, { value: 0x61 }, { value: 0x62 }] });
    const m = parseRegex('(?ms)a');
    expect(m.ok && [m.regex.multiline, m.regex.dotAll, m.regex.caseInsensitive]).toEqual([true, true, false]);
  });

  it('accepts (i?) — a group holding an optional i', () => {
    expect(ast('(i?)')).toMatchObject({ kind: 'group', group: 'capturing', body: { kind: 'quantifier', min: 0, max: 1 } });
  });

  it('parses the seed rule regex', async () => {
    const { SEED_REGEX } = await import('./cases.js');
    const r = parseRegex(SEED_REGEX);
    expect(r.ok).toBe(true);
    expect(r.ok && r.regex.caseInsensitive).toBe(true);
  });
});

describe('parseRegex: errors', () => {
  const cases: [string, string, number, number][] = [
    ['(abc', 'missing closing parenthesis for group opened at offset 0', 0, 4],
    ['a)', 'unmatched closing parenthesis', 1, 2],
    ['*a', 'quantifier does not follow a repeatable item', 0, 1],
    ['a**', 'quantifier does not follow a repeatable item', 2, 3],
    ['^*', 'quantifier does not follow a repeatable item', 1, 2],
    ['[abc', 'missing terminating ] for character class', 0, 4],
    ['[z-a]', 'range out of order in character class', 1, 4],
    ['[\\d-z]', 'invalid range in character class', 1, 4],
    ['a{3,2}', 'numbers out of order in {} quantifier', 1, 6],
    ['a{70000}', 'number too big in {} quantifier', 1, 8],
    ['abc\\', '\\ at end of pattern', 3, 4],
    ['\\y', "unrecognized character follows \\: 'y'", 0, 2],
    ['(?z)', "unrecognized character after (? or (?-: 'z'", 2, 3],
    ['\\2(a)', 'reference to non-existent subpattern', 0, 2],
    ['\\k<nope>', "reference to non-existent subpattern 'nope'", 0, 8],
    ['(?<=a+)b', 'lookbehind assertion is not fixed length', 0, 7],
    ['[[:word2:]]', "unknown POSIX class name '[:word2:]'", 1, 10],
    ['[:alpha:]', 'POSIX named classes are supported only within a class', 0, 9],
    ['\\p{L}', 'Unicode property escapes (\\p) are not supported', 0, 2],
    ['(?R)', 'recursion and subroutine calls are not supported', 0, 3],
    ['(?(1)a|b)', 'conditional groups (?(...) are not supported', 0, 3],
  ];
  it.each(cases)('%s', (source, message, start, end) => {
    const r = parseRegex(source);
    expect(r).toEqual({ ok: false, error: { message, start, end } });
  });

  it('caps nesting depth instead of overflowing the stack', () => {
    const r = parseRegex('('.repeat(100_000));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toBe('parentheses are too deeply nested');
  });
});

describe('parseRegex: robustness', () => {
  function rng(seed: number): (n: number) => number {
    let s = seed >>> 0;
    return (n) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 8) % n;
    };
  }
  const TOKENS = ['a', 'b', '(', ')', '[', ']', '\\', '?', '*', '+', '{', '}', '1', ',', '2', '|', '^', '$', '.', '-', ':',
    '<', '>', '=', '!', 'i', 'P', 'k', 'd', 'w', 's', 'Q', 'E', 'x', '#', ' ', 'n', '0', 'g', 'z', 'A', 'Z', 'B', 'c', '_',
    "'", '{2}', '(?', '[:alpha:]', 'K', 'u', 'N', '\u00e9', '\ud83d', '\ude00', '\n'];

  function randomPatterns(seed: number, count: number): string[] {
    const r = rng(seed);
    return Array.from({ length: count }, () => {
      let p = '';
      for (let j = 1 + r(12); j > 0; j--) p += TOKENS[r(TOKENS.length)];
      return p;
    });
  }

  it('never throws and always terminates on random input', () => {
    for (const p of randomPatterns(7, 20_000)) {
      const r = parseRegex(p);
      if (!r.ok) {
        expect(r.error.start).toBeGreaterThanOrEqual(0);
        expect(r.error.end).toBeLessThanOrEqual(p.length);
        expect(r.error.start).toBeLessThanOrEqual(r.error.end);
      }
    }
    // Pathological sizes.
    expect(parseRegex('a'.repeat(200_000)).ok).toBe(true);
    expect(parseRegex('[' + 'a-'.repeat(50_000)).ok).toBe(false);
    expect(parseRegex('(?:'.repeat(200) + ')'.repeat(200)).ok).toBe(true);
  });

  it.runIf(pcre2Available())('accepts exactly what PCRE2 accepts (ASCII random patterns)', () => {
    const patterns = randomPatterns(11, 10_000).filter((p) => /^[\x20-\x7e\n]*$/.test(p));
    const oracle = pcreRun(patterns.map((pattern) => ({ pattern, subjects: [] })));
    const disagreements: string[] = [];
    patterns.forEach((p, i) => {
      const ours = parseRegex(p);
      const pcreOk = !(oracle[i] && 'error' in oracle[i]);
      // We reject some valid-but-unusable constructs on purpose ("not supported").
      if (!ours.ok && /not supported/.test(ours.error.message)) return;
      if (ours.ok !== pcreOk) disagreements.push(`${JSON.stringify(p)} ours=${ours.ok ? 'ok' : ours.error.message} pcre2=${JSON.stringify(oracle[i])}`);
    });
    expect(disagreements.slice(0, 10)).toEqual([]);
  }, 60_000);
});
