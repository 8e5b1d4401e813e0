/**
 * The oniguruma flavour (ES|QL GROK) against joni itself: each printed pattern must give the
 * recorded PCRE2 verdict on every subject (cases.ts; re-checked against pcre2test in
 * verdict.test.ts). Runs when Java and Debian's joni/jcodings jars are installed; skips loudly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { translateRegex } from '../../src/regex/index.js';
import { COMMON_SUBJECTS, VERDICT_CASES } from './cases.js';
import { pcre2Available, pcreRun } from './pcre-oracle.js';

const JARS = ['/usr/share/java/joni.jar', '/usr/share/java/jcodings.jar'];
const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'oracle', 'JoniCheck.java');
const available = JARS.every((j) => existsSync(j)) && spawnSync('java', ['-version']).status === 0;
if (!available) console.warn('SKIPPED: joni oracle needs java and libjruby-joni-java + libjcodings-java');

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

/** Per pattern: the compile error, or one verdict per subject. */
function joniRun(cases: { pattern: string; subjects: string[] }[]): ({ error: string } | { verdicts: string })[] {
  const input = cases.flatMap((c) => [`P ${hex(c.pattern)}`, ...c.subjects.map((s) => `S ${hex(s)}`)]).join('\n') + '\n';
  const res = spawnSync('java', ['-cp', JARS.join(':'), SOURCE], { input, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (res.status !== 0) throw new Error(res.stderr);
  const lines = res.stdout.split('\n');
  let at = 0;
  return cases.map((c) => {
    const head = lines[at++] ?? '';
    const verdicts = lines.slice(at, at + c.subjects.length).join('');
    at += c.subjects.length;
    return head === 'ok' ? { verdicts } : { error: head };
  });
}

// Patterns from the corpus and the syntax differences the flavour handles, checked live.
const EXTRA: string[] = [
  '(?<registry_path>[^"\\s]+Windows\\\\CurrentVersion\\\\Run[^"\\s]{0,})',
  '\\bcmd\\b',
  '\\Bmd',
  '(?m)^a$',
  '(?s)a.b',
  'a{2}?b',
  '[a&&b]',
  '\\h',
  '\\v',
  '\\Q{,3}\\E',
  'a{,3}',
  '(?i)\\w+é',
  '(?<n>a)\\k<n>',
];
const EXTRA_SUBJECTS = [...COMMON_SUBJECTS, 'C:\\x "HKLM\\Windows\\CurrentVersion\\RunOnce" y', 'aab', '&', 'a\u2028b', 'aa', 'Ké'];
// pcre2test runs without UTF: only subjects whose code points fit one Latin-1 byte.
const LATIN1_SUBJECTS = EXTRA_SUBJECTS.filter((s) => [...s].every((c) => (c.codePointAt(0) ?? 0) <= 0xff));

describe.runIf(available)('oniguruma flavour on joni (GROK)', () => {
  it('gives the recorded PCRE2 verdicts', () => {
    const cases = VERDICT_CASES.map((c) => ({ c, t: translateRegex(c.pattern, 'oniguruma') })).filter(
      (x) => x.t.ok && x.t.result.unsupported.length === 0,
    );
    const out = joniRun(cases.map(({ c, t }) => ({ pattern: t.ok ? t.result.pattern : '', subjects: c.subjects ?? COMMON_SUBJECTS })));
    const wrong = cases.flatMap(({ c, t }, i) => {
      const r = out[i];
      const got = r && 'verdicts' in r ? r.verdicts : r?.error;
      return got === c.expect ? [] : [`${c.pattern} -> ${t.ok ? t.result.pattern : ''}: ${got} (PCRE2 ${c.expect})`];
    });
    expect(wrong).toEqual([]);
    expect(cases.length).toBeGreaterThan(VERDICT_CASES.length / 2);
  });

  it.runIf(pcre2Available())('agrees with live pcre2test on syntax-difference patterns', () => {
    const pcre = pcreRun(EXTRA.map((pattern) => ({ pattern, subjects: LATIN1_SUBJECTS })));
    const printed = EXTRA.map((p) => {
      const t = translateRegex(p, 'oniguruma');
      if (!t.ok || t.result.unsupported.length) throw new Error(`${p}: not printable`);
      return t.result.pattern;
    });
    const joni = joniRun(printed.map((pattern) => ({ pattern, subjects: LATIN1_SUBJECTS })));
    const wrong = EXTRA.flatMap((p, i) => {
      const want = pcre[i];
      const got = joni[i];
      const w = want && 'verdicts' in want ? want.verdicts.map((v) => (v ? '1' : '0')).join('') : JSON.stringify(want);
      const g = got && 'verdicts' in got ? got.verdicts : JSON.stringify(got);
      return w === g ? [] : [`${p} -> ${printed[i]}: joni ${g}, PCRE2 ${w}`];
    });
    expect(wrong).toEqual([]);
  });
});
