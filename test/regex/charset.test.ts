/**
 * ASCII case folding of code point sets, checked against the definition code point by code point
 * (foldAscii and isCaseSensitive clip ranges directly rather than going through set algebra).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equals, foldAscii, isCaseSensitive, literalSet, normalize, type CodeSet } from '../../src/regex/charset.js';

const other = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c >= 0x61 && c <= 0x7a ? c - 0x20 : c);

/** The folded set built one code point at a time (sets kept below 0x200 so this stays cheap). */
function foldByPoints(set: CodeSet): CodeSet {
  const points: [number, number][] = [];
  for (const [lo, hi] of set) for (let c = lo; c <= hi; c++) points.push([c, c], [other(c), other(c)]);
  return normalize(points);
}

const smallSet = fc.array(fc.tuple(fc.integer({ min: 0, max: 0x1ff }), fc.integer({ min: 0, max: 40 })), { maxLength: 6 }).map((rs) => normalize(rs.map(([lo, n]): [number, number] => [lo, lo + n])));

describe('ASCII case folding of code point sets', () => {
  it('foldAscii adds exactly the other case of each ASCII letter', () => {
    fc.assert(fc.property(smallSet, (set) => {
      expect(foldAscii(set)).toEqual(foldByPoints(set));
    }), { numRuns: 2000 });
  });

  it('isCaseSensitive is "folding changes the set"', () => {
    fc.assert(fc.property(smallSet, (set) => {
      expect(isCaseSensitive(set)).toBe(!equals(set, foldByPoints(set)));
    }), { numRuns: 2000 });
  });

  it('literalSet folds a letter to both cases and leaves anything else alone', () => {
    for (let c = 0; c < 0x200; c++) {
      expect(literalSet(c, true)).toEqual(foldByPoints([[c, c]]));
      expect(literalSet(c, false)).toEqual([[c, c]]);
    }
  });
});
