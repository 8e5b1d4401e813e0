/**
 * minLength (src/regex/analyze.ts): the fewest characters a match consumes. The matcher runs
 * `rex max_match` only for regexes whose minLength is above 0, so the claim checked here is that
 * no match is ever shorter: on every verdict case and subject, through the js flavour and V8.
 */
import { describe, expect, it } from 'vitest';
import { minLength } from '../../src/regex/analyze.js';
import { canMatchEmpty, parseRegex, translateRegex } from '../../src/regex/index.js';
import { COMMON_SUBJECTS, VERDICT_CASES } from './cases.js';

function min(pattern: string): number {
  const parsed = parseRegex(pattern);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return minLength(parsed.regex.ast);
}

describe('minLength', () => {
  it.each([
    ['a*', 0],
    ['a?b', 1],
    ['a+b', 2],
    ['(?:ab|c){2,3}', 2],
    ['\\b|x', 0],
    ['x(?=yy)', 1],
    ['^(?<n>\\d{3})$', 3],
    ['(a)\\1', 1],
    ['\\S+\\.dll', 5],
  ])('%s: %i', (pattern, expected) => {
    expect(min(pattern)).toBe(expected);
  });

  it('canMatchEmpty: minLength 0, or a pattern that does not parse', () => {
    expect(['a*', '\\b', '(?:x|)', '(', 'x?y?'].map(canMatchEmpty)).toEqual([true, true, true, true, true]);
    expect(['a', '\\bfoo', 'x+', '(?:ab|c)'].map(canMatchEmpty)).toEqual([false, false, false, false]);
  });

  it('no match V8 finds is shorter (every verdict case, every subject, every match of a global search)', () => {
    let checked = 0;
    for (const c of VERDICT_CASES) {
      const t = translateRegex(c.pattern, 'js');
      if (!t.ok || t.result.unsupported.length > 0) continue;
      const least = min(c.pattern);
      const re = new RegExp(t.result.pattern, `g${t.result.caseInsensitive ? 'i' : ''}`);
      for (const subject of c.subjects ?? COMMON_SUBJECTS) {
        for (const m of subject.matchAll(re)) {
          expect(m[0].length, `${c.pattern} on ${JSON.stringify(subject)}`).toBeGreaterThanOrEqual(least);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
