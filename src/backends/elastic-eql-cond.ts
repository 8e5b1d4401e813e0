/**
 * Splunk `where` conditions with no simpler IR spelling (IR `cond`) as EQL conditions.
 *
 * Splunk's eval logic is three-valued (a comparison with a missing field is null; NOT null is
 * null), while EQL's `not` and `!=` are `bool.must_not`, which also matches events lacking the field
 * (target notes §4). So each sub-expression is translated twice: `t`, true exactly when Splunk's
 * value is true, and `f`, true exactly when it is false. NOT swaps them, AND/OR combine them by
 * De Morgan, and leaves guard their field with `?f != null`. The condition is `t`; the IR's
 * `not cond` (keep what cond did not keep) is then EQL's `not t`.
 *
 * Only what EQL can test on an event is covered: one field against literals, regex, wildcard,
 * null tests, `length`, `cidrMatch`. Anything else is unsupported (the caller reports BE005).
 */
import type { Span } from '../diagnostics.js';
import type { ValueExpr } from '../ir/types.js';
import type { FieldType } from '../profiles/profile.js';
import { translateRegex } from '../regex/index.js';
import { eqlString, preferRaw } from './elastic-common.js';

type Prec = 1 | 2 | 3;
interface Frag {
  readonly text: string;
  readonly prec: Prec;
}
export interface TF {
  readonly t: Frag;
  readonly f: Frag;
}

/** A field as EQL text (`?` prefix when unmapped) plus its plain name for the existence guard. */
export interface EqlColumn {
  readonly text: string;
  readonly exists: string;
  readonly type?: FieldType;
}

const atom = (text: string): Frag => ({ text, prec: 3 });
const TRUE = atom('true');
const FALSE = atom('false');
const wrap = (f: Frag, min: Prec): string => (f.prec < min ? `(${f.text})` : f.text);

function conj(parts: Frag[]): Frag {
  if (parts.some((p) => p.text === 'false')) return FALSE;
  const rest = parts.filter((p) => p.text !== 'true');
  if (rest.length === 0) return TRUE;
  if (rest.length === 1) return rest[0] as Frag;
  return { text: rest.map((p) => wrap(p, 2)).join(' and '), prec: 2 };
}

function disj(parts: Frag[]): Frag {
  if (parts.some((p) => p.text === 'true')) return TRUE;
  const rest = parts.filter((p) => p.text !== 'false');
  if (rest.length === 0) return FALSE;
  if (rest.length === 1) return rest[0] as Frag;
  return { text: rest.map((p) => wrap(p, 1)).join(' or '), prec: 1 };
}

class Unsupported extends Error {}

const INVERSE = { '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' } as const;
const FLIP = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;
type CmpOp = keyof typeof INVERSE;

export class EqlCondTranslator {
  readonly issues: { message: string; span: Span }[] = [];

  constructor(private readonly resolve: (name: string, span: Span) => EqlColumn | null) {}

  /** The EQL condition that is true exactly when the Splunk expression is true, or null. */
  translate(e: ValueExpr): TF | null {
    try {
      return this.expr(e);
    } catch (err) {
      if (err instanceof Unsupported) return null;
      throw err;
    }
  }

  private fail(span: Span, message: string): never {
    this.issues.push({ message, span });
    throw new Unsupported(message);
  }

  private expr(e: ValueExpr): TF {
    switch (e.kind) {
      case 'literal':
        if (e.value === true) return { t: TRUE, f: FALSE };
        if (e.value === false) return { t: FALSE, f: TRUE };
        if (e.value === null) return { t: FALSE, f: FALSE };
        return this.fail(e.span, 'a non-boolean value used as a condition');
      case 'field':
        return this.fail(e.span, 'a field used as a condition');
      case 'op':
        switch (e.op) {
          case 'AND': {
            const parts = e.args.map((a) => this.expr(a));
            return { t: conj(parts.map((p) => p.t)), f: disj(parts.map((p) => p.f)) };
          }
          case 'OR': {
            const parts = e.args.map((a) => this.expr(a));
            return { t: disj(parts.map((p) => p.t)), f: conj(parts.map((p) => p.f)) };
          }
          case 'NOT': {
            const inner = this.expr(e.args[0] as ValueExpr);
            return { t: inner.f, f: inner.t };
          }
          case '=':
          case '!=':
          case '<':
          case '<=':
          case '>':
          case '>=':
            return this.compare(e.op === '=' ? '==' : e.op, e.args[0] as ValueExpr, e.args[1] as ValueExpr, e.span);
          case 'LIKE':
            return this.like(e.args[0] as ValueExpr, e.args[1] as ValueExpr, e.span);
          default:
            return this.fail(e.span, `the eval operator ${e.op} has no EQL condition form`);
        }
      case 'call':
        return this.call(e);
    }
  }

  /** The column a field argument names; null when it cannot exist here (Splunk: null). */
  private column(e: ValueExpr, what: string): EqlColumn | null {
    if (e.kind !== 'field') return this.fail(e.span, `${what}: EQL tests fields, not computed values`);
    return this.resolve(e.name, e.span);
  }

