/**
 * Splunk eval expressions (`eval`, `where`) compiled once into closures over a Row.
 *
 * Value model (Splunk eval has numbers, strings, booleans, null and multivalue fields):
 * - A missing field (or an empty multivalue) is null. A one-element array reads as its scalar.
 * - Numeric-looking strings count as numbers in comparisons, arithmetic and `isnum`. Splunk types
 *   field values extracted from events this way ("auto-typed"); it keeps a string *literal* such as
 *   "10" a string, but once an IR value reaches the runtime we cannot tell a literal from a field
 *   value, so we treat both as numbers. [assumption] Differs from Splunk only for literal-vs-literal
 *   cases such as `"10"+"5"` (Splunk "105", here 15) or `"1.0"=="1"`.
 *   Numeric-looking: optional sign, digits with optional fraction, optional exponent; no
 *   surrounding whitespace, no hex.
 * - null propagates through arithmetic, `.`, comparisons and most functions. `where` keeps a row
 *   only when the result is exactly `true` (see compileCondition).
 * - AND / OR / XOR / NOT are SQL-style three-valued (false AND null = false, true OR null = true).
 *   A non-boolean operand is a type error, evaluated as null. [assumption: Splunk rejects it]
 * - `=`, `==`, `!=`, `<`... compare numerically when both sides are numeric, otherwise as
 *   case-sensitive strings in code-unit order (Splunk: "eval expressions are case-sensitive",
 *   https://help.splunk.com/splunk-enterprise/search/spl-search-reference/9.4/search-commands/where).
 * - Multivalue operands: a comparison (and match/like/in/cidrmatch) is true if any value
 *   satisfies it; `!=` is true if any value differs. [assumption] Arithmetic, `.` and scalar string
 *   functions on a multivalue give null. [assumption]
 * - Arithmetic that yields NaN/Infinity (x/0, sqrt(-1), ln(0)) gives null.
 * Function reference: https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/evaluation-functions
 */
import type { Span } from '../diagnostics.js';
import type { ValueExpr, ValueOp } from '../ir/types.js';
import { translateRegex } from '../regex/index.js';
import type { Row, Scalar } from './index.js';
import { lex, minMaxOrder, NUMERIC_RE } from './values.js';

export type EvalValue = string | number | boolean | null | readonly (string | number)[];

export interface EvalOptions {
  /** Epoch seconds for `now()` (floored) and `time()`; default the wall clock. */
  readonly clock?: () => number;
}

type Fn = (row: Row) => EvalValue;

// ---- value helpers ----------------------------------------------------------------------------

/** The number a value stands for, or null (booleans, multivalues and non-numeric strings). */
export function toNum(v: EvalValue): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && NUMERIC_RE.test(v)) return Number(v);
  return null;
}

/** Splunk prints integers without a fraction; other numbers use JS's shortest round-trip form. */
function numToString(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

/** String form of a scalar; null for null / multivalue. Booleans print as Splunk's "True"/"False". */
export function toStr(v: EvalValue): string | null {
  if (v === null || typeof v === 'object') return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numToString(v);
  return v ? 'True' : 'False';
}

function isMv(v: EvalValue): v is readonly (string | number)[] {
  return typeof v === 'object' && v !== null;
}

/** Values of an eval value as a list (null -> [], scalar -> [x]). */
function listOf(v: EvalValue): readonly (string | number | boolean)[] {
  if (v === null) return [];
  return isMv(v) ? v : [v];
}

/** Normalise a list result: [] is null, [x] is x. */
function fromList(vs: readonly (string | number)[]): EvalValue {
  if (vs.length === 0) return null;
  if (vs.length === 1) return vs[0] as string | number;
  return vs;
}

function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function readField(row: Row, name: string): EvalValue {
  const v = row[name];
  if (v === undefined) return null;
  if (Array.isArray(v)) return fromList(v as readonly Scalar[]);
  return v as Scalar;
}

/** Three-valued boolean of a value: non-booleans are a type error -> null. */
function bool(v: EvalValue): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

function scalarEq(a: string | number | boolean, b: string | number | boolean): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  const x = toNum(a);
  const y = toNum(b);
  if (x !== null && y !== null) return x === y;
  return toStr(a) === toStr(b);
}

/** -1 / 0 / 1, or null when not comparable (booleans). */
function scalarCmp(a: string | number | boolean, b: string | number | boolean): number | null {
  if (typeof a === 'boolean' || typeof b === 'boolean') return null;
  const x = toNum(a);
  const y = toNum(b);
  if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
  const s = toStr(a) as string;
  const t = toStr(b) as string;
  return s < t ? -1 : s > t ? 1 : 0;
}

/** Any-value semantics over multivalues, null if either side is null. */
function anyPair(a: EvalValue, b: EvalValue, test: (x: string | number | boolean, y: string | number | boolean) => boolean | null): boolean | null {
  if (a === null || b === null) return null;
  if (!isMv(a) && !isMv(b)) return test(a, b); // the common case, without allocating
  let sawNull = false;
  for (const x of listOf(a)) {
    for (const y of listOf(b)) {
      const r = test(x, y);
      if (r === true) return true;
      if (r === null) sawNull = true;
    }
  }
  return sawNull ? null : false;
}

/** Applies a unary test to each value (any-value semantics); null in, null out. */
function anyValue(v: EvalValue, test: (s: string) => boolean): boolean | null {
  if (v === null) return null;
  if (!isMv(v)) {
    const s = toStr(v);
    return s !== null && test(s);
  }
  for (const x of v) {
    const s = toStr(x);
    if (s !== null && test(s)) return true;
  }
  return false;
}

// ---- regex / like helpers ---------------------------------------------------------------------

/** A JS RegExp for a Splunk PCRE (unanchored), via the regex layer's `js` flavour. */
export function pcreToJs(pattern: string, extraFlags = ''): RegExp {
  const t = translateRegex(pattern, 'js');
  if (!t.ok) throw new Error(`regex ${JSON.stringify(pattern)} does not compile: ${t.error.message}`);
  return new RegExp(t.result.pattern, (t.result.caseInsensitive ? 'i' : '') + extraFlags);
}

