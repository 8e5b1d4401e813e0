/** Lucene patterns for the tests of the replay (lucene-states.ts): printed from the rules, or generated. */
import { translateRegex } from '../../src/regex/index.js';
import { scanRegexes } from '../oracle/corpus.js';
import { rng } from './rng.js';

/** The distinct patterns the lucene flavour prints for the regexes of the rules under `dirs`, sorted. */
export function printedLucenePatterns(dirs: readonly string[], keep: (pattern: string) => boolean = () => true): string[] {
  const out = new Set<string>();
  for (const r of scanRegexes(dirs).regexes) {
    const t = translateRegex(r.pattern, 'lucene');
    if (t.ok && keep(t.result.pattern)) out.add(t.result.pattern);
  }
  return [...out].sort();
}

/** What generated patterns are made of: `lead? middle trail`, the middle a few random trees. */
export interface PatternShape {
  readonly leaves: readonly string[];
  /** Cumulative chances of a node being a leaf, a concatenation, a union; a repetition otherwise. */
  readonly leaf: number;
  readonly cat: number;
  readonly alt: number;
  /** Suffixes of a repeated group. */
  readonly repeats: readonly string[];
  /** The middle has 1 to this many trees of depth 3. */
  readonly pieces: number;
  /** Chance of a leading `.*`. */
  readonly lead: number;
  readonly trails: readonly string[];
}

/** `count` patterns of `shape`, the same ones for the same seed. */
export function generatedLucenePatterns(count: number, seed: number, shape: PatternShape): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const node = (depth: number): string => {
    const roll = r();
    if (depth <= 0 || roll < shape.leaf) return pick(shape.leaves);
    if (roll < shape.cat) return Array.from({ length: 1 + Math.floor(r() * 4) }, () => node(depth - 1)).join('');
    if (roll < shape.alt) return `(${Array.from({ length: 2 + Math.floor(r() * 3) }, () => node(depth - 1)).join('|')})`;
    const body = node(depth - 1);
    return `(${body})${pick(shape.repeats)}`;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const middle = Array.from({ length: 1 + Math.floor(r() * shape.pieces) }, () => node(3)).join('');
    const lead = r() < shape.lead ? '.*' : '';
    out.push(`${lead}${middle}${pick(shape.trails)}`);
  }
  return out;
}
