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
import { luceneStateBound, replayTooComplex, tooComplexForLucene } from '../../src/regex/flavours/lucene-states.js';
import { generatedLucenePatterns, printedLucenePatterns, type PatternShape } from '../support/lucene-patterns.js';

const RULE_DIRS = ['rules', '../shared/corpus/armory'].filter((d) => existsSync(d));
/** The budget lucene.ts passes (80% of Elasticsearch's 10000). */
const BUDGET = 8000;

/** Finite middles only (the bound's shape): no `*` or `+`. */
const SHAPE: PatternShape = {
  leaves: ['a', 'b', 'c', 'A', '[ab]', '[Aa]', '[Bb]', '[^a]', '[a-c]', '[^\n]', '.', '\\-'],
  leaf: 0.45,
  cat: 0.7,
  alt: 0.85,
  repeats: ['?', '{1,3}', '{2}', '{0,2}'],
  pieces: 3,
  lead: 0.7,
  trails: ['.*', '', '\n?'],
};

describe('lucene state bound', () => {
  const corpus = printedLucenePatterns(RULE_DIRS);

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
    for (const p of generatedLucenePatterns(400, 20240611, SHAPE)) {
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
