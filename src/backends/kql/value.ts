/**
 * Splunk eval expressions (`eval`, `where` conditions) as KQL scalar expressions, keeping the
 * semantics of src/runtime/eval.ts (the reference):
 *
 * - Null: a KQL string is never null, so a string is "null" when empty (the rest of the KQL backend
 *   reads a missing string column as `""` too); numbers, bools and datetimes use KQL's null; a
 *   multivalue field is a dynamic array (from values()/list()/mvappend/split/rex max_match), null
 *   when empty.
 * - Booleans are three-valued in Splunk (`NOT null` is null, and `where` drops null). KQL's own
 *   null logic is not relied on: every condition is translated twice, as "is true" and "is false",
 *   with explicit presence guards, so `NOT` swaps the two and `where` uses the first.
 * - Comparisons are numeric when both sides are numbers, else case-sensitive string comparisons;
 *   a string column against a number decides per row (`isnotnull(toreal(s))`).
 * - A multivalue operand of a comparison / match / like / cidrmatch is true when any value is: the
 *   test runs per element inside an `mv-apply` that counts hits into a temporary column.
 * Anything else is reported: BE002 (lossy) when the KQL differs in a known way, BE001 with the
 * call's span when there is no translation.
 */
import { diag, type Diagnostic, type Span } from '../../diagnostics.js';
import type { ValueExpr } from '../../ir/types.js';
import { kqlRegexLiteral, kqlString, rustEscape } from './escape.js';
import { rustCapturing, rustPattern } from './regex.js';

/** Kusto scalar types plus `array` (a multivalue field) and `null` (an untyped null literal). */
export type VType = 'string' | 'long' | 'int' | 'real' | 'bool' | 'datetime' | 'dynamic' | 'array' | 'null';

export interface Val {
  readonly text: string;
  readonly type: VType;
  /** Set for literals: their Splunk value (numeric-looking strings compare as numbers). */
  readonly literal?: string | number | boolean | null;
}

/** A condition as "is true" / "is false" KQL predicates (both false when Splunk gives null). */
export interface Cond {
  readonly t: string;
  readonly f: string;
}

export interface ValueScope {
  /** A column by CIM name, or null when the field does not exist at this point. */
  column(name: string, span: Span): Val | null;
  /**
   * Runs an aggregate over the elements of an array (as strings) in an `mv-apply`, returning the
   * temporary column that holds the result. `aggregate` receives the element.
   */
  overElements(array: string, aggregate: (element: Val) => string, span: Span): string | null;
  report(d: Diagnostic): void;
}

const NUMERIC_TYPES = new Set<VType>(['long', 'int', 'real']);
const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH = 'datetime(1970-01-01)';
const ELEMENT = 'ruleport_v';

function isNum(v: Val): boolean {
  return NUMERIC_TYPES.has(v.type);
}

function and(...parts: string[]): string {
  const kept = parts.filter((p) => p !== 'true');
  if (kept.includes('false')) return 'false';
  if (kept.length === 0) return 'true';
  return kept.length === 1 ? (kept[0] as string) : kept.map((p) => (/ or /.test(p) && !/^\(.*\)$/.test(p) ? `(${p})` : p)).join(' and ');
}

function or(...parts: string[]): string {
  const kept = parts.filter((p) => p !== 'false');
  if (kept.includes('true')) return 'true';
  if (kept.length === 0) return 'false';
  return kept.length === 1 ? (kept[0] as string) : `(${kept.join(' or ')})`;
}

function paren(text: string): string {
  return /^[A-Za-z0-9_.[\]"@]+$/.test(text) || /^[a-z_0-9]+\(.*\)$/.test(text) ? text : `(${text})`;
}

/** A KQL numeric literal for a JS number. */
function numberLiteral(n: number): Val {
  if (!Number.isFinite(n)) return { text: 'real(null)', type: 'real', literal: null };
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 53) return { text: String(n), type: 'long', literal: n };
  return { text: `real(${String(n)})`, type: 'real', literal: n };
}

function nullOf(type: VType): string {
  switch (type) {
    case 'string':
    case 'null':
      return '""';
    case 'array':
      return 'dynamic([])';
    default:
      return `${type}(null)`;
  }
}

export class ValueTranslator {
  /** Field names bound to an mv-apply element (inside overElements). */
  private readonly bound = new Map<string, Val>();

  constructor(private readonly scope: ValueScope) {}

  // --- conversions ----------------------------------------------------------------------

  /** KQL predicate: the value is Splunk-null. */
  isNull(v: Val): string {
    switch (v.type) {
      case 'null':
        return 'true';
      case 'string':
        return v.literal !== undefined ? String(v.literal === '') : `isempty(${v.text})`;
      case 'array':
        return `coalesce(array_length(${v.text}), 0) == 0`;
      case 'dynamic':
        return `isempty(tostring(${v.text}))`;
      default:
        return v.literal !== undefined ? 'false' : `isnull(${v.text})`;
    }
  }

  notNull(v: Val): string {
    const n = this.isNull(v);
    if (n === 'true') return 'false';
    if (n === 'false') return 'true';
    switch (v.type) {
      case 'string':
        return `isnotempty(${v.text})`;
      case 'array':
        return `coalesce(array_length(${v.text}), 0) > 0`;
      case 'dynamic':
        return `isnotempty(tostring(${v.text}))`;
      default:
        return `isnotnull(${v.text})`;
    }
  }

