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
    const ids = new Map<string, number>();
    const cls = new Int32Array(this.k);
    const rep: number[] = [];
    for (let c = 0; c < this.k; c++) {
      const key = pieces.map((p) => p.cls[c]).join(',');
      let id = ids.get(key);
      if (id === undefined) {
        ids.set(key, (id = ids.size));
        rep.push(c);
      }
      cls[c] = id;
    }
    const m: Nfa = { m: ids.size, cls, accept: [], next: [], eps: [] };
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
    // Epsilon closures of single states, computed once.
    const single: (number[] | undefined)[] = new Array(size);
    const closureOf = (s: number): number[] => {
      let c = single[s];
      if (c) return c;
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
      single[s] = c;
      return c;
    };
    const mark = new Int32Array(size).fill(-1);
    let stamp = 0;
    const closure = (states: number[]): number[] => {
      stamp++;
      const out: number[] = [];
      for (const s of states) {
        for (const t of closureOf(s)) {
          if (mark[t] !== stamp) {
            mark[t] = stamp;
            out.push(t);
          }
        }
      }
      return out.sort((a, b) => a - b);
    };
    const first = closure([0]);
    const ids = new Map<string, number>([[first.join(','), 0]]);
    const subsets = [first];
    const accept: boolean[] = [];
    const rows: Int32Array[] = [];
    const buckets: number[][] = Array.from({ length: m }, () => []);
    for (let i = 0; i < subsets.length; i++) {
      const subset = subsets[i] as number[];
      accept.push(subset.some((s) => nfa.accept[s]));
      for (const b of buckets) b.length = 0;
      for (const s of subset) {
        const row = nfa.next[s] as Int32Array;
        for (let col = 0; col < m; col++) {
          const t = row[col] as number;
          if (t >= 0) (buckets[col] as number[]).push(t);
        }
      }
      const out = new Int32Array(m).fill(-1);
      for (let col = 0; col < m; col++) {
        const targets = buckets[col] as number[];
        if (targets.length === 0) continue;
        const next = closure(targets);
        const key = next.join(',');
        let id = ids.get(key);
        if (id === undefined) {
          id = subsets.length;
          if (id >= this.limit) throw new TooComplex();
          ids.set(key, id);
          subsets.push(next);
        }
        out[col] = id;
      }
      rows.push(out);
    }
    const next = new Int32Array(subsets.length * m);
    rows.forEach((row, s) => next.set(row, s * m));
    return { n: subsets.length, m, cls: nfa.cls, accept, next };
  }
}

/** Moore partition refinement (the dead state stays implicit, -1), then merged columns. */
function minimize(d: Dfa): Dfa {
  const { m } = d;
  let block = Int32Array.from(d.accept, (a) => (a ? 1 : 0));
  let count = new Set(block).size;
  const sig = new Int32Array(m + 1);
  for (;;) {
    const ids = new Map<string, number>();
    const nextBlock = new Int32Array(d.n);
    for (let s = 0; s < d.n; s++) {
      sig[0] = block[s] as number;
      for (let col = 0; col < m; col++) {
        const t = d.next[s * m + col] as number;
        sig[col + 1] = t < 0 ? -1 : (block[t] as number);
      }
      const key = sig.join(',');
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      nextBlock[s] = id;
    }
    block = nextBlock;
    if (ids.size === count) break;
    count = ids.size;
  }
  // Renumber so that the start state's block is 0.
  const order = new Map<number, number>([[block[0] as number, 0]]);
  for (const b of block) if (!order.has(b)) order.set(b, order.size);
  const n = order.size;
  const table = new Int32Array(n * m).fill(-1);
  const accept = new Array<boolean>(n).fill(false);
  for (let s = 0; s < d.n; s++) {
    const b = order.get(block[s] as number) as number;
    accept[b] = d.accept[s] as boolean;
    for (let col = 0; col < m; col++) {
      const t = d.next[s * m + col] as number;
      table[b * m + col] = t < 0 ? -1 : (order.get(block[t] as number) as number);
    }
  }
  // Columns the minimal DFA treats alike become one.
  const colIds = new Map<string, number>();
  const remap = new Int32Array(m);
  const keep: number[] = [];
  for (let col = 0; col < m; col++) {
    let key = '';
    for (let s = 0; s < n; s++) key += `${table[s * m + col]},`;
    let id = colIds.get(key);
    if (id === undefined) {
      colIds.set(key, (id = colIds.size));
      keep.push(col);
    }
    remap[col] = id;
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
