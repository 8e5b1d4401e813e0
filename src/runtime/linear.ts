/**
 * A linear-time regex engine (Thompson NFA simulated Pike-style, no captures) for the match verdict
 * of a Splunk PCRE, and the guard that decides when to use it instead of V8's backtracking engine.
 *
 * Why: the Armory's regexes (the seed's first of all) have several unbounded quantifiers in a row;
 * V8 backtracks polynomially (tens of ms on one long base64 command line) and, for nested
 * quantifiers, exponentially: one event could hang the matcher. The NFA takes O(pattern x input)
 * steps whatever the input. It runs on UTF-16 code units like a non-`u` JS RegExp, with the
 * regex layer's PCRE semantics (ASCII case folding, `\s` with VT, `$` before a final newline).
 *
 * Not supported (the guard then falls back, see `guardedTest`): backreferences, lookarounds,
 * atomic groups and possessive quantifiers, and programs over MAX_PROGRAM instructions.
 */
import type { RegexNode } from '../regex/ast.js';
import { classSet, literalSet, shorthandSet, type CodeSet } from '../regex/charset.js';
import { parseRegex } from '../regex/parse.js';

const enum Op {
  Char,
  Split,
  Jmp,
  Assert,
  Match,
}

type AssertKind = 'start' | 'end' | 'endAbs' | 'mlStart' | 'mlEnd' | 'wb' | 'nwb';

interface Inst {
  op: Op;
  /** Char: the set test; Split: second branch; Jmp: target. */
  test?: (c: number) => boolean;
  x: number;
  y: number;
  assert?: AssertKind;
}

const MAX_PROGRAM = 50_000;

class Unsupported extends Error {}

function setTest(set: CodeSet): (c: number) => boolean {
  const ascii = new Uint8Array(128);
  for (const [lo, hi] of set) for (let c = lo; c <= Math.min(hi, 127); c++) ascii[c] = 1;
  const wide = set.filter(([, hi]) => hi > 127);
  if (wide.length === 0) return (c) => c < 128 && ascii[c] === 1;
  return (c) => {
    if (c < 128) return ascii[c] === 1;
    for (const [lo, hi] of wide) if (c >= lo && c <= hi) return true;
    return false;
  };
}

const isWord = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

class Builder {
  readonly prog: Inst[] = [];

  private emit(i: Inst): number {
    if (this.prog.length >= MAX_PROGRAM) throw new Unsupported('program too large');
    this.prog.push(i);
    return this.prog.length - 1;
  }

  private char(test: (c: number) => boolean): void {
    const pc = this.prog.length;
    this.emit({ op: Op.Char, test, x: pc + 1, y: -1 });
  }

