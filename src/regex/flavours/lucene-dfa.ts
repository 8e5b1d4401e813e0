/**
 * The DFAs of the Lucene replay (lucene-states.ts) and their minimization.
 *
 * Every node of the replay is minimized before its parent uses it, so minimization runs once
 * per node of every pattern. Most nodes are acyclic (words, unions of words, bounded
 * repetitions): those are minimized in one pass over the states in reverse topological order
 * (Revuz), the others by Moore's partition refinement, which on a union of words repeats one
 * round per letter of the longest word. Both find the same partition (see acyclicBlocks), and
 * the minimal DFA is written from the partition alone, so the result is the same table.
 */

/**
 * A DFA with its own alphabet: `cls[c]` maps each global alphabet class to one of `m`
 * local columns (classes the DFA cannot tell apart share a column, which keeps the
 * tables small); `next[s * m + col]` is the target or -1 (entries past `n * m` are
 * unused). State 0 starts.
 */
export interface Dfa {
  n: number;
  m: number;
  cls: Int32Array;
  accept: Uint8Array;
  next: Int32Array;
}

/** A partition of a DFA's states: `block[s]` in 0..count-1. */
interface Partition {
  block: Int32Array;
  count: number;
}

/**
 * The minimal DFA of `d` (the dead state stays implicit, -1), with the columns it treats alike
 * merged. `plain` always uses Moore's refinement (tests compare both ways).
 */
export function minimize(d: Dfa, plain = false): Dfa {
  const p = (plain ? undefined : acyclicBlocks(d)) ?? mooreBlocks(d);
  return quotient(d, p);
}

/**
 * Two states are equivalent when they agree on acceptance and, column by column, on their
 * targets' blocks (-1, the implicit dead state, being a block of its own): the partition both
 * functions below compute, for the signature (acceptance, targets' blocks).
 *
 * On an acyclic DFA this relation can be decided bottom-up: a state whose targets all have
 * their blocks has a fixed signature, so visiting the states in post-order (every target
 * before its sources) and giving each the block of an earlier state with the same signature,
 * or a new one, settles every state in one pass. By induction on the longest path from a
 * state, two states get the same block exactly when they are equivalent, which is also the
 * partition Moore's refinement stops at (the coarsest one stable under the signature: on an
 * acyclic DFA there is only one stable partition refining acceptance, the same induction).
 *
 * Returns undefined when `d` has a cycle (found as an edge to a state still on the path).
 */
function acyclicBlocks(d: Dfa): Partition | undefined {
  const { n, m, next, accept } = d;
  // 0 unseen, 1 on the current path, 2 settled.
  const state = new Uint8Array(n);
  const block = new Int32Array(n);
  const path = new Int32Array(n);
  const nextCol = new Int32Array(n);
  // Open addressing over the representatives of blocks, keyed by the signature's hash.
  let cap = 16;
  while (cap < 2 * n) cap *= 2;
  const mask = cap - 1;
  const slots = new Int32Array(cap).fill(-1);
  const hashes = new Int32Array(cap);
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    let depth = 0;
    path[0] = root;
    nextCol[0] = 0;
    state[root] = 1;
    while (depth >= 0) {
      const s = path[depth] as number;
      const row = s * m;
      let col = nextCol[depth] as number;
      // Descend into the first target not settled yet.
      let child = -1;
      for (; col < m; col++) {
        const t = next[row + col] as number;
        if (t < 0) continue;
        const st = state[t] as number;
        if (st === 1) return undefined;
        if (st === 0) {
          child = t;
          break;
        }
      }
      if (child >= 0) {
        nextCol[depth] = col + 1;
        state[child] = 1;
        path[++depth] = child;
        nextCol[depth] = 0;
        continue;
      }
      // Every target is settled: so is s.
      const acc = accept[s] as number;
      const h = signatureHash(acc, next, row, m, block);
      for (let i = h & mask; ; i = (i + 1) & mask) {
        const r = slots[i] as number;
        if (r < 0) {
          slots[i] = s;
          hashes[i] = h;
          block[s] = count++;
          break;
        }
        if (hashes[i] !== h || accept[r] !== acc) continue;
        if (sameTargetBlocks(next, r * m, row, m, block)) {
          block[s] = block[r] as number;
          break;
        }
      }
      state[s] = 2;
      depth--;
    }
  }
  return { block, count };
}

