/**
 * Eval/where expression grammar: AND binds tighter than OR (unlike `search`), the expression is
 * case-sensitive, bare words are field names, "..." are strings, '...' are field names.
 * Precedence, loosest first: OR, XOR, AND, NOT, comparison/LIKE/IN, + - ., * / %, unary -.
 */
import type { EvalExpr } from './ast.js';
import type { Cursor } from './cursor.js';
import type { Token } from './lexer.js';

type BinaryOp = Extract<EvalExpr, { kind: 'binary' }>['op'];

// Arithmetic operators are only recognised as separate words (`a + 1`); the lexer keeps `-`, `*`
// and `/` inside words because search values need them.
export function parseEvalExpr(c: Cursor): EvalExpr {
  return parseOr(c);
}

function bin(op: BinaryOp, left: EvalExpr, right: EvalExpr): EvalExpr {
  return { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } };
}

function parseOr(c: Cursor): EvalExpr {
  let left = parseXor(c);
  while (c.isKeyword('OR')) {
    c.next();
    left = bin('OR', left, parseXor(c));
  }
  return left;
}

function parseXor(c: Cursor): EvalExpr {
  let left = parseAnd(c);
  while (c.isKeyword('XOR')) {
    c.next();
    left = bin('XOR', left, parseAnd(c));
  }
  return left;
}

function parseAnd(c: Cursor): EvalExpr {
  let left = parseNot(c);
  while (c.isKeyword('AND')) {
    c.next();
    left = bin('AND', left, parseNot(c));
  }
  return left;
}

function parseNot(c: Cursor): EvalExpr {
  if (c.isKeyword('NOT')) {
    const t = c.next();
    const arg = parseNot(c);
    return { kind: 'unary', op: 'NOT', arg, span: { start: t.span.start, end: arg.span.end } };
  }
  return parseComparison(c);
}

const COMPARISON = new Set(['=', '==', '!=', '<', '<=', '>', '>=']);

function parseComparison(c: Cursor): EvalExpr {
  const left = parseAdditive(c);
  const t = c.peek();
  if (t?.kind === 'op' && COMPARISON.has(t.text)) {
    c.next();
    return bin(t.text as BinaryOp, left, parseAdditive(c));
  }
  if (t?.kind === 'word' && t.text.toUpperCase() === 'LIKE') {
    c.next();
    return bin('LIKE', left, parseAdditive(c));
  }
  if (t?.kind === 'word' && t.text.toUpperCase() === 'IN' && c.is('lparen', undefined, 1)) {
    c.next();
    const args = parseArgs(c);
    const end = c.lastEnd();
    return { kind: 'call', name: 'in', args: [left, ...args], span: { start: left.span.start, end } };
  }
  return left;
}

function parseAdditive(c: Cursor): EvalExpr {
  let left = parseMultiplicative(c);
  for (;;) {
    const t = c.peek();
    if (t?.kind === 'word' && (t.text === '+' || t.text === '-' || t.text === '.')) {
      c.next();
      left = bin(t.text as BinaryOp, left, parseMultiplicative(c));
    } else break;
  }
  return left;
}

function parseMultiplicative(c: Cursor): EvalExpr {
  let left = parseUnary(c);
  for (;;) {
    const t = c.peek();
    if (t?.kind === 'word' && (t.text === '*' || t.text === '/' || t.text === '%')) {
      c.next();
      left = bin(t.text as BinaryOp, left, parseUnary(c));
    } else break;
  }
  return left;
}

function parseUnary(c: Cursor): EvalExpr {
  const t = c.peek();
  if (t?.kind === 'word' && t.text === '-') {
    c.next();
    const arg = parseUnary(c);
    return { kind: 'unary', op: '-', arg, span: { start: t.span.start, end: arg.span.end } };
  }
  return parsePrimary(c);
}

function parseArgs(c: Cursor): EvalExpr[] {
  const open = c.expect('lparen', "'('");
  const args: EvalExpr[] = [];
  if (c.accept('rparen')) return args;
  for (;;) {
    if (c.atEnd()) c.fail('SPL006', "missing ')' to close this '('", open.span);
    args.push(parseOr(c));
    if (c.accept('comma')) continue;
    if (c.is('rparen')) {
      c.next();
      return args;
    }
    if (c.atEnd()) c.fail('SPL006', "missing ')' to close this '('", open.span);
    c.fail('SPL003', `expected ',' or ')' in the argument list, found '${c.peek()?.text ?? ''}'`);
  }
}

const NUMBER = /^\d+(\.\d+)?([eE][+-]?\d+)?$/;

function parsePrimary(c: Cursor): EvalExpr {
  const t: Token | undefined = c.peek();
  if (!t) c.fail('SPL004', 'expected an expression');
  switch (t.kind) {
    case 'lparen': {
      c.next();
      const inner = parseOr(c);
      if (!c.is('rparen')) c.fail('SPL006', "missing ')' to close this '('", t.span);
      c.next();
      return inner;
    }
    case 'string':
      c.next();
      return { kind: 'string', value: t.value, span: t.span, valueOffsets: t.valueOffsets ?? [] };
    case 'squote':
      c.next();
      return { kind: 'field', name: t.value, span: t.span };
    case 'word': {
      c.next();
      if (c.is('lparen') && !c.peek()?.spaceBefore) {
        const args = parseArgs(c);
        return { kind: 'call', name: t.text.toLowerCase(), args, span: { start: t.span.start, end: c.lastEnd() } };
      }
      if (NUMBER.test(t.text)) return { kind: 'number', value: Number(t.text), text: t.text, span: t.span };
      if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', span: t.span };
      return { kind: 'field', name: t.text, span: t.span };
    }
    default:
      c.fail('SPL003', `unexpected '${t.text}' in expression`, t.span);
  }
}
