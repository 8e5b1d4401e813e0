/**
 * The `search` expression grammar. Its precedence differs from eval's on purpose: in `search`,
 * OR binds tighter than the implicit AND (`a OR b c` is `(a OR b) AND c`), NOT tightest.
 * https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.3/expressions-and-predicates
 */
import type { Span } from '../diagnostics.js';
import type { FieldName, SearchExpr, SearchOp, SearchValue } from './ast.js';
import type { Cursor } from './cursor.js';
import type { Token } from './lexer.js';

const SEARCH_OPS = new Set(['=', '!=', '<', '<=', '>', '>=']);

export function parseSearchExpr(c: Cursor, src: string): SearchExpr | null {
  if (c.atEnd()) return null;
  return parseAnd(c, src);
}

function startsTerm(c: Cursor): boolean {
  const t = c.peek();
  if (!t) return false;
  if (t.kind === 'rparen' || t.kind === 'pipe' || t.kind === 'macro') return false;
  if (t.kind === 'word' && (t.text === 'OR' || t.text === 'AND')) return false;
  return true;
}

function merge(kind: 'and' | 'or', args: SearchExpr[]): SearchExpr {
  if (args.length === 1) return args[0] as SearchExpr;
  const first = args[0] as SearchExpr;
  const last = args[args.length - 1] as SearchExpr;
  return { kind, args, span: { start: first.span.start, end: last.span.end } };
}

function parseAnd(c: Cursor, src: string): SearchExpr {
  const args: SearchExpr[] = [parseOr(c, src)];
  for (;;) {
    if (c.isKeyword('AND')) {
      c.next();
      args.push(parseOr(c, src));
    } else if (startsTerm(c)) {
      args.push(parseOr(c, src));
    } else {
      break;
    }
  }
  return merge('and', args);
}

function parseOr(c: Cursor, src: string): SearchExpr {
  const args: SearchExpr[] = [parseNot(c, src)];
  while (c.isKeyword('OR')) {
    c.next();
    args.push(parseNot(c, src));
  }
  return merge('or', args);
}

function parseNot(c: Cursor, src: string): SearchExpr {
  if (c.isKeyword('NOT')) {
    const t = c.next();
    const arg = parseNot(c, src);
    return { kind: 'not', arg, span: { start: t.span.start, end: arg.span.end } };
  }
  return parsePrimary(c, src);
}

function parsePrimary(c: Cursor, src: string): SearchExpr {
  const t = c.peek();
  if (!t) c.fail('SPL004', 'expected a search term');
  if (t.kind === 'lparen') {
    c.next();
    if (c.is('rparen')) c.fail('SPL003', 'empty parentheses', t.span);
    const inner = parseAnd(c, src);
    if (!c.is('rparen')) c.fail('SPL006', "missing ')' to close this '('", t.span);
    c.next();
    return inner;
  }
  if (t.kind === 'op' && t.text === '!') c.fail('SPL001', "unexpected '!': search negates with NOT (or field!=value)", t.span);
  // A quoted field name (`"userIdentity.type"=IAMUser`) compares like a bare one.
  const quotedField = t.kind === 'string' && c.peek(1)?.kind === 'op' && !c.peek(1)?.spaceBefore;
  if ((t.kind === 'word' || quotedField) && (c.peek(1)?.kind === 'op' || (c.isKeyword('IN', 1) && c.is('lparen', undefined, 2)))) {
    const op = c.peek(1) as Token;
    if (op.kind === 'op' && !SEARCH_OPS.has(op.text)) c.fail('SPL003', `operator '${op.text}' is not valid in search; use '=' or '!='`, op.span);
    c.next();
    const field: FieldName = { name: t.kind === 'string' ? t.value : t.text, span: t.span };
    if (op.kind === 'word') {
      c.next(); // IN
      const open = c.next(); // (
      const values: SearchValue[] = [];
      while (!c.is('rparen')) {
        if (c.atEnd()) c.fail('SPL006', "missing ')' to close IN(", open.span);
        if (c.accept('comma')) continue;
        values.push(parseValue(c, src));
      }
      const close = c.next();
      if (values.length === 0) c.fail('SPL004', 'IN() needs at least one value', { start: open.span.start, end: close.span.end });
      return { kind: 'in', field, values, span: { start: t.span.start, end: close.span.end } };
    }
    c.next();
    if (c.atEnd() || c.is('pipe') || c.is('rparen')) c.fail('SPL004', `missing value after '${field.name}${op.text}'`, op.span);
    const value = parseValue(c, src);
    return { kind: 'compare', field, op: op.text as SearchOp, value, span: { start: t.span.start, end: value.span.end } };
  }
  if (t.kind === 'op') c.fail('SPL003', `unexpected '${t.text}': a comparison needs a field name before it`, t.span);
  if (t.kind === 'comma' || t.kind === 'rparen' || t.kind === 'lbracket' || t.kind === 'rbracket') {
    c.fail('SPL003', `unexpected '${t.text}' in search`, t.span);
  }
  const value = parseValue(c, src);
  return { kind: 'keyword', value, span: value.span };
}

/** A value: word, "string", TERM(...) or CASE(...). The wrapper's content is taken verbatim. */
function parseValue(c: Cursor, src: string): SearchValue {
  const t = c.peek();
  if (!t) c.fail('SPL004', 'expected a value');
  const wrapper = t.kind === 'word' ? t.text.toUpperCase() : '';
  if ((wrapper === 'TERM' || wrapper === 'CASE') && c.is('lparen', undefined, 1) && !c.peek(1)?.spaceBefore) {
    c.next();
    const open = c.next();
    let depth = 1;
    let end = open.span.end;
    while (depth > 0) {
      const n = c.peek();
      if (!n) c.fail('SPL006', `missing ')' to close ${wrapper}(`, open.span);
      c.next();
      if (n.kind === 'lparen') depth++;
      if (n.kind === 'rparen') depth--;
      end = n.span.end;
    }
    const innerSpan: Span = { start: open.span.end, end: end - 1 };
    let text = src.slice(innerSpan.start, innerSpan.end).trim();
    const quoted = text.startsWith('"') && text.endsWith('"') && text.length >= 2;
    if (quoted) text = text.slice(1, -1).replace(/\\(["\\])/g, '$1');
    return { text, quoted, wrapper: wrapper as 'TERM' | 'CASE', span: { start: t.span.start, end } };
  }
  c.next();
  if (t.kind === 'string') return { text: t.value, quoted: true, wrapper: null, span: t.span };
  if (t.kind === 'word' || t.kind === 'squote') return { text: t.kind === 'squote' ? t.text : unescapeWord(t.text), quoted: false, wrapper: null, span: t.span };
  c.fail('SPL003', `expected a value, found '${t.text}'`, t.span);
}

/** In bare words `\\` is one backslash and `\"` a quote; other escapes keep their backslash. */
export function unescapeWord(text: string): string {
  return text.replace(/\\(["\\])/g, '$1');
}
