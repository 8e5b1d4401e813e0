/**
 * A cheap upper bound on every state count the automaton replay (lucene-states.ts) would
 * reach, for the common shape of printed search patterns: an optional leading `.*`, a
 * middle with no unbounded repetition, an optional trailing `.*`. When the bound is within
 * the limit the replay cannot throw, so its answer ("not too complex") is known without
 * building any automaton. Other shapes get no bound (the replay decides).
 *
 * Why it is an upper bound. Call two code points equivalent when every set of the pattern
 * contains both or neither; the classes of this relation are the atoms. Every automaton
 * the replay builds moves alike on equivalent code points (its columns are unions of set
 * memberships), so the state a determinization reaches after reading w depends only on
 * the atom string of w. Let F be the language of the middle (all sets non-empty, so every
 * piece is trim: each state it reaches can still accept).
 *
 * 1. A node X of the middle: its determinization reaches a non-empty subset only after a
 *    prefix of L(X) (trimness), and the subset depends on the atom string only, so it
 *    counts at most 1 + P(X) subsets, where P(X) bounds the non-empty atom-string
 *    prefixes of L(X) and W(X) the atom strings of L(X):
 *      set S        W = P = atoms(S)
 *      X1 X2 … Xn   W = ∏ Wi,  P = Σi (W1 ⋯ Wi-1) Pi   (the prefix ends inside Xi)
 *      X1 | … | Xn  W = Σ Wi,  P = Σ Pi
 *      Y{a,b}       W = Σ_{a<=j<=b} WY^j,  P = PY (1 + WY + … + WY^(b-1))
 *                   (prefixes of Y^j, j <= b, are prefixes of Y^b: L(Y) is not empty)
 * 2. The root, `.*` F `.*` (either `.*` may be missing): after w, the states inside F's
 *    pieces come from the suffixes of w that are prefixes of F (a state of piece i is
 *    reached by a suffix y v with y in the language of pieces 1..i-1 and v a prefix of
 *    piece i, so y v is a prefix of F). All such suffixes are suffixes of the longest one,
 *    u, so they and the states they reach depend on the atom string of u, one of at most
 *    1 + P(F). The leading `.*` state is always present, the trailing one present or not
 *    (a match of F ended somewhere), and the start state is only in the first subset:
 *    at most 1 + 2 (1 + P(F)) subsets. (Without the leading `.*`, the states inside F
 *    depend on w itself when w is a prefix of F and are absent otherwise: fewer.)
 *    This is the Aho-Corasick argument with atoms in place of characters.
 * 3. The `.*` pieces themselves determinize to 2 subsets.
 *
 * test/regex/lucene-bound.test.ts runs the replay with the bound as its limit on every
 * corpus pattern the bound covers and on generated ones: it never throws.
 */
import { classIndex, isAnything, type Alphabet, type LuceneNode } from './lucene-syntax.js';

/**
 * The largest determinization the replay of `tree` could reach, or undefined when the tree
 * is not of the covered shape. Counts beyond 2^53 come back as Infinity.
 */
export function replayStateBound(tree: LuceneNode, alphabet: Alphabet): number | undefined {
  const leaves = tree.k === 'cat' ? flatten(tree) : [tree];
  let from = 0;
  let to = leaves.length;
  if (to > 0 && isAnything(leaves[0] as LuceneNode)) from = 1;
  if (to > from && isAnything(leaves[to - 1] as LuceneNode)) to--;
  const middle = leaves.slice(from, to);
  // Unbounded repetitions in the middle are not covered: say so before counting any atoms
  // (most patterns the replay has to decide have one, and the atoms are the costly part).
  if (middle.length === 0 || middle.some(hasUnboundedRepetition)) return undefined;
  const atoms = atomCounter(tree, alphabet);
  let worst = 2; // a `.*` piece
  let W = 1;
  let P = 0;
  for (const leaf of middle) {
    const b = measure(leaf, atoms);
    if (b === undefined) return undefined;
    worst = Math.max(worst, b.worst);
    P = cap(P + W * b.P);
    W = cap(W * b.W);
  }
  return Math.max(worst, cap(1 + 2 * (1 + P)));
}

