/**
 * Minimization of the Lucene replay (lucene-dfa.ts): the one-pass minimization of acyclic
 * DFAs must write the same table as Moore's refinement (minimize(d, true)), state for state
 * and column for column, since the replay's counts are taken on what it returns.
 */
import { describe, expect, it } from 'vitest';
import { minimize, type Dfa } from '../../src/regex/flavours/lucene-dfa.js';
import { rng } from '../support/rng.js';

/**
 * A random DFA whose states come in few kinds (so that many are equivalent and merge), with
 * missing moves; `acyclic` sends every move to a later state.
 */
function randomDfa(r: () => number, acyclic: boolean): Dfa {
  const n = 1 + Math.floor(r() * 40);
  const m = 1 + Math.floor(r() * 5);
  const accept = new Uint8Array(n);
  const next = new Int32Array(n * m).fill(-1);
  for (let s = 0; s < n; s++) {
    accept[s] = r() < 0.3 ? 1 : 0;
    for (let c = 0; c < m; c++) {
      if (r() < 0.35) continue;
      if (acyclic) {
        if (s + 1 < n) next[s * m + c] = s + 1 + Math.floor(r() * Math.min(3, n - s - 1));
      } else next[s * m + c] = Math.floor(r() * n);
    }
  }
  const k = m + Math.floor(r() * 3);
  const cls = Int32Array.from({ length: k }, (_, c) => (c < m ? c : Math.floor(r() * m)));
  return { n, m, cls, accept, next };
}

describe('lucene replay: minimization', () => {
  it('writes the same minimal DFA in one pass as Moore refinement, on acyclic DFAs', () => {
    const r = rng(20261128);
    let merged = 0;
    for (let i = 0; i < 600; i++) {
      const d = randomDfa(r, true);
      const fast = minimize(d);
      expect(fast).toEqual(minimize(d, true));
      if (fast.n < d.n) merged++;
    }
    // The inputs must exercise merging, not only copy tables.
    expect(merged).toBeGreaterThan(200);
  });

  it('gives the same table on cyclic DFAs (the one pass must find the cycle and leave them to Moore)', () => {
    const r = rng(7);
    for (let i = 0; i < 200; i++) {
      const d = randomDfa(r, false);
      expect(minimize(d)).toEqual(minimize(d, true));
    }
  });
});