  /** String form ("" for null); a multivalue is null unless it has exactly one value. */
  str(v: Val): string {
    switch (v.type) {
      case 'string':
        return v.text;
      case 'null':
        return '""';
      case 'long':
      case 'int':
      case 'real':
        return v.literal !== undefined && v.literal !== null ? kqlString(String(v.literal)) : `tostring(${v.text})`;
      case 'bool':
        return `iff(isnull(${v.text}), "", iff(${v.text}, "True", "False"))`;
      case 'datetime':
        return `tostring(${this.num(v)})`;
      case 'array':
        return `iff(array_length(${v.text}) == 1, tostring(${v.text}[0]), "")`;
      case 'dynamic':
        return `tostring(${v.text})`;
    }
  }

  /** Numeric form (real), null when not a number. Splunk's `_time` is epoch seconds. */
  num(v: Val): string {
    switch (v.type) {
      case 'long':
      case 'int':
      case 'real':
        return v.text;
      case 'datetime':
        return `((${v.text} - ${EPOCH}) / 1s)`;
      case 'string':
        if (v.literal !== undefined) return typeof v.literal === 'string' && NUMERIC_TEXT.test(v.literal) ? String(Number(v.literal)) : 'real(null)';
        return `toreal(${v.text})`;
      case 'array':
        return `toreal(${this.str(v)})`;
      default:
        return 'real(null)';
    }
  }

  /** Array form: a scalar becomes a one-element array of its string, null the empty array. */
  arr(v: Val): string {
    if (v.type === 'array') return v.text;
    if (v.type === 'null') return 'dynamic([])';
    return `iff(${this.isNull(v)}, dynamic([]), pack_array(${this.str(v)}))`;
  }

  /** Values coerced to one KQL type so that `iff`/`case`/`coalesce` accept them. */
  private unify(vals: readonly Val[]): { type: VType; texts: string[] } {
    const typed = vals.filter((v) => v.type !== 'null');
    const first = typed[0];
    let type: VType;
    if (!first) type = 'string';
    else if (typed.every((v) => v.type === first.type)) type = first.type;
    else if (typed.every(isNum)) type = 'real';
    else if (typed.some((v) => v.type === 'array')) type = 'array';
    else type = 'string';
    const texts = vals.map((v) => {
      if (v.type === 'null') return nullOf(type);
      if (v.type === type) return v.text;
      if (type === 'real') return `toreal(${v.text})`;
      if (type === 'array') return this.arr(v);
      return this.str(v);
    });
    return { type, texts };
  }

  // --- values ----------------------------------------------------------------------------

  value(e: ValueExpr): Val {
    switch (e.kind) {
      case 'field': {
        const b = this.bound.get(e.name);
        if (b) return b;
        return this.scope.column(e.name, e.span) ?? { text: '""', type: 'null' };
      }
      case 'literal': {
        const v = e.value;
        if (v === null) return { text: '""', type: 'null', literal: null };
        if (typeof v === 'number') return numberLiteral(v);
        if (typeof v === 'boolean') return { text: String(v), type: 'bool', literal: v };
        return { text: kqlString(v), type: 'string', literal: v };
      }
      case 'op':
        return this.op(e);
      case 'call':
        return this.call(e);
    }
  }

  /** A boolean-valued expression as a value: true / false / null. */
  private boolValue(e: ValueExpr): Val {
    const c = this.cond(e);
    return { text: `iff(${c.t}, true, iff(${c.f}, false, bool(null)))`, type: 'bool' };
  }