interface Measure {
  /** Atom strings of the language (an upper bound). */
  W: number;
  /** Non-empty atom-string prefixes of the language (an upper bound). */
  P: number;
  /** The largest determinization inside the node, the node's own included. */
  worst: number;
}

const cap = (x: number): number => (x > Number.MAX_SAFE_INTEGER ? Infinity : x);

function flatten(node: LuceneNode, out: LuceneNode[] = []): LuceneNode[] {
  if (node.k === 'cat') for (const item of node.items) flatten(item, out);
  else out.push(node);
  return out;
}

function hasUnboundedRepetition(node: LuceneNode): boolean {
  switch (node.k) {
    case 'set':
      return false;
    case 'rep':
      return node.max === null || hasUnboundedRepetition(node.body);
    case 'cat':
    case 'alt':
      return node.items.some(hasUnboundedRepetition);
  }
}

function measure(node: LuceneNode, atoms: (ranges: [number, number][]) => number): Measure | undefined {
  switch (node.k) {
    case 'set': {
      const n = atoms(node.ranges);
      return n === 0 ? undefined : { W: n, P: n, worst: 0 };
    }
    case 'cat':
    case 'alt': {
      const leaves = node.k === 'cat' ? flatten(node) : node.items;
      let W = node.k === 'cat' ? 1 : 0;
      let P = 0;
      let worst = 0;
      for (const item of leaves) {
        const b = measure(item, atoms);
        if (b === undefined) return undefined;
        worst = Math.max(worst, b.worst);
        if (node.k === 'cat') {
          P = cap(P + W * b.P);
          W = cap(W * b.W);
        } else {
          P = cap(P + b.P);
          W = cap(W + b.W);
        }
      }
      return { W, P, worst: Math.max(worst, cap(1 + P)) };
    }
    case 'rep': {
      if (node.max === null) return undefined;
      const b = measure(node.body, atoms);
      if (b === undefined) return undefined;
      let W = 0;
      let power = 1; // WY^j
      let sum = 0; // 1 + WY + … + WY^(j-1)
      for (let j = 0; j <= node.max; j++) {
        if (j >= node.min) W = cap(W + power);
        if (j < node.max) sum = cap(sum + power);
        power = cap(power * b.W);
      }
      const P = node.max === 0 ? 0 : cap(b.P * sum);
      return { W, P, worst: Math.max(b.worst, cap(1 + P)) };
    }
  }
}

/**
 * Counts the atoms a set covers. An atom is a group of alphabet classes with the same
 * membership in every distinct set of the tree (the same signature: the ids of the sets
 * holding it); a class's signature grows only by the sets that cover it, so this costs the
 * total size of the sets, not classes times sets.
 */
function atomCounter(tree: LuceneNode, alphabet: Alphabet): (ranges: [number, number][]) => number {
  const spans = (ranges: [number, number][]): number[] => {
    const out: number[] = [];
    for (const [lo, hi] of ranges) if (lo <= hi) out.push(classIndex(alphabet, lo), classIndex(alphabet, hi));
    return out;
  };
  const signature = new Array<string>(alphabet.k).fill('');
  const seenSets = new Set<string>();
  const collect = (n: LuceneNode): void => {
    if (n.k === 'set') {
      const key = n.ranges.join(';');
      if (seenSets.has(key)) return;
      const id = `${seenSets.size},`;
      seenSets.add(key);
      const s = spans(n.ranges);
      for (let j = 0; j < s.length; j += 2) for (let c = s[j] as number; c <= (s[j + 1] as number); c++) signature[c] += id;
    } else if (n.k === 'rep') collect(n.body);
    else n.items.forEach(collect);
  };
  collect(tree);
  const ids = new Map<string, number>();
  const atom = signature.map((sig) => {
    let id = ids.get(sig);
    if (id === undefined) ids.set(sig, (id = ids.size));
    return id;
  });
  const seen = new Int32Array(ids.size).fill(-1);
  let stamp = 0;
  return (ranges) => {
    stamp++;
    let n = 0;
    const s = spans(ranges);
    for (let j = 0; j < s.length; j += 2) {
      for (let c = s[j] as number; c <= (s[j + 1] as number); c++) {
        const id = atom[c] as number;
        if (seen[id] !== stamp) {
          seen[id] = stamp;
          n++;
        }
      }
    }
    return n;
  };
}
