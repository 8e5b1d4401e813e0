/**
 * Code point sets as sorted, disjoint, non-adjacent inclusive ranges.
 *
 * Printers turn every character class (with shorthands, POSIX classes, negation
 * and case folding) into one of these, so each target only needs to know how to
 * spell a plain range list. This sidesteps engine differences in `\s`, `\w`,
 * `[^\W\d]`-style set algebra and case-insensitive ranges.
 */
import { assertNever, type CharClassNode, type ClassItem, type PosixClassName, type ShorthandName } from './ast.js';

export type Range = readonly [number, number];
export type CodeSet = readonly Range[];

export const MAX_CODE_POINT = 0x10ffff;

export function normalize(ranges: readonly Range[]): CodeSet {
  const sorted = [...ranges].filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function union(...sets: CodeSet[]): CodeSet {
  return normalize(sets.flat());
}

export function complement(set: CodeSet): CodeSet {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

export function intersect(a: CodeSet, b: CodeSet): CodeSet {
  return complement(union(complement(a), complement(b)));
}

export function isEmpty(set: CodeSet): boolean {
  return set.length === 0;
}

export function isFull(set: CodeSet): boolean {
  return set.length === 1 && set[0]?.[0] === 0 && set[0][1] === MAX_CODE_POINT;
}

export function has(set: CodeSet, cp: number): boolean {
  return set.some(([lo, hi]) => cp >= lo && cp <= hi);
}

export function equals(a: CodeSet, b: CodeSet): boolean {
  return a.length === b.length && a.every((r, i) => r[0] === b[i]?.[0] && r[1] === b[i]?.[1]);
}

/**
 * Add the other ASCII case of every ASCII letter (PCRE without UTF/UCP folds ASCII only).
 * Clips each range to A-Z / a-z directly (the set is sorted and disjoint), and hands back the
 * set itself when it holds no letter: printers call this for every literal and class.
 */
export function foldAscii(set: CodeSet): CodeSet {
  let extra: Range[] | null = null;
  for (const [lo, hi] of set) {
    const upLo = Math.max(lo, 0x41);
    const upHi = Math.min(hi, 0x5a);
    if (upLo <= upHi) (extra ??= []).push([upLo + 0x20, upHi + 0x20]);
    const lowLo = Math.max(lo, 0x61);
    const lowHi = Math.min(hi, 0x7a);
    if (lowLo <= lowHi) (extra ??= []).push([lowLo - 0x20, lowHi - 0x20]);
  }
  return extra ? union(set, extra) : set;
}

/**
 * Does ASCII case folding change this set? (i.e. is the case flag relevant for it) It does when
 * some letter's other case is missing: each letter run, shifted, must lie inside one range (the
 * ranges are disjoint and non-adjacent, so a contiguous run cannot straddle two).
 */
export function isCaseSensitive(set: CodeSet): boolean {
  for (const [lo, hi] of set) {
    const upLo = Math.max(lo, 0x41);
    const upHi = Math.min(hi, 0x5a);
    if (upLo <= upHi && !covers(set, upLo + 0x20, upHi + 0x20)) return true;
    const lowLo = Math.max(lo, 0x61);
    const lowHi = Math.min(hi, 0x7a);
    if (lowLo <= lowHi && !covers(set, lowLo - 0x20, lowHi - 0x20)) return true;
  }
  return false;
}

function covers(set: CodeSet, lo: number, hi: number): boolean {
  return set.some(([a, b]) => a <= lo && hi <= b);
}

const r = (lo: string, hi: string = lo): Range => [lo.codePointAt(0) ?? 0, hi.codePointAt(0) ?? 0];

const DIGIT: CodeSet = [r('0', '9')];
const WORD: CodeSet = normalize([r('0', '9'), r('A', 'Z'), r('_'), r('a', 'z')]);
/** PCRE2 `\s` (and `[:space:]`): HT LF VT FF CR space — VT is included since PCRE 8.34. */
const SPACE: CodeSet = normalize([[0x09, 0x0d], [0x20, 0x20]]);
/** PCRE2 `\h` (the Unicode list from pcre2pattern). */
const HSPACE: CodeSet = normalize([
  [0x09, 0x09], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x180e, 0x180e],
  [0x2000, 0x200a], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000],
]);
/** PCRE2 `\v`: vertical whitespace (not the VT character!). */
const VSPACE: CodeSet = normalize([[0x0a, 0x0d], [0x85, 0x85], [0x2028, 0x2029]]);

