/**
 * `where` (eval expression) semantics to IR: case-sensitive, no wildcards in `=`, `like` with `%`,
 * `match()` as an unanchored PCRE. Constructs without an IR spelling yet are reported, not guessed.
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

class Unsupported extends Error {
  constructor(readonly span: Span, message: string) {
    super(message);
  }
}

export function normalizeWhere(e: EvalExpr): WhereResult {
  try {
    return { expr: toExpr(e), diagnostics: [] };
  } catch (err) {
    if (err instanceof UnsupportedConstruct) return { expr: null, diagnostics: [diag(err.code, err.message, err.span)] };
    throw err;
  }
}

/** The simple spellings first; anything else keeps eval semantics as a `cond`. */
function toExpr(e: EvalExpr): Expr {
  try {
    return simple(e);
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    return { kind: 'cond', expr: toValue(e), span: e.span };
  }
}

function fieldOf(e: EvalExpr, what: string): FieldRef {
  if (e.kind === 'field') return { name: e.name, span: e.span };
  throw new Unsupported(e.span, `${what} must be a field name here`);
}

function literal(e: EvalExpr): { text: string; numeric: boolean } {
  if (e.kind === 'string') return { text: e.value, numeric: false };
  if (e.kind === 'number') return { text: e.text, numeric: true };
  throw new Unsupported(e.span, 'only comparisons between a field and a literal are supported yet');
}

function simple(e: EvalExpr): Expr {
  switch (e.kind) {
    case 'binary':
      switch (e.op) {
        case 'AND':
          return and([toExpr(e.left), toExpr(e.right)]);
        case 'OR':
          return or([toExpr(e.left), toExpr(e.right)]);
        case '=':
        case '==': {
          const field = fieldOf(e.left, 'the left side of a comparison');
          return { kind: 'eq', field, pattern: [literal(e.right).text], caseSensitive: true, span: e.span };
        }
        case '!=': {
          const field = fieldOf(e.left, 'the left side of a comparison');
          const eq: Expr = { kind: 'eq', field, pattern: [literal(e.right).text], caseSensitive: true, span: e.span };
          // A comparison with a missing field is null, and where drops the row: so != needs the field.
          return and([{ kind: 'exists', field, span: e.span }, not(eq, e.span)]);
        }
        case '<':
        case '<=':
        case '>':
        case '>=': {
          const field = fieldOf(e.left, 'the left side of a comparison');
          const lit = literal(e.right);
          return { kind: 'cmp', field, op: e.op, value: lit.text, numeric: lit.numeric, span: e.span };
        }
        case 'LIKE':
          return like(e.left, e.right, e.span);
        default:
          throw new Unsupported(e.span, `operator '${e.op}' is not supported in where yet`);
      }
    case 'unary':
      if (e.op === 'NOT') return not(toExpr(e.arg), e.span);
      throw new UnsupportedConstruct(e.span, 'arithmetic negation is not a condition', 'SPL102');
    case 'call':
      return call(e);
    case 'bool':
      return e.value ? and([]) : or([]);
    case 'field':
    case 'string':
    case 'number':
      throw new UnsupportedConstruct(e.span, 'where needs a condition, not a bare value', 'SPL102');
  }
}

function like(subject: EvalExpr, pattern: EvalExpr, span: Span): Expr {
  const field = fieldOf(subject, 'the first argument of like');
  const p = literal(pattern).text;
  if (p.includes('_') || p.includes('*')) {
    // `_` is a one-character wildcard and `*` a literal in like(); the IR pattern has neither yet.
    throw new Unsupported(pattern.span, "like() patterns with '_' or a literal '*' are not supported yet");
  }
  return { kind: 'eq', field, pattern: p.split('%'), caseSensitive: true, span };
}

function call(e: Extract<EvalExpr, { kind: 'call' }>): Expr {
  const args = e.args;
  switch (e.name) {
    case 'match': {
      const [subject, re] = args;
      if (!subject || !re || args.length !== 2) throw new Unsupported(e.span, 'match() takes a field and a regex');
      const field = fieldOf(subject, 'the first argument of match');
      if (re.kind !== 'string') throw new Unsupported(re.span, 'match() needs a literal regex');
      return { kind: 'regex', field, pattern: re.value, span: { start: re.span.start + 1, end: re.span.end - 1 } };
    }
    case 'like': {
      const [subject, pattern] = args;
      if (!subject || !pattern || args.length !== 2) throw new Unsupported(e.span, 'like() takes a field and a pattern');
      return like(subject, pattern, e.span);
    }
    case 'cidrmatch': {
      const [net, subject] = args;
      if (net?.kind === 'string' && subject?.kind === 'field' && args.length === 2) {
        return { kind: 'cidr', field: { name: subject.name, span: subject.span }, network: net.value, span: e.span };
      }
      throw new Unsupported(e.span, 'cidrmatch() with a computed network');
    }
    case 'in': {
      const [subject, ...values] = args;
      if (!subject || values.length === 0) throw new Unsupported(e.span, 'in() needs a value list');
      const field = fieldOf(subject, 'the first argument of in');
      return or(values.map((v) => ({ kind: 'eq', field, pattern: [literal(v).text], caseSensitive: true, span: v.span }) satisfies Expr));
    }
    case 'isnull':
    case 'isnotnull': {
      const [arg] = args;
      if (!arg || args.length !== 1) throw new Unsupported(e.span, `${e.name}() takes one field`);
      const exists: Expr = { kind: 'exists', field: fieldOf(arg, `the argument of ${e.name}`), span: e.span };
      return e.name === 'isnull' ? not(exists, e.span) : exists;
    }
    default:
      throw new Unsupported(e.span, `function ${e.name}() is not supported in where yet`);
  }
}
