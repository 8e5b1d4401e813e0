/**
 * Eval/where expression grammar: AND binds tighter than OR (unlike `search`), the expression is
 * case-sensitive, bare words are field names, "..." are strings, '...' are field names.
 * Precedence, loosest first: OR, XOR, AND, NOT, comparison/LIKE/IN, + - ., * / %, unary -.
 */
import type { EvalExpr } from './ast.js';
import { Cursor } from './cursor.js';
import type { Token } from './lexer.js';

type BinaryOp = Extract<EvalExpr, { kind: 'binary' }>['op'];

/**
 * Parses an eval expression from the cursor's remaining tokens. The lexer keeps `+ - * / %`
 * inside words because search values need them (`*\\cmd.exe`); in eval they are operators, so
 * words are split first (`bytes/1024` is three tokens, `-1` and `1e-5` stay numbers).
 */
export function parseEvalExpr(c: Cursor): EvalExpr {
  const sub = new Cursor(splitArithmetic(c.rest()), c.segment);
  const e = parseOr(sub);
  c.skipTo(sub.peek()?.span.start ?? Infinity);
  return e;
}

const NUMBER_WORD = /^\d+(\.\d+)?([eE][+-]?\d+)?$/;

function splitArithmetic(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (const whole of tokens) {
    // A dot at either end of a word is the concatenation operator (`x."!"`, `"a".x`).
    const pieces = whole.kind === 'word' && whole.text.length > 1 && !NUMBER_WORD.test(whole.text) ? splitDots(whole) : [whole];
    for (const t of pieces) splitWord(t, out);
  }
  return out;
}

function splitDots(t: Token): Token[] {
  const lead = t.text.startsWith('.') ? 1 : 0;
  const trail = t.text.endsWith('.') && t.text.length - lead > 1 ? 1 : 0;
  if (!lead && !trail) return [t];
  const piece = (from: number, to: number, first: boolean): Token => {
    const text = t.text.slice(from, to);
    return { kind: 'word', text, value: text, span: { start: t.span.start + from, end: t.span.start + to }, spaceBefore: first ? t.spaceBefore : false };
  };
  const out: Token[] = [];
  if (lead) out.push(piece(0, 1, true));
  out.push(piece(lead, t.text.length - trail, !lead));
  if (trail) out.push(piece(t.text.length - 1, t.text.length, false));
  return out;
}

function splitWord(t: Token, out: Token[]): void {
  if (t.kind !== 'word' || NUMBER_WORD.test(t.text) || !/[-+*/%]/.test(t.text) || /^[-+*/%]$/.test(t.text)) {
    out.push(t);
    return;
  }
  const re = /(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([-+*/%])|([^-+*/%]+)/g;
  let m: RegExpExecArray | null;
  let first = true;
  while ((m = re.exec(t.text)) !== null) {
    const start = t.span.start + m.index;
    const text = m[0];
    out.push({ kind: 'word', text, value: text, span: { start, end: start + text.length }, spaceBefore: first ? t.spaceBefore : false });
    first = false;
  }
}

function bin(op: BinaryOp, left: EvalExpr, right: EvalExpr): EvalExpr {
  return { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } };
}

function parseOr(c: Cursor): EvalExpr {
  let left = parseXor(c);
  while (c.isKeywordCi('OR')) {
    c.next();
    left = bin('OR', left, parseXor(c));
  }
  return left;
}

function parseXor(c: Cursor): EvalExpr {
  let left = parseAnd(c);
  while (c.isKeywordCi('XOR')) {
    c.next();
    left = bin('XOR', left, parseAnd(c));
  }
  return left;
}

function parseAnd(c: Cursor): EvalExpr {
  let left = parseNot(c);
  while (c.isKeywordCi('AND')) {
    c.next();
    left = bin('AND', left, parseNot(c));
  }
  return left;
}

function parseNot(c: Cursor): EvalExpr {
  if (c.isKeywordCi('NOT') || c.is('op', '!')) {
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
      // In eval a word before `(` can only be a call, so `match (x, "y")` is one too.
      if (c.is('lparen')) {
        const args = parseArgs(c);
        return { kind: 'call', name: t.text.toLowerCase(), args, span: { start: t.span.start, end: c.lastEnd() } };
      }
      if (NUMBER_WORD.test(t.text)) return { kind: 'number', value: Number(t.text), text: t.text, span: t.span };
      if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', span: t.span };
      return { kind: 'field', name: t.text, span: t.span };
    }
    default:
      c.fail('SPL003', `unexpected '${t.text}' in expression`, t.span);
  }
}
