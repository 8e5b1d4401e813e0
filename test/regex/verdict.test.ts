/**
 * Same-verdict checks: the js flavour on V8 and the rust flavour on the Rust regex
 * crate (rregex) must agree with PCRE2 on every subject. Expected verdicts are
 * recorded in cases.ts and re-checked against pcre2test when it is installed.
 */
import { describe, expect, it } from 'vitest';
import { translateRegex, type RegexFlavour } from '../../src/regex/index.js';
import { COMMON_SUBJECTS, VERDICT_CASES } from './cases.js';
import { jsVerdicts, luceneViaJsVerdicts, rustVerdicts } from './engines.js';
import { pcre2Available, pcreRun } from './pcre-oracle.js';

const FLAVOURS: RegexFlavour[] = ['pcre', 'rust', 'lucene', 'js'];
const subjectsOf = (c: { subjects?: string[] }): string[] => c.subjects ?? COMMON_SUBJECTS;

describe('recorded PCRE2 verdicts', () => {
  it.runIf(pcre2Available())('match live pcre2test', () => {
    const live = pcreRun(VERDICT_CASES.map((c) => ({ pattern: c.pattern, subjects: subjectsOf(c) })));
    VERDICT_CASES.forEach((c, i) => {
      const r = live[i];
      expect(r && 'verdicts' in r ? r.verdicts.map((v) => (v ? '1' : '0')).join('') : r, c.pattern).toBe(c.expect);
    });
  });

  it('have one verdict per subject', () => {
    for (const c of VERDICT_CASES) expect(c.expect.length, c.pattern).toBe(subjectsOf(c).length);
  });
});

describe('unsupported reporting', () => {
  for (const flavour of FLAVOURS) {
    it(`${flavour}: reports exactly the cases expected`, () => {
      const wrong: string[] = [];
      for (const c of VERDICT_CASES) {
        const t = translateRegex(c.pattern, flavour);
        if (!t.ok) throw new Error(`${c.pattern}: ${t.error.message}`);
        const expected = c.unsupportedIn?.includes(flavour) ?? false;
        if (t.result.unsupported.length > 0 !== expected) wrong.push(`${c.pattern} ${JSON.stringify(t.result.unsupported)}`);
      }
      expect(wrong).toEqual([]);
    });
  }
});

describe.each([
  ['js', jsVerdicts],
  ['rust', rustVerdicts],
  ['lucene', luceneViaJsVerdicts],
] as const)('%s flavour on its engine', (flavour, run) => {
  for (const c of VERDICT_CASES) {
    if (c.unsupportedIn?.includes(flavour)) continue;
    it(`same verdicts as PCRE2: ${JSON.stringify(c.pattern).slice(0, 80)}`, () => {
      const t = translateRegex(c.pattern, flavour);
      if (!t.ok) throw new Error(t.error.message);
      expect(run(t.result, subjectsOf(c)), t.result.pattern).toBe(c.expect);
    });
  }
});
