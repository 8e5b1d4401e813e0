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
import { translateRegex } from '../../src/regex/index.js';
import { replayTooComplex } from '../../src/regex/flavours/lucene-states.js';
import { scanRegexes } from '../oracle/corpus.js';
import { rng } from '../support/rng.js';

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
const LEAVES = ['a', 'b', 'A', '[ab]', '[Aa]', '[^a]', '[^\n]', '.', '\\-', '[\t ]', '.*', '()'];

function generated(count: number, seed: number): string[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const node = (depth: number): string => {
    const roll = r();
    if (depth <= 0 || roll < 0.4) return pick(LEAVES);
    if (roll < 0.6) return Array.from({ length: 1 + Math.floor(r() * 4) }, () => node(depth - 1)).join('');
    if (roll < 0.8) return `(${Array.from({ length: 2 + Math.floor(r() * 3) }, () => node(depth - 1)).join('|')})`;
    return `(${node(depth - 1)})${pick(['?', '*', '+', '{1,3}', '{2}', '{0,2}', '{2,}'])}`;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const middle = Array.from({ length: 1 + Math.floor(r() * 4) }, () => node(3)).join('');
    out.push(`${pick(['.*', '.*', ''])}${middle}${pick(['.*', '.*', '', '\n?'])}`);
  }
  return out;
}

describe('lucene replay: the shortcuts against the plain construction', () => {
  it('keeps the largest count of every corpus pattern with a root .*', () => {
    const patterns = new Set<string>();
    for (const r of scanRegexes(RULE_DIRS).regexes) {
      const t = translateRegex(r.pattern, 'lucene');
      if (t.ok && (t.result.pattern.startsWith('.*') || t.result.pattern.endsWith('.*'))) patterns.add(t.result.pattern);
    }
    let counted = 0;
    for (const p of [...patterns].sort()) if (expectSameLargestCount(p, 9000)) counted++;
    expect(counted).toBeGreaterThan(patterns.size / 2);
  }, 120_000);

  it('keeps the largest count of generated patterns', () => {
    let counted = 0;
    for (const p of generated(400, 20261128)) if (expectSameLargestCount(p, 3000)) counted++;
    expect(counted).toBeGreaterThan(300);
  }, 120_000);
});
