/**
 * Random differential test: generated patterns over the constructs the js and
 * rust flavours claim to support, run on V8 / rregex, compared with pcre2test.
 * Skipped when pcre2test (Debian pcre2-utils) is not installed.
 */
import { describe, expect, it } from 'vitest';
import { translateRegex } from '../../src/regex/index.js';
import { jsVerdicts, luceneViaJsVerdicts, rustVerdicts } from './engines.js';
import { pcre2Available, pcreRun } from './pcre-oracle.js';

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

const pick = <T>(r: (n: number) => number, xs: readonly T[]): T => xs[r(xs.length)] as T;

const LITERALS = ['a', 'b', 'A', 'k', 'S', ' ', '\\n', '\\.', '\\-', '-', '1', '_', '\\t', '\\x0b'];
const SIMPLE = ['.', '\\d', '\\w', '\\s', '\\W', '\\S', '\\D', '\\N'];
const CLASS_MEMBERS = ['a', 'b-d', 'A-C', 'k', 's', '\\d', '\\s', '\\W', '\\n', ' ', '_', '\\-', '[:alpha:]', '[:^lower:]', '.'];
const ZERO_WIDTH = ['^', '$', '\\A', '\\z', '\\Z', '\\b', '\\B', '(?i)', '(?-i)'];
const QUANTIFIERS = ['*', '+', '?', '{2}', '{0,2}', '{1,}', '*?', '+?', '??'];

function genAlt(r: (n: number) => number, depth: number): string {
  const n = 1 + r(depth > 1 ? 2 : 3);
  return Array.from({ length: n }, () => genSeq(r, depth)).join('|');
}

function genSeq(r: (n: number) => number, depth: number): string {
  const len = r(4);
  let out = '';
  for (let i = 0; i < len; i++) out += genItem(r, depth);
  return out;
}

function genItem(r: (n: number) => number, depth: number): string {
  const k = r(10);
  if (k < 1) return pick(r, ZERO_WIDTH);
  let atom: string;
  if (k < 5) atom = pick(r, LITERALS);
  else if (k < 7) atom = pick(r, SIMPLE);
  else if (k < 8) {
    const members = Array.from({ length: 1 + r(3) }, () => pick(r, CLASS_MEMBERS)).join('');
    atom = `[${r(3) === 0 ? '^' : ''}${members}]`;
  } else if (depth < 3) atom = `${pick(r, ['(', '(?:', '(?i:', '(?s:'])}${genAlt(r, depth + 1)})`;
  else atom = pick(r, LITERALS);
  return r(3) === 0 ? atom + pick(r, QUANTIFIERS) : atom;
}

const SUBJECT_CHARS = ['a', 'b', 'A', 'B', 'k', 's', 'S', ' ', '\n', '\t', '\u000b', '1', '_', '-', '.', '\u212a', '\u00e9'];

function genSubjects(r: (n: number) => number, count: number): string[] {
  return Array.from({ length: count }, () => {
    const len = r(6);
    let s = '';
    for (let i = 0; i < len; i++) s += pick(r, SUBJECT_CHARS);
    return s;
  });
}

describe.runIf(pcre2Available())('differential vs pcre2test', () => {
  it('pcre, js, rust and lucene (JS stand-in) flavours agree with PCRE2 on random patterns', () => {
    const r = rng(Number(process.env.REGEX_FUZZ_SEED ?? 20240531));
    const cases = Array.from({ length: Number(process.env.REGEX_FUZZ_CASES ?? 600) }, () => {
      const prefix = pick(r, ['', '', '(?i)', '(?s)', '(?m)', '(?i)(?s)']);
      return { pattern: prefix + genAlt(r, 0), subjects: genSubjects(r, 40) };
    });
    // pcre2test runs in non-UTF mode, so give it Latin-1 subjects only; U+212A is checked
    // separately below (it cannot be a one-character subject there).
    const latin = cases.map((c) => ({ ...c, subjects: c.subjects.filter((s) => !s.includes('\u212a')) }));
    const oracle = pcreRun(latin);
    const failures: string[] = [];
    let checked = 0;
    latin.forEach((c, i) => {
      const o = oracle[i];
      if (!o || 'error' in o) {
        // The generator can write e.g. `[.\\s.]`, a POSIX collating element; the parser must agree.
        if (translateRegex(c.pattern, 'js').ok) failures.push(`pcre2 rejected ${JSON.stringify(c.pattern)} but we parsed it: ${JSON.stringify(o)}`);
        return;
      }
      const expected = o.verdicts.map((v) => (v ? '1' : '0')).join('');
      for (const [flavour, run] of [['js', jsVerdicts], ['rust', rustVerdicts], ['lucene', luceneViaJsVerdicts]] as const) {
        const t = translateRegex(c.pattern, flavour);
        if (!t.ok) {
          failures.push(`parse failed ${JSON.stringify(c.pattern)}: ${t.error.message}`);
          continue;
        }
        if (t.result.unsupported.length) continue;
        checked++;
        const got = run(t.result, c.subjects);
        if (got !== expected) {
          const bad = c.subjects.filter((_, j) => got[j] !== expected[j]);
          failures.push(`${flavour} ${JSON.stringify(c.pattern)} -> ${JSON.stringify(t.result.pattern)} differs on ${JSON.stringify(bad)}`);
        }
      }
    });
    // The pcre flavour (Sigma) is checked on PCRE2 itself, with `|i` as a leading (?i).
    const pcreCases = latin.flatMap((c, i) => {
      const o = oracle[i];
      const t = translateRegex(c.pattern, 'pcre');
      if (!o || 'error' in o || !t.ok || t.result.unsupported.length) return [];
      const printed = (t.result.caseInsensitive ? '(?i)' : '') + t.result.pattern;
      return [{ pattern: printed, subjects: c.subjects, source: c.pattern, expected: o.verdicts }];
    });
    pcreRun(pcreCases).forEach((o, i) => {
      const c = pcreCases[i];
      if (!c) return;
      checked++;
      if (!o || 'error' in o || o.verdicts.join() !== c.expected.join()) {
        failures.push(`pcre ${JSON.stringify(c.source)} -> ${JSON.stringify(c.pattern)} differs: ${JSON.stringify(o)}`);
      }
    });
    expect(failures.slice(0, 20)).toEqual([]);
    expect(checked).toBeGreaterThan(cases.length);
  }, 120_000);
});
