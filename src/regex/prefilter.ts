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

/** One position: the sorted member characters, or null for a wide/unknown character. */
type Atom = string | null;
type Seq = readonly Atom[];
type List = readonly Seq[];

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
const EMPTY: List = [[]];

function atomOf(set: CodeSet): Atom {
  let out = '';
  for (const [lo, hi] of set) {
    if (lo < 0x20 || hi > 0x7e || hi - lo + 1 + out.length > MAX_ATOM) return null;
    for (let c = lo; c <= hi; c++) {
      out += String.fromCharCode(c);
    }
  }
  return out === '' ? null : out;
}

function dedupe(list: readonly Seq[]): Seq[] {
  const seen = new Map<string, Seq>();
  for (const s of list) seen.set(key(s), s);
  return [...seen.values()];
}

function cross(a: List, b: List): List | null {
  if (a.length * b.length > MAX_LIST) return null;
  const out: Seq[] = [];
  for (const x of a) for (const y of b) out.push([...x, ...y]);
  return dedupe(out);
}

const tooLong = (l: List): boolean => l.some((s) => s.length > MAX_LEN);
const truncPre = (l: List): List => dedupe(l.map((s) => s.slice(0, MAX_LEN)));
const truncSuf = (l: List): List => dedupe(l.map((s) => s.slice(Math.max(0, s.length - MAX_LEN))));

// Sequences are compared often (dedupe) and atoms weighed often (scores), over few distinct
// atoms: a string key joined on characters atoms never hold (they are printable ASCII), and
// weights remembered per atom.
const key = (s: Seq): string => {
  let out = '';
  for (const a of s) out += a === null ? '\u0001' : `${a}\u0000`;
  return out;
};

const weights = new Map<string, number>();

function atomWeight(a: Atom): number {
  if (a === null) return 0;
  let w = weights.get(a);
  if (w === undefined) {
    if (weights.size > 10_000) weights.clear();
    weights.set(a, (w = weighAtom(a)));
  }
  return w;
}

function weighAtom(a: string): number {
  const lower = a.toLowerCase();
  const distinct = new Set(lower).size;
  if (distinct === 1) return 1;
  if (distinct <= 3) return 0.75;
  if (/^[0-9]+$/.test(a)) return 0.6;
  return 0.3;
}

/** The most selective run of non-wide atoms of a sequence. */
function bestPiece(s: Seq): Seq {
  let best: Seq = [];
  let bestW = 0;
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || s[i] === null) {
      const piece = s.slice(start, i);
      const w = piece.reduce((acc, a) => acc + atomWeight(a), 0);
      if (w > bestW) {
        best = piece;
        bestW = w;
      }
      start = i + 1;
    }
  }
  return best;
}

const seqWeight = (s: Seq): number => bestPiece(s).reduce((acc, a) => acc + atomWeight(a), 0);

/** Score of an any-of list: its weakest member decides. */
function score(l: List | null): number {
  if (!l || l.length === 0) return 0;
  return Math.min(...l.map(seqWeight)) - l.length * 0.01;
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
const unknown: Info = { exact: null, pre: EMPTY, suf: EMPTY, req: null };

function inexact(i: Info): Info {
  if (!i.exact) return i;
  return { exact: null, pre: truncPre(i.exact), suf: truncSuf(i.exact), req: i.exact };
}

function seq(items: readonly Info[]): Info {
  let s: Info = fromExact(EMPTY);
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
      return fromExact([[atomOf(literalSet(node.value, node.caseInsensitive))]]);
    case 'any':
      return fromExact([[null]]);
    case 'shorthand':
      return fromExact([[atomOf(shorthandSet(node.name))]]);
    case 'class':
      return fromExact([[atomOf(classSet(node))]]);
    case 'anchor':
    case 'wordBoundary':
    case 'flags':
    case 'lookaround':
      return fromExact(EMPTY);
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
          const u = dedupe([[], ...body.exact]);
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

function printAtom(a: string, ci: boolean): string {
  if (a === '0123456789') return '\\d';
  if (a.length === 1 || (ci && a.length === 2 && a.toLowerCase()[0] === a.toLowerCase()[1])) {
    return (ci ? a[0]?.toLowerCase() ?? '' : a).replace(REGEX_META, '\\$&');
  }
  return `[${a.replace(/[\]\\^-]/g, '\\$&')}]`;
}

/** Is every atom a single character or an ASCII case pair (so flag `i` expresses it exactly)? */
function caseOnly(list: List): boolean {
  return list.every((s) =>
    s.every(
      (a) => a !== null && (a === '0123456789' || (a.length === 1 ? a.toLowerCase() === a.toUpperCase() : a.length === 2 && a.toLowerCase()[0] === a.toLowerCase()[1])),
    ),
  );
}

/**
 * The necessary-factor prefilter of a PCRE pattern (as Splunk hands it over), or null when no
 * selective factor exists or the pattern does not parse.
 */
export function regexPrefilter(pattern: string): Prefilter | null {
  const parsed = parseRegex(pattern);
  if (!parsed.ok) return null;
  const info = analyze(parsed.regex.ast);
  const req = best(info.req, info.exact);
  if (!req || score(req) < MIN_SCORE) return null;
  const pieces = dedupe(req.map(bestPiece)).filter((s) => s.length > 0);
  // A factor that contains another one is implied by it: drop it.
  const text = (s: Seq): string => s.map((a) => `\u0000${a ?? ''}`).join('');
  const factors = pieces.filter((s) => !pieces.some((t) => t !== s && text(s).includes(text(t)) && text(s) !== text(t)));
  if (factors.length === 0) return null;
  const ci = caseOnly(factors) && factors.some((s) => s.some((a) => a !== null && a.length === 2));
  const source = factors.map((s) => s.map((a) => printAtom(a ?? '', ci)).join('')).join('|');
  return { source, flags: ci ? 'i' : '', factors: factors.map((s) => s.map((a) => a ?? '')) };
}
