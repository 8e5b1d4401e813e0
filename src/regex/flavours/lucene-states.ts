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
 */

import { replayStateBound } from './lucene-bound.js';
import { alphabetOf, classIndex, isAnything, parseLucene, type Alphabet, type LuceneNode as Node } from './lucene-syntax.js';

class TooComplex extends Error {}

/**
 * A DFA with its own alphabet: `cls[c]` maps each global alphabet class to one of `m`
 * local columns (classes the DFA cannot tell apart share a column, which keeps the
 * tables small); `next[s * m + col]` is the target or -1 (entries past `n * m` are
 * unused). State 0 starts.
 */
interface Dfa {
  n: number;
  m: number;
  cls: Int32Array;
  accept: Uint8Array;
  next: Int32Array;
}

/**
 * An NFA of DFA pieces joined by epsilon moves, over a shared local alphabet of `m` columns.
 * Moves are kept as compressed sparse rows in state order (state s moves on `col[j]` to `tgt[j]`
 * for `rowStart[s] <= j < rowStart[s + 1]`): most states come from one-character pieces and move
 * on few columns, so dense rows of `m` columns would dominate the subset construction.
 */
class Nfa {
  readonly accept: number[] = [];
  readonly rowStart: number[] = [0];
  readonly col: number[] = [];
  readonly tgt: number[] = [];
  readonly epsFrom: number[] = [];
  readonly epsTo: number[] = [];

  constructor(readonly m: number, readonly cls: Int32Array) {}

  get size(): number {
    return this.accept.length;
  }

  /** A new state without moves. */
  add(): number {
    this.accept.push(0);
    this.rowStart.push(this.col.length);
    return this.accept.length - 1;
  }

  /** Appends a copy of `piece` whose start follows the states `from` (epsilon); returns its accepting states. */
  chain(from: number[], piece: Template): number[] {
    const base = this.accept.length;
    for (let s = 0; s < piece.n; s++) {
      for (let j = piece.rowStart[s] as number; j < (piece.rowStart[s + 1] as number); j++) {
        this.col.push(piece.col[j] as number);
        this.tgt.push(base + (piece.tgt[j] as number));
      }
      this.accept.push(0);
      this.rowStart.push(this.col.length);
    }
    for (const f of from) {
      this.epsFrom.push(f);
      this.epsTo.push(base);
    }
    return piece.accepts.map((a) => base + a);
  }

  eps(from: number, to: number): void {
    this.epsFrom.push(from);
    this.epsTo.push(to);
  }
}

/** A piece DFA's moves translated to the columns of the NFA it is copied into (sparse rows). */
interface Template {
  n: number;
  rowStart: Int32Array;
  col: Int32Array;
  tgt: Int32Array;
  accepts: number[];
}

class Builder {
  /** Scratch lookup for column refinement, kept at -1 between uses. */
  private scratch = new Int32Array(0);

  private readonly k: number;

  constructor(
    private readonly alphabet: Alphabet,
    private readonly limit: number,
    /** Carries the root's `.*` pieces through the subset construction (tests compare both ways). */
    private readonly plainRoot = false,
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
          if ((lead || trail) && middle.length > 0 && !this.plainRoot) return this.rootAround(middle, lead, trail);
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
    const x = this.determinize(nfa, always);
    // At most two pairs per subset of X and the lone {T}: the walk is needed only beyond that.
    if (trail && 2 * x.n + 1 > this.limit && reachablePairs(x) > this.limit) throw new TooComplex();
    // Only the root's count matters to the caller; X's automaton stands in for it.
    return x;
  }

