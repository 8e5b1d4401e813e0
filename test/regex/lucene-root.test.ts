/**
 * The shortcuts of the Lucene replay (lucene-states.ts: the root `.* X .*` of Builder.rootAround
 * and the subset construction that leaves its leading `.*` out of the stored subsets; the
 * one-pass minimization of acyclic DFAs in lucene-dfa.ts) against the plain construction that
 * carries the `.*` states and minimizes every node by Moore refinement.
 *
 * The replay throws as soon as one determinization exceeds its limit, so the least limit at
 * which it does not throw is the largest count of the whole replay. The shortcut must leave
 * that number unchanged: it is found by bisection with the plain construction, then the
 * shortcut must throw one below it and not at it.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { replayTooComplex } from '../../src/regex/flavours/lucene-states.js';
import { generatedLucenePatterns, printedLucenePatterns, type PatternShape } from '../support/lucene-patterns.js';

const RULE_DIRS = ['rules', '../shared/corpus/armory'].filter((d) => existsSync(d));

/**
 * The largest determinization of the plain replay, or undefined beyond `cap`. Doubling first:
 * a replay under a small limit stops early, and most counts are small.
 */
function largestPlainCount(pattern: string, cap: number): number | undefined {
  let hi = 16;
  while (hi < cap && replayTooComplex(pattern, hi, true)) hi *= 2;
  if (hi >= cap) {
    if (replayTooComplex(pattern, cap, true)) return undefined;
    hi = cap;
  }
  let lo = hi > 16 ? hi / 2 + 1 : 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (replayTooComplex(pattern, mid, true)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function expectSameLargestCount(pattern: string, cap: number): boolean {
  const count = largestPlainCount(pattern, cap);
  if (count === undefined) {
    expect({ pattern, tooComplex: replayTooComplex(pattern, cap) }).toEqual({ pattern, tooComplex: true });
    return false;
  }
  const shortcut = { below: count > 1 ? replayTooComplex(pattern, count - 1) : true, at: replayTooComplex(pattern, count) };
  expect({ pattern, count, ...shortcut }).toEqual({ pattern, count, below: true, at: false });
  return true;
}

/** `.*` among the leaves too, so that X itself holds `.*` (and the empty `()`: X may accept nothing but ""). */
const SHAPE: PatternShape = {
  leaves: ['a', 'b', 'A', '[ab]', '[Aa]', '[^a]', '[^\n]', '.', '\\-', '[\t ]', '.*', '()'],
  leaf: 0.4,
  cat: 0.6,
  alt: 0.8,
  repeats: ['?', '*', '+', '{1,3}', '{2}', '{0,2}', '{2,}'],
  pieces: 4,
  lead: 2 / 3,
  trails: ['.*', '.*', '', '\n?'],
};

describe('lucene replay: the shortcuts against the plain construction', () => {
  it('keeps the largest count of every corpus pattern with a root .*', () => {
    const patterns = printedLucenePatterns(RULE_DIRS, (p) => p.startsWith('.*') || p.endsWith('.*'));
    let counted = 0;
    for (const p of patterns) if (expectSameLargestCount(p, 9000)) counted++;
    expect(counted).toBeGreaterThan(patterns.length / 2);
  }, 120_000);

  it('keeps the largest count of generated patterns', () => {
    let counted = 0;
    for (const p of generatedLucenePatterns(400, 20261128, SHAPE)) if (expectSameLargestCount(p, 3000)) counted++;
    expect(counted).toBeGreaterThan(300);
  }, 120_000);
});
