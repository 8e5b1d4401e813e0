/**
 * Necessary-factor analysis: from the regex AST, a short list of character-set sequences one of
 * which must occur in any string the regex matches (the idea behind RE2's FilteredRE2 and
 * Hyperscan's literal prefilters). A cheap test for "contains one of these" then rejects most
 * non-matching inputs before the full (backtracking) regex runs.
 *
 * Soundness: every rule below only ever weakens information (a sequence may be dropped from a
 * prefix/suffix, an exact set may turn into prefix/suffix/required sets), so the final list is
 * always a necessary condition. Sets with characters outside printable ASCII count as "wide"
 * (unknown character), so case folding of the test never differs from the regex's ASCII folding.
 * Lookarounds, backreferences and anchors are treated as matching the empty string (weaker).
 */
import { assertNever, type RegexNode } from './ast.js';
import { classSet, literalSet, shorthandSet, type CodeSet } from './charset.js';
import { parseRegex } from './parse.js';

// Representation. An atom (one position: a set of printable-ASCII characters, or "wide") is
// interned as a small number, and a sequence of atoms is the string of those numbers as UTF-16
// units. Concatenation, slicing, length and deduplication (a Set of strings) then cost what the
// string operations cost, instead of arrays plus a key string built per comparison. Atom 0 is the
// wide atom.
type Atom = number;
type Seq = string;
type List = readonly Seq[];

const WIDE: Atom = 0;
/** The member characters of each atom, sorted (index = atom); '' for the wide atom. */
let atomTexts: string[] = [''];
let atomIds = new Map<string, Atom>();
/** Selectivity weight of each atom (index = atom). */
let atomWeights: number[] = [0];
/** Atoms of literal characters: code point * 2 + caseless -> atom. */
let literalAtoms = new Map<number, Atom>();

/** Atoms stay below the surrogate range so that a sequence is a well-formed string. */
const MAX_ATOMS = 0xd800;

/**
 * Each regex node makes at most one new atom and every node spans at least one character of the
 * pattern, so a pattern adds at most pattern.length atoms: start afresh when that could overflow.
 * Nothing keeps atom numbers across patterns (results hold the atoms' texts), so this is safe.
 */
function reserveAtoms(n: number): void {
  if (atomTexts.length + n < MAX_ATOMS) return;
  atomTexts = [''];
  atomIds = new Map();
  atomWeights = [0];
  literalAtoms = new Map();
  atomInfos = [];
}

function intern(text: string): Atom {
  let a = atomIds.get(text);
  if (a === undefined) {
    a = atomTexts.length;
    atomIds.set(text, a);
    atomTexts.push(text);
    atomWeights.push(weighAtom(text));
  }
  return a;
}

const atomAt = (s: Seq, i: number): Atom => s.charCodeAt(i);
const seqOf = (a: Atom): Seq => String.fromCharCode(a);

interface Info {
  /** Every string the node matches is one of these (null: unknown / too many). */
  readonly exact: List | null;
  /** Every match starts with one of these. */
  readonly pre: List;
  /** Every match ends with one of these. */
  readonly suf: List;
  /** Every match contains one of these (null: nothing known). */
  readonly req: List | null;
}

const MAX_LIST = 24;
const MAX_LEN = 12;
const MAX_ATOM = 12;
const EMPTY: List = [''];

function atomOf(set: CodeSet): Atom {
  let out = '';
  for (const [lo, hi] of set) {
    if (lo < 0x20 || hi > 0x7e || hi - lo + 1 + out.length > MAX_ATOM) return WIDE;
    for (let c = lo; c <= hi; c++) {
      out += String.fromCharCode(c);
    }
  }
  return out === '' ? WIDE : intern(out);
}

function literalAtom(cp: number, caseInsensitive: boolean): Atom {
  const k = cp * 2 + (caseInsensitive ? 1 : 0);
  let a = literalAtoms.get(k);
  if (a === undefined) literalAtoms.set(k, (a = atomOf(literalSet(cp, caseInsensitive))));
  return a;
}

/** The list without repeats, each kept at its first place. */
function dedupe(list: readonly Seq[]): Seq[] {
  return list.length < 2 ? [...list] : [...new Set(list)];
}

function cross(a: List, b: List): List | null {
  if (a.length === 1 && b.length === 1) return [`${a[0] ?? ''}${b[0] ?? ''}`];
  if (a.length * b.length > MAX_LIST) return null;
  const out: Seq[] = [];
  for (const x of a) for (const y of b) out.push(x + y);
  return dedupe(out);
}

const tooLong = (l: List): boolean => l.some((s) => s.length > MAX_LEN);
const truncPre = (l: List): List => dedupe(l.map((s) => (s.length > MAX_LEN ? s.slice(0, MAX_LEN) : s)));
const truncSuf = (l: List): List => dedupe(l.map((s) => (s.length > MAX_LEN ? s.slice(s.length - MAX_LEN) : s)));