  /** Emits code for `node`; control falls through to the next instruction. */
  gen(node: RegexNode): void {
    switch (node.kind) {
      case 'literal': {
        if (node.value > 0xffff) {
          const s = String.fromCodePoint(node.value);
          for (let k = 0; k < s.length; k++) {
            const u = s.charCodeAt(k);
            this.char((c) => c === u);
          }
          return;
        }
        this.char(setTest(literalSet(node.value, node.caseInsensitive)));
        return;
      }
      case 'any':
        this.char(node.dotAll ? () => true : (c) => c !== 10);
        return;
      case 'shorthand':
        this.char(setTest(shorthandSet(node.name)));
        return;
      case 'class':
        this.char(setTest(classSet(node)));
        return;
      case 'anchor': {
        const kind: AssertKind = node.multiline
          ? node.anchor === 'start'
            ? 'mlStart'
            : node.anchor === 'end'
              ? 'mlEnd'
              : 'endAbs'
          : node.anchor === 'start'
            ? 'start'
            : node.anchor === 'end'
              ? 'end'
              : 'endAbs';
        const pc = this.prog.length;
        this.emit({ op: Op.Assert, assert: kind, x: pc + 1, y: -1 });
        return;
      }
      case 'wordBoundary': {
        const pc = this.prog.length;
        this.emit({ op: Op.Assert, assert: node.negated ? 'nwb' : 'wb', x: pc + 1, y: -1 });
        return;
      }
      case 'flags':
        return;
      case 'group':
        if (node.group === 'atomic') throw new Unsupported('atomic group');
        this.gen(node.body);
        return;
      case 'lookaround':
        throw new Unsupported('lookaround');
      case 'backreference':
        throw new Unsupported('backreference');
      case 'sequence':
        for (const item of node.items) this.gen(item);
        return;
      case 'alternation': {
        // split L1, next; L1: branch0; jmp end; ...
        const jumps: number[] = [];
        node.branches.forEach((b, i) => {
          if (i < node.branches.length - 1) {
            const split = this.emit({ op: Op.Split, x: -1, y: -1 });
            (this.prog[split] as Inst).x = split + 1;
            this.gen(b);
            jumps.push(this.emit({ op: Op.Jmp, x: -1, y: -1 }));
            (this.prog[split] as Inst).y = this.prog.length;
          } else this.gen(b);
        });
        for (const j of jumps) (this.prog[j] as Inst).x = this.prog.length;
        return;
      }
      case 'quantifier': {
        if (node.mode === 'possessive') throw new Unsupported('possessive quantifier');
        for (let k = 0; k < node.min; k++) this.gen(node.body);
        if (node.max === null) {
          // L: split body, end; body; jmp L
          const split = this.emit({ op: Op.Split, x: -1, y: -1 });
          (this.prog[split] as Inst).x = split + 1;
          this.gen(node.body);
          this.emit({ op: Op.Jmp, x: split, y: -1 });
          (this.prog[split] as Inst).y = this.prog.length;
          return;
        }
        const splits: number[] = [];
        for (let k = node.min; k < node.max; k++) {
          const split = this.emit({ op: Op.Split, x: -1, y: -1 });
          (this.prog[split] as Inst).x = split + 1;
          splits.push(split);
          this.gen(node.body);
        }
        for (const s of splits) (this.prog[s] as Inst).y = this.prog.length;
        return;
      }
    }
  }

  finish(): Inst[] {
    this.emit({ op: Op.Match, x: -1, y: -1 });
    return this.prog;
  }
}

function holds(kind: AssertKind, s: string, i: number): boolean {
  const n = s.length;
  switch (kind) {
    case 'start':
      return i === 0;
    case 'end':
      return i === n || (i === n - 1 && s.charCodeAt(i) === 10);
    case 'endAbs':
      return i === n;
    case 'mlStart':
      return i === 0 || (s.charCodeAt(i - 1) === 10 && i < n);
    case 'mlEnd':
      return i === n || s.charCodeAt(i) === 10;
    case 'wb':
    case 'nwb': {
      const a = i > 0 && isWord(s.charCodeAt(i - 1));
      const b = i < n && isWord(s.charCodeAt(i));
      return kind === 'wb' ? a !== b : a === b;
    }
  }
}

/** The simulation state of one program, reused between calls (no allocation per test). */
class Machine {
  private readonly mark: Int32Array;
  private clist: Int32Array;
  private nlist: Int32Array;
  private readonly stack: Int32Array;
  private gen = 0;

  constructor(private readonly prog: readonly Inst[]) {
    const size = prog.length;
    this.mark = new Int32Array(size);
    this.clist = new Int32Array(size);
    this.nlist = new Int32Array(size);
    this.stack = new Int32Array(size * 2 + 2);
  }

  /** Adds the epsilon closure of pc0 at position i to `list` (length `len`); -1 on reaching Match. */
  private add(list: Int32Array, len: number, pc0: number, s: string, i: number, gen: number): number {
    const { prog, mark, stack } = this;
    let sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      const pc = stack[--sp] as number;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = prog[pc] as Inst;
      switch (inst.op) {
        case Op.Match:
          return -1;
        case Op.Char:
          list[len++] = pc;
          break;
        case Op.Jmp:
          stack[sp++] = inst.x;
          break;
        case Op.Split:
          stack[sp++] = inst.y;
          stack[sp++] = inst.x;
          break;
        case Op.Assert:
          if (holds(inst.assert as AssertKind, s, i)) stack[sp++] = inst.x;
          break;
      }
    }
    return len;
  }

  /** Does the NFA accept some substring of `s`? (unanchored search, verdict only) */
  test(s: string): boolean {
    const n = s.length;
    if (this.gen > 0x3fffffff - n - 2) {
      this.mark.fill(0);
      this.gen = 0;
    }
    const base = this.gen + 1;
    this.gen += n + 2;
    let clen = 0;
    for (let i = 0; ; i++) {
      clen = this.add(this.clist, clen, 0, s, i, base + i);
      if (clen < 0) return true;
      if (i === n) return false;
      const c = s.charCodeAt(i);
      let nlen = 0;
      const clist = this.clist;
      for (let k = 0; k < clen; k++) {
        const inst = this.prog[clist[k] as number] as Inst;
        if ((inst.test as (c: number) => boolean)(c)) {
          nlen = this.add(this.nlist, nlen, inst.x, s, i + 1, base + i + 1);
          if (nlen < 0) return true;
        }
      }
      const t = this.clist;
      this.clist = this.nlist;
      this.nlist = t;
      clen = nlen;
    }
  }
}

