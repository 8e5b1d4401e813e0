/**
 * How many states determinizing a printed Lucene pattern takes, up to a cap.
 *
 * Elasticsearch compiles `regexp` / EQL `regex` / ES|QL `RLIKE` patterns with
 * `toAutomaton(max_determinized_states = 10000)` and refuses the query with
 * TooComplexToDeterminizeException beyond that. Typical culprits: a bounded
 * repetition of a broad set under the `.*` wrapping (`.*X[^\n]{25}.*` must remember
 * every start position in the window) and chains like `.*a.*b.*` in alternatives.
 *
 * This replays Lucene 8/9's RegExp.toAutomaton on the printed text (the subset of
 * Lucene syntax the lucene flavour emits): every concatenation (flattened), union
 * (flattened) and repetition is built from its children's automata, determinized
 * (the count that must stay within the limit) and minimized. The per-node
 * minimization matters: `.*(a.*b.*c|x.*y).*` is small as one NFA but explodes once
 * the union is a DFA, because the outer `.*` then tracks every combination of
 * progress values. test/regex/oracle.test.ts checks every corpus pattern this lets
 * through against real Lucene.
 *
 * Most printed patterns are searches for a few words (`.*(w1|w2).*`); for those a
 * proven upper bound on every count (lucene-bound.ts) settles the verdict without
 * building any automaton, which is most of the cost in a cold process. The root's
 * determinization, the largest, is counted without carrying its leading and trailing
 * `.*` states (Builder.rootAround; test/regex/lucene-root.test.ts checks the counts).
 *
 * The automata themselves live in lucene-nfa.ts (the NFAs and the subset construction) and
 * lucene-dfa.ts (the DFAs and their minimization).
 */

import { replayStateBound } from './lucene-bound.js';
import { minimize, type Dfa } from './lucene-dfa.js';
import { determinize, Nfa, template, TooComplex, type Template } from './lucene-nfa.js';
import { alphabetOf, classIndex, isAnything, parseLucene, type Alphabet, type LuceneNode as Node } from './lucene-syntax.js';

class Builder {
  /** Scratch lookup for column refinement, kept at -1 between uses. */
  private scratch = new Int32Array(0);

  private readonly k: number;

  constructor(
    private readonly alphabet: Alphabet,
    private readonly limit: number,
    /**
     * Turns off every shortcut (the root's `.*` pieces go through the subset construction, every
     * node through Moore's minimization): tests compare both ways.
     */
    private readonly plain = false,
  ) {
    this.k = alphabet.k;
  }

  /**
   * Refines the partition `cls` (ids 0..size-1, numbered by first occurrence) by the piece
   * alphabet `pcls` (ids 0..pm-1): classes stay together while both agree. Returns the new size.
   */
  private refine(cls: Int32Array, size: number, pcls: Int32Array, pm: number, out: Int32Array): number {
    const k = this.k;
    const need = size * pm;
    if (this.scratch.length < need) this.scratch = new Int32Array(Math.max(need, 2 * this.scratch.length)).fill(-1);
    const ids = this.scratch;
    let n = 0;
    for (let c = 0; c < k; c++) {
      const key = (cls[c] as number) * pm + (pcls[c] as number);
      let id = ids[key] as number;
      if (id < 0) ids[key] = id = n++;
      out[c] = id;
    }
    for (let c = 0; c < k; c++) ids[(cls[c] as number) * pm + (pcls[c] as number)] = -1;
    return n;
  }

  /** The columns distinguishing everything any of `pieces` distinguishes, and each piece translated to them. */
  private nfa(pieces: Dfa[]): { m: Nfa; templates: Template[] } {
    const k = this.k;
    let cls = new Int32Array(k);
    let spare = new Int32Array(k);
    let size = 1;
    for (const p of pieces) {
      if (p.m === 1) continue;
      size = this.refine(cls, size, p.cls, p.m, spare);
      [cls, spare] = [spare, cls];
    }
    const rep = new Int32Array(size).fill(-1);
    for (let c = 0; c < k; c++) if ((rep[cls[c] as number] as number) < 0) rep[cls[c] as number] = c;
    const templates = pieces.map((p) => template(p, rep));
    return { m: new Nfa(size, cls), templates };
  }

  /** The membership of a set node as a two-column alphabet: 0 inside, 1 outside. */
  private setClasses(ranges: [number, number][]): Int32Array {
    const cls = new Int32Array(this.k).fill(1);
    // Every range bound is a class bound, so a range covers whole classes.
    for (const [lo, hi] of ranges) if (lo <= hi) cls.fill(0, classIndex(this.alphabet, lo), classIndex(this.alphabet, hi) + 1);
    return cls;
  }

