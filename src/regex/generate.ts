/**
 * Test-subject generator: strings built from a regex's AST that (usually) match it, and near
 * misses made by mutating those. Used by the engine oracles to compare flavours where the
 * verdict is decided, i.e. around the edges of the language rather than on random text.
 *
 * Members are not guaranteed to match (lookaround, anchors and backreferences are only
 * approximated); that is fine, every subject is judged by the real engines.
 */
import { assertNever, type ParsedRegex, type RegexNode } from './ast.js';
import { classSet, has, shorthandSet, type CodeSet } from './charset.js';

export interface GenerateOptions {
  /** Members to build (before de-duplication). Default 24. */
  members?: number;
  /** Near misses to build (before de-duplication). Default 48. */
  mutants?: number;
  seed?: number;
  /** Longest generated string; longer members are cut. Default 300. */
  maxLength?: number;
}

export type Rng = (n: number) => number;

/** Small deterministic PRNG (LCG): `rng(n)` is an integer in [0, n). */
export function makeRng(seed: number): Rng {
  let s = seed >>> 0 || 1;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return n <= 1 ? 0 : Math.floor(((s >>> 8) / 0x1000000) * n);
  };
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r(xs.length)] as T;

/**
 * Characters where engines disagree most: whitespace variants (VT, FF, NBSP, NEL, LS), newline
 * and CR, non-ASCII letters with case (é, the Kelvin sign and long s that Unicode folds to k and
 * s, dotless i), a non-ASCII digit, an astral character, and ASCII punctuation engines treat as
 * syntax.
 */
export const TRICKY_CHARS: readonly string[] = [
  '\n', '\r', '\u000b', '\u000c', '\t', ' ', '\u00a0', '\u0085', '\u2028', '\u00e9', '\u00c9', '\u212a', '\u017f',
  '\u0131', '\u0130', '\u00df', '\u0663', '\u{1f600}', '_', '-', '.', '\\', '/', '"', '#', '@', '&', '<', '>', '~',
  '0', '9', 'a', 'z', 'A', 'Z', 'k', 's', 'K', 'S',
];

const CONTEXT_PREFIX = ['', '', '', 'x', ' ', 'C:\\Windows\\', '\n', 'a b ', '"'];
const CONTEXT_SUFFIX = ['', '', '', 'x', ' ', '.exe', '\n', ' -a', '"'];

const isSurrogate = (cp: number): boolean => cp >= 0xd800 && cp <= 0xdfff;

/** A member of `set`: often one of the tricky characters or a range edge, else a random one. */
function pickFromSet(r: Rng, set: CodeSet): string {
  if (set.length === 0) return '';
  const roll = r(4);
  if (roll === 0) {
    const tricky = TRICKY_CHARS.filter((c) => has(set, c.codePointAt(0) ?? 0));
    if (tricky.length) return pick(r, tricky);
  }
  const [lo, hi] = pick(r, set);
  let cp: number;
  if (roll === 1) cp = r(2) ? lo : hi;
  else cp = lo + r(Math.min(hi - lo + 1, 0x180));
  if (isSurrogate(cp)) cp = 0xe000 <= hi ? Math.max(lo, 0xe000) : 0xd7ff >= lo ? 0xd7ff : 0x41;
  return String.fromCodePoint(cp);
}

const flipCase = (c: string): string => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());

class MemberBuilder {
  private captures = new Map<number, string>();
  private length = 0;
  constructor(private readonly r: Rng, private readonly maxLength: number) {}

  build(node: RegexNode): string {
    if (this.length > this.maxLength) return '';
    const out = this.node(node);
    this.length += out.length;
    return out;
  }

  private node(node: RegexNode): string {
    const r = this.r;
    switch (node.kind) {
      case 'literal': {
        const c = String.fromCodePoint(node.value);
        return node.caseInsensitive && /[A-Za-z]/.test(c) && r(2) ? flipCase(c) : c;
      }
      case 'any': {
        const c = r(3) ? String.fromCharCode(0x20 + r(0x5f)) : pick(r, TRICKY_CHARS);
        return !node.dotAll && c === '\n' ? 'x' : c;
      }
      case 'shorthand':
        return pickFromSet(r, shorthandSet(node.name));
      case 'class':
        return pickFromSet(r, classSet(node));
      case 'group': {
        const text = this.build(node.body);
        if (node.index !== undefined) this.captures.set(node.index, text);
        return text;
      }
      case 'lookaround':
      case 'anchor':
      case 'wordBoundary':
      case 'flags':
        return '';
      case 'quantifier': {
        const extra = node.max === null ? pick(r, [0, 0, 1, 2, 5]) : r(Math.min(node.max - node.min, 3) + 1);
        const n = Math.min(node.min + extra, node.max ?? Infinity);
        let out = '';
        for (let i = 0; i < n && this.length + out.length <= this.maxLength; i++) out += this.build(node.body);
        return out;
      }
      case 'backreference':
        return this.captures.get(node.index) ?? '';
      case 'sequence':
        return node.items.map((item) => this.build(item)).join('');
      case 'alternation':
        return this.build(pick(r, node.branches));
      default:
        return assertNever(node);
    }
  }
}

/** One random edit: delete, insert, replace, case flip, truncate, duplicate, newline at an edge. */
export function mutate(r: Rng, s: string): string {
  const chars = [...s];
  const at = r(chars.length + 1);
  switch (r(9)) {
    case 0:
      chars.splice(at, 1);
      break;
    case 1:
      chars.splice(at, 0, pick(r, TRICKY_CHARS));
      break;
    case 2:
      chars.splice(at, 1, pick(r, TRICKY_CHARS));
      break;
    case 3:
      if (chars[at] !== undefined) chars[at] = flipCase(chars[at] as string);
      break;
    case 4:
      return (r(2) ? chars.slice(0, at) : chars.slice(at)).join('');
    case 5:
      if (chars[at] !== undefined) chars.splice(at, 0, chars[at] as string);
      break;
    case 6:
      return r(2) ? `${s}\n` : `\n${s}`;
    case 7:
      return r(2) ? s.toUpperCase() : s.toLowerCase();
    default:
      return `${s}${pick(r, TRICKY_CHARS)}`;
  }
  return chars.join('');
}

/** Members of the regex (with some context around them) and near misses, de-duplicated. */
export function generateSubjects(regex: ParsedRegex, options: GenerateOptions = {}): string[] {
  const r = makeRng(options.seed ?? 0x5eed);
  const maxLength = options.maxLength ?? 300;
  const members: string[] = [];
  for (let i = 0; i < (options.members ?? 24); i++) {
    const core = new MemberBuilder(r, maxLength).build(regex.ast);
    members.push(i % 3 === 0 ? core : `${pick(r, CONTEXT_PREFIX)}${core}${pick(r, CONTEXT_SUFFIX)}`);
  }
  const out = new Set(members);
  const mutants = options.mutants ?? 48;
  for (let i = 0; i < mutants && members.length; i++) {
    let s = mutate(r, pick(r, members));
    if (r(3) === 0) s = mutate(r, s);
    out.add(s);
  }
  return [...out].map((s) => ([...s].length > maxLength + 20 ? [...s].slice(0, maxLength).join('') : s));
}
