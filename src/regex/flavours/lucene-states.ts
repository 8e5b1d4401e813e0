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
 */

type Node =
  | { k: 'set'; ranges: [number, number][] }
  | { k: 'cat'; items: Node[] }
  | { k: 'alt'; items: Node[] }
  | { k: 'rep'; body: Node; min: number; max: number | null };

const MAX = 0x10ffff;

/** Parser for the printed subset: escapes `\c`, `.`, `[...]`, `[^...]`, `( )`, `|`, `* + ? {n,m}`. */
function parse(src: string): Node {
  const cps = [...src].map((c) => c.codePointAt(0) ?? 0);
  let i = 0;
  const peek = (): number | undefined => cps[i];
  const ch = (c: string): number => c.codePointAt(0) ?? 0;

  function alt(): Node {
    const items = [cat()];
    while (peek() === ch('|')) {
      i++;
      items.push(cat());
    }
    return items.length === 1 ? (items[0] as Node) : { k: 'alt', items };
  }

  function cat(): Node {
    const items: Node[] = [];
    for (let c = peek(); c !== undefined && c !== ch('|') && c !== ch(')'); c = peek()) items.push(repeat(atom()));
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

  function repeat(body: Node): Node {
    for (;;) {
      const c = peek();
      if (c === ch('*')) body = { k: 'rep', body, min: 0, max: null };
      else if (c === ch('+')) body = { k: 'rep', body, min: 1, max: null };
      else if (c === ch('?')) body = { k: 'rep', body, min: 0, max: 1 };
      else if (c === ch('{')) {
        i++;
        const min = num();
        let max: number | null = min;
        if (peek() === ch(',')) {
          i++;
          max = peek() === ch('}') ? null : num();
        }
        body = { k: 'rep', body, min, max };
      } else return body;
      i++;
    }
  }

  function atom(): Node {
    const c = cps[i++] as number;
    if (c === ch('(')) {
      const inner = alt();
      i++; // ')'
      return inner;
    }
    if (c === ch('.')) return { k: 'set', ranges: [[0, MAX]] };
    if (c === ch('[')) return klass();
    if (c === ch('\\')) {
      const e = cps[i++] as number;
      return { k: 'set', ranges: [[e, e]] };
    }
    return { k: 'set', ranges: [[c, c]] };
  }

  function klass(): Node {
    let negated = false;
    if (peek() === ch('^')) {
      negated = true;
      i++;
    }
    const ranges: [number, number][] = [];
    const member = (): number => {
      const c = cps[i++] as number;
      return c === ch('\\') ? (cps[i++] as number) : c;
    };
    while (peek() !== undefined && peek() !== ch(']')) {
      const lo = member();
      if (peek() === ch('-') && cps[i + 1] !== ch(']')) {
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

class TooComplex extends Error {}

/**
 * A DFA with its own alphabet: `cls[c]` maps each global alphabet class to one of `m`
 * local columns (classes the DFA cannot tell apart share a column, which keeps the
 * tables small); `next[s * m + col]` is the target or -1. State 0 starts.
 */
interface Dfa {
  n: number;
  m: number;
  cls: Int32Array;
  accept: boolean[];
  next: Int32Array;
}

/** An NFA of DFA pieces joined by epsilon moves, over a shared local alphabet. */
interface Nfa {
  m: number;
  cls: Int32Array;
  accept: boolean[];
  next: Int32Array[];
  eps: number[][];
}

class Builder {
  constructor(private readonly k: number, private readonly classesOf: (ranges: [number, number][]) => Set<number>, private readonly limit: number) {}

  /** An empty NFA whose alphabet distinguishes everything any of `pieces` distinguishes. */
  private nfa(pieces: Dfa[]): { m: Nfa; colOf: (d: Dfa, col: number) => number } {
    // Refine piece by piece: two global classes share a column while every piece so far agrees on
    // them (numeric pair keys, no per-class string).
    const k = this.k;
    let cls = new Int32Array(k);
    let size = 1;
    for (const p of pieces) {
      const ids = new Map<number, number>();
      const refined = new Int32Array(k);
      for (let c = 0; c < k; c++) {
        const key = (cls[c] as number) * p.m + (p.cls[c] as number);
        let id = ids.get(key);
        if (id === undefined) ids.set(key, (id = ids.size));
        refined[c] = id;
      }
      cls = refined;
      size = ids.size;
    }
    const rep = new Int32Array(size).fill(-1);
    for (let c = 0; c < k; c++) if ((rep[cls[c] as number] as number) < 0) rep[cls[c] as number] = c;
    const m: Nfa = { m: size, cls, accept: [], next: [], eps: [] };
    return { m, colOf: (d, col) => d.cls[rep[col] as number] as number };
  }

  private add(m: Nfa, accept = false): number {
    m.accept.push(accept);
    m.next.push(new Int32Array(m.m).fill(-1));
    m.eps.push([]);
    return m.accept.length - 1;
  }

  /** Copies `d` into `m` after the states `from` (epsilon); returns its accepting states. */
  private chain(m: Nfa, colOf: (d: Dfa, col: number) => number, from: number[], d: Dfa): number[] {
    const base = m.accept.length;
    for (let s = 0; s < d.n; s++) this.add(m);
    for (let s = 0; s < d.n; s++) {
      const row = m.next[base + s] as Int32Array;
      for (let col = 0; col < m.m; col++) {
        const t = d.next[s * d.m + colOf(d, col)] as number;
        if (t >= 0) row[col] = base + t;
      }
    }
    for (const f of from) (m.eps[f] as number[]).push(base);
    const accepts: number[] = [];
    for (let s = 0; s < d.n; s++) if (d.accept[s]) accepts.push(base + s);
    return accepts;
  }

  /** `root`: only the determinization count matters, its minimization is skipped. */
  build(node: Node, root = false): Dfa {
    const finish = (m: Nfa): Dfa => (root ? this.determinize(m) : minimize(this.determinize(m)));
    switch (node.k) {
      case 'set': {
        const inSet = this.classesOf(node.ranges);
        const cls = new Int32Array(this.k);
        for (let c = 0; c < this.k; c++) cls[c] = inSet.has(c) ? 0 : 1;
        return { n: 2, m: 2, cls, accept: [false, true], next: Int32Array.from([1, -1, -1, -1]) };
      }
      case 'cat': {
        const leaves: Node[] = [];
        const flat = (x: Node): void => {
          if (x.k === 'cat') x.items.forEach(flat);
          else leaves.push(x);
        };
        flat(node);
        if (leaves.length === 1) return this.build(leaves[0] as Node, root);
        const pieces = leaves.map((l) => this.build(l));
        const { m, colOf } = this.nfa(pieces);
        let ends = [this.add(m)];
        for (const piece of pieces) ends = this.chain(m, colOf, ends, piece);
        for (const e of ends) m.accept[e] = true;
        return finish(m);
      }
      case 'alt': {
        const leaves: Node[] = [];
        const flat = (x: Node): void => {
          if (x.k === 'alt') x.items.forEach(flat);
          else leaves.push(x);
        };
        flat(node);
        const pieces = leaves.map((l) => this.build(l));
        const { m, colOf } = this.nfa(pieces);
        const start = this.add(m);
        for (const piece of pieces) for (const e of this.chain(m, colOf, [start], piece)) m.accept[e] = true;
        return finish(m);
      }
      case 'rep': {
        const body = this.build(node.body);
        const { m, colOf } = this.nfa([body]);
        let ends = [this.add(m)];
        for (let i = 0; i < node.min; i++) ends = this.chain(m, colOf, ends, body);
        const done: number[] = [...ends];
        if (node.max === null) {
          const loop = this.add(m);
          for (const e of ends) (m.eps[e] as number[]).push(loop);
          for (const e of this.chain(m, colOf, [loop], body)) (m.eps[e] as number[]).push(loop);
          done.push(loop);
        } else {
          for (let i = node.min; i < node.max; i++) {
            ends = this.chain(m, colOf, ends, body);
            done.push(...ends);
          }
        }
        for (const e of done) m.accept[e] = true;
        return finish(m);
      }
    }
  }

  private determinize(nfa: Nfa): Dfa {
    const m = nfa.m;
    const size = nfa.accept.length;
    // Sparse rows (column, target pairs): most NFA states come from one-character pieces and move
    // on one column only, so scanning all m columns of every member would dominate.
    const sparse: Int32Array[] = new Array<Int32Array>(size);
    for (let s = 0; s < size; s++) {
      const row = nfa.next[s] as Int32Array;
      let n = 0;
      for (let col = 0; col < m; col++) if ((row[col] as number) >= 0) n++;
      const pairs = new Int32Array(2 * n);
      n = 0;
      for (let col = 0; col < m; col++) {
        const t = row[col] as number;
        if (t >= 0) {
          pairs[n++] = col;
          pairs[n++] = t;
        }
      }
      sparse[s] = pairs;
    }
    // Epsilon closures of single states, computed once.
    const single: (number[] | undefined)[] = new Array<number[] | undefined>(size);
    const closureOf = (s: number): number[] => {
      let c = single[s];
      if (c) return c;
      if ((nfa.eps[s] as number[]).length === 0) c = [s];
      else {
        const seen = new Set<number>([s]);
        const stack = [s];
        while (stack.length) {
          for (const t of nfa.eps[stack.pop() as number] as number[]) {
            if (!seen.has(t)) {
              seen.add(t);
              stack.push(t);
            }
          }
        }
        c = [...seen];
      }
      single[s] = c;
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
    // Targets per column of the subset being expanded: column c's are bucket[c*size ..], a
    // member contributes at most one per column so `size` slots suffice.
    const bucket = new Int32Array(m * size);
    const bucketLen = new Int32Array(m);
    const closure = (from: number, len: number): void => {
      stamp++;
      workLen = 0;
      workHash = 0;
      for (let j = from; j < from + len; j++) {
        for (const t of closureOf(bucket[j] as number)) {
          if (mark[t] !== stamp) {
            mark[t] = stamp;
            work[workLen++] = t;
            workHash = (workHash + mix(t)) | 0;
          }
        }
      }
    };
    const subsets: Int32Array[] = [];
    const table = new HashIds(64);
    const sameAsWork = (id: number): boolean => {
      const stored = subsets[id] as Int32Array;
      if (stored.length !== workLen) return false;
      for (let j = 0; j < stored.length; j++) if (mark[stored[j] as number] !== stamp) return false;
      return true;
    };
    const intern = (): number => {
      const found = table.find(workHash, sameAsWork);
      if (found >= 0) return found;
      const id = subsets.length;
      if (id >= this.limit) throw new TooComplex();
      subsets.push(work.slice(0, workLen));
      table.add(workHash, id);
      return id;
    };
    bucket[0] = 0;
    closure(0, 1);
    intern();
    const accept: boolean[] = [];
    let next = new Int32Array(Math.max(16, 4 * m));
    // Columns whose raw targets (before closure) equal an earlier column's share its result.
    const raw = new HashIds(2 * m);
    let col0 = 0;
    const sameRaw = (col: number): boolean => {
      const n = bucketLen[col] as number;
      if (n !== bucketLen[col0]) return false;
      const a = col * size;
      const b = col0 * size;
      for (let j = 0; j < n; j++) if (bucket[a + j] !== bucket[b + j]) return false;
      return true;
    };
    for (let i = 0; i < subsets.length; i++) {
      const subset = subsets[i] as Int32Array;
      let acc = false;
      bucketLen.fill(0);
      for (let j = 0; j < subset.length; j++) {
        const s = subset[j] as number;
        if (nfa.accept[s]) acc = true;
        const pairs = sparse[s] as Int32Array;
        for (let q = 0; q < pairs.length; q += 2) {
          const col = pairs[q] as number;
          const len = bucketLen[col] as number;
          bucket[col * size + len] = pairs[q + 1] as number;
          bucketLen[col] = len + 1;
        }
      }
      accept.push(acc);
      if ((i + 1) * m > next.length) {
        const grown = new Int32Array(next.length * 2);
        grown.set(next);
        next = grown;
      }
      const base = i * m;
      raw.clear();
      for (let col = 0; col < m; col++) {
        const n = bucketLen[col] as number;
        if (n === 0) {
          next[base + col] = -1;
          continue;
        }
        let h = n;
        for (let j = col * size; j < col * size + n; j++) h = (Math.imul(h, 31) + (bucket[j] as number)) | 0;
        col0 = col;
        const prev = raw.find(h, sameRaw);
        if (prev >= 0) {
          next[base + col] = next[base + prev] as number;
          continue;
        }
        raw.add(h, col);
        closure(col * size, n);
        next[base + col] = intern();
      }
    }
    return { n: subsets.length, m, cls: nfa.cls, accept, next: next.slice(0, subsets.length * m) };
  }
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
  let block = Int32Array.from(d.accept, (a) => (a ? 1 : 0));
  let count = new Set(block).size;
  // States share a block when their block and their targets' blocks agree, column by column.
  const target = (t: number): number => (t < 0 ? -1 : (block[t] as number));
  let b = 0;
  const sameSig = (a: number): boolean => {
    if (block[a] !== block[b]) return false;
    for (let col = 0; col < m; col++) if (target(nx[a * m + col] as number) !== target(nx[b * m + col] as number)) return false;
    return true;
  };
  const newId = new Int32Array(size);
  const blocks = new HashIds(size);
  for (;;) {
    blocks.clear();
    const nextBlock = new Int32Array(size);
    let ids = 0;
    for (let s = 0; s < size; s++) {
      let h = block[s] as number;
      for (let col = 0; col < m; col++) h = (Math.imul(h, 31) + target(nx[s * m + col] as number)) | 0;
      b = s;
      const rep = blocks.find(h, sameSig);
      if (rep >= 0) nextBlock[s] = newId[rep] as number;
      else {
        blocks.add(h, s);
        newId[s] = ids;
        nextBlock[s] = ids++;
      }
    }
    block = nextBlock;
    if (ids === count) break;
    count = ids;
  }
  // Renumber so that the start state's block is 0.
  const order = new Int32Array(count).fill(-1);
  let n = 0;
  order[block[0] as number] = n++;
  for (let s = 0; s < size; s++) if ((order[block[s] as number] as number) < 0) order[block[s] as number] = n++;
  const table = new Int32Array(n * m).fill(-1);
  const accept = new Array<boolean>(n).fill(false);
  for (let s = 0; s < size; s++) {
    const b = order[block[s] as number] as number;
    accept[b] = d.accept[s] as boolean;
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
  for (let s = 0; s < n; s++) keep.forEach((col, j) => (next[s * m2 + j] = table[s * m + col] as number));
  return { n, m: m2, cls: d.cls.map((c) => remap[c] as number), accept, next };
}

function collectRanges(node: Node, out: [number, number][]): void {
  if (node.k === 'set') out.push(...node.ranges);
  else if (node.k === 'rep') collectRanges(node.body, out);
  else for (const item of node.items) collectRanges(item, out);
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
  const tree = parse(pattern);
  const ranges: [number, number][] = [];
  collectRanges(tree, ranges);
  const cuts = new Set<number>([0, MAX + 1]);
  for (const [lo, hi] of ranges) cuts.add(lo).add(hi + 1);
  const bounds = [...cuts].sort((a, b) => a - b);
  const k = bounds.length - 1;
  const classesOf = (rs: [number, number][]): Set<number> => {
    const ids = new Set<number>();
    for (let c = 0; c < k; c++) {
      const lo = bounds[c] as number;
      if (rs.some(([a, b]) => lo >= a && lo <= b)) ids.add(c);
    }
    return ids;
  };
  try {
    new Builder(k, classesOf, limit).build(tree, true);
    return false;
  } catch (e) {
    if (e instanceof TooComplex) return true;
    throw e;
  }
}
