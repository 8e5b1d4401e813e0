/**
 * The cheap bound of lucene-bound.ts against the automaton replay of lucene-states.ts.
 *
 * The bound claims that no determinization of the replay exceeds it. Running the replay with
 * the bound as its limit checks exactly that claim (the replay throws, i.e. says "too complex",
 * as soon as one determinization needs more states than the limit). Checked on every printed
 * lucene pattern of the corpus that the bound covers, and on generated patterns made to stress
 * the atoms argument (overlapping sets, case pairs, optional and bounded repetitions).
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { translateRegex } from '../../src/regex/index.js';
import { luceneStateBound, replayTooComplex, tooComplexForLucene } from '../../src/regex/flavours/lucene-states.js';
import { scanRegexes } from '../oracle/corpus.js';
import { rng } from '../support/rng.js';

const RULE_DIRS = ['rules', '../shared/corpus/armory'].filter((d) => existsSync(d));
/** The budget lucene.ts passes (80% of Elasticsearch's 10000). */
const BUDGET = 8000;

function printedLucenePatterns(): string[] {
  const out = new Set<string>();
  for (const r of scanRegexes(RULE_DIRS).regexes) {
    const t = translateRegex(r.pattern, 'lucene');
    if (t.ok) out.add(t.result.pattern);
  }
  return [...out].sort();
}

const SETS = ['a', 'b', 'c', 'A', '[ab]', '[Aa]', '[Bb]', '[^a]', '[a-c]', '[^\n]', '.', '\\-'];

function generated(count: number, seed: number): string[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const finite = (depth: number): string => {
    const roll = r();
    if (depth <= 0 || roll < 0.45) return pick(SETS);
    if (roll < 0.7) return Array.from({ length: 1 + Math.floor(r() * 4) }, () => finite(depth - 1)).join('');
    if (roll < 0.85) return `(${Array.from({ length: 2 + Math.floor(r() * 3) }, () => finite(depth - 1)).join('|')})`;
    const body = `(${finite(depth - 1)})`;
    return pick([`${body}?`, `${body}{1,3}`, `${body}{2}`, `${body}{0,2}`]);
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const middle = Array.from({ length: 1 + Math.floor(r() * 3) }, () => finite(3)).join('');
    out.push(`${r() < 0.7 ? '.*' : ''}${middle}${pick(['.*', '', '\n?'])}`);
  }
  return out;
}

describe('lucene state bound', () => {
  const corpus = printedLucenePatterns();

  it('never undercounts the replay on the corpus patterns it covers', () => {
    let covered = 0;
    for (const p of corpus) {
      const bound = luceneStateBound(p);
      if (bound === undefined || bound > 100_000) continue;
      covered++;
      expect({ p, bound, tooComplex: replayTooComplex(p, bound) }).toEqual({ p, bound, tooComplex: false });
    }
    // Most printed patterns are word searches; the bound is only useful if it covers many.
    expect(covered).toBeGreaterThan(corpus.length / 2);
  });

  it('leaves every corpus verdict as the replay alone gives it', () => {
    for (const p of corpus) expect({ p, v: tooComplexForLucene(p, BUDGET) }).toEqual({ p, v: replayTooComplex(p, BUDGET) });
  });

  it('never undercounts the replay on generated patterns', () => {
    let covered = 0;
    for (const p of generated(400, 20240611)) {
      const bound = luceneStateBound(p);
      if (bound === undefined || bound > 20_000) continue;
      covered++;
      expect({ p, bound, tooComplex: replayTooComplex(p, bound) }).toEqual({ p, bound, tooComplex: false });
    }
    expect(covered).toBeGreaterThan(100);
  });

  it('does not cover the shapes that blow up, nor unbounded repetitions in the middle', () => {
    // A window of a broad set after `.*`: every start position in it must be remembered.
    const window = '.*a[^\n]{25}.*';
    expect(replayTooComplex(window, BUDGET)).toBe(true);
    expect(luceneStateBound(window) ?? Infinity).toBeGreaterThan(BUDGET);
    expect(tooComplexForLucene(window, BUDGET)).toBe(true);
    // `.*` inside an alternative: the argument needs a middle without unbounded repetition.
    expect(luceneStateBound('(.*a.*b.*c|x.*y).*')).toBeUndefined();
    expect(luceneStateBound('.*a[\t ]+b.*')).toBeUndefined();
  });
});