function weighAtom(a: string): number {
  const lower = a.toLowerCase();
  const distinct = new Set(lower).size;
  if (distinct === 1) return 1;
  if (distinct <= 3) return 0.75;
  if (/^[0-9]+$/.test(a)) return 0.6;
  return 0.3;
}

/**
 * The most selective run of non-wide atoms of a sequence (the first of equal weight), and its
 * weight. A run's weight is summed left to right from 0, so ties come out as they always did.
 */
let pieceWeight = 0;
function bestPiece(s: Seq): Seq {
  let bestStart = 0;
  let bestEnd = 0;
  let bestW = 0;
  let start = 0;
  let w = 0;
  for (let i = 0; i <= s.length; i++) {
    const a = i === s.length ? WIDE : atomAt(s, i);
    if (a === WIDE) {
      if (w > bestW) {
        bestStart = start;
        bestEnd = i;
        bestW = w;
      }
      start = i + 1;
      w = 0;
    } else w += atomWeights[a] ?? 0;
  }
  pieceWeight = bestW;
  return bestStart === 0 && bestEnd === s.length ? s : s.slice(bestStart, bestEnd);
}

function seqWeight(s: Seq): number {
  bestPiece(s);
  return pieceWeight;
}

/** Score of an any-of list: its weakest member decides. Lists are immutable: scores are kept. */
const scores = new WeakMap<List, number>();
function score(l: List | null): number {
  if (!l || l.length === 0) return 0;
  let sc = scores.get(l);
  if (sc === undefined) {
    let min = Infinity;
    for (const s of l) {
      const w = seqWeight(s);
      if (w < min) min = w;
    }
    sc = min - l.length * 0.01;
    scores.set(l, sc);
  }
  return sc;
}

function best(...cands: (List | null)[]): List | null {
  let out: List | null = null;
  let s = 0;
  for (const c of cands) {
    const cs = score(c);
    if (c && cs > s) {
      out = c;
      s = cs;
    }
  }
  return out;
}

const fromExact = (e: List): Info => ({ exact: e, pre: e, suf: e, req: e });
/** What matches the empty string only (anchors, lookarounds): Infos are immutable, so shared. */
const EMPTY_INFO = fromExact(EMPTY);

/** The Info of one position matching `a`, per atom (immutable, so shared). */
let atomInfos: Info[] = [];
function atomInfo(a: Atom): Info {
  return (atomInfos[a] ??= fromExact([seqOf(a)]));
}
const unknown: Info = { exact: null, pre: EMPTY, suf: EMPTY, req: null };

function inexact(i: Info): Info {
  if (!i.exact) return i;
  return { exact: null, pre: truncPre(i.exact), suf: truncSuf(i.exact), req: i.exact };
}

function seq(items: readonly Info[]): Info {
  let s: Info = EMPTY_INFO;
  for (const it of items) {
    if (s.exact && it.exact) {
      const c = cross(s.exact, it.exact);
      if (c && !tooLong(c)) {
        s = fromExact(c);
        continue;
      }
    }
    const sufA = s.exact ?? s.suf;
    const preB = it.exact ?? it.pre;
    const boundary = cross(sufA, preB);
    const req = best(s.req, it.req, boundary);
    let pre: List;
    if (s.exact) {
      const c = cross(s.exact, preB);
      pre = c ? truncPre(c) : truncPre(s.exact);
    } else pre = s.pre;
    let suf: List;
    if (it.exact) {
      const c = cross(sufA, it.exact);
      suf = c ? truncSuf(c) : truncSuf(it.exact);
    } else suf = it.suf;
    s = { exact: null, pre, suf, req };
  }
  return s;
}

function alt(branches: readonly Info[]): Info {
  if (branches.every((b) => b.exact)) {
    const u = dedupe(branches.flatMap((b) => b.exact ?? []));
    if (u.length <= MAX_LIST) return fromExact(u);
  }
  const union = (pick: (b: Info) => List): List => {
    const u = dedupe(branches.flatMap(pick));
    return u.length <= MAX_LIST ? u : EMPTY;
  };
  const pre = union((b) => b.exact ?? b.pre);
  const suf = union((b) => b.exact ?? b.suf);
  let req: List | null = null;
  const parts: Seq[] = [];
  let ok = true;
  for (const b of branches) {
    const r = best(b.req, b.exact);
    if (!r) {
      ok = false;
      break;
    }
    parts.push(...r.map(bestPiece));
  }
  if (ok) {
    const u = dedupe(parts);
    req = u.length <= MAX_LIST * 2 ? u : null;
  }
  return { exact: null, pre, suf, req };
}

