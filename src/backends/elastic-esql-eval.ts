/**
 * Splunk eval expressions (IR `ValueExpr`) as ES|QL expressions, for `where` conditions (IR `cond`)
 * and `eval` stages. The reference semantics are the matcher's (src/runtime/eval.ts); where ES|QL
 * differs the translation is reported lossy (with a direction when it is clear) and where no
 * ES|QL form exists it is reported unsupported — the caller picks the diagnostic code.
 *
 * What carries over unchanged: ES|QL is SQL-like, so AND/OR/NOT are three-valued exactly like
 * Splunk's, null propagates through operators and most functions, and WHERE keeps only rows whose
 * condition is true. What does not: ES|QL is statically typed (a keyword never compares with a
 * number; Splunk compares numerically whenever both sides look numeric), integer division
 * truncates, and `_time` is a datetime (Splunk: epoch seconds).
 */
import type { Direction, Span } from '../diagnostics.js';
import type { FieldRef, ValueExpr } from '../ir/types.js';
import { valueFields } from '../lint/lineage.js';
import { parseRegex, translateRegex } from '../regex/index.js';
import { walk } from '../regex/analyze.js';
import { esqlField, esqlString, preferRaw, type Column } from './elastic-common.js';

export type VType = 'string' | 'number' | 'bool' | 'time' | 'null' | 'any';

export interface VFrag {
  readonly text: string;
  readonly type: VType;
  /** True when the text needs no parentheses as an operand (call, name, literal). */
  readonly atomic: boolean;
}

export interface EvalIssue {
  readonly kind: 'lossy' | 'unsupported';
  readonly message: string;
  readonly span: Span;
  readonly direction?: Direction;
}

const frag = (text: string, type: VType, atomic = true): VFrag => ({ text, type, atomic });
const paren = (f: VFrag): string => (f.atomic ? f.text : `(${f.text})`);

/** Thrown inside the translator to abandon an expression; the issue is already recorded. */
class Unsupported extends Error {}

/** strftime conversion → Java DateTimeFormatter letters (DATE_FORMAT); null = no equivalent. */
const STRFTIME: Readonly<Record<string, string | null>> = {
  Y: 'yyyy', y: 'yy', m: 'MM', d: 'dd', e: 'd', H: 'HH', k: 'H', I: 'hh', l: 'h', M: 'mm', S: 'ss', p: 'a',
  b: 'MMM', h: 'MMM', B: 'MMMM', a: 'EEE', A: 'EEEE', j: 'DDD', z: 'xx', Z: 'zzz', T: 'HH:mm:ss', R: 'HH:mm',
  F: 'yyyy-MM-dd', D: 'MM/dd/yy', s: null, N: null, Q: 'SSS', u: 'e', w: null, '%': null,
};

/** The Java pattern for a strftime format, or null when a conversion has no equivalent. */
export function strftimeToJava(fmt: string): string | null {
  let out = '';
  let lit = '';
  const flush = (): void => {
    if (lit) out += `'${lit.replace(/'/g, "''")}'`;
    lit = '';
  };
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i] as string;
    if (c !== '%') {
      // Letters are pattern letters in Java, so literal text is quoted.
      if (/[A-Za-z']/.test(c)) lit += c;
      else {
        flush();
        out += c;
      }
      continue;
    }
    const code = fmt[++i];
    if (code === undefined) return null;
    if (code === '%') {
      flush();
      out += '%';
      continue;
    }
    const java = STRFTIME[code];
    if (java === undefined || java === null) return null;
    flush();
    out += java;
  }
  flush();
  return out;
}