  private op(e: Extract<ValueExpr, { kind: 'op' }>): Val {
    switch (e.op) {
      case 'AND':
      case 'OR':
      case 'XOR':
      case 'NOT':
      case '=':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
      case 'LIKE':
        return this.boolValue(e);
      case '.': {
        // `a.b.c` parses as nested binary `.`; one strcat over the flattened operands reads better.
        const flat = (x: ValueExpr): ValueExpr[] => (x.kind === 'op' && x.op === '.' ? x.args.flatMap(flat) : [x]);
        const parts = e.args.flatMap(flat).map((a) => this.value(a));
        // Splunk: a null operand makes the whole concatenation null.
        const guard = and(...parts.map((p) => this.notNull(p)));
        const text = `strcat(${parts.map((p) => this.str(p)).join(', ')})`;
        return { text: guard === 'true' ? text : `iff(${guard}, ${text}, "")`, type: 'string' };
      }
      case 'neg': {
        const a = this.value(e.args[0] as ValueExpr);
        if (typeof a.literal === 'number') return numberLiteral(-a.literal);
        return { text: `-${paren(this.num(a))}`, type: isNum(a) ? a.type : 'real' };
      }
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        const parts = e.args.map((a) => this.value(a));
        if (e.op === '+' && parts.some((p) => p.type === 'string' && !(p.literal !== undefined && NUMERIC_TEXT.test(String(p.literal))))) {
          this.scope.report(
            diag('BE002', '`+` on strings concatenates in Splunk when a side is not a number; KQL adds them as numbers (non-numbers give null)', e.span, { backend: 'kql' }),
          );
        }
        let acc = parts[0] as Val;
        for (const p of parts.slice(1)) acc = this.arith(e.op, acc, p);
        return acc;
      }
      default:
        return this.unsupported(e.span, `operator ${e.op}`);
    }
  }

  private arith(op: '+' | '-' | '*' | '/' | '%', a: Val, b: Val): Val {
    const x = paren(this.num(a));
    const y = paren(this.num(b));
    const integral = (a.type === 'long' || a.type === 'int') && (b.type === 'long' || b.type === 'int');
    switch (op) {
      case '/':
        // Splunk divides as reals and gives null for x/0 (KQL would give an infinity).
        return { text: `iff(${y} == 0, real(null), toreal(${x}) / ${y})`, type: 'real' };
      case '%':
        return { text: `iff(${y} == 0, real(null), ${integral ? `${x} % ${y}` : `toreal(${x}) - toreal(${y}) * floor(toreal(${x}) / ${y}, 1)`})`, type: integral ? 'long' : 'real' };
      default:
        return { text: `${x} ${op} ${y}`, type: integral ? 'long' : 'real' };
    }
  }

  private call(e: Extract<ValueExpr, { kind: 'call' }>): Val {
    const args = e.args;
    const arity = (min: number, max = min): boolean => {
      if (args.length >= min && args.length <= max) return true;
      this.scope.report(diag('BE001', `${e.fn}() with ${args.length} argument(s) has no KQL translation`, e.span, { backend: 'kql' }));
      return false;
    };
    const v = (i: number): Val => this.value(args[i] as ValueExpr);
    switch (e.fn) {
      case 'if': {
        if (!arity(3)) return this.fail();
        const c = this.cond(args[0] as ValueExpr);
        const u = this.unify([v(1), v(2)]);
        return { text: `iff(${c.t}, ${u.texts[0] as string}, ${u.texts[1] as string})`, type: u.type };
      }
      case 'case': {
        if (args.length === 0 || args.length % 2 !== 0) return this.unsupported(e.span, `case() with ${args.length} argument(s) (not condition/value pairs)`);
        const conds: string[] = [];
        const vals: Val[] = [];
        for (let i = 0; i < args.length; i += 2) {
          conds.push(this.cond(args[i] as ValueExpr).t);
          vals.push(v(i + 1));
        }
        const u = this.unify(vals);
        const pairs = conds.map((c, i) => `${c}, ${u.texts[i] as string}`);
        return { text: `case(${pairs.join(', ')}, ${nullOf(u.type)})`, type: u.type };
      }
      case 'coalesce': {
        if (!arity(1, Infinity)) return this.fail();
        const vals = args.map((a) => this.value(a));
        const u = this.unify(vals);
        if (u.type === 'array') {
          // KQL's coalesce skips only null dynamics, not empty arrays.
          let text = u.texts[u.texts.length - 1] as string;
          for (let i = u.texts.length - 2; i >= 0; i--) text = `iff(array_length(${u.texts[i] as string}) > 0, ${u.texts[i] as string}, ${text})`;
          return { text, type: 'array' };
        }
        // KQL's coalesce skips null and, for strings, empty values: Splunk's null here.
        return { text: u.texts.length === 1 ? (u.texts[0] as string) : `coalesce(${u.texts.join(', ')})`, type: u.type };
      }
      case 'isnull':
      case 'isnotnull':
      case 'isnum':
      case 'isstr':
      case 'match':
      case 'like':
      case 'in':
      case 'cidrmatch':
      case 'searchmatch':
        return this.boolValue(e);
      case 'null':
        return { text: '""', type: 'null', literal: null };
      case 'true':
      case 'false':
        return { text: e.fn, type: 'bool', literal: e.fn === 'true' };
      case 'nullif': {
        if (!arity(2)) return this.fail();
        const a = v(0);
        const eq = this.compare('=', a, v(1), e.span);
        return { text: `iff(${eq.t}, ${nullOf(a.type)}, ${a.text})`, type: a.type === 'null' ? 'string' : a.type };
      }
      case 'len': {
        if (!arity(1)) return this.fail();
        const a = v(0);
        return { text: `iff(${this.isNull(a)}, long(null), strlen(${this.str(a)}))`, type: 'long' };
      }
      case 'lower':
      case 'upper': {
        if (!arity(1)) return this.fail();
        return { text: `to${e.fn}(${this.str(v(0))})`, type: 'string' };
      }
      case 'urldecode': {
        if (!arity(1)) return this.fail();
        return { text: `url_decode(${this.str(v(0))})`, type: 'string' };
      }
      case 'trim':
      case 'ltrim':
      case 'rtrim': {
        if (!arity(1, 2)) return this.fail();
        const set = args[1];
        let chars = ' \t';
        if (set) {
          if (set.kind !== 'literal' || typeof set.value !== 'string') return this.unsupported(e.span, `${e.fn}() with a computed character set`);
          chars = set.value;
        }
        if (chars === '') return { text: this.str(v(0)), type: 'string' };
        const cls = `[${[...chars].map((c) => (/[\\\]^[-]/.test(c) ? `\\${c}` : rustEscape(c).replace(/^\\([.+*?(){}|$#&~])$/, '$1'))).join('')}]+`;
        const fn = e.fn === 'trim' ? 'trim' : e.fn === 'ltrim' ? 'trim_start' : 'trim_end';
        return { text: `${fn}(${kqlRegexLiteral(cls)}, ${this.str(v(0))})`, type: 'string' };
      }
      case 'substr':
        return arity(2, 3) ? this.substr(e) : this.fail();
      case 'replace':
        return arity(3) ? this.replace(e) : this.fail();
      case 'split': {
        if (!arity(2)) return this.fail();
        const s = v(0);
        const d = v(1);
        if (d.literal === '') return this.unsupported(e.span, 'split() with an empty delimiter');
        return { text: `iff(${or(this.isNull(s), this.isNull(d))}, dynamic([]), split(${this.str(s)}, ${this.str(d)}))`, type: 'array' };
      }
      case 'tostring': {
        if (args.length === 2) return this.unsupported(e.span, 'tostring() with a format');
        if (!arity(1)) return this.fail();
        const a = v(0);
        if (a.type === 'array') return { text: this.str(a), type: 'string' };
        return { text: this.str(a), type: 'string' };
      }
      case 'tonumber': {
        if (!arity(1, 2)) return this.fail();
        const base = args[1];
        const a = v(0);
        if (base && base.kind === 'literal' && base.value === 16) {
          // KQL has hex literals (0x1F) but no documented hex parser; tolong("0x...") is assumed.
          this.scope.report(diag('BE002', 'tonumber(x, 16) becomes tolong("0x" + digits): KQL does not document parsing hex text', e.span, { backend: 'kql' }));
          const s = `trim(@"\\s+", ${this.str(a)})`;
          return { text: `iff(${s} matches regex @"^(?:0[xX])?[0-9A-Fa-f]+$", tolong(strcat("0x", replace_regex(${s}, @"^0[xX]", ""))), long(null))`, type: 'long' };
        }
        if (base && !(base.kind === 'literal' && base.value === 10)) return this.unsupported(e.span, 'tonumber() with a base other than 10 or 16');
        return { text: isNum(a) ? a.text : `toreal(trim(@"\\s+", ${this.str(a)}))`, type: isNum(a) ? a.type : 'real' };
      }
      case 'abs':
      case 'ceiling':
      case 'ceil':
      case 'floor':
      case 'sqrt':
      case 'exp':
      case 'ln':
      case 'sin':
      case 'cos':
      case 'tan':
      case 'asin':
      case 'acos':
      case 'atan': {
        // KQL's asin/acos return null outside [-1, 1], as Splunk's do.
        if (!arity(1)) return this.fail();
        const x = this.num(v(0));
        const text =
          e.fn === 'floor' ? `floor(${x}, 1)`
          : e.fn === 'ceil' || e.fn === 'ceiling' ? `ceiling(${x})`
          : e.fn === 'sqrt' ? `iff(${x} < 0, real(null), sqrt(${x}))`
          : e.fn === 'ln' ? `iff(${x} <= 0, real(null), log(${x}))`
          : `${e.fn}(${x})`;
        return { text, type: 'real' };
      }
      case 'round': {
        if (!arity(1, 2)) return this.fail();
        const digits = args[1] ? this.num(v(1)) : '0';
        this.scope.report(diag('BE002', "round(): Splunk rounds halves away from zero; KQL's round() is not documented to, so a value ending in 5 may round the other way", e.span, { backend: 'kql' }));
        return { text: `round(${this.num(v(0))}, ${digits})`, type: 'real' };
      }
      case 'atan2': {
        // Both take Y first: atan2(y, x) is the angle of the point (x, y).
        if (!arity(2)) return this.fail();
        return { text: `atan2(${this.num(v(0))}, ${this.num(v(1))})`, type: 'real' };
      }
      case 'pow': {
        if (!arity(2)) return this.fail();
        return { text: `pow(${this.num(v(0))}, ${this.num(v(1))})`, type: 'real' };
      }
      case 'log': {
        if (!arity(1, 2)) return this.fail();
        const x = this.num(v(0));
        if (!args[1]) return { text: `iff(${x} <= 0, real(null), log10(${x}))`, type: 'real' };
        const b = this.num(v(1));
        return { text: `iff(${x} <= 0 or ${b} <= 0 or ${b} == 1, real(null), log(${x}) / log(${b}))`, type: 'real' };
      }
      case 'pi':
        return arity(0) ? { text: 'pi()', type: 'real' } : this.fail();
      case 'min':
      case 'max': {
        if (!arity(1, Infinity)) return this.fail();
        const vals = args.map((a) => this.value(a));
        if (!vals.every(isNum)) {
          this.scope.report(
            diag('BE002', `${e.fn}() orders numbers below strings and strings lexicographically in Splunk; KQL's ${e.fn}_of compares the values as numbers here (non-numbers are ignored)`, e.span, {
              backend: 'kql',
            }),
          );
        }
        return { text: `${e.fn}_of(${vals.map((x) => this.num(x)).join(', ')})`, type: vals.every((x) => x.type === 'long') ? 'long' : 'real' };
      }
      case 'mvcount': {
        if (!arity(1)) return this.fail();
        const a = v(0);
        if (a.type === 'array') return { text: `iff(array_length(${a.text}) > 0, array_length(${a.text}), long(null))`, type: 'long' };
        return { text: `iff(${this.isNull(a)}, long(null), 1)`, type: 'long' };
      }
      case 'mvindex':
        return arity(2, 3) ? this.mvindex(e) : this.fail();
      case 'mvappend': {
        const parts = args.map((a) => this.arr(this.value(a)));
        if (parts.length === 0) return { text: 'dynamic([])', type: 'array' };
        return { text: parts.length === 1 ? (parts[0] as string) : `array_concat(${parts.join(', ')})`, type: 'array' };
      }
      case 'mvjoin': {
        if (!arity(2)) return this.fail();
        const a = v(0);
        return { text: `strcat_array(${this.arr(a)}, ${this.str(v(1))})`, type: 'string' };
      }
      case 'mvdedup': {
        if (!arity(1)) return this.fail();
        // set_union keeps the first occurrence of each value, in order (like Splunk's mvdedup).
        return { text: `set_union(${this.arr(v(0))}, dynamic([]))`, type: 'array' };
      }
      case 'mvsort': {
        if (!arity(1)) return this.fail();
        return { text: `array_sort_asc(${this.arr(v(0))})`, type: 'array' };
      }
      case 'mvfilter':
        return arity(1) ? this.mvfilter(e) : this.fail();
      case 'now':
      case 'time': {
        if (!arity(0)) return this.fail();
        this.scope.report(
          diag('BE002', `${e.fn}() is the search time in Splunk and the query time in KQL; with scheduled or re-run searches the two differ`, e.span, { backend: 'kql' }),
        );
        return { text: e.fn === 'now' ? `floor((now() - ${EPOCH}) / 1s, 1)` : `((now() - ${EPOCH}) / 1s)`, type: 'real' };
      }
      case 'strftime':
        return arity(2) ? this.strftime(e) : this.fail();
      default:
        return this.unsupported(e.span, `eval function ${e.fn}()`);
    }
  }

  private substr(e: Extract<ValueExpr, { kind: 'call' }>): Val {
    const s = this.value(e.args[0] as ValueExpr);
    const start = this.value(e.args[1] as ValueExpr);
    const len = e.args[2] ? this.value(e.args[2]) : null;
    const text = this.str(s);
    // Splunk counts from 1 (0 reads as 1) and from the end when negative; KQL's substring from 0.
    let from: string;
    if (typeof start.literal === 'number') {
      const n = Math.trunc(start.literal);
      from = n < 0 ? `max_of(strlen(${text}) - ${-n}, 0)` : String(Math.max(0, n - 1));
    } else {
      const n = `tolong(${this.num(start)})`;
      from = `iff(${n} < 0, max_of(strlen(${text}) + ${n}, 0), max_of(${n} - 1, 0))`;
    }
    const lenText = len ? `max_of(tolong(${this.num(len)}), 0)` : null;
    const guard = or(this.isNull(s), this.isNull(start), ...(len ? [this.isNull(len)] : []));
    const body = `substring(${text}, ${from}${lenText ? `, ${lenText}` : ''})`;
    return { text: guard === 'false' ? body : `iff(${guard}, "", ${body})`, type: 'string' };
  }

  private replace(e: Extract<ValueExpr, { kind: 'call' }>): Val {
    const s = this.value(e.args[0] as ValueExpr);
    const re = e.args[1] as ValueExpr;
    const rep = e.args[2] as ValueExpr;
    if (re.kind !== 'literal' || typeof re.value !== 'string' || rep.kind !== 'literal' || typeof rep.value !== 'string') {
      return this.unsupported(e.span, 'replace() with a computed pattern or replacement');
    }
    const r = replacement(re.value, rep.value, re.span, (d) => this.scope.report(d));
    if (r === null) return this.unsupported(e.span, 'replace() pattern whose groups cannot be kept');
    return { text: `replace_regex(${this.str(s)}, ${kqlRegexLiteral(r.pattern)}, ${kqlString(r.rewrite)})`, type: 'string' };
  }

  private mvindex(e: Extract<ValueExpr, { kind: 'call' }>): Val {
    const a = this.value(e.args[0] as ValueExpr);
    const arr = this.arr(a);
    const index = (x: ValueExpr): string => {
      const n = this.value(x);
      const t = `tolong(${this.num(n)})`;
      // Negative indexes count from the end in both; normalise so out-of-range reads give null.
      return typeof n.literal === 'number' && n.literal >= 0 ? String(Math.trunc(n.literal)) : `iff(${t} < 0, array_length(${arr}) + ${t}, ${t})`;
    };
    const from = index(e.args[1] as ValueExpr);
    if (!e.args[2]) return { text: `tostring(${arr}[${from}])`, type: 'string' };
    const to = index(e.args[2]);
    return { text: `iff(${from} < 0 or ${from} >= array_length(${arr}), dynamic([]), array_slice(${arr}, ${from}, ${to}))`, type: 'array' };
  }

  private mvfilter(e: Extract<ValueExpr, { kind: 'call' }>): Val {
    const pred = e.args[0] as ValueExpr;
    const fields = new Set<string>();
    collectFields(pred, fields);
    const field = [...fields][0];
    if (fields.size !== 1 || field === undefined) return this.unsupported(e.span, 'mvfilter() over other than exactly one field');
    const source = this.value({ kind: 'field', name: field, span: e.span });
    if (source.type === 'null') return { text: 'dynamic([])', type: 'array' };
    const col = this.scope.overElements(this.arr(source), (el) => {
      const c = this.withBound(field, el, () => this.cond(pred));
      // mv-expand keeps the array order and make_list keeps the subtable's row order.
      return `make_list_if(${el.text}, ${c.t})`;
    }, e.span);
    return col ? { text: col, type: 'array' } : this.fail();
  }

  private strftime(e: Extract<ValueExpr, { kind: 'call' }>): Val {
    const t = this.value(e.args[0] as ValueExpr);
    const f = e.args[1] as ValueExpr;
    if (f.kind !== 'literal' || typeof f.value !== 'string') return this.unsupported(e.span, 'strftime() with a computed format');
    if (t.type === 'null') return { text: '""', type: 'null' }; // strftime(null) is null
    const fmt = strftimeFormat(f.value);
    if (fmt === null) return this.unsupported(f.span, `strftime() format ${JSON.stringify(f.value)}: a conversion or literal text KQL's format_datetime cannot write`);
    this.scope.report(diag('BE002', "strftime() formats in the Splunk user's time zone; KQL's format_datetime formats UTC", e.span, { backend: 'kql' }));
    const dt = t.type === 'datetime' ? t.text : `unixtime_milliseconds_todatetime(${paren(this.num(t))} * 1000)`;
    return { text: `format_datetime(${dt}, ${kqlString(fmt)})`, type: 'string' };
  }

  // --- conditions ------------------------------------------------------------------------

  cond(e: ValueExpr): Cond {
    if (e.kind === 'op') {
      switch (e.op) {
        case 'NOT': {
          const c = this.cond(e.args[0] as ValueExpr);
          return { t: c.f, f: c.t };
        }
        case 'AND': {
          const cs = e.args.map((a) => this.cond(a));
          return { t: and(...cs.map((c) => c.t)), f: or(...cs.map((c) => c.f)) };
        }
        case 'OR': {
          const cs = e.args.map((a) => this.cond(a));
          return { t: or(...cs.map((c) => c.t)), f: and(...cs.map((c) => c.f)) };
        }
        case 'XOR': {
          const cs = e.args.map((a) => this.cond(a));
          let acc = cs[0] as Cond;
          for (const c of cs.slice(1)) acc = { t: or(and(acc.t, c.f), and(acc.f, c.t)), f: or(and(acc.t, c.t), and(acc.f, c.f)) };
          return acc;
        }
        case '=':
        case '!=':
        case '<':
        case '<=':
        case '>':
        case '>=':
          return this.compare(e.op, this.value(e.args[0] as ValueExpr), this.value(e.args[1] as ValueExpr), e.span);
        case 'LIKE':
          return this.like(e.args[0] as ValueExpr, e.args[1] as ValueExpr, e.span);
        default:
          return this.nonBoolean(e);
      }
    }
    if (e.kind === 'call') {
      const a0 = e.args[0];
      switch (e.fn) {
        case 'isnull':
        case 'isnotnull': {
          if (e.args.length !== 1 || !a0) break;
          const n = this.isNull(this.value(a0));
          const nn = this.notNull(this.value(a0));
          return e.fn === 'isnull' ? { t: n, f: nn } : { t: nn, f: n };
        }
        case 'isnum': {
          if (e.args.length !== 1 || !a0) break;
          const v = this.value(a0);
          const t = isNum(v) ? `isnotnull(${v.text})` : v.type === 'string' || v.type === 'array' ? `isnotnull(${this.num(v)})` : 'false';
          return { t, f: t === 'false' ? 'true' : `not(${t})` };
        }
        case 'isstr': {
          if (e.args.length !== 1 || !a0) break;
          const v = this.value(a0);
          const t = v.type === 'string' || v.type === 'array' ? and(this.notNull(v), `isnull(${this.num(v)})`) : 'false';
          return { t, f: t === 'false' ? 'true' : `not(${paren(t)})` };
        }
        case 'match':
          if (e.args.length !== 2 || !a0) break;
          return this.match(a0, e.args[1] as ValueExpr, e.span);
        case 'like':
          if (e.args.length !== 2 || !a0) break;
          return this.like(a0, e.args[1] as ValueExpr, e.span);
        case 'in': {
          if (e.args.length < 2 || !a0) break;
          const subject = this.value(a0);
          const cs = e.args.slice(1).map((x) => this.compare('=', subject, this.value(x), e.span));
          return { t: or(...cs.map((c) => c.t)), f: and(this.notNull(subject), ...cs.map((c) => (c.f === 'false' ? `not(${paren(c.t)})` : c.f))) };
        }
        case 'cidrmatch': {
          if (e.args.length !== 2 || !a0) break;
          const net = a0;
          if (net.kind !== 'literal' || typeof net.value !== 'string') return this.unsupportedCond(e.span, 'cidrmatch() with a computed network');
          const fn = net.value.includes(':') ? 'ipv6_is_in_range' : 'ipv4_is_in_range';
          const cidr = net.value;
          return this.perValue(this.value(e.args[1] as ValueExpr), (s) => `${fn}(${s}, ${kqlString(cidr)})`, e.span, true);
        }
        case 'true':
          return { t: 'true', f: 'false' };
        case 'false':
          return { t: 'false', f: 'true' };
        case 'if': {
          if (e.args.length !== 3 || !a0) break;
          const c = this.cond(a0);
          const a = this.cond(e.args[1] as ValueExpr);
          const b = this.cond(e.args[2] as ValueExpr);
          return { t: or(and(c.t, a.t), and(`not(${paren(c.t)})`, b.t)), f: or(and(c.t, a.f), and(`not(${paren(c.t)})`, b.f)) };
        }
        default:
          break;
      }
    }
    return this.nonBoolean(e);
  }

  /** A value in a boolean position: bool values as they are, anything else is Splunk's type error (null). */
  private nonBoolean(e: ValueExpr): Cond {
    const v = this.value(e);
    if (v.type === 'bool') return { t: `coalesce(${v.text}, false)`, f: `not(coalesce(${v.text}, true))` };
    this.scope.report(diag('BE002', 'a non-boolean value where Splunk expects a condition (a type error there, treated as null); also null here', e.span, { backend: 'kql' }));
    return { t: 'false', f: 'false' };
  }

  /**
   * A per-value string test with any-value semantics: `test` gets a string expression. Null
   * (absent or empty multivalue) makes both verdicts false. `raw` tests need no non-empty guard.
   */
  private perValue(v: Val, test: (s: string) => string, span: Span, guarded: boolean): Cond {
    if (v.type === 'null') return { t: 'false', f: 'false' };
    if (v.type === 'array') {
      const col = this.scope.overElements(v.text, (el) => `countif(${test(el.text)})`, span);
      if (!col) return { t: 'false', f: 'false' };
      return { t: `${col} > 0`, f: and(this.notNull(v), `${col} == 0`) };
    }
    const s = this.str(v);
    const t = test(s);
    const nn = this.notNull(v);
    return { t: guarded ? and(nn, t) : t, f: and(nn, `not(${t})`) };
  }

  private match(subject: ValueExpr, pattern: ValueExpr, span: Span): Cond {
    if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') return this.unsupportedCond(span, 'match() with a computed regex');
    const re = kqlRegexLiteral(rustPattern(pattern.value, pattern.span, (d) => this.scope.report(d)));
    return this.perValue(this.value(subject), (s) => `${s} matches regex ${re}`, span, true);
  }

  private like(subject: ValueExpr, pattern: ValueExpr, span: Span): Cond {
    if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') return this.unsupportedCond(span, 'like() with a computed pattern');
    const re = kqlRegexLiteral(likeRegex(pattern.value));
    return this.perValue(this.value(subject), (s) => `${s} matches regex ${re}`, span, true);
  }

  /** Splunk comparison: numeric when both sides are numbers, else case-sensitive strings. */
  compare(op: '=' | '!=' | '<' | '<=' | '>' | '>=', a: Val, b: Val, span: Span): Cond {
    if (a.type === 'null' || b.type === 'null') return { t: 'false', f: 'false' };
    if (a.type === 'array' && b.type !== 'array') return this.anyElement(op, a, b, span, false);
    if (b.type === 'array' && a.type !== 'array') return this.anyElement(op, b, a, span, true);
    if (a.type === 'array' && b.type === 'array') return this.twoArrays(op, a, b, span);
    if (a.type === 'bool' || b.type === 'bool') {
      if (op !== '=' && op !== '!=') return { t: 'false', f: 'false' };
      if (a.type !== b.type) return { t: op === '!=' ? and(this.notNull(a), this.notNull(b)) : 'false', f: op === '=' ? and(this.notNull(a), this.notNull(b)) : 'false' };
    }
    const kop = op === '=' ? '==' : op;
    const guard = and(this.notNull(a), this.notNull(b));
    const test = this.compareText(kop, a, b);
    return { t: and(guard, test), f: and(guard, `not(${paren(test)})`) };
  }

  private compareText(kop: string, a: Val, b: Val): string {
    const numericLit = (v: Val): boolean => isNum(v) || v.type === 'datetime' || (v.type === 'string' && typeof v.literal === 'string' && NUMERIC_TEXT.test(v.literal));
    const stringLit = (v: Val): boolean => v.type === 'string' && typeof v.literal === 'string' && !NUMERIC_TEXT.test(v.literal);
    const strCmp = (): string => (kop === '==' || kop === '!=' ? `${this.str(a)} ${kop} ${this.str(b)}` : `strcmp(${this.str(a)}, ${this.str(b)}) ${kop} 0`);
    if (a.type === 'bool') return `${a.text} ${kop} ${b.text}`;
    if (numericLit(a) && numericLit(b)) return `${paren(this.num(a))} ${kop} ${paren(this.num(b))}`;
    if (stringLit(a) || stringLit(b)) {
      // A non-numeric literal: numbers never equal it; otherwise compare as strings.
      return strCmp();
    }
    // At least one side is a string column whose values may or may not be numbers: decide per row.
    const x = this.num(a);
    const y = this.num(b);
    const numeric = and(...[a, b].filter((v) => !numericLit(v)).map((v) => `isnotnull(${this.num(v)})`));
    return `iff(${numeric}, ${paren(x)} ${kop} ${paren(y)}, ${strCmp()})`;
  }

  /**
   * Two multivalues: true when some pair of values passes. For `=` that is a shared value
   * (set_intersect), for `!=` two distinct values among both (set_union longer than one).
   */
  private twoArrays(op: '=' | '!=' | '<' | '<=' | '>' | '>=', a: Val, b: Val, span: Span): Cond {
    if (op !== '=' && op !== '!=') return this.unsupportedCond(span, 'an ordering comparison of two multivalue fields');
    this.scope.report(diag('BE002', 'values of two multivalue fields compare as text here; Splunk compares numeric-looking values as numbers ("1" = "1.0")', span, { backend: 'kql' }));
    const both = and(this.notNull(a), this.notNull(b));
    const test = op === '=' ? `array_length(set_intersect(${a.text}, ${b.text})) > 0` : `array_length(set_union(${a.text}, ${b.text})) > 1`;
    return { t: and(both, test), f: and(both, `not(${test})`) };
  }

  private anyElement(op: '=' | '!=' | '<' | '<=' | '>' | '>=', arr: Val, other: Val, span: Span, swapped: boolean): Cond {
    if (other.type === 'array') return this.unsupportedCond(span, 'a comparison of two multivalue fields');
    const col = this.scope.overElements(arr.text, (el) => {
      const c = swapped ? this.compare(op, other, el, span) : this.compare(op, el, other, span);
      return `countif(${c.t})`;
    }, span);
    if (!col) return { t: 'false', f: 'false' };
    return { t: `${col} > 0`, f: and(this.notNull(arr), this.notNull(other), `${col} == 0`) };
  }

  private withBound<T>(field: string, el: Val, f: () => T): T {
    this.bound.set(field, el);
    try {
      return f();
    } finally {
      this.bound.delete(field);
    }
  }

  private fail(): Val {
    return { text: '""', type: 'null' };
  }

  private unsupported(span: Span, what: string): Val {
    this.scope.report(diag('BE001', `${what} has no KQL translation`, span, { backend: 'kql' }));
    return this.fail();
  }

  private unsupportedCond(span: Span, what: string): Cond {
    this.scope.report(diag('BE001', `${what} has no KQL translation`, span, { backend: 'kql' }));
    return { t: 'false', f: 'false' };
  }
}

