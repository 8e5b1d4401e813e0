import { describe, expect, it } from 'vitest';
import { guardedTest, linearRegex } from '../../src/runtime/index.js';
import { pcreToJs } from '../../src/runtime/index.js';
import { parseCsv, csvTable } from '../../src/runtime/csv.js';
import { regexPrefilter } from '../../src/regex/prefilter.js';

const SEED = String.raw`(?i)(\-\-dns)?((\s+)|(\=))?((server\=)|(host\=))?((\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\,port\=\d{1,5}.+)|(\w+\.((com)|(org)|(net)|(info)))$)|(\w+\.((com)|(org)|(net)|(info))\:\d{1,5})|(\w+\@(\d{1,3}\.){3}\d{1,3}.+\-(R|D|L).+(\d{1,3}\.){3}\d{1,3}\:\d{1,5})|(\-(R|D|L).+(\d{1,3}\.){3}\d{1,3}\:\d{1,5}.+\w+\@(\d{1,3}\.){3}\d{1,3})|(\d{1,5}\s+?(\d{1,3}\.){3}\d{1,3}\:\d{1,5})`;

const PATTERNS = [
  SEED,
  String.raw`(?i)\s-e(nc|ncodedcommand)?\s+[A-Za-z0-9+/=]{20,}`,
  String.raw`(?i)rundll32(\.exe)?\"?\s+\S`,
  String.raw`^abc$`,
  String.raw`(?m)^b$`,
  String.raw`\bcat\b`,
  String.raw`a.c`,
  String.raw`(?s)a.c`,
  String.raw`x{2,4}y`,
  String.raw`(a|ab)(c|bcd)(d*)`,
  String.raw`[^a-z]+\d$`,
];
const INPUTS = ['', 'abc', 'abc\n', 'a\nb\nc', 'b\n', 'the cat sat', 'concat', 'a\nc', 'xxy', 'xxxxxy', 'abcd', 'ABC9', 'plink -R 1.2.3.4:22 u@5.6.7.8', 'evil.com:443', 'rundll32.exe  x', 'rundll32.exe', 'x -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA', 'dnscat --dns server=1.2.3.4,port=53 x', 'example.org'];

describe('linear-time regex engine', () => {
  it('agrees with the JS translation on the match verdict', () => {
    for (const p of PATTERNS) {
      const lin = linearRegex(p);
      expect(lin, p).not.toBeNull();
      const re = pcreToJs(p);
      for (const s of INPUTS) expect(lin?.(s), `${p} on ${JSON.stringify(s)}`).toBe(re.test(s));
    }
  });

  it('contains catastrophic backtracking: (\\w+\\s?)+$ on a long field finishes fast', () => {
    const p = String.raw`^(\w+\s?)+$`;
    const test = guardedTest(pcreToJs(p), p);
    expect(test.guard).toBe('linear-always');
    const evil = `${'a'.repeat(5000)}!`;
    const t = performance.now();
    expect(test(evil)).toBe(false);
    expect(test('abc def')).toBe(true);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('runs the seed on long values through the linear engine', () => {
    const test = guardedTest(pcreToJs(SEED), SEED);
    expect(test.guard).toBe('linear-long');
    const long = `powershell -enc ${'QUJD'.repeat(2000)} 10.0.0.1 x u@1.2.3.4 -R 5.6.7.8:80`;
    const expected = pcreToJs(SEED).test(long);
    const t = performance.now();
    expect(test(long)).toBe(expected);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

describe('regex prefilter (necessary factors)', () => {
  it('finds the seed factors and never rejects a match', () => {
    const pf = regexPrefilter(SEED);
    expect(pf).not.toBeNull();
    const pre = new RegExp(pf?.source ?? '', pf?.flags);
    const re = pcreToJs(SEED);
    for (const s of INPUTS) if (re.test(s)) expect(pre.test(s), s).toBe(true);
    expect(pre.test(`-enc ${'QUJD'.repeat(50)}`)).toBe(false);
  });

  it('keeps a factor that only looks like it contains another one ([bc] is not [b])', () => {
    // Member texts compared as strings made `xyzwb` look like a part of `xyzw[bc]`.
    for (const [pattern, subject] of [['xyzw[bc]|xyzwb', 'xyzwc'], ['wxyz[bc]|xyzb', 'wxyzc'], ['hello[a-c]|hello[ab]', 'helloc']] as const) {
      expect(pcreToJs(pattern).test(subject), pattern).toBe(true);
      const pf = regexPrefilter(pattern);
      expect(pf, pattern).not.toBeNull();
      expect(new RegExp(pf?.source ?? '', pf?.flags).test(subject), pattern).toBe(true);
    }
  });
});

describe('CSV lookup tables', () => {
  it('parses quotes, doubled quotes, commas and newlines in quoted fields', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",\n')).toEqual([['a', 'b'], ['x, y', 'say "hi"'], ['multi\nline', '']]);
    expect(csvTable('\uFEFFhost,owner\nWS01,alice\n\nWS02\n')).toEqual([{ host: 'WS01', owner: 'alice' }, { host: 'WS02', owner: '' }]);
  });
});