function analyze(node: RegexNode): Info {
  switch (node.kind) {
    case 'literal':
      return atomInfo(literalAtom(node.value, node.caseInsensitive));
    case 'any':
      return atomInfo(WIDE);
    case 'shorthand':
      return atomInfo(atomOf(shorthandSet(node.name)));
    case 'class':
      return atomInfo(atomOf(classSet(node)));
    case 'anchor':
    case 'wordBoundary':
    case 'flags':
    case 'lookaround':
      return EMPTY_INFO;
    case 'backreference':
      return unknown;
    case 'group':
      return analyze(node.body);
    case 'sequence':
      return seq(node.items.map(analyze));
    case 'alternation':
      return alt(node.branches.map(analyze));
    case 'quantifier': {
      const body = analyze(node.body);
      if (node.min === 0) {
        if (node.max === 1 && body.exact) {
          const u = dedupe(['', ...body.exact]);
          return u.length <= MAX_LIST ? fromExact(u) : unknown;
        }
        return unknown;
      }
      const copies = seq(new Array<Info>(Math.min(node.min, 4)).fill(body));
      if (node.max === node.min && node.min <= 4) return copies;
      const c = inexact(copies);
      const b = inexact(body);
      return { exact: null, pre: c.pre, suf: b.suf, req: c.req };
    }
    default:
      return assertNever(node);
  }
}

export interface Prefilter {
  /** JS RegExp source (no `u` flag) for "contains one of the factors". */
  readonly source: string;
  readonly flags: '' | 'i';
  /** The factors, for diagnostics and tests: each a list of member sets. */
  readonly factors: readonly (readonly string[])[];
}

/** Minimum score for a prefilter to be worth running before the real regex. */
const MIN_SCORE = 1.5;

const REGEX_META = /[.*+?^${}()|[\]\\/-]/g;

/** An ASCII case pair: two members that are one letter in both cases. */
const casePair = (a: string): boolean => a.length === 2 && a.toLowerCase()[0] === a.toLowerCase()[1];

function printAtom(a: string, ci: boolean): string {
  if (a === '0123456789') return '\\d';
  if (a.length === 1 || (ci && casePair(a))) {
    return (ci ? a[0]?.toLowerCase() ?? '' : a).replace(REGEX_META, '\\$&');
  }
  return `[${a.replace(/[\]\\^-]/g, '\\$&')}]`;
}

/** Is every atom a single character or an ASCII case pair (so flag `i` expresses it exactly)? */
function caseOnly(list: readonly (readonly string[])[]): boolean {
  return list.every((s) => s.every((a) => a !== '' && (a === '0123456789' || (a.length === 1 ? a.toLowerCase() === a.toUpperCase() : casePair(a)))));
}

/**
 * The necessary-factor prefilter of a PCRE pattern (as Splunk hands it over), or null when no
 * selective factor exists or the pattern does not parse. Rules repeat patterns (and the matcher
 * and the TypeScript backend both ask), so results are kept per pattern; they are immutable.
 */
export function regexPrefilter(pattern: string): Prefilter | null {
  let r = prefilters.get(pattern);
  if (r === undefined) {
    if (prefilters.size >= MAX_KEPT) prefilters.clear();
    prefilters.set(pattern, (r = computePrefilter(pattern)));
  }
  return r;
}

const prefilters = new Map<string, Prefilter | null>();
const MAX_KEPT = 10_000;

function computePrefilter(pattern: string): Prefilter | null {
  const parsed = parseRegex(pattern);
  if (!parsed.ok) return null;
  reserveAtoms(pattern.length);
  const info = analyze(parsed.regex.ast);
  const req = best(info.req, info.exact);
  if (!req || score(req) < MIN_SCORE) return null;
  const pieces = dedupe(req.map(bestPiece)).filter((s) => s.length > 0);
  // A factor that contains another one, atom for atom, is implied by it: drop it. (Pieces are
  // distinct, and equal atoms have equal numbers, so this is substring search on the sequences.
  // Comparing spelled-out member texts instead let [ab] stand for [abc] as a last atom, a string
  // prefix but a smaller set, and so dropped factors a match may need.)
  const factorTexts: (readonly string[])[] = [];
  pieces.forEach((s, i) => {
    if (pieces.some((t, j) => j !== i && s.includes(t))) return;
    const atoms: string[] = [];
    for (let k = 0; k < s.length; k++) atoms.push(atomTexts[atomAt(s, k)] ?? '');
    factorTexts.push(atoms);
  });
  if (factorTexts.length === 0) return null;
  const ci = caseOnly(factorTexts) && factorTexts.some((s) => s.some((a) => a.length === 2));
  const source = factorTexts.map((s) => s.map((a) => printAtom(a, ci)).join('')).join('|');
  return Object.freeze({ source, flags: ci ? 'i' : '', factors: Object.freeze(factorTexts.map((s) => Object.freeze(s))) });
}
