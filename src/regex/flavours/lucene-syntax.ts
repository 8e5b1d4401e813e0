/**
 * The printed Lucene subset as a tree, and the alphabet of a tree: the parser and the
 * character classes shared by the automaton replay (lucene-states.ts) and its cheap
 * upper bound (lucene-bound.ts).
 */

export type LuceneNode =
  | { k: 'set'; ranges: [number, number][] }
  | { k: 'cat'; items: LuceneNode[] }
  | { k: 'alt'; items: LuceneNode[] }
  | { k: 'rep'; body: LuceneNode; min: number; max: number | null };

/** The largest code point: `.` and negated classes reach it. */
export const MAX_CODE_POINT = 0x10ffff;
const MAX = MAX_CODE_POINT;

/** Code points of the operators. */
const BAR = 0x7c;
const LPAREN = 0x28;
const RPAREN = 0x29;
const STAR = 0x2a;
const PLUS = 0x2b;
const QUESTION = 0x3f;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COMMA = 0x2c;
const DOT = 0x2e;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;

/** Parser for the printed subset: escapes `\c`, `.`, `[...]`, `[^...]`, `( )`, `|`, `* + ? {n,m}`. */
export function parseLucene(src: string): LuceneNode {
  const cps = [...src].map((c) => c.codePointAt(0) ?? 0);
  let i = 0;
  const peek = (): number | undefined => cps[i];

  function alt(): LuceneNode {
    const items = [cat()];
    while (peek() === BAR) {
      i++;
      items.push(cat());
    }
    return items.length === 1 ? (items[0] as LuceneNode) : { k: 'alt', items };
  }

  function cat(): LuceneNode {
    const items: LuceneNode[] = [];
    for (let c = peek(); c !== undefined && c !== BAR && c !== RPAREN; c = peek()) items.push(repeat(atom()));
    return { k: 'cat', items };
  }

  function num(): number {
    let n = 0;
    for (let c = peek(); c !== undefined && c >= 0x30 && c <= 0x39; c = peek()) {
      n = n * 10 + (c - 0x30);
      i++;
    }
    return n;
  }

  function repeat(body: LuceneNode): LuceneNode {
    for (;;) {
      const c = peek();
      if (c === STAR) body = { k: 'rep', body, min: 0, max: null };
      else if (c === PLUS) body = { k: 'rep', body, min: 1, max: null };
      else if (c === QUESTION) body = { k: 'rep', body, min: 0, max: 1 };
      else if (c === LBRACE) {
        i++;
        const min = num();
        let max: number | null = min;
        if (peek() === COMMA) {
          i++;
          max = peek() === RBRACE ? null : num();
        }
        body = { k: 'rep', body, min, max };
      } else return body;
      i++;
    }
  }

  function atom(): LuceneNode {
    const c = cps[i++] as number;
    if (c === LPAREN) {
      const inner = alt();
      i++; // ')'
      return inner;
    }
    if (c === DOT) return { k: 'set', ranges: [[0, MAX]] };
    if (c === LBRACKET) return klass();
    if (c === BACKSLASH) {
      const e = cps[i++] as number;
      return { k: 'set', ranges: [[e, e]] };
    }
    return { k: 'set', ranges: [[c, c]] };
  }

  function klass(): LuceneNode {
    let negated = false;
    if (peek() === CARET) {
      negated = true;
      i++;
    }
    const ranges: [number, number][] = [];
    const member = (): number => {
      const c = cps[i++] as number;
      return c === BACKSLASH ? (cps[i++] as number) : c;
    };
    while (peek() !== undefined && peek() !== RBRACKET) {
      const lo = member();
      if (peek() === DASH && cps[i + 1] !== RBRACKET) {
        i++;
        ranges.push([lo, member()]);
      } else ranges.push([lo, lo]);
    }
    i++; // ']'
    if (!negated) return { k: 'set', ranges };
    ranges.sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    let next = 0;
    for (const [lo, hi] of ranges) {
      if (lo > next) out.push([next, lo - 1]);
      next = Math.max(next, hi + 1);
    }
    if (next <= MAX) out.push([next, MAX]);
    return { k: 'set', ranges: out };
  }

  return alt();
}

/** `.*`: any code point, any number of times. */
export function isAnything(node: LuceneNode): boolean {
  if (node.k !== 'rep' || node.min !== 0 || node.max !== null || node.body.k !== 'set') return false;
  const r = node.body.ranges;
  return r.length === 1 && (r[0] as [number, number])[0] === 0 && (r[0] as [number, number])[1] >= MAX;
}

function collectRanges(node: LuceneNode, out: [number, number][]): void {
  if (node.k === 'set') out.push(...node.ranges);
  else if (node.k === 'rep') collectRanges(node.body, out);
  else for (const item of node.items) collectRanges(item, out);
}

/**
 * The code points a tree's sets tell apart, as intervals: class c is
 * [bounds[c], bounds[c + 1]). Every set is a union of whole classes.
 */
export interface Alphabet {
  bounds: number[];
  k: number;
}

export function alphabetOf(tree: LuceneNode): Alphabet {
  const ranges: [number, number][] = [];
  collectRanges(tree, ranges);
  // A numeric typed-array sort (no comparator callback), then duplicates dropped.
  const cuts = new Int32Array(2 * ranges.length + 2);
  cuts[1] = MAX + 1;
  for (let j = 0; j < ranges.length; j++) {
    const [lo, hi] = ranges[j] as [number, number];
    cuts[2 * j + 2] = lo;
    cuts[2 * j + 3] = hi + 1;
  }
  cuts.sort();
  const bounds: number[] = [];
  for (let j = 0; j < cuts.length; j++) if (j === 0 || cuts[j] !== cuts[j - 1]) bounds.push(cuts[j] as number);
  return { bounds, k: bounds.length - 1 };
}

/** The class of a code point: the last one whose lower bound is <= cp (binary search). */
export function classIndex(a: Alphabet, cp: number): number {
  let lo = 0;
  let hi = a.k - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((a.bounds[mid] as number) <= cp) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