  private finish(m: Nfa, root: boolean): Dfa {
    const d = this.determinize(m);
    return root ? d : minimize(d);
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

  /**
   * Subset construction; throws TooComplex when it would create more than `limit` states.
   * With `always` >= 0 every successor subset also holds that state's closure (see rootAround),
   * including the successor on a column no member moves on.
   */
  private determinize(nfa: Nfa, always = -1): Dfa {
    const m = nfa.m;
    const size = nfa.size;
    const { rowStart, col: colOf, tgt, accept: nfaAccept } = nfa;
    // Epsilon moves as compressed rows, and the closures of single states, computed when needed.
    const epsStart = new Int32Array(size + 1);
    for (const f of nfa.epsFrom) epsStart[f + 1] = (epsStart[f + 1] as number) + 1;
    for (let s = 0; s < size; s++) epsStart[s + 1] = (epsStart[s + 1] as number) + (epsStart[s] as number);
    const epsTo = new Int32Array(nfa.epsTo.length);
    const fill = epsStart.slice(0, size);
    nfa.epsFrom.forEach((f, j) => {
      const at = fill[f] as number;
      epsTo[at] = nfa.epsTo[j] as number;
      fill[f] = at + 1;
    });
    const closures: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(size);
    const closureOf = (s: number): Int32Array => {
      let c = closures[s];
      if (c) return c;
      const seen = new Set<number>([s]);
      const stack = [s];
      while (stack.length) {
        const x = stack.pop() as number;
        for (let j = epsStart[x] as number; j < (epsStart[x + 1] as number); j++) {
          const t = epsTo[j] as number;
          if (!seen.has(t)) {
            seen.add(t);
            stack.push(t);
          }
        }
      }
      c = Int32Array.from(seen);
      closures[s] = c;
      return c;
    };
    // A subset is identified by its members, in any order: `mark[t] === stamp` tells the members
    // of the closure just computed, so a stored subset equals it when it has as many members and
    // all are marked. Its hash is order-free (a sum of mixed members), so no sort and no string key.
    const mark = new Int32Array(size).fill(-1);
    let stamp = 0;
    const work = new Int32Array(size);
    let workLen = 0;
    let workHash = 0;
    // The targets of the subset being expanded, grouped by column: column c's are
    // bucket[from[c] .. from[c] + count[c]].
    const bucket = new Int32Array(tgt.length + 1);
    const count = new Int32Array(m);
    const from = new Int32Array(m);
    const touched = new Int32Array(m);
    const mixed = new Int32Array(size);
    for (let s = 0; s < size; s++) mixed[s] = mix(s);
    /** Adds state `t` to the subset being built (once). */
    const add = (t: number): void => {
      if (mark[t] !== stamp) {
        mark[t] = stamp;
        work[workLen++] = t;
        workHash = (workHash + (mixed[t] as number)) | 0;
      }
    };
    const addClosureOf = (s: number): void => {
      const c = closureOf(s);
      for (let q = 0; q < c.length; q++) add(c[q] as number);
    };
    const closure = (start: number, len: number): void => {
      stamp++;
      workLen = 0;
      workHash = 0;
      if (always >= 0) addClosureOf(always);
      for (let j = start; j < start + len; j++) {
        const s = bucket[j] as number;
        if (epsStart[s] === epsStart[s + 1]) add(s);
        else addClosureOf(s);
      }
    };
    // Subsets live one after another in `store`: subset i is store[at[i] .. at[i + 1]].
    let store = new Int32Array(Math.max(64, 4 * size));
    const at: number[] = [0];
    // Open addressing over subset ids, inline (no callbacks: this is the hottest loop).
    let slots = new Int32Array(256).fill(-1);
    let hashes = new Int32Array(256);
    const intern = (): number => {
      let mask = slots.length - 1;
      for (let i = workHash & mask; ; i = (i + 1) & mask) {
        const id = slots[i] as number;
        if (id < 0) break;
        if (hashes[i] !== workHash) continue;
        const a = at[id] as number;
        if ((at[id + 1] as number) - a !== workLen) continue;
        let same = true;
        for (let j = a; j < a + workLen; j++) {
          if (mark[store[j] as number] !== stamp) {
            same = false;
            break;
          }
        }
        if (same) return id;
      }
      const id = at.length - 1;
      if (id >= this.limit) throw new TooComplex();
      const end = at[id] as number;
      if (end + workLen > store.length) {
        const grown = new Int32Array(Math.max(2 * store.length, end + workLen));
        grown.set(store);
        store = grown;
      }
      store.set(work.subarray(0, workLen), end);
      at.push(end + workLen);
      if (2 * (id + 1) > slots.length) {
        // Grow and re-insert every subset by its stored hash.
        const old = slots;
        const oldHashes = hashes;
        slots = new Int32Array(2 * old.length).fill(-1);
        hashes = new Int32Array(2 * old.length);
        mask = slots.length - 1;
        for (let i = 0; i < old.length; i++) {
          const x = old[i] as number;
          if (x < 0) continue;
          let j = (oldHashes[i] as number) & mask;
          while ((slots[j] as number) >= 0) j = (j + 1) & mask;
          slots[j] = x;
          hashes[j] = oldHashes[i] as number;
        }
      }
      let i = workHash & mask;
      while ((slots[i] as number) >= 0) i = (i + 1) & mask;
      slots[i] = id;
      hashes[i] = workHash;
      return id;
    };
    bucket[0] = 0;
    // The start subset: state 0's closure (with `always`'s, which it holds in rootAround).
    closure(0, 1);
    intern();
    let alone = -1;
    const accept: number[] = [];
    let next = new Int32Array(Math.max(16, 4 * m));
    // Columns whose raw targets (before closure) equal an earlier column's share its result.
    const raw = new HashIds(2 * m);
    let col0 = 0;
    const sameRaw = (c: number): boolean => {
      const n = count[c] as number;
      if (n !== count[col0]) return false;
      const a = from[c] as number;
      const b = from[col0] as number;
      for (let j = 0; j < n; j++) if (bucket[a + j] !== bucket[b + j]) return false;
      return true;
    };
    for (let i = 0; i < at.length - 1; i++) {
      const first = at[i] as number;
      const last = at[i + 1] as number;
      let acc = 0;
      let nTouched = 0;
      for (let j = first; j < last; j++) {
        const s = store[j] as number;
        acc |= nfaAccept[s] as number;
        for (let q = rowStart[s] as number; q < (rowStart[s + 1] as number); q++) {
          const c = colOf[q] as number;
          if (count[c] === 0) touched[nTouched++] = c;
          count[c] = (count[c] as number) + 1;
        }
      }
      accept.push(acc);
      let offset = 0;
      for (let j = 0; j < nTouched; j++) {
        const c = touched[j] as number;
        from[c] = offset;
        offset += count[c] as number;
      }
      for (let j = first; j < last; j++) {
        const s = store[j] as number;
        for (let q = rowStart[s] as number; q < (rowStart[s + 1] as number); q++) {
          const c = colOf[q] as number;
          const at = from[c] as number;
          bucket[at] = tgt[q] as number;
          from[c] = at + 1;
        }
      }
      if ((i + 1) * m > next.length) {
        const grown = new Int32Array(next.length * 2);
        grown.set(next);
        next = grown;
      }
      const base = i * m;
      next.fill(-1, base, base + m);
      raw.clear();
      for (let j = 0; j < nTouched; j++) {
        const c = touched[j] as number;
        const n = count[c] as number;
        const a = (from[c] as number) - n;
        from[c] = a;
        let h = n;
        for (let q = a; q < a + n; q++) h = (Math.imul(h, 31) + (bucket[q] as number)) | 0;
        col0 = c;
        const prev = raw.find(h, sameRaw);
        if (prev >= 0) {
          next[base + c] = next[base + prev] as number;
          continue;
        }
        raw.add(h, c);
        closure(a, n);
        next[base + c] = intern();
      }
      for (let j = 0; j < nTouched; j++) count[touched[j] as number] = 0;
      if (always >= 0 && nTouched < m) {
        // The columns no member moves on lead to `always`'s closure alone.
        if (alone < 0) {
          closure(0, 0);
          alone = intern();
        }
        for (let c = 0; c < m; c++) if ((next[base + c] as number) < 0) next[base + c] = alone;
      }
    }
    return { n: at.length - 1, m, cls: nfa.cls, accept: Uint8Array.from(accept), next };
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

/** `p`'s moves on the columns of an NFA whose column `col` stands for global class `rep[col]`. */
function template(p: Dfa, rep: Int32Array): Template {
  const m = rep.length;
  // The NFA columns of each piece column, as compressed rows.
  const colStart = new Int32Array(p.m + 1);
  for (let col = 0; col < m; col++) {
    const pc = (p.cls[rep[col] as number] as number) + 1;
    colStart[pc] = (colStart[pc] as number) + 1;
  }
  for (let pc = 0; pc < p.m; pc++) colStart[pc + 1] = (colStart[pc + 1] as number) + (colStart[pc] as number);
  const cols = new Int32Array(m);
  const fill = colStart.slice(0, p.m);
  for (let col = 0; col < m; col++) {
    const pc = p.cls[rep[col] as number] as number;
    const at = fill[pc] as number;
    cols[at] = col;
    fill[pc] = at + 1;
  }
  const rowStart = new Int32Array(p.n + 1);
  let len = 0;
  for (let s = 0; s < p.n; s++) {
    for (let pc = 0; pc < p.m; pc++) if ((p.next[s * p.m + pc] as number) >= 0) len += (colStart[pc + 1] as number) - (colStart[pc] as number);
    rowStart[s + 1] = len;
  }
  const col = new Int32Array(len);
  const tgt = new Int32Array(len);
  let j = 0;
  for (let s = 0; s < p.n; s++) {
    for (let pc = 0; pc < p.m; pc++) {
      const t = p.next[s * p.m + pc] as number;
      if (t < 0) continue;
      for (let q = colStart[pc] as number; q < (colStart[pc + 1] as number); q++) {
        col[j] = cols[q] as number;
        tgt[j++] = t;
      }
    }
  }
  const accepts: number[] = [];
  for (let s = 0; s < p.n; s++) if (p.accept[s]) accepts.push(s);
  return { n: p.n, rowStart, col, tgt, accepts };
}

/** A well-spread 32-bit image of a state number (summed into order-free subset hashes). */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
  return x ^ (x >>> 16);
}

/** Open-addressing hash -> ids table; equality of candidates is left to the caller. */
class HashIds {
  private slots: Int32Array;
  private hashes: Int32Array;
  private count = 0;

  constructor(expected: number) {
    let cap = 16;
    while (cap < 2 * expected) cap *= 2;
    this.slots = new Int32Array(cap).fill(-1);
    this.hashes = new Int32Array(cap);
  }

  clear(): void {
    if (this.count === 0) return;
    this.slots.fill(-1);
    this.count = 0;
  }

  find(hash: number, same: (id: number) => boolean): number {
    const mask = this.slots.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const id = this.slots[i] as number;
      if (id < 0) return -1;
      if (this.hashes[i] === hash && same(id)) return id;
    }
  }

  add(hash: number, id: number): void {
    if (2 * (this.count + 1) > this.slots.length) this.grow();
    this.put(hash, id);
    this.count++;
  }

  private put(hash: number, id: number): void {
    const mask = this.slots.length - 1;
    let i = hash & mask;
    while ((this.slots[i] as number) >= 0) i = (i + 1) & mask;
    this.slots[i] = id;
    this.hashes[i] = hash;
  }

  private grow(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2).fill(-1);
    this.hashes = new Int32Array(slots.length * 2);
    for (let i = 0; i < slots.length; i++) if ((slots[i] as number) >= 0) this.put(hashes[i] as number, slots[i] as number);
  }
}