  /** `root`: only the determinization count matters, its minimization is skipped. */
  build(node: Node, root = false): Dfa {
    switch (node.k) {
      case 'set':
        return { n: 2, m: 2, cls: this.setClasses(node.ranges), accept: Uint8Array.of(0, 1), next: Int32Array.of(1, -1, -1, -1) };
      case 'cat': {
        const leaves: Node[] = [];
        const flat = (x: Node): void => {
          if (x.k === 'cat') x.items.forEach(flat);
          else leaves.push(x);
        };
        flat(node);
        if (leaves.length === 1) return this.build(leaves[0] as Node, root);
        if (root && leaves.length > 1) {
          const lead = isAnything(leaves[0] as Node);
          const trail = isAnything(leaves[leaves.length - 1] as Node);
          const middle = leaves.slice(lead ? 1 : 0, trail ? -1 : undefined);
          if ((lead || trail) && middle.length > 0 && !this.plain) return this.rootAround(middle, lead, trail);
        }
        const pieces = leaves.map((l) => this.build(l));
        if (leaves.length > 1 && leaves.every((l) => l.k === 'set') && pieces.every((p) => p.cls.includes(0))) return this.word(pieces);
        const { m, templates } = this.nfa(pieces);
        let ends = [m.add()];
        for (const t of templates) ends = m.chain(ends, t);
        for (const e of ends) m.accept[e] = 1;
        return this.finish(m, root);
      }
      case 'alt': {
        const leaves: Node[] = [];
        const flat = (x: Node): void => {
          if (x.k === 'alt') x.items.forEach(flat);
          else leaves.push(x);
        };
        flat(node);
        const pieces = leaves.map((l) => this.build(l));
        const { m, templates } = this.nfa(pieces);
        const start = m.add();
        for (const t of templates) for (const e of m.chain([start], t)) m.accept[e] = 1;
        return this.finish(m, root);
      }
      case 'rep': {
        const body = this.build(node.body);
        const { m, templates } = this.nfa([body]);
        const t = templates[0] as Template;
        let ends = [m.add()];
        for (let i = 0; i < node.min; i++) ends = m.chain(ends, t);
        const done: number[] = [...ends];
        if (node.max === null) {
          const loop = m.add();
          for (const e of ends) m.eps(e, loop);
          for (const e of m.chain([loop], t)) m.eps(e, loop);
          done.push(loop);
        } else {
          for (let i = node.min; i < node.max; i++) {
            ends = m.chain(ends, t);
            done.push(...ends);
          }
        }
        for (const e of done) m.accept[e] = 1;
        return this.finish(m, root);
      }
    }
  }

  /**
   * The root `.* X .*` (either `.*` may be missing; X the other leaves), counted without
   * carrying the `.*` pieces through the subset construction. Each is one state looping on
   * every column. Only the root's count matters, and both shortcuts keep it exact:
   *
   * - The leading one, L, is in every subset, and every move of L leads back to L and to the
   *   closure of X's start s. So the subsets other than the first are {L} with the closure
   *   of the other members' targets and of s: the construction over X's NFA that adds s's
   *   closure to every successor (`always` in determinize) reaches the same subsets less L,
   *   and a column none of the other members moves on leads to s's closure alone. The first
   *   subset keeps a start state s0 (epsilon to s) that nothing enters, as the root's start
   *   is entered by nothing, so it stays apart from that one.
   * - The trailing one, T, is entered by epsilon from X's final states and feeds nothing
   *   back. So every subset of the root is a subset of X's own construction plus T or not,
   *   T present exactly when some subset on the way held a final state of X: the root's
   *   subsets are the pairs (subset of X, flag) reachable from (X's start, its acceptance), a
   *   move on column c going to (next, flag or acceptance of next), plus the lone {T} when a
   *   flagged subset has no move on some column (reachablePairs). X's subsets are at most the
   *   root's, so X's construction may stop at the same limit.
   *
   * On the patterns that reach thousands of states, X's subsets are about half the root's
   * and the moves of L were most of each subset's moves.
   */
  private rootAround(leaves: Node[], lead: boolean, trail: boolean): Dfa {
    const pieces = leaves.map((l) => this.build(l));
    const { m: nfa, templates } = this.nfa(pieces);
    const first = nfa.add();
    let ends = [first];
    let always = -1;
    if (lead) {
      always = nfa.add();
      nfa.eps(first, always);
      ends = [always];
    }
    for (const t of templates) ends = nfa.chain(ends, t);
    for (const e of ends) nfa.accept[e] = 1;
    const x = determinize(nfa, this.limit, always);
    // At most two pairs per subset of X and the lone {T}: the walk is needed only beyond that.
    if (trail && 2 * x.n + 1 > this.limit && reachablePairs(x) > this.limit) throw new TooComplex();
    // Only the root's count matters to the caller; X's automaton stands in for it.
    return x;
  }