  /** Guarded leaf: true when the test holds; false when the field exists and it does not. */
  private leaf(col: EqlColumn | null, pos: string, neg: string): TF {
    if (!col) return { t: FALSE, f: FALSE };
    const exists = atom(`?${col.exists} != null`);
    return { t: conj([exists, atom(pos)]), f: conj([exists, atom(neg)]) };
  }

  private compare(op: CmpOp, l: ValueExpr, r: ValueExpr, span: Span): TF {
    // Field (or length(field)) on the left, literal on the right.
    if (l.kind === 'literal' && r.kind !== 'literal') return this.compare(FLIP[op], r, l, span);
    if (r.kind !== 'literal' || r.value === null || typeof r.value === 'boolean') return this.fail(span, 'EQL compares a field with a literal only');
    let subject: string;
    let col: EqlColumn | null;
    if (l.kind === 'call' && l.fn === 'len' && l.args.length === 1) {
      col = this.column(l.args[0] as ValueExpr, 'len()');
      if (typeof r.value !== 'number') return this.fail(span, 'len() compared with a string');
      subject = col ? `length(${col.text})` : '';
    } else {
      col = this.column(l, 'comparison');
      subject = col?.text ?? '';
      if (col && typeof r.value === 'number' && col.type !== 'number') subject = `number(${subject})`;
      if (col && typeof r.value === 'string' && col.type === 'number') subject = `string(${subject})`;
    }
    const value = typeof r.value === 'number' ? String(r.value) : eqlString(r.value);
    return this.leaf(col, `${subject} ${op} ${value}`, `${subject} ${INVERSE[op]} ${value}`);
  }

  private like(subject: ValueExpr, pattern: ValueExpr, span: Span): TF {
    if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') return this.fail(span, 'like() with a computed pattern');
    // EQL `like` cannot match a literal `*` or `?` (elastic/elasticsearch#65237).
    if (/[*?]/.test(pattern.value)) return this.fail(span, 'like(): a literal * or ? cannot be matched by EQL like');
    const col = this.column(subject, 'like()');
    const text = eqlString(pattern.value.replace(/%/g, '*').replace(/_/g, '?'));
    return this.leaf(col, `${col?.text ?? ''} like ${text}`, `not ${col?.text ?? ''} like ${text}`);
  }

  private call(e: Extract<ValueExpr, { kind: 'call' }>): TF {
    const [a, b] = e.args;
    switch (e.fn) {
      case 'isnull':
      case 'isnotnull': {
        if (e.args.length !== 1 || !a) return this.fail(e.span, `${e.fn}() takes one argument`);
        const col = this.column(a, `${e.fn}()`);
        const isNull = col ? atom(`?${col.exists} == null`) : TRUE;
        const notNull = col ? atom(`?${col.exists} != null`) : FALSE;
        return e.fn === 'isnull' ? { t: isNull, f: notNull } : { t: notNull, f: isNull };
      }
      case 'match': {
        if (e.args.length !== 2 || !a || b?.kind !== 'literal' || typeof b.value !== 'string') return this.fail(e.span, 'match() is translated only with a literal regex');
        const t = translateRegex(b.value, 'lucene');
        if (!t.ok) return this.fail(e.span, `match(): ${t.error.message}`);
        if (t.result.unsupported.length) return this.fail(e.span, `match(): Lucene regex: ${t.result.unsupported.map((u) => u.message).join('; ')}`);
        if (t.result.caseInsensitive) return this.fail(e.span, 'match(): the Lucene translation needs a case-insensitive flag, which is not portable');
        const col = this.column(a, 'match()');
        const re = preferRaw(t.result.pattern, eqlString);
        return this.leaf(col, `${col?.text ?? ''} regex ${re}`, `not ${col?.text ?? ''} regex ${re}`);
      }
      case 'like':
        if (e.args.length !== 2 || !a || !b) return this.fail(e.span, 'like() takes two arguments');
        return this.like(a, b, e.span);
      case 'in': {
        const [subject, ...values] = e.args;
        if (!subject || values.length === 0) return this.fail(e.span, 'in() needs a value list');
        const lits = values.map((v) => (v.kind === 'literal' && (typeof v.value === 'string' || typeof v.value === 'number') ? v.value : this.fail(v.span, 'in() with a computed value')));
        const col = this.column(subject, 'in()');
        const numeric = col?.type === 'number' && lits.every((v) => typeof v === 'number');
        const list = lits.map((v) => (numeric ? String(v) : eqlString(String(v)))).join(', ');
        const f = numeric || col?.type !== 'number' ? (col?.text ?? '') : `string(${col.text})`;
        return this.leaf(col, `${f} in (${list})`, `${f} not in (${list})`);
      }
      case 'cidrmatch': {
        if (e.args.length !== 2 || a?.kind !== 'literal' || typeof a.value !== 'string' || !b) return this.fail(e.span, 'cidrmatch() is translated only with a literal network');
        const col = this.column(b, 'cidrmatch()');
        const test = `cidrMatch(${col?.text ?? ''}, ${eqlString(a.value)})`;
        return this.leaf(col, test, `not ${test}`);
      }
      case 'true':
        return { t: TRUE, f: FALSE };
      case 'false':
        return { t: FALSE, f: TRUE };
      default:
        return this.fail(e.span, `${e.fn}() has no EQL condition form`);
    }
  }
}

export type { Frag as EqlFrag };