/** A linear-time tester for a Splunk PCRE, or null when the pattern uses unsupported constructs. */
export function linearRegex(pattern: string): ((s: string) => boolean) | null {
  const parsed = parseRegex(pattern);
  if (!parsed.ok) return null;
  let prog: Inst[];
  try {
    const b = new Builder();
    b.gen(parsed.regex.ast);
    prog = b.finish();
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  const m = new Machine(prog);
  return (s) => m.test(s);
}

function unbounded(n: RegexNode): number {
  switch (n.kind) {
    case 'quantifier':
      return (n.max === null || n.max > 16 ? 1 : 0) + unbounded(n.body);
    case 'group':
    case 'lookaround':
      return unbounded(n.body);
    case 'sequence':
      return n.items.reduce((a, x) => a + unbounded(x), 0);
    case 'alternation':
      return n.branches.reduce((a, x) => a + unbounded(x), 0);
    default:
      return 0;
  }
}

/** A repeating quantifier inside an unbounded one: `(a+)+`, `(\w+\s?)*` (exponential backtracking). */
function nested(n: RegexNode, underRepeat: boolean): boolean {
  switch (n.kind) {
    case 'quantifier': {
      if (underRepeat && (n.max === null || n.max > 1)) return true;
      return nested(n.body, underRepeat || n.max === null || n.max > 16);
    }
    case 'group':
    case 'lookaround':
      return nested(n.body, underRepeat);
    case 'sequence':
      return n.items.some((x) => nested(x, underRepeat));
    case 'alternation':
      return n.branches.some((x) => nested(x, underRepeat));
    default:
      return false;
  }
}

/** Inputs longer than this go through the linear engine when the pattern can backtrack badly. */
export const BACKTRACK_SAFE_LENGTH = 256;
/**
 * Lossy fallback for patterns the linear engine cannot run (lookaround, backreference, atomic,
 * possessive) that can backtrack badly: only the first HARD_INPUT_LIMIT code units of a longer
 * value are tested (a match further in is missed: narrower).
 */
export const HARD_INPUT_LIMIT = 16_384;

export type GuardKind = 'plain' | 'linear-long' | 'linear-always' | 'truncate';

/**
 * The match test for a Splunk PCRE whose JS translation is `re`:
 * - patterns without repeated quantifiers: `re.test` (V8 is fast and cannot blow up);
 * - two or more unbounded quantifiers (polynomial backtracking): the linear engine for values
 *   longer than BACKTRACK_SAFE_LENGTH;
 * - a repeated quantifier inside a repeated group (exponential backtracking): always linear;
 * - when the linear engine cannot run the pattern: values cut to HARD_INPUT_LIMIT (lossy).
 */
export function guardedTest(re: RegExp, pattern: string): ((s: string) => boolean) & { readonly guard: GuardKind } {
  const plain = Object.assign((s: string) => re.test(s), { guard: 'plain' as GuardKind });
  const parsed = parseRegex(pattern);
  if (!parsed.ok) return plain;
  const ast = parsed.regex.ast;
  const exponential = nested(ast, false);
  if (!exponential && unbounded(ast) < 2) return plain;
  const lin = linearRegex(pattern);
  if (!lin) {
    return Object.assign((s: string) => re.test(s.length > HARD_INPUT_LIMIT ? s.slice(0, HARD_INPUT_LIMIT) : s), { guard: 'truncate' as GuardKind });
  }
  if (exponential) return Object.assign(lin, { guard: 'linear-always' as GuardKind });
  return Object.assign((s: string) => (s.length <= BACKTRACK_SAFE_LENGTH ? re.test(s) : lin(s)), { guard: 'linear-long' as GuardKind });
}
