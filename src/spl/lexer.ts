/**
 * SPL lexer. Context-free: it knows quoting, macros, pipes, brackets and operators, and leaves the
 * meaning of words to the command parsers (a word in `search` is a keyword, in `where` a field).
 */
import { diag, type Diagnostic, type Span } from '../diagnostics.js';

export type TokenKind =
  | 'word' // bare run of characters: field names, values with wildcards, numbers, keywords
  | 'string' // "double quoted" (value is unescaped)
  | 'squote' // 'single quoted' (a field name in eval/where)
  | 'macro' // `name` or `name(args)` (value is the text between backticks)
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'lbracket'
  | 'rbracket'
  | 'comma'
  | 'op'; // = == != < <= > >= and a lone !

export interface Token {
  readonly kind: TokenKind;
  /** Raw source text of the token. */
  readonly text: string;
  /** Decoded value: unescaped string contents, macro body, or the text itself. */
  readonly value: string;
  readonly span: Span;
  /** True when whitespace precedes the token (SPL keeps `a=b` and `a = b` apart in a few places). */
  readonly spaceBefore: boolean;
  /** For strings: index in `value` -> offset in the SPL text (length value.length + 1). */
  readonly valueOffsets?: readonly number[];
}

const SINGLE = new Map<string, TokenKind>([['|', 'pipe'], ['(', 'lparen'], [')', 'rparen'], ['[', 'lbracket'], [']', 'rbracket'], [',', 'comma']]);

/**
 * Whitespace as the regex `\s` reads it. The lexer looks at every character of every rule, so the
 * ASCII ones are tested by code; the rest (no-break space, U+2028, ...) by the regex itself.
 */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(String.fromCharCode(code)));
}

// A bare word: it ends at whitespace or one of `|()[],"'`=!<>`. `*`, `.`, `-`, `/`, `:` and `\` stay
// inside words because search values (`*\\cmd.exe`, `10.0.0.0/8`) are full of them; eval arithmetic
// splits words itself. A backslash escapes the next character, even one that would end the word
// (`a\ b`, `\"`), and a backslash ending the text is part of the word. Sticky: the lexer sets
// lastIndex and the match ends where the word does (one regex call per word, not one per character).
const WORD = /(?:\\[\s\S]|\\$|[^\s|()[\],"'`=!<>\\])*/y;

export interface LexResult {
  readonly tokens: Token[];
  readonly diagnostics: Diagnostic[];
}

export function lex(src: string): LexResult {
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  let i = 0;
  let spaceBefore = false;
  const push = (kind: TokenKind, start: number, end: number, value?: string, valueOffsets?: number[]): void => {
    const text = src.slice(start, end);
    const span = { start, end };
    tokens.push(valueOffsets ? { kind, text, value: value ?? text, span, spaceBefore, valueOffsets } : { kind, text, value: value ?? text, span, spaceBefore });
    spaceBefore = false;
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (isSpace(src.charCodeAt(i))) {
      spaceBefore = true;
      i++;
      continue;
    }
    const single = SINGLE.get(c);
    if (single) {
      push(single, i, i + 1);
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = scanQuoted(src, i, c);
      if (end.closed === false) {
        diagnostics.push(diag('SPL002', `unterminated ${c === '"' ? 'double' : 'single'}-quoted string`, { start: i, end: src.length }));
      }
      push(c === '"' ? 'string' : 'squote', i, end.end, end.value, end.offsets);
      i = end.end;
      continue;
    }
    if (c === '`') {
      const close = src.indexOf('`', i + 1);
      if (close === -1) {
        diagnostics.push(diag('SPL002', 'unterminated macro: missing closing backtick', { start: i, end: src.length }));
        push('macro', i, src.length, src.slice(i + 1));
        i = src.length;
      } else {
        push('macro', i, close + 1, src.slice(i + 1, close));
        i = close + 1;
      }
      continue;
    }
    if ((c === '=' || c === '!' || c === '<' || c === '>') && src[i + 1] === '=') {
      push('op', i, i + 2);
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      push('op', i, i + 1);
      i++;
      continue;
    }
    if (c === '!') {
      // `!` alone is not an SPL operator, but rules write `!match(...)` in where; the eval
      // grammar reads it as NOT and every other grammar rejects it.
      push('op', i, i + 1);
      i++;
      continue;
    }
    WORD.lastIndex = i;
    WORD.test(src);
    push('word', i, WORD.lastIndex);
    i = WORD.lastIndex;
  }
  return { tokens, diagnostics };
}

/**
 * Scans a quoted string. Inside double quotes `\"` is a quote and `\\` one backslash (Splunk search
 * primer); every other backslash sequence reaches the command unchanged, which is what regexes need.
 */
function scanQuoted(src: string, start: number, quote: string): { end: number; value: string; offsets: number[]; closed: boolean } {
  let value = '';
  const offsets: number[] = [];
  let i = start + 1;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === quote) {
      offsets.push(i);
      return { end: i + 1, value, offsets, closed: true };
    }
    if (c === '\\' && (src[i + 1] === quote || src[i + 1] === '\\')) {
      value += src[i + 1];
      offsets.push(i);
      i += 2;
      continue;
    }
    value += c;
    offsets.push(i);
    i++;
  }
  offsets.push(src.length);
  return { end: src.length, value, offsets, closed: false };
}
