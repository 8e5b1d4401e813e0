/**
 * The NFAs of the Lucene replay (lucene-states.ts) and their subset construction, whose
 * count of subsets is what Lucene compares with max_determinized_states.
 *
 * The subset construction is the replay's hottest code, and in a cold process it runs
 * unoptimized for a long time (the CLI raises V8's interrupt budget), so the expansion of a
 * subset (per member and per target) is written out inline rather than through small
 * callbacks, and loop bounds are read once (unoptimized, every read is an inline-cache call).
 */

import type { Dfa } from './lucene-dfa.js';

/** Thrown as soon as a determinization would create more states than the limit. */
export class TooComplex extends Error {}

/**
 * An NFA of DFA pieces joined by epsilon moves, over a shared local alphabet of `m` columns.
 * Moves are kept as compressed sparse rows in state order (state s moves on `col[j]` to `tgt[j]`
 * for `rowStart[s] <= j < rowStart[s + 1]`): most states come from one-character pieces and move
 * on few columns, so dense rows of `m` columns would dominate the subset construction.
 */
export class Nfa {
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
    // Fields read once: this runs for every piece copy, often before V8 optimizes it.
    const { accept, rowStart, col, tgt } = this;
    const { n, rowStart: pieceRows, col: pieceCol, tgt: pieceTgt } = piece;
    const base = accept.length;
    for (let s = 0; s < n; s++) {
      for (let j = pieceRows[s] as number, end = pieceRows[s + 1] as number; j < end; j++) {
        col.push(pieceCol[j] as number);
        tgt.push(base + (pieceTgt[j] as number));
      }
      accept.push(0);
      rowStart.push(col.length);
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
export interface Template {
  n: number;
  rowStart: Int32Array;
  col: Int32Array;
  tgt: Int32Array;
  accepts: number[];
}

/** `p`'s moves on the columns of an NFA whose column `col` stands for global class `rep[col]`. */
export function template(p: Dfa, rep: Int32Array): Template {
  const m = rep.length;
  const { n, m: pm, cls, next, accept } = p;
  // The NFA columns of each piece column, as compressed rows.
  const colStart = new Int32Array(pm + 1);
  for (let col = 0; col < m; col++) {
    const pc = (cls[rep[col] as number] as number) + 1;
    colStart[pc] = (colStart[pc] as number) + 1;
  }
  for (let pc = 0; pc < pm; pc++) colStart[pc + 1] = (colStart[pc + 1] as number) + (colStart[pc] as number);
  const cols = new Int32Array(m);
  const fill = colStart.slice(0, pm);
  for (let col = 0; col < m; col++) {
    const pc = cls[rep[col] as number] as number;
    const at = fill[pc] as number;
    cols[at] = col;
    fill[pc] = at + 1;
  }
  const rowStart = new Int32Array(n + 1);
  let len = 0;
  for (let s = 0; s < n; s++) {
    for (let pc = 0; pc < pm; pc++) if ((next[s * pm + pc] as number) >= 0) len += (colStart[pc + 1] as number) - (colStart[pc] as number);
    rowStart[s + 1] = len;
  }
  const col = new Int32Array(len);
  const tgt = new Int32Array(len);
  let j = 0;
  for (let s = 0; s < n; s++) {
    for (let pc = 0; pc < pm; pc++) {
      const t = next[s * pm + pc] as number;
      if (t < 0) continue;
      for (let q = colStart[pc] as number, end = colStart[pc + 1] as number; q < end; q++) {
        col[j] = cols[q] as number;
        tgt[j++] = t;
      }
    }
  }
  const accepts: number[] = [];
  for (let s = 0; s < n; s++) if (accept[s]) accepts.push(s);
  return { n, rowStart, col, tgt, accepts };
}

/** Above every stamp: the mark of the states every subset holds (see `always` below). */
const ALWAYS_MARK = 0x7fffffff;

/**
 * Subset construction from state 0; throws TooComplex when it would create more than `limit`
 * states.
 *
 * With `always` >= 0 every successor subset also holds that state's closure A (the root's
 * leading `.*`, see Builder.rootAround in lucene-states.ts), including the successor on a
 * column no member moves on. A is then left out of the stored subsets (two subsets that both
 * hold A are equal exactly when the rest is), and A's own share of every successor is worked
 * out once: the successor of A ∪ S on column c is K(c) ∪ closure(S's targets on c), where
 * K(c) = A ∪ closure(A's targets on c) does not depend on S. So a column S does not move on
 * leads to the same subset K(c) from every subset, found once; only S's own moves cost work
 * per subset. (On `.*(w1|w2|…).*`, A holds the start of the union, which moves on every first
 * letter, while S is the few words begun: most columns of most subsets are A's alone.)
 */
export function determinize(nfa: Nfa, limit: number, always = -1): Dfa {
  const m = nfa.m;
  const size = nfa.size;
  const { rowStart, col: colOf, tgt, accept: nfaAccept, epsFrom } = nfa;

  // Epsilon moves as compressed rows.
  const epsStart = new Int32Array(size + 1);
  for (let j = 0; j < epsFrom.length; j++) {
    const f = (epsFrom[j] as number) + 1;
    epsStart[f] = (epsStart[f] as number) + 1;
  }
  for (let s = 0; s < size; s++) epsStart[s + 1] = (epsStart[s + 1] as number) + (epsStart[s] as number);
  const epsTo = new Int32Array(epsFrom.length);
  const fill = epsStart.slice(0, size);
  for (let j = 0; j < epsFrom.length; j++) {
    const f = epsFrom[j] as number;
    const at = fill[f] as number;
    epsTo[at] = nfa.epsTo[j] as number;
    fill[f] = at + 1;
  }

  // The closure of a state with epsilon moves, computed when first needed and kept in `pool`:
  // s's is pool[closAt[s] .. closAt[s] + closLen[s]] (closAt[s] < 0 until then).
  const closAt = new Int32Array(size).fill(-1);
  const closLen = new Int32Array(size);
  // Sized so that it rarely grows (a growth first met in optimized code deoptimizes it).
  let pool = new Int32Array(Math.max(64, 2 * size));
  let poolLen = 0;
  const seenBy = new Int32Array(size).fill(-1);
  const stack = new Int32Array(size);
  const closureAt = (s: number): number => {
    const start = poolLen;
    let top = 0;
    stack[top++] = s;
    seenBy[s] = s;
    while (top > 0) {
      const x = stack[--top] as number;
      if (poolLen === pool.length) {
        const grown = new Int32Array(2 * pool.length);
        grown.set(pool);
        pool = grown;
      }
      pool[poolLen++] = x;
      for (let j = epsStart[x] as number, end = epsStart[x + 1] as number; j < end; j++) {
        const t = epsTo[j] as number;
        if (seenBy[t] !== s) {
          seenBy[t] = s;
          stack[top++] = t;
        }
      }
    }
    closAt[s] = start;
    closLen[s] = poolLen - start;
    return start;
  };

  // The subset being built is work[0 .. workLen]; `mark[t] === stamp` tells its members, and
  // A's members carry ALWAYS_MARK, so `mark[t] < stamp` means "not in it yet, nor in A". Its
  // hash is order-free (a sum of mixed members), so no sort and no string key.
  const mark = new Int32Array(size);
  let stamp = 0;
  const work = new Int32Array(size);
  let workLen = 0;
  let workHash = 0;
  const mixed = new Int32Array(size);
  for (let s = 0; s < size; s++) {
    let x = Math.imul(s ^ (s >>> 16), 0x45d9f3b);
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
    mixed[s] = x ^ (x >>> 16);
  }
  const begin = (): void => {
    stamp++;
    workLen = 0;
    workHash = 0;
  };
  /** Adds `t` and its closure to the subset being built (outside the hottest loop). */
  const addClosed = (t: number): void => {
    if (epsStart[t] === epsStart[t + 1]) {
      if ((mark[t] as number) < stamp) {
        mark[t] = stamp;
        work[workLen++] = t;
        workHash = (workHash + (mixed[t] as number)) | 0;
      }
      return;
    }
    let a = closAt[t] as number;
    if (a < 0) a = closureAt(t);
    const e = a + (closLen[t] as number);
    for (let q = a; q < e; q++) {
      const u = pool[q] as number;
      if ((mark[u] as number) < stamp) {
        mark[u] = stamp;
        work[workLen++] = u;
        workHash = (workHash + (mixed[u] as number)) | 0;
      }
    }
  };

  // Subsets live one after another in `store`: subset i is store[at[i] .. at[i + 1]].
  let store = new Int32Array(Math.max(64, 4 * size));
  const at: number[] = [0];
  // Open addressing over subset ids.
  let slots = new Int32Array(256).fill(-1);
  let hashes = new Int32Array(256);
  /** The id of the subset in `work`, a new one if it was not seen. */
  const intern = (): number => {
    let mask = slots.length - 1;
    for (let i = workHash & mask; ; i = (i + 1) & mask) {
      const id = slots[i] as number;
      if (id < 0) break;
      if (hashes[i] !== workHash) continue;
      const a = at[id] as number;
      if ((at[id + 1] as number) - a !== workLen) continue;
      let same = true;
      for (let j = a, end = a + workLen; j < end; j++) {
        if (mark[store[j] as number] !== stamp) {
          same = false;
          break;
        }
      }
      if (same) return id;
    }
    const id = at.length - 1;
    if (id >= limit) throw new TooComplex();
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

  // The targets of the members being expanded, grouped by column: column c's are
  // bucket[from[c] .. from[c] + count[c]].
  const bucket = new Int32Array(tgt.length + 1);
  const count = new Int32Array(m);
  const from = new Int32Array(m);
  const touched = new Int32Array(m);

  // A (empty without `always`), and per column K(c) less A: kPool[kStart[c] .. kStart[c + 1]].
  // Columns with the same K(c) share kGroup[c], and the subset K(c) is kId[kGroup[c]] once found.
  let accA = 0;
  const kStart = new Int32Array(m + 1);
  let kPool: Int32Array = new Int32Array(0);
  const kGroup = new Int32Array(m);
  let kGroups = 1;
  if (always >= 0) {
    begin();
    addClosed(always);
    const aLen = workLen;
    for (let j = 0; j < aLen; j++) {
      const u = work[j] as number;
      mark[u] = ALWAYS_MARK;
      accA |= nfaAccept[u] as number;
    }
    ({ kPool, kGroups } = alwaysShares(aLen));
  }
  const kId = new Int32Array(kGroups).fill(-1);

  /** Groups A's targets by column and closes them (A's members left out): K(c) and kGroup. */
  function alwaysShares(aLen: number): { kPool: Int32Array; kGroups: number } {
    const members = work.slice(0, aLen);
    let nTouched = 0;
    for (let j = 0; j < aLen; j++) {
      const s = members[j] as number;
      for (let q = rowStart[s] as number, end = rowStart[s + 1] as number; q < end; q++) {
        const c = colOf[q] as number;
        if (count[c] === 0) touched[nTouched++] = c;
        count[c] = (count[c] as number) + 1;
      }
    }
    const lists: number[][] = [];
    const hashesOf: number[] = [];
    const groupOfList: number[] = [];
    const out: number[] = [];
    let groups = 1; // group 0: K(c) = A alone, for the columns A does not move on
    for (let c = 0; c < m; c++) {
      begin();
      if ((count[c] as number) > 0) {
        for (let j = 0; j < aLen; j++) {
          const s = members[j] as number;
          for (let q = rowStart[s] as number, end = rowStart[s + 1] as number; q < end; q++) if (colOf[q] === c) addClosed(tgt[q] as number);
        }
      }
      kStart[c] = out.length;
      for (let j = 0; j < workLen; j++) out.push(work[j] as number);
      // An earlier list with the same members (all marked now) shares its group.
      let group = workLen === 0 ? 0 : -1;
      for (let g = 0; g < lists.length && group < 0; g++) {
        const list = lists[g] as number[];
        if (hashesOf[g] === workHash && list.length === workLen && list.every((u) => mark[u] === stamp)) group = groupOfList[g] as number;
      }
      if (group < 0) {
        group = groups++;
        lists.push(Array.from(work.subarray(0, workLen)));
        hashesOf.push(workHash);
        groupOfList.push(group);
      }
      kGroup[c] = group;
    }
    kStart[m] = out.length;
    for (let j = 0; j < nTouched; j++) count[touched[j] as number] = 0;
    return { kPool: Int32Array.from(out), kGroups: groups };
  }

  // Columns of one subset whose inputs to the closure (their K group and their raw targets)
  // equal an earlier column's share its result: an open-addressing table of those columns,
  // whose slot is taken when rawTaken[slot] is the subset's number + 1 (no clearing).
  let rawCap = 16;
  while (rawCap < 2 * m) rawCap *= 2;
  const rawMask = rawCap - 1;
  const rawSlot = new Int32Array(rawCap);
  const rawHash = new Int32Array(rawCap);
  const rawTaken = new Int32Array(rawCap);

  // The start subset: state 0's closure (and A, which it holds in rootAround).
  begin();
  addClosed(0);
  intern();
  const accept: number[] = [];
  let next = new Int32Array(Math.max(16, 4 * m));
  for (let i = 0; i < at.length - 1; i++) {
    const first = at[i] as number;
    const last = at[i + 1] as number;
    let acc = accA;
    let nTouched = 0;
    for (let j = first; j < last; j++) {
      const s = store[j] as number;
      acc |= nfaAccept[s] as number;
      for (let q = rowStart[s] as number, end = rowStart[s + 1] as number; q < end; q++) {
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
      for (let q = rowStart[s] as number, end = rowStart[s + 1] as number; q < end; q++) {
        const c = colOf[q] as number;
        const b = from[c] as number;
        bucket[b] = tgt[q] as number;
        from[c] = b + 1;
      }
    }
    if ((i + 1) * m > next.length) {
      const grown = new Int32Array(next.length * 2);
      grown.set(next);
      next = grown;
    }
    const base = i * m;
    next.fill(-1, base, base + m);
    const taken = i + 1;
    for (let j = 0; j < nTouched; j++) {
      const c = touched[j] as number;
      const n = count[c] as number;
      const a = (from[c] as number) - n;
      from[c] = a;
      const group = kGroup[c] as number;
      let h = group;
      for (let q = a, end = a + n; q < end; q++) h = (Math.imul(h, 31) + (bucket[q] as number)) | 0;
      let slot = h & rawMask;
      let shared = -1;
      for (; rawTaken[slot] === taken; slot = (slot + 1) & rawMask) {
        if (rawHash[slot] !== h) continue;
        const p = rawSlot[slot] as number;
        if (kGroup[p] !== group || count[p] !== n) continue;
        const pa = from[p] as number;
        let same = true;
        for (let q = 0; q < n; q++) {
          if (bucket[a + q] !== bucket[pa + q]) {
            same = false;
            break;
          }
        }
        if (same) {
          shared = p;
          break;
        }
      }
      if (shared >= 0) {
        next[base + c] = next[base + shared] as number;
        continue;
      }
      rawTaken[slot] = taken;
      rawHash[slot] = h;
      rawSlot[slot] = c;
      // The successor: K(c) (already closed, without A), then the closure of each target.
      // `begin` and `addClosed`, written out: this is the hottest loop (see the header).
      stamp++;
      workLen = 0;
      workHash = 0;
      for (let q = kStart[c] as number, end = kStart[c + 1] as number; q < end; q++) {
        const u = kPool[q] as number;
        if ((mark[u] as number) < stamp) {
          mark[u] = stamp;
          work[workLen++] = u;
          workHash = (workHash + (mixed[u] as number)) | 0;
        }
      }
      for (let q = a, end = a + n; q < end; q++) {
        const t = bucket[q] as number;
        if (epsStart[t] === epsStart[t + 1]) {
          if ((mark[t] as number) < stamp) {
            mark[t] = stamp;
            work[workLen++] = t;
            workHash = (workHash + (mixed[t] as number)) | 0;
          }
          continue;
        }
        let ca = closAt[t] as number;
        if (ca < 0) ca = closureAt(t);
        const ce = ca + (closLen[t] as number);
        for (let r = ca; r < ce; r++) {
          const u = pool[r] as number;
          if ((mark[u] as number) < stamp) {
            mark[u] = stamp;
            work[workLen++] = u;
            workHash = (workHash + (mixed[u] as number)) | 0;
          }
        }
      }
      next[base + c] = intern();
    }
    for (let j = 0; j < nTouched; j++) count[touched[j] as number] = 0;
    if (always >= 0 && nTouched < m) {
      // The columns no member of S moves on lead to K(c), the same from every subset.
      for (let c = 0; c < m; c++) {
        if ((next[base + c] as number) >= 0) continue;
        const group = kGroup[c] as number;
        let id = kId[group] as number;
        if (id < 0) {
          begin();
          for (let q = kStart[c] as number, end = kStart[c + 1] as number; q < end; q++) addClosed(kPool[q] as number);
          kId[group] = id = intern();
        }
        next[base + c] = id;
      }
    }
  }
  return { n: at.length - 1, m, cls: nfa.cls, accept: Uint8Array.from(accept), next };
}