/** SQL LIKE: `%` any run, `_` one character, whole value, case-sensitive [assumption], no escapes. */
export function likeToRegExp(pattern: string): RegExp {
  let body = '';
  for (const ch of pattern) {
    if (ch === '%') body += '[\\s\\S]*';
    else if (ch === '_') body += '[\\s\\S]';
    else body += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${body}$`, 'u');
}

/**
 * A compiled pattern argument: built once when the argument is a literal, otherwise per distinct
 * runtime value through a small cache. A bad dynamic pattern yields null (no crash at run time).
 */
function patternArg(arg: ValueExpr, compile: (p: string) => RegExp, fn: string, c: Compiler): (row: Row) => RegExp | null {
  if (arg.kind === 'literal') {
    if (typeof arg.value !== 'string') throw new Error(`eval function ${fn}(): the pattern must be a string`);
    const re = compile(arg.value);
    return () => re;
  }
  const f = c.compile(arg);
  const cache = new Map<string, RegExp | null>();
  return (row) => {
    const s = toStr(f(row));
    if (s === null) return null;
    let re = cache.get(s);
    if (re === undefined) {
      try {
        re = compile(s);
      } catch {
        re = null;
      }
      if (cache.size > 256) cache.clear();
      cache.set(s, re);
    }
    return re;
  };
}

/**
 * Splunk's replace()/sed replacement: `\1`..`\9` are groups (`\0` the whole match); `\\` is a
 * backslash; anything else is literal (so JS `$` sequences have no meaning). [doc] replace():
 * https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/text-functions
 */
export function compileReplacement(replacement: string): (match: string, groups: readonly (string | undefined)[]) => string {
  const parts: (string | number)[] = [];
  let lit = '';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i] as string;
    const next = replacement[i + 1];
    if (ch === '\\' && next !== undefined && /[0-9]/.test(next)) {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(Number(next));
      i++;
    } else if (ch === '\\' && next === '\\') {
      lit += '\\';
      i++;
    } else lit += ch;
  }
  if (lit) parts.push(lit);
  return (match, groups) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p === 0 ? match : (groups[p - 1] ?? '');
    return out;
  };
}

// ---- CIDR ---------------------------------------------------------------------------------------

export function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    n = n * 256 + o;
  }
  return n;
}

function parseIPv6(s: string): bigint | null {
  let text = s;
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // An embedded IPv4 tail (`::ffff:1.2.3.4`) becomes two hex groups.
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0] as string);
  const rest = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (!head || !rest) return null;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else groups = head;
  if (groups.length !== 8) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** `10.0.0.0/8` or `2001:db8::/32` -> a membership test; null when the CIDR is malformed. */
export function cidrTester(cidr: string): ((ip: string) => boolean) | null {
  const slash = cidr.indexOf('/');
  const addr = slash === -1 ? cidr : cidr.slice(0, slash);
  const bitsText = slash === -1 ? null : cidr.slice(slash + 1);
  if (bitsText !== null && !/^\d{1,3}$/.test(bitsText)) return null;
  const v4 = parseIPv4(addr);
  if (v4 !== null) {
    const bits = bitsText === null ? 32 : Number(bitsText);
    if (bits > 32) return null;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const net = (v4 & mask) >>> 0;
    return (ip) => {
      const n = parseIPv4(ip.trim());
      return n !== null && ((n & mask) >>> 0) === net;
    };
  }
  const v6 = parseIPv6(addr);
  if (v6 === null) return null;
  const bits = bitsText === null ? 128 : Number(bitsText);
  if (bits > 128) return null;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
  const net = v6 & mask;
  return (ip) => {
    const n = parseIPv6(ip.trim());
    return n !== null && (n & mask) === net;
  };
}

// ---- time ---------------------------------------------------------------------------------------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAYS_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function pad(n: number, width: number, fill = '0'): string {
  return String(n).padStart(width, fill);
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
}

/**
 * strftime on UTC (the matcher has no user time zone; Splunk uses the user's). Supported:
 * %Y %y %m %d %e %H %k %I %l %M %S %p %s %b %h %B %a %A %j %u %w %z (+0000) %Z (UTC) %T %F %D %R
 * %3N %6N %9N (subseconds; bare %N gives 3 digits [assumption]) %Q (milliseconds) %%.
 * Unknown conversions are copied through. [doc] https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/time-format-variables-and-modifiers/date-and-time-format-variables
 */
export function strftime(t: number, fmt: string): string {
  const whole = Math.floor(t);
  const frac = t - whole;
  const d = new Date(whole * 1000);
  const Y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  const H = d.getUTCHours();
  const M = d.getUTCMinutes();
  const S = d.getUTCSeconds();
  const w = d.getUTCDay();
  const h12 = H % 12 === 0 ? 12 : H % 12;
  const subsec = (width: number): string => {
    const nanos = Math.min(999999999, Math.round(frac * 1e9));
    return pad(nanos, 9).slice(0, width);
  };
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i] as string;
    if (ch !== '%' || i + 1 >= fmt.length) {
      out += ch;
      continue;
    }
    let c = fmt[++i] as string;
    let width: number | null = null;
    if (/[1-9]/.test(c) && fmt[i + 1] === 'N') {
      width = Number(c);
      c = fmt[++i] as string;
    }
    switch (c) {
      case 'Y': out += pad(Y, 4); break;
      case 'y': out += pad(Y % 100, 2); break;
      case 'm': out += pad(m + 1, 2); break;
      case 'd': out += pad(day, 2); break;
      case 'e': out += pad(day, 2, ' '); break;
      case 'H': out += pad(H, 2); break;
      case 'k': out += pad(H, 2, ' '); break;
      case 'I': out += pad(h12, 2); break;
      case 'l': out += pad(h12, 2, ' '); break;
      case 'M': out += pad(M, 2); break;
      case 'S': out += pad(S, 2); break;
      case 'p': out += H < 12 ? 'AM' : 'PM'; break;
      case 's': out += String(whole); break;
      case 'b': case 'h': out += MONTHS[m]; break;
      case 'B': out += MONTHS_LONG[m]; break;
      case 'a': out += DAYS[w]; break;
      case 'A': out += DAYS_LONG[w]; break;
      case 'j': out += pad(dayOfYear(d), 3); break;
      case 'u': out += String(w === 0 ? 7 : w); break;
      case 'w': out += String(w); break;
      case 'z': out += '+0000'; break;
      case 'Z': out += 'UTC'; break;
      case 'T': out += `${pad(H, 2)}:${pad(M, 2)}:${pad(S, 2)}`; break;
      case 'R': out += `${pad(H, 2)}:${pad(M, 2)}`; break;
      case 'F': out += `${pad(Y, 4)}-${pad(m + 1, 2)}-${pad(day, 2)}`; break;
      case 'D': out += `${pad(m + 1, 2)}/${pad(day, 2)}/${pad(Y % 100, 2)}`; break;
      case 'N': out += subsec(width ?? 3); break;
      case 'Q': out += subsec(3); break;
      case '%': out += '%'; break;
      default: out += `%${width ?? ''}${c}`;
    }
  }
  return out;
}

/**
 * strptime on UTC with the strftime conversions above (plus %z as ±hhmm, ±hh:mm or Z). The
 * format must match from the start of the string; trailing text is ignored (C strptime
 * behaviour) [assumption]. Missing date parts default to 1970-01-01. Returns epoch seconds or null.
 */
export function strptime(text: string, fmt: string): number | null {
  let re = '^';
  const slots: string[] = [];
  const add = (pattern: string, slot: string): void => {
    re += `(${pattern})`;
    slots.push(slot);
  };
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i] as string;
    if (ch !== '%' || i + 1 >= fmt.length) {
      re += /\s/.test(ch) ? '\\s*' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      continue;
    }
    let c = fmt[++i] as string;
    if (/[1-9]/.test(c) && fmt[i + 1] === 'N') c = fmt[++i] as string;
    switch (c) {
      case 'Y': add('[+-]?\\d{1,4}', 'Y'); break;
      case 'y': add('\\d{2}', 'y'); break;
      case 'm': add('\\d{1,2}', 'm'); break;
      case 'd': case 'e': re += ' ?'; add('\\d{1,2}', 'd'); break;
      case 'H': case 'k': re += ' ?'; add('\\d{1,2}', 'H'); break;
      case 'I': case 'l': re += ' ?'; add('\\d{1,2}', 'I'); break;
      case 'M': add('\\d{1,2}', 'M'); break;
      case 'S': add('\\d{1,2}', 'S'); break;
      case 'p': add('[AaPp][Mm]', 'p'); break;
      case 's': add('-?\\d+', 's'); break;
      case 'b': case 'h': case 'B': add('[A-Za-z]{3,9}', 'b'); break;
      case 'a': case 'A': add('[A-Za-z]{3,9}', 'a'); break;
      case 'j': add('\\d{1,3}', 'j'); break;
      case 'u': case 'w': add('\\d', 'a'); break;
      case 'z': add('Z|[+-]\\d{2}:?\\d{2}', 'z'); break;
      case 'Z': add('[A-Za-z]{1,5}', 'Z'); break;
      case 'T': add('\\d{1,2}', 'H'); re += ':'; add('\\d{1,2}', 'M'); re += ':'; add('\\d{1,2}', 'S'); break;
      case 'R': add('\\d{1,2}', 'H'); re += ':'; add('\\d{1,2}', 'M'); break;
      case 'F': add('[+-]?\\d{1,4}', 'Y'); re += '-'; add('\\d{1,2}', 'm'); re += '-'; add('\\d{1,2}', 'd'); break;
      case 'D': add('\\d{1,2}', 'm'); re += '/'; add('\\d{1,2}', 'd'); re += '/'; add('\\d{2}', 'y'); break;
      case 'N': case 'Q': add('\\d{1,9}', 'N'); break;
      case '%': re += '%'; break;
      default: return null; // an unknown conversion cannot be parsed
    }
  }
  const m = new RegExp(re).exec(text);
  if (!m) return null;
  let Y = 1970, mon = 1, d = 1, H = 0, M = 0, S = 0, frac = 0, offset = 0;
  let pm: boolean | null = null;
  let hour12: number | null = null;
  let doy: number | null = null;
  let epoch: number | null = null;
  for (let k = 0; k < slots.length; k++) {
    const v = m[k + 1] as string;
    switch (slots[k]) {
      case 'Y': Y = Number(v); break;
      case 'y': Y = Number(v) + (Number(v) < 69 ? 2000 : 1900); break;
      case 'm': mon = Number(v); break;
      case 'd': d = Number(v); break;
      case 'H': H = Number(v); break;
      case 'I': hour12 = Number(v); break;
      case 'M': M = Number(v); break;
      case 'S': S = Number(v); break;
      case 'p': pm = v.toUpperCase() === 'PM'; break;
      case 's': epoch = Number(v); break;
      case 'b': {
        const i = MONTHS.findIndex((x, j) => v.toLowerCase() === x.toLowerCase() || v.toLowerCase() === (MONTHS_LONG[j] as string).toLowerCase());
        if (i === -1) return null;
        mon = i + 1;
        break;
      }
      case 'j': doy = Number(v); break;
      case 'z': {
        if (v === 'Z') break;
        const z = /^([+-])(\d{2}):?(\d{2})$/.exec(v);
        if (!z) return null;
        offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 3600 + Number(z[3]) * 60);
        break;
      }
      case 'N': frac = Number(`0.${v}`); break;
      default: break; // %a/%Z are parsed and ignored
    }
  }
  if (epoch !== null) return epoch;
  if (hour12 !== null) {
    if (hour12 < 1 || hour12 > 12) return null;
    H = (hour12 % 12) + (pm ? 12 : 0);
  } else if (pm !== null && H < 12 && pm) H += 12;
  if (mon < 1 || mon > 12 || d < 1 || d > 31 || H > 23 || M > 59 || S > 60) return null;
  let ms = Date.UTC(Y, mon - 1, d, H, M, S);
  if (doy !== null) ms = Date.UTC(Y, 0, 1, H, M, S) + (doy - 1) * 86400000;
  else if (new Date(ms).getUTCDate() !== d) return null; // 31 Feb etc.
  return ms / 1000 + frac - offset;
}

const UNIT: Record<string, 's' | 'm' | 'h' | 'd' | 'w' | 'mon' | 'q' | 'y'> = {
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', week: 'w', weeks: 'w',
  mon: 'mon', month: 'mon', months: 'mon',
  q: 'q', qtr: 'q', qtrs: 'q', quarter: 'q', quarters: 'q',
  y: 'y', yr: 'y', yrs: 'y', year: 'y', years: 'y',
};

/**
 * relative_time(t, "-1d@d"): offsets `[+-]N<unit>` and snaps `@<unit>` (`@w0`..`@w6` snap to a
 * weekday) applied left to right, in UTC (Splunk uses the user's time zone). `now` / "" is t.
 * Returns null for a specifier it cannot read.
 * [doc] https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.4/specify-time-ranges/specify-time-modifiers-in-your-search
 */
export function relativeTime(t: number, spec: string): number | null {
  const s = spec.trim();
  if (s === '' || s === 'now' || s === 'now()') return t;
  const tok = /([+-]\d*)([a-z]+)|@([a-z]+)(\d?)/gy;
  let cur = new Date(t * 1000);
  let pos = 0;
  while (pos < s.length) {
    tok.lastIndex = pos;
    const m = tok.exec(s);
    if (!m) return null;
    pos = tok.lastIndex;
    if (m[2] !== undefined) {
      const unit = UNIT[m[2]];
      if (!unit) return null;
      const sign = (m[1] as string)[0] === '-' ? -1 : 1;
      const digits = (m[1] as string).slice(1);
      const n = sign * (digits === '' ? 1 : Number(digits));
      const c = new Date(cur.getTime());
      switch (unit) {
        case 's': c.setTime(c.getTime() + n * 1000); break;
        case 'm': c.setTime(c.getTime() + n * 60000); break;
        case 'h': c.setTime(c.getTime() + n * 3600000); break;
        case 'd': c.setUTCDate(c.getUTCDate() + n); break;
        case 'w': c.setUTCDate(c.getUTCDate() + 7 * n); break;
        case 'mon': c.setUTCMonth(c.getUTCMonth() + n); break;
        case 'q': c.setUTCMonth(c.getUTCMonth() + 3 * n); break;
        case 'y': c.setUTCFullYear(c.getUTCFullYear() + n); break;
      }
      cur = c;
    } else {
      const name = m[3] as string;
      const digit = m[4] ?? '';
      // `@w0`..`@w7` snap to that weekday (0 and 7 are Sunday); no other unit takes a digit.
      if (digit !== '' && (name !== 'w' || Number(digit) > 7)) return null;
      const weekday = digit === '' ? null : Number(digit) % 7;
      const unit = UNIT[name];
      if (!unit) return null;
      const Y = cur.getUTCFullYear();
      const Mo = cur.getUTCMonth();
      const D = cur.getUTCDate();
      switch (unit) {
        case 's': cur = new Date(Math.floor(cur.getTime() / 1000) * 1000); break;
        case 'm': cur = new Date(Math.floor(cur.getTime() / 60000) * 60000); break;
        case 'h': cur = new Date(Math.floor(cur.getTime() / 3600000) * 3600000); break;
        case 'd': cur = new Date(Date.UTC(Y, Mo, D)); break;
        case 'w': {
          const target = weekday ?? 0;
          const back = (cur.getUTCDay() - target + 7) % 7;
          cur = new Date(Date.UTC(Y, Mo, D - back));
          break;
        }
        case 'mon': cur = new Date(Date.UTC(Y, Mo, 1)); break;
        case 'q': cur = new Date(Date.UTC(Y, Mo - (Mo % 3), 1)); break;
        case 'y': cur = new Date(Date.UTC(Y, 0, 1)); break;
      }
    }
  }
  return cur.getTime() / 1000;
}

// ---- misc helpers -------------------------------------------------------------------------------

/** Round half away from zero to `digits` decimals. [assumption: Splunk round() is not banker's] */
function roundTo(x: number, digits: number): number {
  const sign = x < 0 ? -1 : 1;
  const r = Number(`${Math.round(Number(`${Math.abs(x)}e${digits}`))}e-${digits}`);
  return sign * r;
}

function durationString(secs: number): string {
  const neg = secs < 0;
  let s = Math.floor(Math.abs(secs));
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const body = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor((s % 3600) / 60), 2)}:${pad(s % 60, 2)}`;
  return `${neg ? '-' : ''}${days > 0 ? `${days}+` : ''}${body}`;
}

function commas(n: number): string {
  const rounded = roundTo(n, 2);
  const [int, fracPart] = String(Math.abs(rounded)).split('.');
  const grouped = (int as string).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${rounded < 0 ? '-' : ''}${grouped}${fracPart ? `.${fracPart}` : ''}`;
}

function urldecode(s: string): string {
  // Decode %XX sequences as UTF-8; a malformed sequence is left as written. `+` stays `+`
  // [assumption: Splunk's urldecode follows RFC 3986 percent-decoding].
  return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => {
        const code = parseInt(h, 16);
        return code < 0x80 ? String.fromCharCode(code) : `%${h}`;
      });
    }
  });
}

function collectFields(e: ValueExpr, out: Set<string>): void {
  if (e.kind === 'field') out.add(e.name);
  else if (e.kind === 'call' || e.kind === 'op') for (const a of e.args) collectFields(a, out);
}

// ---- the compiler -------------------------------------------------------------------------------

type FnCompiler = (args: readonly ValueExpr[], c: Compiler) => Fn;

/** Argument-count check at compile time. */
function arity(fn: string, args: readonly ValueExpr[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new Error(`eval function ${fn}() takes ${want} argument(s), got ${args.length}`);
  }
}

/** A scalar-in, scalar-out numeric function with null/multivalue propagation. */
function numeric1(fn: string, f: (x: number) => number | null): FnCompiler {
  return (args, c) => {
    arity(fn, args, 1);
    const a = c.compile(args[0] as ValueExpr);
    return (row) => {
      const x = toNum(a(row));
      if (x === null) return null;
      const r = f(x);
      return r === null ? null : finite(r);
    };
  };
}

/** A string-in, string-out function; numbers are used in their string form. */
function string1(fn: string, f: (s: string) => EvalValue): FnCompiler {
  return (args, c) => {
    arity(fn, args, 1);
    const a = c.compile(args[0] as ValueExpr);
    return (row) => {
      const s = toStr(a(row));
      return s === null ? null : f(s);
    };
  };
}

function trimmer(fn: string, side: 'both' | 'left' | 'right'): FnCompiler {
  return (args, c) => {
    arity(fn, args, 1, 2);
    const a = c.compile(args[0] as ValueExpr);
    const chars = args[1] ? c.compile(args[1]) : null;
    return (row) => {
      const s = toStr(a(row));
      if (s === null) return null;
      // Default: spaces and tabs [doc: text functions page].
      const set = chars ? toStr(chars(row)) : ' \t';
      if (set === null) return null;
      let start = 0;
      let end = s.length;
      if (side !== 'right') while (start < end && set.includes(s[start] as string)) start++;
      if (side !== 'left') while (end > start && set.includes(s[end - 1] as string)) end--;
      return s.slice(start, end);
    };
  };
}

function minMax(fn: string, sign: 1 | -1): FnCompiler {
  return (args, c) => {
    arity(fn, args, 1, Infinity);
    const parts = args.map((a) => c.compile(a));
    return (row) => {
      let best: string | number | null = null;
      for (const p of parts) {
        for (const v of listOf(p(row))) {
          if (typeof v === 'boolean') continue;
          if (best === null || sign * minMaxOrder(v, best) > 0) best = v;
        }
      }
      return best;
    };
  };
}

const FUNCTIONS: Record<string, FnCompiler> = {
  // -- conditional / null
  if: (args, c) => {
    arity('if', args, 3);
    const [t, a, b] = args.map((x) => c.compile(x)) as [Fn, Fn, Fn];
    return (row) => (t(row) === true ? a(row) : b(row));
  },
  case: (args, c) => {
    if (args.length === 0 || args.length % 2 !== 0) throw new Error(`eval function case() takes condition/value pairs, got ${args.length} argument(s)`);
    const parts = args.map((x) => c.compile(x));
    return (row) => {
      for (let i = 0; i < parts.length; i += 2) if ((parts[i] as Fn)(row) === true) return (parts[i + 1] as Fn)(row);
      return null;
    };
  },
  coalesce: (args, c) => {
    arity('coalesce', args, 1, Infinity);
    const parts = args.map((x) => c.compile(x));
    return (row) => {
      for (const p of parts) {
        const v = p(row);
        if (v !== null) return v;
      }
      return null;
    };
  },
  isnull: (args, c) => {
    arity('isnull', args, 1);
    const a = c.compile(args[0] as ValueExpr);
    return (row) => a(row) === null;
  },
  isnotnull: (args, c) => {
    arity('isnotnull', args, 1);
    const a = c.compile(args[0] as ValueExpr);
    return (row) => a(row) !== null;
  },
  isnum: (args, c) => {
    arity('isnum', args, 1);
    const a = c.compile(args[0] as ValueExpr);
    return (row) => toNum(a(row)) !== null;
  },
  isstr: (args, c) => {
    arity('isstr', args, 1);
    const a = c.compile(args[0] as ValueExpr);
    return (row) => {
      const v = a(row);
      return typeof v === 'string' && toNum(v) === null;
    };
  },
  null: (args) => {
    arity('null', args, 0);
    return () => null;
  },
  true: (args) => {
    arity('true', args, 0);
    return () => true;
  },
  false: (args) => {
    arity('false', args, 0);
    return () => false;
  },
  nullif: (args, c) => {
    arity('nullif', args, 2);
    const [a, b] = args.map((x) => c.compile(x)) as [Fn, Fn];
    return (row) => {
      const x = a(row);
      return anyPair(x, b(row), scalarEq) === true ? null : x;
    };
  },

  // -- text
  len: string1('len', (s) => [...s].length),
  lower: string1('lower', (s) => s.toLowerCase()),
  upper: string1('upper', (s) => s.toUpperCase()),
  urldecode: string1('urldecode', urldecode),
  trim: trimmer('trim', 'both'),
  ltrim: trimmer('ltrim', 'left'),
  rtrim: trimmer('rtrim', 'right'),
  substr: (args, c) => {
    arity('substr', args, 2, 3);
    const [s, st, ln] = args.map((x) => c.compile(x)) as [Fn, Fn, Fn | undefined];
    return (row) => {
      const text = toStr(s(row));
      const start = toNum(st(row));
      const len = ln ? toNum(ln(row)) : null;
      if (text === null || start === null || (ln && len === null)) return null;
      const chars = [...text];
      // 1-based; a negative start counts from the end; 0 is treated as 1 [assumption].
      const from = start < 0 ? Math.max(0, chars.length + Math.trunc(start)) : Math.max(0, Math.trunc(start) - 1);
      const to = len === null ? chars.length : from + Math.max(0, Math.trunc(len));
      return chars.slice(from, to).join('');
    };
  },
  replace: (args, c) => {
    arity('replace', args, 3);
    const s = c.compile(args[0] as ValueExpr);
    const re = patternArg(args[1] as ValueExpr, (p) => pcreToJs(p, 'g'), 'replace', c);
    const repl = args[2] as ValueExpr;
    const fixed = repl.kind === 'literal' && typeof repl.value === 'string' ? compileReplacement(repl.value) : null;
    const dyn = fixed ? null : c.compile(repl);
    return (row) => {
      const text = toStr(s(row));
      const r = re(row);
      if (text === null || r === null) return null;
      let rep = fixed;
      if (!rep) {
        const rs = toStr((dyn as Fn)(row));
        if (rs === null) return null;
        rep = compileReplacement(rs);
      }
      const apply = rep;
      r.lastIndex = 0;
      return text.replace(r, (match: string, ...rest: unknown[]) => {
        // rest: groups..., offset, whole string[, named groups]
        const hasNamed = typeof rest[rest.length - 1] === 'object';
        const groups = rest.slice(0, rest.length - (hasNamed ? 3 : 2)) as (string | undefined)[];
        return apply(match, groups);
      });
    };
  },
  split: (args, c) => {
    arity('split', args, 2);
    const [s, d] = args.map((x) => c.compile(x)) as [Fn, Fn];
    return (row) => {
      const text = toStr(s(row));
      const delim = toStr(d(row));
      if (text === null || delim === null) return null;
      return fromList(delim === '' ? [...text] : text.split(delim));
    };
  },
  tostring: (args, c) => {
    arity('tostring', args, 1, 2);
    const a = c.compile(args[0] as ValueExpr);
    const f = args[1] ? c.compile(args[1]) : null;
    return (row) => {
      const v = a(row);
      if (v === null || isMv(v)) return null;
      const format = f ? toStr(f(row)) : null;
      const n = toNum(v);
      if (format !== null && n !== null && typeof v !== 'boolean') {
        // [doc] https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/conversion-functions
        if (format === 'hex') return `0x${Math.trunc(n).toString(16).toUpperCase()}`;
        if (format === 'commas') return commas(n);
        if (format === 'duration') return durationString(n);
      }
      return toStr(v);
    };
  },
  tonumber: (args, c) => {
    arity('tonumber', args, 1, 2);
    const a = c.compile(args[0] as ValueExpr);
    const b = args[1] ? c.compile(args[1]) : null;
    return (row) => {
      const v = a(row);
      if (typeof v === 'number') return finite(v);
      const s = toStr(v);
      if (s === null || typeof v === 'boolean') return null;
      const base = b ? toNum(b(row)) : 10;
      if (base === null || !Number.isInteger(base) || base < 2 || base > 36) return null;
      const text = s.trim();
      if (base === 10) return NUMERIC_RE.test(text) ? finite(Number(text)) : null;
      const body = base === 16 ? text.replace(/^([+-]?)0[xX]/, '$1') : text;
      const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
      const m = /^([+-]?)(\w+)$/.exec(body);
      if (!m || [...(m[2] as string).toLowerCase()].some((ch) => !digits.includes(ch))) return null;
      const n = parseInt(m[2] as string, base);
      return finite(m[1] === '-' ? -n : n);
    };
  },

  // -- comparison / matching
  match: (args, c) => {
    arity('match', args, 2);
    const s = c.compile(args[0] as ValueExpr);
    const re = patternArg(args[1] as ValueExpr, (p) => pcreToJs(p), 'match', c);
    return (row) => {
      const r = re(row);
      return r === null ? null : anyValue(s(row), (x) => r.test(x));
    };
  },
  like: (args, c) => {
    arity('like', args, 2);
    const s = c.compile(args[0] as ValueExpr);
    const re = patternArg(args[1] as ValueExpr, likeToRegExp, 'like', c);
    return (row) => {
      const r = re(row);
      return r === null ? null : anyValue(s(row), (x) => r.test(x));
    };
  },
  in: (args, c) => {
    arity('in', args, 2, Infinity);
    const [subject, ...rest] = args.map((x) => c.compile(x)) as [Fn, ...Fn[]];
    return (row) => {
      const v = subject(row);
      if (v === null) return null;
      for (const r of rest) if (anyPair(v, r(row), scalarEq) === true) return true;
      return false;
    };
  },
  cidrmatch: (args, c) => {
    arity('cidrmatch', args, 2);
    const net = args[0] as ValueExpr;
    const ip = c.compile(args[1] as ValueExpr);
    if (net.kind === 'literal') {
      const test = typeof net.value === 'string' ? cidrTester(net.value) : null;
      return (row) => {
        const v = ip(row);
        if (v === null) return null;
        return test ? anyValue(v, test) : false;
      };
    }
    const n = c.compile(net);
    return (row) => {
      const cidr = toStr(n(row));
      const v = ip(row);
      if (cidr === null || v === null) return null;
      const test = cidrTester(cidr);
      return test ? anyValue(v, test) : false;
    };
  },

  // -- math
  abs: numeric1('abs', Math.abs),
  ceiling: numeric1('ceiling', Math.ceil),
  ceil: numeric1('ceil', Math.ceil),
  floor: numeric1('floor', Math.floor),
  sqrt: numeric1('sqrt', (x) => (x < 0 ? null : Math.sqrt(x))),
  exp: numeric1('exp', Math.exp),
  ln: numeric1('ln', (x) => (x <= 0 ? null : Math.log(x))),
  sin: numeric1('sin', Math.sin),
  cos: numeric1('cos', Math.cos),
  tan: numeric1('tan', Math.tan),
  // Out of [-1, 1] Math.asin/acos give NaN, which numeric1 turns into null.
  asin: numeric1('asin', Math.asin),
  acos: numeric1('acos', Math.acos),
  atan: numeric1('atan', Math.atan),
  // atan2(Y, X): the angle of the point (X, Y), in [-pi, pi]; Y comes first, as in Math.atan2.
  atan2: (args, c) => {
    arity('atan2', args, 2);
    const [a, b] = args.map((x) => c.compile(x)) as [Fn, Fn];
    return (row) => {
      const y = toNum(a(row));
      const x = toNum(b(row));
      return y === null || x === null ? null : finite(Math.atan2(y, x));
    };
  },
  round: (args, c) => {
    arity('round', args, 1, 2);
    const a = c.compile(args[0] as ValueExpr);
    const d = args[1] ? c.compile(args[1]) : null;
    return (row) => {
      const x = toNum(a(row));
      const digits = d ? toNum(d(row)) : 0;
      if (x === null || digits === null) return null;
      return finite(roundTo(x, Math.max(0, Math.trunc(digits))));
    };
  },
  pow: (args, c) => {
    arity('pow', args, 2);
    const [a, b] = args.map((x) => c.compile(x)) as [Fn, Fn];
    return (row) => {
      const x = toNum(a(row));
      const y = toNum(b(row));
      return x === null || y === null ? null : finite(x ** y);
    };
  },
  log: (args, c) => {
    arity('log', args, 1, 2);
    const a = c.compile(args[0] as ValueExpr);
    const b = args[1] ? c.compile(args[1]) : null;
    return (row) => {
      const x = toNum(a(row));
      const base = b ? toNum(b(row)) : 10;
      if (x === null || base === null || x <= 0 || base <= 0 || base === 1) return null;
      return finite(base === 10 ? Math.log10(x) : Math.log(x) / Math.log(base));
    };
  },
  pi: (args) => {
    arity('pi', args, 0);
    return () => Math.PI;
  },
  min: minMax('min', -1),
  max: minMax('max', 1),

  // -- multivalue
  mvcount: (args, c) => {
    arity('mvcount', args, 1);
    const a = c.compile(args[0] as ValueExpr);
    return (row) => {
      const v = a(row);
      return v === null ? null : listOf(v).length;
    };
  },
  mvindex: (args, c) => {
    arity('mvindex', args, 2, 3);
    const [a, s, e] = args.map((x) => c.compile(x)) as [Fn, Fn, Fn | undefined];
    return (row) => {
      const v = a(row);
      const start = toNum(s(row));
      const end = e ? toNum(e(row)) : null;
      if (v === null || start === null || (e && end === null)) return null;
      const vs = listOf(v) as readonly (string | number)[];
      const norm = (i: number): number => (i < 0 ? vs.length + Math.trunc(i) : Math.trunc(i));
      const from = norm(start);
      if (from < 0 || from >= vs.length) return null;
      if (end === null) return vs[from] as string | number;
      const to = Math.min(norm(end), vs.length - 1); // inclusive end
      if (to < from) return null;
      return fromList(vs.slice(from, to + 1));
    };
  },
  /**
   * mvfind(mv, regex): the 0-based index of the first value the regex finds a match in, null when
   * none does. [doc] https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/multivalue-eval-functions
   */
  mvfind: (args, c) => {
    arity('mvfind', args, 2);
    const a = c.compile(args[0] as ValueExpr);
    const re = patternArg(args[1] as ValueExpr, (p) => pcreToJs(p), 'mvfind', c);
    return (row) => {
      const v = a(row);
      const r = re(row);
      if (v === null || r === null) return null;
      const vs = listOf(v);
      for (let i = 0; i < vs.length; i++) if (r.test(toStr(vs[i] as EvalValue) ?? '')) return i;
      return null;
    };
  },
  mvappend: (args, c) => {
    const parts = args.map((x) => c.compile(x));
    return (row) => {
      const out: (string | number)[] = [];
      for (const p of parts) for (const v of listOf(p(row))) if (typeof v !== 'boolean') out.push(v);
      return fromList(out);
    };
  },
  mvjoin: (args, c) => {
    arity('mvjoin', args, 2);
    const [a, d] = args.map((x) => c.compile(x)) as [Fn, Fn];
    return (row) => {
      const v = a(row);
      const delim = toStr(d(row));
      if (v === null || delim === null) return null;
      return listOf(v).map((x) => toStr(x as EvalValue)).join(delim);
    };
  },
  mvdedup: (args, c) => {
    arity('mvdedup', args, 1);
    const a = c.compile(args[0] as ValueExpr);
    return (row) => {
      const v = a(row);
      if (v === null) return null;
      const seen = new Set<string>();
      const out: (string | number)[] = [];
      for (const x of listOf(v) as readonly (string | number)[]) {
        const k = String(x);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(x);
        }
      }
      return fromList(out);
    };
  },
  mvsort: (args, c) => {
    arity('mvsort', args, 1);
    const a = c.compile(args[0] as ValueExpr);
    // Lexicographic, numbers included ("10" < "9") [doc: multivalue eval functions page].
    return (row) => {
      const v = a(row);
      if (v === null) return null;
      return fromList([...(listOf(v) as readonly (string | number)[])].sort((x, y) => lex(String(x), String(y))));
    };
  },
  mvfilter: (args, c) => {
    arity('mvfilter', args, 1);
    const fields = new Set<string>();
    collectFields(args[0] as ValueExpr, fields);
    if (fields.size !== 1) throw new Error(`eval function mvfilter() must reference exactly one field, found ${fields.size}`);
    const field = [...fields][0] as string;
    const pred = c.compile(args[0] as ValueExpr);
    return (row) => {
      const v = readField(row, field);
      if (v === null) return null;
      const view: Row = { ...row };
      const out: (string | number)[] = [];
      for (const x of listOf(v) as readonly (string | number)[]) {
        view[field] = x;
        if (pred(view) === true) out.push(x);
      }
      return fromList(out);
    };
  },

  // -- time
  now: (args, c) => {
    arity('now', args, 0);
    const clock = c.clock;
    return () => Math.floor(clock());
  },
  time: (args, c) => {
    arity('time', args, 0);
    const clock = c.clock;
    return () => clock();
  },
  strftime: (args, c) => {
    arity('strftime', args, 2);
    const [a, f] = args.map((x) => c.compile(x)) as [Fn, Fn];
    return (row) => {
      const t = toNum(a(row));
      const fmt = toStr(f(row));
      return t === null || fmt === null ? null : strftime(t, fmt);
    };
  },
  strptime: (args, c) => {
    arity('strptime', args, 2);
    const [a, f] = args.map((x) => c.compile(x)) as [Fn, Fn];
    return (row) => {
      const s = toStr(a(row));
      const fmt = toStr(f(row));
      return s === null || fmt === null ? null : strptime(s, fmt);
    };
  },
  relative_time: (args, c) => {
    arity('relative_time', args, 2);
    const [a, f] = args.map((x) => c.compile(x)) as [Fn, Fn];
    return (row) => {
      const t = toNum(a(row));
      const spec = toStr(f(row));
      return t === null || spec === null ? null : relativeTime(t, spec);
    };
  },
};

/** The eval functions the runtime implements (lower-case Splunk names). `searchmatch` is not one. */
export const EVAL_FUNCTIONS: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));

// ---- operators ----------------------------------------------------------------------------------

function arith(op: '+' | '-' | '*' | '/' | '%', a: EvalValue, b: EvalValue): EvalValue {
  if (a === null || b === null || isMv(a) || isMv(b)) return null;
  const x = toNum(a);
  const y = toNum(b);
  if (x !== null && y !== null) {
    switch (op) {
      case '+': return finite(x + y);
      case '-': return finite(x - y);
      case '*': return finite(x * y);
      case '/': return y === 0 ? null : finite(x / y);
      case '%': return y === 0 ? null : finite(x % y);
    }
  }
  // `+` on two strings concatenates [doc: eval command, operators]; other mixes are type errors.
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  return null;
}

function not3(v: boolean | null): boolean | null {
  return v === null ? null : !v;
}

class Compiler {
  constructor(readonly clock: () => number) {}

  compile(e: ValueExpr): Fn {
    switch (e.kind) {
      case 'field': {
        const name = e.name;
        return (row) => readField(row, name);
      }
      case 'literal': {
        const v = e.value;
        if (typeof v === 'number' && !Number.isFinite(v)) return () => null;
        return () => v;
      }
      case 'call': {
        const make = Object.prototype.hasOwnProperty.call(FUNCTIONS, e.fn) ? FUNCTIONS[e.fn] : undefined;
        if (!make) throw new Error(`unsupported eval function ${e.fn}()`);
        return make(e.args, this);
      }
      case 'op':
        return this.op(e.op, e.args);
    }
  }

  private op(op: string, args: readonly ValueExpr[]): Fn {
    const parts = args.map((a) => this.compile(a));
    const unary = (): Fn => {
      if (parts.length !== 1) throw new Error(`eval operator ${op} takes 1 operand, got ${parts.length}`);
      return parts[0] as Fn;
    };
    const binary = (): [Fn, Fn] => {
      if (parts.length !== 2) throw new Error(`eval operator ${op} takes 2 operands, got ${parts.length}`);
      return parts as [Fn, Fn];
    };
    switch (op) {
      case 'AND': {
        // n-ary: false wins, then null.
        return (row) => {
          let sawNull = false;
          for (const p of parts) {
            const v = bool(p(row));
            if (v === false) return false;
            if (v === null) sawNull = true;
          }
          return sawNull ? null : true;
        };
      }
      case 'OR': {
        return (row) => {
          let sawNull = false;
          for (const p of parts) {
            const v = bool(p(row));
            if (v === true) return true;
            if (v === null) sawNull = true;
          }
          return sawNull ? null : false;
        };
      }
      case 'XOR': {
        return (row) => {
          let acc = false;
          for (const p of parts) {
            const v = bool(p(row));
            if (v === null) return null;
            acc = acc !== v;
          }
          return acc;
        };
      }
      case 'NOT': {
        const a = unary();
        return (row) => not3(bool(a(row)));
      }
      case 'neg': {
        const a = unary();
        return (row) => {
          const v = a(row);
          const x = isMv(v) ? null : toNum(v);
          return x === null ? null : finite(-x);
        };
      }
      case '=':
      case '==': {
        const [a, b] = binary();
        return (row) => anyPair(a(row), b(row), scalarEq);
      }
      case '!=': {
        const [a, b] = binary();
        return (row) => anyPair(a(row), b(row), (x, y) => !scalarEq(x, y));
      }
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const [a, b] = binary();
        const test =
          op === '<' ? (n: number) => n < 0 : op === '<=' ? (n: number) => n <= 0 : op === '>' ? (n: number) => n > 0 : (n: number) => n >= 0;
        return (row) =>
          anyPair(a(row), b(row), (x, y) => {
            const c = scalarCmp(x, y);
            return c === null ? null : test(c);
          });
      }
      case 'LIKE': {
        const [a] = binary();
        const re = patternArg(args[1] as ValueExpr, likeToRegExp, 'LIKE', this);
        return (row) => {
          const r = re(row);
          return r === null ? null : anyValue(a(row), (x) => r.test(x));
        };
      }
      case '.': {
        if (parts.length < 2) throw new Error(`eval operator . takes 2 operands, got ${parts.length}`);
        // Concatenation; a null operand makes the result null (Splunk's well-known `a." ".b` gotcha).
        return (row) => {
          let out = '';
          for (const p of parts) {
            const v = p(row);
            const s = isMv(v) ? null : toStr(v);
            if (s === null) return null;
            out += s;
          }
          return out;
        };
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        if (parts.length < 2) throw new Error(`eval operator ${op} takes 2 operands, got ${parts.length}`);
        const o = op;
        return (row) => {
          let acc = (parts[0] as Fn)(row);
          for (let i = 1; i < parts.length; i++) acc = arith(o, acc, (parts[i] as Fn)(row));
          return acc;
        };
      }
      default:
        throw new Error(`unsupported eval operator ${op}`);
    }
  }
}

const wallClock = (): number => Date.now() / 1000;

/**
 * Compiles an eval expression once into a closure. Throws (at compile time, never per event) on an
 * unknown function, a wrong argument count or a literal regex that does not compile.
 */
export function compileValueExpr(e: RuntimeValueExpr, options: EvalOptions = {}): (row: Row) => EvalValue {
  // The compiler never reads spans, so an expression without them is a complete ValueExpr to it.
  return new Compiler(options.clock ?? wallClock).compile(e as ValueExpr);
}

/**
 * A ValueExpr whose spans may be absent: the generated TypeScript modules embed the IR without
 * spans (they point into a rule file the module does not have).
 */
export type RuntimeValueExpr =
  | { readonly kind: 'field'; readonly name: string; readonly span?: Span }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null; readonly span?: Span }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly RuntimeValueExpr[]; readonly span?: Span }
  | { readonly kind: 'op'; readonly op: ValueOp; readonly args: readonly RuntimeValueExpr[]; readonly span?: Span };

/** `where` / IR `cond`: keeps a row only when the expression is exactly true (false and null drop). */
export function compileCondition(e: RuntimeValueExpr, options: EvalOptions = {}): (row: Row) => boolean {
  const f = compileValueExpr(e, options);
  return (row) => f(row) === true;
}