/** The hash of a state's signature: `seed` (its acceptance or block), then its targets' blocks on the row at `row`. */
function signatureHash(seed: number, next: Int32Array, row: number, m: number, block: Int32Array): number {
  let h = seed;
  for (let c = 0; c < m; c++) {
    const t = next[row + c] as number;
    h = (Math.imul(h, 31) + (t < 0 ? -1 : (block[t] as number))) | 0;
  }
  return h;
}

/** Whether the rows at `a` and `b` lead, column by column, to the same blocks (-1 for none). */
function sameTargetBlocks(next: Int32Array, a: number, b: number, m: number, block: Int32Array): boolean {
  for (let c = 0; c < m; c++) {
    const x = next[a + c] as number;
    const y = next[b + c] as number;
    if ((x < 0 ? -1 : block[x]) !== (y < 0 ? -1 : block[y])) return false;
  }
  return true;
}

/** Moore's refinement: from acceptance, split by the signature until no block splits. */
function mooreBlocks(d: Dfa): Partition {
  const { m, n: size, next: nx, accept } = d;
  let block = new Int32Array(size);
  let spare = new Int32Array(size);
  let sawAccept = 0;
  let sawOther = 0;
  for (let s = 0; s < size; s++) {
    const a = accept[s] as number;
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
      const h = signatureHash(bs, nx, row, m, block);
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
        if (sameTargetBlocks(nx, r * m, row, m, block)) {
          spare[s] = newId[r] as number;
          break;
        }
      }
    }
    [block, spare] = [spare, block];
    if (ids === count) break;
    count = ids;
  }
  return { block, count };
}

/**
 * The DFA of the blocks, numbered by first occurrence in state order with the start's block
 * first (so the table depends on the partition only), then merged columns.
 */
function quotient(d: Dfa, { block, count }: Partition): Dfa {
  const { m, n: size, next: nx, accept: accepting } = d;
  const order = new Int32Array(count).fill(-1);
  let n = 0;
  order[block[0] as number] = n++;
  for (let s = 0; s < size; s++) if ((order[block[s] as number] as number) < 0) order[block[s] as number] = n++;
  const table = new Int32Array(n * m).fill(-1);
  const accept = new Uint8Array(n);
  for (let s = 0; s < size; s++) {
    const b = order[block[s] as number] as number;
    accept[b] = accepting[s] as number;
    for (let col = 0; col < m; col++) {
      const t = nx[s * m + col] as number;
      table[b * m + col] = t < 0 ? -1 : (order[block[t] as number] as number);
    }
  }
  // Columns the minimal DFA treats alike become one: a column is compared with the kept ones of
  // the same hash (a plain scan: there are a few dozen columns at most).
  const remap = new Int32Array(m);
  const keep: number[] = [];
  const keptHash: number[] = [];
  for (let col = 0; col < m; col++) {
    let h = 0;
    for (let s = 0; s < n; s++) h = (Math.imul(h, 31) + (table[s * m + col] as number)) | 0;
    let found = -1;
    for (let j = 0; j < keep.length && found < 0; j++) {
      if (keptHash[j] !== h) continue;
      const other = keep[j] as number;
      let same = true;
      for (let s = 0; s < n; s++) {
        if (table[s * m + col] !== table[s * m + other]) {
          same = false;
          break;
        }
      }
      if (same) found = j;
    }
    if (found >= 0) remap[col] = found;
    else {
      remap[col] = keep.length;
      keep.push(col);
      keptHash.push(h);
    }
  }
  const m2 = keep.length;
  const next = new Int32Array(n * m2);
  for (let s = 0; s < n; s++) for (let j = 0; j < m2; j++) next[s * m2 + j] = table[s * m + (keep[j] as number)] as number;
  const cls = new Int32Array(d.cls.length);
  for (let c = 0; c < cls.length; c++) cls[c] = remap[d.cls[c] as number] as number;
  return { n, m: m2, cls, accept, next };
}