/** PCRE's ASCII `\b`/`\B` (Java's follow Unicode letters and digits before JDK 19). */
const WORD = '[0-9A-Z_a-z]';
const JAVA_BOUNDARY = `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;
const JAVA_NON_BOUNDARY = `(?:(?<=${WORD})(?=${WORD})|(?<!${WORD})(?!${WORD}))`;

/**
 * A Splunk (PCRE) regex for a Java-regex ES|QL function (`REPLACE`), or null when Java reads its
 * syntax differently. Java's `.`, `^` and `$` also treat \r, U+0085 and U+2028/9 as line ends;
 * the UNIX_LINES flag `(?d)` leaves only \n, as in PCRE (with its default newline).
 * https://docs.oracle.com/en/java/javase/21/docs/api/java.base/java/util/regex/Pattern.html
 */
export function javaRegex(pcre: string): string | null {
  const parsed = parseRegex(pcre);
  // The parser already rejects what neither engine shares (\K, \R, \X, recursion, branch reset,
  // conditionals). Of what it accepts, java.util.regex lacks `(?P<n>`/`(?P=n)`, `\g` references,
  // `\N` and group names with `_`, and its (?x) also skips blanks inside classes, its (?U) is
  // Unicode classes. `\Q…\E`, `\h`, `\v`, `\s`, `\d`, `\w` and (?i) mean what PCRE's do. Checked on
  // the AST, whose spans say which source text made each node (so `\\R` is a literal `\` and R).
  if (!parsed.ok) return null;
  let javaHas = true;
  const boundaries: { start: number; end: number; text: string }[] = [];
  const flagsOk = (f: { on: string; off: string } | undefined): boolean => !f || /^[ims]*$/.test(f.on + f.off);
  walk(parsed.regex.ast, (n) => {
    const text = pcre.slice(n.start, n.end);
    if (n.kind === 'group' && n.name !== undefined && (text.startsWith('(?P') || !/^[A-Za-z][A-Za-z0-9]*$/.test(n.name))) javaHas = false;
    if (n.kind === 'group' && !flagsOk(n.flags)) javaHas = false;
    if (n.kind === 'flags' && !flagsOk(n.flags)) javaHas = false;
    if (n.kind === 'backreference' && !/^\\(\d|k<)/.test(text)) javaHas = false;
    if (n.kind === 'any' && text === '\\N') javaHas = false;
    if (n.kind === 'wordBoundary') boundaries.push({ start: n.start, end: n.end, text: n.negated ? JAVA_NON_BOUNDARY : JAVA_BOUNDARY });
  });
  if (!javaHas) return null;
  let out = pcre;
  for (const b of boundaries.sort((x, y) => y.start - x.start)) out = out.slice(0, b.start) + b.text + out.slice(b.end);
  return `(?d)${out}`;
}

export class EsqlValueTranslator {
  readonly issues: EvalIssue[] = [];

  constructor(private readonly resolve: (name: string, span: Span) => Column | null) {}

  /** The ES|QL expression, or null after recording why there is none. */
  translate(e: ValueExpr): VFrag | null {
    try {
      return this.expr(e);
    } catch (err) {
      if (err instanceof Unsupported) return null;
      throw err;
    }
  }

  private fail(span: Span, message: string): never {
    this.issues.push({ kind: 'unsupported', message, span });
    throw new Unsupported(message);
  }

  /**
   * A value ES|QL computes differently. Direction: `wider` where ES|QL yields a value where Splunk
   * has none or a broader one; otherwise `narrower`, since a later test written for Splunk's value
   * misses the row (the row set itself changes only through such tests).
   */
  private lossy(span: Span, message: string, direction: Direction): void {
    this.issues.push({ kind: 'lossy', message, span, direction });
  }

  private expr(e: ValueExpr): VFrag {
    switch (e.kind) {
      case 'field': {
        const col = this.resolve(e.name, e.span);
        // A field that cannot exist here is null in Splunk.
        if (!col) return frag('null', 'null');
        return frag(esqlField(col.name), col.type === 'number' ? 'number' : col.type === 'time' ? 'time' : 'any');
      }
      case 'literal': {
        const v = e.value;
        if (v === null) return frag('null', 'null');
        if (typeof v === 'boolean') return frag(v ? 'true' : 'false', 'bool');
        if (typeof v === 'number') {
          if (!Number.isFinite(v)) return frag('null', 'null');
          return frag(String(v), 'number', v >= 0);
        }
        return frag(esqlString(v), 'string');
      }
      case 'op':
        return this.op(e);
      case 'call':
        return this.call(e);
    }
  }

  // -- coercions ---------------------------------------------------------------------------------

  /** A numeric operand: keyword columns through TO_DOUBLE, `_time` as epoch seconds. */
  private num(f: VFrag, span: Span): VFrag {
    switch (f.type) {
      case 'number':
      case 'null':
        return f;
      case 'time':
        // Splunk's _time is epoch seconds; TO_DOUBLE of a datetime is epoch milliseconds.
        return frag(`TO_DOUBLE(${f.text}) / 1000.0`, 'number', false);
      case 'string':
      case 'any':
        return frag(`TO_DOUBLE(${f.text})`, 'number');
      case 'bool':
        return this.fail(span, 'a boolean used as a number is a type error in Splunk');
    }
  }

  /** A string operand: numbers through TO_STRING. */
  private str(f: VFrag, span: Span): VFrag {
    switch (f.type) {
      case 'string':
      case 'any':
      case 'null':
        return f;
      case 'number':
        return frag(`TO_STRING(${f.text})`, 'string');
      case 'time':
        return frag(`TO_STRING(TO_DOUBLE(${f.text}) / 1000.0)`, 'string');
      case 'bool':
        return this.fail(span, 'a boolean used as a string has no portable ES|QL form');
    }
  }

  private bool(f: VFrag, span: Span): VFrag {
    if (f.type === 'bool' || f.type === 'null') return f;
    return this.fail(span, 'a non-boolean operand of AND/OR/NOT is a type error in Splunk');
  }

  /** One type for values that ES|QL requires to agree (CASE branches, COALESCE, MV_APPEND). */
  private unify(parts: VFrag[], span: Span): VFrag[] {
    const types = new Set(parts.map((p) => (p.type === 'any' ? 'string' : p.type)).filter((t) => t !== 'null'));
    if (types.size <= 1) return parts;
    if ([...types].every((t) => t === 'number' || t === 'string')) {
      this.lossy(span, 'numbers and strings mixed in one value become strings in ES|QL, which types every column', 'narrower');
      return parts.map((p) => this.str(p, span));
    }
    return this.fail(span, 'values of different types in one expression have no ES|QL form');
  }

  private literalString(e: ValueExpr | undefined, fn: string): string {
    if (e?.kind === 'literal' && typeof e.value === 'string') return e.value;
    return this.fail(e?.span ?? { start: 0, end: 0 }, `${fn}() is translated only with a literal pattern`);
  }

  // -- operators ---------------------------------------------------------------------------------

  private op(e: Extract<ValueExpr, { kind: 'op' }>): VFrag {
    const args = e.args.map((a) => this.expr(a));
    const [a, b] = args;
    switch (e.op) {
      case 'AND':
      case 'OR':
        return frag(args.map((x) => paren(this.bool(x, e.span))).join(` ${e.op} `), 'bool', false);
      case 'XOR': {
        // Three-valued like Splunk's: any null operand gives null.
        let acc = this.bool(a as VFrag, e.span);
        for (const x of args.slice(1)) {
          const y = paren(this.bool(x, e.span));
          acc = frag(`(${paren(acc)} OR ${y}) AND NOT (${paren(acc)} AND ${y})`, 'bool', false);
        }
        return acc;
      }
      case 'NOT':
        return frag(`NOT ${paren(this.bool(a as VFrag, e.span))}`, 'bool', false);
      case 'neg':
        return frag(`-${paren(this.num(a as VFrag, e.span))}`, 'number', false);
      case '=':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.compare(e.op, a as VFrag, b as VFrag, e.span);
      case 'LIKE':
        return this.like(a as VFrag, this.literalString(e.args[1], 'LIKE'), e.span);
      case '.':
        return frag(`CONCAT(${args.map((x) => this.str(x, e.span).text).join(', ')})`, 'string');
      case '+': {
        // Splunk adds when both sides are numbers and concatenates two strings.
        if (args.some((x) => x.type === 'string')) {
          if (args.some((x) => x.type === 'number')) this.fail(e.span, 'a string plus a number is a type error in Splunk');
          if (args.some((x) => x.type === 'any')) this.lossy(e.span, '`+` with a string literal concatenates; a numeric field value would make Splunk report a type error instead', 'wider');
          return frag(`CONCAT(${args.map((x) => this.str(x, e.span).text).join(', ')})`, 'string');
        }
        return this.arith('+', args, e.span);
      }
      case '-':
      case '*':
      case '%':
        return this.arith(e.op, args, e.span);
      case '/': {
        // ES|QL divides integers as integers; Splunk always divides as real numbers.
        const [first, ...rest] = args.map((x) => this.num(x, e.span));
        const lead = first && first.type === 'number' && /^\d+$/.test(first.text) ? frag(`${first.text}.0`, 'number') : frag(`TO_DOUBLE(${first?.text ?? 'null'})`, 'number');
        return frag([lead, ...rest].map(paren).join(' / '), 'number', false);
      }
    }
  }

  private arith(op: string, args: VFrag[], span: Span): VFrag {
    if (args.some((x) => x.type === 'any')) {
      this.lossy(span, 'a field of unknown type in arithmetic is read with TO_DOUBLE; a value that is not a number is null in both, but integers come out as doubles', 'narrower');
    }
    return frag(args.map((x) => paren(this.num(x, span))).join(` ${op} `), 'number', false);
  }

  private compare(op: '=' | '!=' | '<' | '<=' | '>' | '>=', a: VFrag, b: VFrag, span: Span): VFrag {
    const esOp = op === '=' ? '==' : op;
    if (a.type === 'null' || b.type === 'null') return frag('null', 'null');
    const numeric = (x: VFrag): boolean => x.type === 'number' || x.type === 'time';
    if (a.type === 'bool' || b.type === 'bool') {
      if (a.type !== b.type) this.fail(span, 'a boolean compared with a non-boolean is a type error in Splunk');
      if (op !== '=' && op !== '!=') this.fail(span, 'booleans have no order in Splunk');
      return frag(`${paren(a)} ${esOp} ${paren(b)}`, 'bool', false);
    }
    if (numeric(a) || numeric(b)) {
      const untyped = [a, b].some((x) => !numeric(x));
      if (untyped) {
        // Splunk compares a non-numeric value as a string; TO_DOUBLE makes it null (row dropped).
        this.lossy(span, 'a field of unknown type compared with a number is read with TO_DOUBLE; values that are not numbers compare as strings in Splunk but are null in ES|QL', 'narrower');
      }
      return frag(`${paren(this.num(a, span))} ${esOp} ${paren(this.num(b, span))}`, 'bool', false);
    }
    // Both strings (or untyped keyword columns): case-sensitive string comparison in both.
    return frag(`${paren(a)} ${esOp} ${paren(b)}`, 'bool', false);
  }

  /** SQL `%`/`_` pattern → ES|QL LIKE (`*`/`?`, backslash escapes). */
  private like(subject: VFrag, pattern: string, span: Span): VFrag {
    let out = '';
    for (const ch of pattern) {
      if (ch === '%') out += '*';
      else if (ch === '_') out += '?';
      else if (ch === '*' || ch === '?' || ch === '\\') out += `\\${ch}`;
      else out += ch;
    }
    return frag(`${paren(this.str(subject, span))} LIKE ${preferRaw(out, esqlString)}`, 'bool', false);
  }

  // -- functions ---------------------------------------------------------------------------------

  private call(e: Extract<ValueExpr, { kind: 'call' }>): VFrag {
    const span = e.span;
    const n = e.args.length;
    const arity = (min: number, max = min): void => {
      if (n < min || n > max) this.fail(span, `${e.fn}() with ${n} argument(s) is not translated`);
    };
    const arg = (i: number): VFrag => this.expr(e.args[i] as ValueExpr);
    const all = (): VFrag[] => e.args.map((a) => this.expr(a));
    const fn1 = (name: string, conv: (f: VFrag) => VFrag, type: VType): VFrag => {
      arity(1);
      return frag(`${name}(${conv(arg(0)).text})`, type);
    };
    const asNum = (f: VFrag): VFrag => this.num(f, span);
    const asStr = (f: VFrag): VFrag => this.str(f, span);
    switch (e.fn) {
      case 'if': {
        arity(3);
        const [c, x, y] = all() as [VFrag, VFrag, VFrag];
        const [u, v] = this.unify([x, y], span) as [VFrag, VFrag];
        // CASE takes the else branch for a null condition, like Splunk's if().
        return frag(`CASE(${this.bool(c, span).text}, ${u.text}, ${v.text})`, u.type === 'null' ? v.type : u.type);
      }
      case 'case': {
        if (n === 0 || n % 2 !== 0) this.fail(span, 'case() needs condition/value pairs');
        const parts = all();
        const values = this.unify(parts.filter((_, i) => i % 2 === 1), span);
        const text = parts.map((p, i) => (i % 2 === 0 ? this.bool(p, span).text : (values[(i - 1) / 2] as VFrag).text)).join(', ');
        return frag(`CASE(${text})`, values.find((v) => v.type !== 'null')?.type ?? 'null');
      }
      case 'coalesce': {
        arity(1, Infinity);
        const parts = this.unify(all(), span);
        return frag(`COALESCE(${parts.map((p) => p.text).join(', ')})`, parts.find((p) => p.type !== 'null')?.type ?? 'null');
      }
      case 'nullif': {
        arity(2);
        const [x, y] = all() as [VFrag, VFrag];
        return frag(`CASE(${this.compare('=', x, y, span).text}, null, ${x.text})`, x.type);
      }
      case 'isnull':
      case 'isnotnull': {
        arity(1);
        return frag(`${paren(arg(0))} ${e.fn === 'isnull' ? 'IS NULL' : 'IS NOT NULL'}`, 'bool', false);
      }
      case 'null':
        arity(0);
        return frag('null', 'null');
      case 'true':
      case 'false':
        arity(0);
        return frag(e.fn, 'bool');
      case 'len':
        // Both count characters (code points), not bytes.
        return fn1('LENGTH', asStr, 'number');
      case 'lower':
        return fn1('TO_LOWER', asStr, 'string');
      case 'upper':
        return fn1('TO_UPPER', asStr, 'string');
      case 'trim':
      case 'ltrim':
      case 'rtrim': {
        arity(1);
        this.lossy(span, `${e.fn}() strips spaces and tabs in Splunk; ES|QL ${e.fn.toUpperCase()} strips all leading/trailing whitespace`, 'wider');
        return frag(`${e.fn.toUpperCase()}(${asStr(arg(0)).text})`, 'string');
      }
      case 'substr': {
        arity(2, 3);
        const start = e.args[1];
        // Both are 1-based; Splunk reads 0 as 1 and ES|QL differs there, so only literal starts ≥ 1.
        if (start?.kind !== 'literal' || typeof start.value !== 'number' || !Number.isInteger(start.value) || start.value < 1) {
          this.fail(span, 'substr() is translated only with a literal start position of 1 or more');
        }
        const parts = [asStr(arg(0)).text, String(start.value), ...(n === 3 ? [asNum(arg(2)).text] : [])];
        return frag(`SUBSTRING(${parts.join(', ')})`, 'string');
      }
      case 'replace': {
        arity(3);
        const re = javaRegex(this.literalString(e.args[1], 'replace'));
        if (re === null) this.fail(span, 'replace(): this regex uses PCRE syntax Java regular expressions (ES|QL REPLACE) do not have');
        const repl = this.literalString(e.args[2], 'replace');
        return frag(`REPLACE(${asStr(arg(0)).text}, ${preferRaw(re, esqlString)}, ${esqlString(javaReplacement(repl))})`, 'string');
      }
      case 'split': {
        arity(2);
        const d = this.literalString(e.args[1], 'split');
        // ES|QL SPLIT accepts a single-byte delimiter only.
        if (d.length !== 1 || d.charCodeAt(0) > 0x7f) this.fail(span, 'split(): ES|QL SPLIT takes a single one-byte delimiter');
        return frag(`SPLIT(${asStr(arg(0)).text}, ${esqlString(d)})`, 'string');
      }
      case 'tostring': {
        arity(1);
        const x = arg(0);
        if (x.type === 'number') this.lossy(span, 'tostring(): ES|QL prints doubles with a fraction (1.0) where Splunk prints 1', 'narrower');
        return x.type === 'string' || x.type === 'any' ? x : asStr(x);
      }
      case 'tonumber': {
        if (n === 2) {
          const base = e.args[1];
          if (base?.kind !== 'literal' || base.value !== 10) this.fail(span, 'tonumber() with a base other than 10 is not translated');
        } else arity(1);
        return frag(`TO_DOUBLE(${arg(0).text})`, 'number');
      }
      case 'mvfilter': {
        // ES|QL's MV_* functions have no per-value predicate
        // (https://www.elastic.co/docs/reference/query-languages/esql/functions-operators/mv-functions),
        // and single-value functions give null on a multivalue. CASE is Splunk's mvfilter for a
        // field holding one value; a multivalue field gives null where Splunk keeps the passing values.
        arity(1);
        const refs: FieldRef[] = [];
        valueFields(e.args[0] as ValueExpr, refs);
        const names = [...new Set(refs.map((r) => r.name))];
        const [only] = names;
        if (names.length !== 1 || only === undefined) return this.fail(span, 'mvfilter() must test exactly one field');
        const field = this.expr({ kind: 'field', name: only, span });
        const cond = this.bool(arg(0), span);
        this.lossy(span, `mvfilter(): ES|QL has no per-value filter; ${only} is kept when it holds one value that passes, but a multivalue ${only} becomes null where Splunk keeps the values that pass`, 'narrower');
        return frag(`CASE(${cond.text}, ${field.text}, null)`, field.type);
      }
      case 'match': {
        arity(2);
        const pattern = this.literalString(e.args[1], 'match');
        const t = translateRegex(pattern, 'lucene');
        if (!t.ok) return this.fail(span, `match(): ${t.error.message}`);
        if (t.result.unsupported.length) this.fail(span, `match(): Lucene regex: ${t.result.unsupported.map((u) => u.message).join('; ')}`);
        if (t.result.caseInsensitive) this.fail(span, 'match(): the Lucene translation needs a case-insensitive flag, which RLIKE does not have');
        return frag(`${paren(asStr(arg(0)))} RLIKE ${preferRaw(t.result.pattern, esqlString)}`, 'bool', false);
      }
      case 'like':
        arity(2);
        return this.like(arg(0), this.literalString(e.args[1], 'like'), span);
      case 'in': {
        arity(2, Infinity);
        const [x, ...vals] = all() as [VFrag, ...VFrag[]];
        const numeric = x.type === 'number' && vals.every((v) => v.type === 'number');
        if (!numeric && vals.some((v) => v.type === 'number')) this.lossy(span, 'in(): numbers in the list are compared as strings', 'narrower');
        const list = vals.map((v) => (numeric ? v : asStr(v)).text).join(', ');
        return frag(`${paren(numeric ? x : asStr(x))} IN (${list})`, 'bool', false);
      }
      case 'cidrmatch': {
        arity(2);
        const cidr = this.literalString(e.args[0], 'cidrmatch');
        return frag(`CIDR_MATCH(TO_IP(${asStr(arg(1)).text}), ${esqlString(cidr)})`, 'bool');
      }
      case 'abs':
        return fn1('ABS', asNum, 'number');
      case 'ceil':
      case 'ceiling':
        return fn1('CEIL', asNum, 'number');
      case 'floor':
        return fn1('FLOOR', asNum, 'number');
      case 'sqrt':
        return fn1('SQRT', asNum, 'number');
      case 'ln':
        return fn1('LOG', asNum, 'number');
      case 'sin':
      case 'cos':
      case 'tan':
      case 'asin':
      case 'acos':
      case 'atan':
      case 'exp':
        // Splunk math functions map one to one; outside [-1, 1] ASIN/ACOS give no number in either.
        return fn1(e.fn.toUpperCase(), asNum, 'number');
      case 'atan2': {
        // ATAN2(y, x), Y first as in Splunk.
        arity(2);
        return frag(`ATAN2(${asNum(arg(0)).text}, ${asNum(arg(1)).text})`, 'number');
      }
      case 'log': {
        arity(1, 2);
        // Splunk log(x) is base 10; log(x, b) is base b. ES|QL: LOG(base, x).
        return n === 1 ? frag(`LOG10(${asNum(arg(0)).text})`, 'number') : frag(`LOG(${asNum(arg(1)).text}, ${asNum(arg(0)).text})`, 'number');
      }
      case 'round': {
        arity(1, 2);
        return frag(`ROUND(${[asNum(arg(0)).text, ...(n === 2 ? [asNum(arg(1)).text] : [])].join(', ')})`, 'number');
      }
      case 'pow': {
        arity(2);
        return frag(`POW(${asNum(arg(0)).text}, ${asNum(arg(1)).text})`, 'number');
      }
      case 'pi':
        arity(0);
        return frag('PI()', 'number');
      case 'min':
      case 'max': {
        const parts = all();
        // Splunk orders numbers before strings; GREATEST/LEAST need one type.
        if (!parts.every((p) => p.type === 'number')) this.fail(span, `${e.fn}() over values not known to be numbers is not translated`);
        return frag(`${e.fn === 'min' ? 'LEAST' : 'GREATEST'}(${parts.map((p) => p.text).join(', ')})`, 'number');
      }
      case 'mvcount':
        arity(1);
        return frag(`MV_COUNT(${arg(0).text})`, 'number');
      case 'mvindex': {
        // Both 0-based with an inclusive end, negative indexes counting from the end.
        arity(2, 3);
        const x = arg(0);
        return frag(`MV_SLICE(${[x.text, asNum(arg(1)).text, ...(n === 3 ? [asNum(arg(2)).text] : [])].join(', ')})`, x.type);
      }
      case 'mvappend': {
        arity(1, Infinity);
        const parts = this.unify(all(), span);
        // MV_APPEND skips a null side, as Splunk's mvappend skips null arguments.
        const text = parts.slice(1).reduce((acc, p) => `MV_APPEND(${acc}, ${p.text})`, (parts[0] as VFrag).text);
        return frag(text, parts.find((p) => p.type !== 'null')?.type ?? 'null');
      }
      case 'mvjoin': {
        arity(2);
        return frag(`MV_CONCAT(${asStr(arg(0)).text}, ${asStr(arg(1)).text})`, 'string');
      }
      case 'mvdedup': {
        arity(1);
        this.lossy(span, 'mvdedup(): ES|QL MV_DEDUPE does not promise to keep the first-seen order', 'narrower');
        const x = arg(0);
        return frag(`MV_DEDUPE(${x.text})`, x.type);
      }
      case 'mvsort': {
        arity(1);
        const x = arg(0);
        if (x.type === 'number') this.lossy(span, 'mvsort(): Splunk sorts numbers as strings; ES|QL MV_SORT sorts them numerically', 'narrower');
        return frag(`MV_SORT(${x.text})`, x.type);
      }
      case 'now':
        arity(0);
        // Splunk: the search's start time in whole epoch seconds; ES|QL NOW() is the query's time.
        return frag('TO_LONG(NOW()) / 1000', 'number', false);
      case 'strftime': {
        arity(2);
        const java = strftimeToJava(this.literalString(e.args[1], 'strftime'));
        if (java === null) this.fail(span, 'strftime(): the format uses a conversion DATE_FORMAT has no letter for');
        const t = arg(0);
        const date = t.type === 'time' ? t.text : `TO_DATETIME(TO_LONG(${paren(asNum(t))} * 1000))`;
        this.lossy(span, 'strftime(): Splunk formats in the user\'s time zone, ES|QL DATE_FORMAT in UTC', 'narrower');
        return frag(`DATE_FORMAT(${esqlString(java)}, ${date})`, 'string');
      }
      default:
        return this.fail(span, `${e.fn}() has no ES|QL translation`);
    }
  }
}

/** Splunk/PCRE replacement `\1` → Java `$1`; a literal `$` or `\` is escaped for Java. */
export function javaReplacement(repl: string): string {
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i] as string;
    const d = repl[i + 1];
    if (c === '\\' && d !== undefined && /\d/.test(d)) {
      out += `$${d}`;
      i++;
    } else if (c === '\\' && d !== undefined) {
      out += `\\${d}`;
      i++;
    } else if (c === '$') out += '\\$';
    else out += c;
  }
  return out;
}