export { ELEMENT };

function collectFields(e: ValueExpr, out: Set<string>): void {
  if (e.kind === 'field') out.add(e.name);
  else if (e.kind === 'call' || e.kind === 'op') for (const a of e.args) collectFields(a, out);
}

/** SQL LIKE as a whole-value, case-sensitive Rust regex (`%` any run, `_` one character). */
export function likeRegex(pattern: string): string {
  let body = '';
  for (const ch of pattern) body += ch === '%' ? '.*' : ch === '_' ? '.' : rustEscape(ch);
  return `(?s)^${body}$`;
}

/**
 * A Splunk replacement (`\1`..`\9` groups, `\\` a backslash, anything else literal) as a KQL
 * replace_regex rewrite (`\0`..`\9`), with the groups it names made capturing in the pattern.
 * Null when a referenced group cannot be kept.
 */
export function replacement(
  pcre: string,
  rep: string,
  span: Span,
  report: (d: Diagnostic) => void,
  firstOnly = false,
): { pattern: string; rewrite: string } | null {
  const refs = [...rep.matchAll(/\\([1-9])/g)].map((m) => Number(m[1]));
  let pattern = rustPattern(pcre, span, report);
  let groups = 0;
  if (refs.length) {
    // Every capturing and named group captures, in source order, so PCRE's numbers are kept.
    const c = rustCapturing(pcre, (g) => g.index !== undefined);
    if (!c) return null;
    pattern = c.pattern;
    groups = c.count;
  }
  // replace_regex replaces every match; the first one alone is the shortest prefix before a match
  // (a lazy `(.*?)` from the start finds the leftmost match), put back as group 1.
  const shift = firstOnly ? 1 : 0;
  if (firstOnly) pattern = `^(?s:(.*?))(?:${pattern})`;
  let rewrite = firstOnly ? '\\1' : '';
  for (let i = 0; i < rep.length; i++) {
    const ch = rep[i] as string;
    const next = rep[i + 1];
    if (ch === '\\' && next !== undefined && /[0-9]/.test(next)) {
      const n = Number(next);
      // \0 is the whole match; a group that does not exist is empty in Splunk.
      if (n === 0) rewrite += firstOnly ? '' : '\\0';
      else if (n <= groups) rewrite += `\\${n + shift}`;
      i++;
    } else if (ch === '\\' && next === '\\') {
      rewrite += '\\\\';
      i++;
    } else rewrite += ch;
  }
  if (firstOnly && /\\0/.test(rep)) return null;
  if (/\$/.test(rewrite)) {
    report(diag('BE002', 'a `$` in the replacement: KQL hands the rewrite to the Rust regex crate, which may read `$name` as a group reference', span, { backend: 'kql' }));
  }
  return { pattern, rewrite };
}

/** A Splunk strftime format as a KQL format_datetime format, or null when KQL cannot write it. */
export function strftimeFormat(fmt: string): string | null {
  const CODES: Record<string, string> = {
    Y: 'yyyy', y: 'yy', m: 'MM', d: 'dd', H: 'HH', I: 'hh', M: 'mm', S: 'ss', p: 'tt',
    T: 'HH:mm:ss', R: 'HH:mm', F: 'yyyy-MM-dd', D: 'MM/dd/yy', '3N': 'fff', '6N': 'ffffff', '9N': 'fffffffff', N: 'fff', Q: 'fff',
  };
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i] as string;
    if (ch === '%') {
      let code = fmt[i + 1] ?? '';
      if (/[1-9]/.test(code) && fmt[i + 2] === 'N') code = `${code}N`;
      const k = CODES[code];
      if (k === undefined) return null;
      out += k;
      i += code.length;
    } else if (/[ /\-:,._[\]]/.test(ch)) out += ch;
    else return null; // format_datetime only passes these separators through
  }
  return out;
}