/** Moore partition refinement (the dead state stays implicit, -1), then merged columns. */
function minimize(d: Dfa): Dfa {
  const { m, n: size, next: nx } = d;
  let block = new Int32Array(size);
  let spare = new Int32Array(size);
  let sawAccept = 0;
  let sawOther = 0;
  for (let s = 0; s < size; s++) {
    const a = d.accept[s] as number;
    block[s] = a;
    if (a) sawAccept = 1;
    else sawOther = 1;
  }
  let count = sawAccept + sawOther;
  // States share a block when their block and their targets' blocks agree, column by column:
  // an open-addressing table of representatives keyed by that signature's hash.
  let cap = 16;
  while (cap < 2 * size) cap *= 2;
  const mask = cap - 1;
  const slots = new Int32Array(cap);
  const hashes = new Int32Array(cap);
  const newId = new Int32Array(size);
  for (;;) {
    slots.fill(-1);
    let ids = 0;
    for (let s = 0; s < size; s++) {
      const bs = block[s] as number;
      const row = s * m;
      let h = bs;
      for (let col = 0; col < m; col++) {
        const t = nx[row + col] as number;
        h = (Math.imul(h, 31) + (t < 0 ? -1 : (block[t] as number))) | 0;
      }
      for (let i = h & mask; ; i = (i + 1) & mask) {
        const r = slots[i] as number;
        if (r < 0) {
          slots[i] = s;
          hashes[i] = h;
          newId[s] = ids;
          spare[s] = ids++;
          break;
        }
        if (hashes[i] !== h || block[r] !== bs) continue;
        const rrow = r * m;
        let same = true;
        for (let col = 0; col < m; col++) {
          const a = nx[rrow + col] as number;
          const b = nx[row + col] as number;
          if ((a < 0 ? -1 : block[a]) !== (b < 0 ? -1 : block[b])) {
            same = false;
            break;
          }
        }
        if (same) {
          spare[s] = newId[r] as number;
          break;
        }
      }
    }
    [block, spare] = [spare, block];
    if (ids === count) break;
    count = ids;
  }
  // Renumber so that the start state's block is 0.
  const order = new Int32Array(count).fill(-1);
  let n = 0;
  order[block[0] as number] = n++;
  for (let s = 0; s < size; s++) if ((order[block[s] as number] as number) < 0) order[block[s] as number] = n++;
  const table = new Int32Array(n * m).fill(-1);
  const accept = new Uint8Array(n);
  for (let s = 0; s < size; s++) {
    const b = order[block[s] as number] as number;
    accept[b] = d.accept[s] as number;
    for (let col = 0; col < m; col++) {
      const t = nx[s * m + col] as number;
      table[b * m + col] = t < 0 ? -1 : (order[block[t] as number] as number);
    }
  }
  // Columns the minimal DFA treats alike become one.
  const colTable = new HashIds(m);
  const sameCol = (a: number, b: number): boolean => {
    for (let s = 0; s < n; s++) if (table[s * m + a] !== table[s * m + b]) return false;
    return true;
  };
  const remap = new Int32Array(m);
  const keep: number[] = [];
  for (let col = 0; col < m; col++) {
    let h = 0;
    for (let s = 0; s < n; s++) h = (Math.imul(h, 31) + (table[s * m + col] as number)) | 0;
    const found = colTable.find(h, (j) => sameCol(keep[j] as number, col));
    if (found >= 0) remap[col] = found;
    else {
      remap[col] = keep.length;
      colTable.add(h, keep.length);
      keep.push(col);
    }
  }
  const m2 = keep.length;
  const next = new Int32Array(n * m2);
  for (let s = 0; s < n; s++) for (let j = 0; j < m2; j++) next[s * m2 + j] = table[s * m + (keep[j] as number)] as number;
  return { n, m: m2, cls: d.cls.map((c) => remap[c] as number), accept, next };
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

function replay(tree: Node, alphabet: Alphabet, limit: number, plainRoot = false): boolean {
  try {
    new Builder(alphabet, limit, plainRoot).build(tree, true);
    return false;
  } catch (e) {
    if (e instanceof TooComplex) return true;
    throw e;
  }
}

/**
 * The replay alone, without the bound or the cache (for test/regex/lucene-bound.test.ts);
 * `plainRoot` turns off the root's `.*` shortcut (Builder.rootAround) to test it.
 */
export function replayTooComplex(pattern: string, limit: number, plainRoot = false): boolean {
  const tree = parseLucene(pattern);
  return replay(tree, alphabetOf(tree), limit, plainRoot);
}

/** The bound alone (lucene-bound.ts), undefined when the pattern's shape is not covered. */
export function luceneStateBound(pattern: string): number | undefined {
  const tree = parseLucene(pattern);
  return replayStateBound(tree, alphabetOf(tree));
}