  private finish(m: Nfa, root: boolean): Dfa {
    const d = determinize(m, this.limit);
    return root ? d : minimize(d, this.plain);
  }

  /**
   * A concatenation of L non-empty sets, built directly. The general path would chain L two-state
   * pieces and find exactly what this writes down: the subset construction reaches one subset per
   * position 0..L (from position i only the members of set i+1 move on, to position i+1), so it
   * counts L + 1 states; they are pairwise distinguishable (from position i every accepted word
   * has length L - i), so minimization keeps all of them; and two global classes share a column
   * of the minimal DFA exactly when every set agrees on them, which is the refinement by the sets.
   */
  private word(sets: Dfa[]): Dfa {
    const L = sets.length;
    if (L + 1 > this.limit) throw new TooComplex();
    const k = this.k;
    let cls = new Int32Array(k);
    let spare = new Int32Array(k);
    let m = 1;
    for (const p of sets) {
      m = this.refine(cls, m, p.cls, 2, spare);
      [cls, spare] = [spare, cls];
    }
    const rep = new Int32Array(m).fill(-1);
    for (let c = 0; c < k; c++) if ((rep[cls[c] as number] as number) < 0) rep[cls[c] as number] = c;
    const next = new Int32Array((L + 1) * m).fill(-1);
    for (let i = 0; i < L; i++) {
      const inSet = (sets[i] as Dfa).cls;
      for (let col = 0; col < m; col++) if (inSet[rep[col] as number] === 0) next[i * m + col] = i + 1;
    }
    const accept = new Uint8Array(L + 1);
    accept[L] = 1;
    return { n: L + 1, m, cls, accept, next };
  }
}

/**
 * How many (state, flag) pairs of `d` are reachable from (0, accept[0]), a move going to
 * (target, flag or accept[target]), plus one for the lone flag state reached by a flagged
 * pair's missing move (see Builder.rootAround).
 */
function reachablePairs(d: Dfa): number {
  const { n, m, next, accept } = d;
  // Pair (s, f) is number 2s + f.
  const seen = new Uint8Array(2 * n);
  const stack = new Int32Array(2 * n);
  let top = 0;
  const start = accept[0] as number;
  seen[start] = 1;
  stack[top++] = start;
  let count = 1;
  let lone = 0;
  while (top > 0) {
    const pair = stack[--top] as number;
    const f = pair & 1;
    const row = (pair >> 1) * m;
    for (let c = 0; c < m; c++) {
      const t = next[row + c] as number;
      if (t < 0) {
        lone |= f;
        continue;
      }
      const q = 2 * t + (f | (accept[t] as number));
      if (seen[q] === 0) {
        seen[q] = 1;
        stack[top++] = q;
        count++;
      }
    }
  }
  return count + lone;
}

/**
 * True when Lucene's toAutomaton(limit) would throw TooComplexToDeterminizeException for
 * this printed pattern (no determinization may reach `limit` states).
 */
export function tooComplexForLucene(pattern: string, limit: number): boolean {
  const key = `${limit}\u0000${pattern}`;
  let verdict = cache.get(key);
  if (verdict === undefined) {
    verdict = compute(pattern, limit);
    if (cache.size > 2000) cache.clear();
    cache.set(key, verdict);
  }
  return verdict;
}

/** The backends print the same pattern more than once (EQL and ES|QL): remember verdicts. */
const cache = new Map<string, boolean>();

function compute(pattern: string, limit: number): boolean {
  const tree = parseLucene(pattern);
  const alphabet = alphabetOf(tree);
  // Most printed patterns are searches for a few words: their bound settles it without automata.
  const bound = replayStateBound(tree, alphabet);
  if (bound !== undefined && bound <= limit) return false;
  return replay(tree, alphabet, limit);
}

function replay(tree: Node, alphabet: Alphabet, limit: number, plain = false): boolean {
  try {
    new Builder(alphabet, limit, plain).build(tree, true);
    return false;
  } catch (e) {
    if (e instanceof TooComplex) return true;
    throw e;
  }
}

/**
 * The replay alone, without the bound or the cache (for test/regex/lucene-bound.test.ts);
 * `plain` turns off every shortcut of the replay (Builder.rootAround, one-pass minimization of
 * acyclic DFAs) to test them: the plain construction is the one that models Lucene step by step.
 */
export function replayTooComplex(pattern: string, limit: number, plain = false): boolean {
  const tree = parseLucene(pattern);
  return replay(tree, alphabetOf(tree), limit, plain);
}

/** The bound alone (lucene-bound.ts), undefined when the pattern's shape is not covered. */
export function luceneStateBound(pattern: string): number | undefined {
  const tree = parseLucene(pattern);
  return replayStateBound(tree, alphabetOf(tree));
}