export function shorthandSet(name: ShorthandName): CodeSet {
  switch (name) {
    case 'd': return DIGIT;
    case 'D': return complement(DIGIT);
    case 'w': return WORD;
    case 'W': return complement(WORD);
    case 's': return SPACE;
    case 'S': return complement(SPACE);
    case 'h': return HSPACE;
    case 'H': return complement(HSPACE);
    case 'v': return VSPACE;
    case 'V': return complement(VSPACE);
    default: return assertNever(name);
  }
}

/** ASCII-only POSIX classes, as PCRE2 defines them without UCP. */
export function posixSet(name: PosixClassName): CodeSet {
  switch (name) {
    case 'alpha': return normalize([r('A', 'Z'), r('a', 'z')]);
    case 'digit': return DIGIT;
    case 'alnum': return normalize([r('0', '9'), r('A', 'Z'), r('a', 'z')]);
    case 'upper': return [r('A', 'Z')];
    case 'lower': return [r('a', 'z')];
    case 'space': return SPACE;
    case 'blank': return normalize([r('\t'), r(' ')]);
    case 'punct': return normalize([r('!', '/'), r(':', '@'), r('[', '`'), r('{', '~')]);
    case 'xdigit': return normalize([r('0', '9'), r('A', 'F'), r('a', 'f')]);
    case 'word': return WORD;
    case 'cntrl': return normalize([[0, 0x1f], [0x7f, 0x7f]]);
    case 'graph': return [[0x21, 0x7e]];
    case 'print': return [[0x20, 0x7e]];
    case 'ascii': return [[0, 0x7f]];
    default: return assertNever(name);
  }
}

/** Members of a class. Under caseless matching PCRE2 folds literal chars and ranges only. */
function itemSet(item: ClassItem, caseless: boolean): CodeSet {
  switch (item.kind) {
    case 'classChar': {
      const set: CodeSet = [[item.value, item.value]];
      return caseless ? foldAscii(set) : set;
    }
    case 'classRange': {
      const set: CodeSet = [[item.from, item.to]];
      return caseless ? foldAscii(set) : set;
    }
    case 'posix': {
      // PCRE2 (compile_class): when caseless, [:upper:] and [:lower:] become [:alpha:],
      // negated forms included ([:^lower:] -> [:^alpha:]).
      const name = caseless && (item.name === 'upper' || item.name === 'lower') ? 'alpha' : item.name;
      return item.negated ? complement(posixSet(name)) : posixSet(name);
    }
    case 'shorthand':
      return shorthandSet(item.name); // already closed under ASCII case
    default:
      return assertNever(item);
  }
}

/**
 * The exact set of code points a class matches, with `(?i)` and `[^...]` applied
 * (negation last). The result is closed under ASCII case folding when caseless, so
 * printing it for an engine that folds again is harmless.
 */
export function classSet(node: CharClassNode): CodeSet {
  const set = union(...node.items.map((item) => itemSet(item, node.caseInsensitive)));
  return node.negated ? complement(set) : set;
}

/** The set a class matches ignoring its case flag (used to decide whether the flag matters). */
export function classSetIgnoringCase(node: CharClassNode): CodeSet {
  const set = union(...node.items.map((item) => itemSet(item, false)));
  return node.negated ? complement(set) : set;
}

export function literalSet(cp: number, caseInsensitive: boolean): CodeSet {
  if (caseInsensitive && cp >= 0x41 && cp <= 0x5a) return [[cp, cp], [cp + 0x20, cp + 0x20]];
  if (caseInsensitive && cp >= 0x61 && cp <= 0x7a) return [[cp - 0x20, cp - 0x20], [cp, cp]];
  return [[cp, cp]];
}
