/**
 * `where` (eval expression) semantics to IR: case-sensitive, no wildcards in `=`, `like` with `%`,
 * `match()` as an unanchored PCRE, and three-valued logic: a test on a missing field is null,
 * NOT null is null, and `where` keeps a row only when its expression is true.
 *
 * The IR's `not` is two-valued (`not eq(f, v)` holds when f is missing, as Splunk's search NOT
 * does), so each expression is translated twice: `t`, the rows where it is true, and `f`, the
 * rows where it is false. NOT swaps them; AND and OR combine them by De Morgan. `where` keeps `t`.
 * Leaves without a simpler spelling stay eval expressions (`cond`).
 */
import { diag, type Diagnostic, type Span } from '../diagnostics.js';
import type { EvalExpr } from '../spl/ast.js';
import type { Expr, FieldRef } from '../ir/types.js';
import { and, not, or } from './build.js';
import { toValue, UnsupportedConstruct } from './value.js';

export interface WhereResult {
  readonly expr: Expr | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** Rows where the expression is true, and rows where it is false (null rows are in neither). */
interface Sides {
  readonly t: Expr;
  readonly f: Expr;
}

/** Thrown when a leaf has no simple spelling; the leaf then becomes a `cond`. */
class NoSimpleSpelling extends Error {}

export function normalizeWhere(e: EvalExpr): WhereResult {
  try {
    return { expr: sides(e).t, diagnostics: [] };
  } catch (err) {
    if (err instanceof UnsupportedConstruct) return { expr: null, diagnostics: [diag(err.code, err.message, err.span)] };
    throw err;
  }
}

function sides(e: EvalExpr): Sides {
  if (e.kind === 'binary' && (e.op === 'AND' || e.op === 'OR')) {
    const a = sides(e.left);
    const b = sides(e.right);
    return e.op === 'AND' ? { t: and([a.t, b.t]), f: or([a.f, b.f]) } : { t: or([a.t, b.t]), f: and([a.f, b.f]) };
  }
  if (e.kind === 'unary' && e.op === 'NOT') {
    const inner = sides(e.arg);
    return { t: inner.f, f: inner.t };
  }
  if (e.kind === 'bool') return e.value ? { t: and([]), f: or([]) } : { t: or([]), f: and([]) };
  if (e.kind === 'field' || e.kind === 'string' || e.kind === 'number' || (e.kind === 'unary' && e.op === '-')) {
    throw new UnsupportedConstruct(e.span, 'where needs a condition, not a bare value', 'SPL102');
  }
  try {
    return leaf(e);
  } catch (err) {
    if (!(err instanceof NoSimpleSpelling)) throw err;
    const value = toValue(e);
    return { t: { kind: 'cond', expr: value, span: e.span }, f: { kind: 'cond', expr: { kind: 'op', op: 'NOT', args: [value], span: e.span }, span: e.span } };
  }
}

/** A test on one field: true as spelled, false when the field exists and the test fails. */
function fieldTest(field: FieldRef, test: Expr, span: Span): Sides {
  return { t: test, f: and([{ kind: 'exists', field, span }, not(test, span)]) };
}

function fieldOf(e: EvalExpr): FieldRef {
  if (e.kind === 'field') return { name: e.name, span: e.span };
  throw new NoSimpleSpelling();
}

function literal(e: EvalExpr): { text: string; numeric: boolean } {
  if (e.kind === 'string') return { text: e.value, numeric: false };
  if (e.kind === 'number') return { text: e.text, numeric: true };
  throw new NoSimpleSpelling();
}

function leaf(e: EvalExpr): Sides {
  if (e.kind === 'call') return call(e);
  if (e.kind !== 'binary') throw new NoSimpleSpelling();
  switch (e.op) {
    case '=':
    case '==':
    case '!=': {
      const field = fieldOf(e.left);
      const eq: Expr = { kind: 'eq', field, pattern: [literal(e.right).text], caseSensitive: true, span: e.span };
      const s = fieldTest(field, eq, e.span);
      return e.op === '!=' ? { t: s.f, f: s.t } : s;
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const field = fieldOf(e.left);
      const lit = literal(e.right);
      return fieldTest(field, { kind: 'cmp', field, op: e.op, value: lit.text, numeric: lit.numeric, span: e.span }, e.span);
    }
    case 'LIKE':
      return like(e.left, e.right, e.span);
    default:
      throw new NoSimpleSpelling();
  }
}

function like(subject: EvalExpr, pattern: EvalExpr, span: Span): Sides {
  const field = fieldOf(subject);
  const p = literal(pattern).text;
  // `_` is a one-character wildcard and `*` a literal in like(); the IR pattern has neither.
  if (p.includes('_') || p.includes('*')) throw new NoSimpleSpelling();
  return fieldTest(field, { kind: 'eq', field, pattern: p.split('%'), caseSensitive: true, span }, span);
}

function call(e: Extract<EvalExpr, { kind: 'call' }>): Sides {
  const args = e.args;
  switch (e.name) {
    case 'match': {
      const [subject, re] = args;
      if (!subject || re?.kind !== 'string' || args.length !== 2) throw new NoSimpleSpelling();
      const field = fieldOf(subject);
      return fieldTest(field, { kind: 'regex', field, pattern: re.value, span: { start: re.span.start + 1, end: re.span.end - 1 } }, e.span);
    }
    case 'like': {
      const [subject, pattern] = args;
      if (!subject || !pattern || args.length !== 2) throw new NoSimpleSpelling();
      return like(subject, pattern, e.span);
    }
    case 'cidrmatch': {
      const [net, subject] = args;
      if (net?.kind !== 'string' || !subject || args.length !== 2) throw new NoSimpleSpelling();
      const field = fieldOf(subject);
      return fieldTest(field, { kind: 'cidr', field, network: net.value, span: e.span }, e.span);
    }
    case 'in': {
      const [subject, ...values] = args;
      if (!subject || values.length === 0) throw new NoSimpleSpelling();
      const field = fieldOf(subject);
      return fieldTest(field, or(values.map((v) => ({ kind: 'eq', field, pattern: [literal(v).text], caseSensitive: true, span: v.span }) satisfies Expr)), e.span);
    }
    case 'isnull':
    case 'isnotnull': {
      const [arg] = args;
      if (!arg || args.length !== 1) throw new NoSimpleSpelling();
      // Never null: a field is either there or not.
      const exists: Expr = { kind: 'exists', field: fieldOf(arg), span: e.span };
      const s: Sides = { t: exists, f: not(exists, e.span) };
      return e.name === 'isnull' ? { t: s.f, f: s.t } : s;
    }
    default:
      throw new NoSimpleSpelling();
  }
}
