/** A cursor over the tokens of one pipeline segment, shared by the command parsers. */
import { diag, type Diagnostic, type DiagnosticCode, type Span } from '../diagnostics.js';
import type { Token, TokenKind } from './lexer.js';

export class ParseError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

export class Cursor {
  private pos = 0;
  constructor(
    readonly tokens: readonly Token[],
    /** Span of the whole segment, for errors at its end. */
    readonly segment: Span,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  next(): Token {
    const t = this.tokens[this.pos];
    if (!t) this.fail('SPL004', 'unexpected end of command');
    this.pos++;
    return t;
  }

  /** True if the next token has this kind (and, if given, this text; words compare case-insensitively). */
  is(kind: TokenKind, text?: string, offset = 0): boolean {
    const t = this.peek(offset);
    if (!t || t.kind !== kind) return false;
    if (text === undefined) return true;
    return kind === 'word' ? t.text.toLowerCase() === text.toLowerCase() : t.text === text;
  }

  /** Uppercase-only keyword check, for search operators (`OR`, `AND`, `NOT`, `IN` must be uppercase). */
  isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'word' && t.text === word;
  }

  /**
   * Case-insensitive keyword check, for eval expressions: Splunk's documentation asks for
   * uppercase, but the Armory's production rules write `and`/`or` in `where` 90 times.
   */
  isKeywordCi(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'word' && t.text.toUpperCase() === word;
  }

  accept(kind: TokenKind, text?: string): Token | null {
    return this.is(kind, text) ? this.next() : null;
  }

  expect(kind: TokenKind, what: string, text?: string): Token {
    if (this.is(kind, text)) return this.next();
    const t = this.peek();
    this.fail(t ? 'SPL003' : 'SPL004', t ? `expected ${what}, found '${t.text}'` : `expected ${what} at end of command`, t?.span);
  }

  /** Span for an error at the current position (or the end of the segment). */
  here(): Span {
    const t = this.peek();
    if (t) return t.span;
    return { start: this.segment.end, end: this.segment.end };
  }

  fail(code: DiagnosticCode, message: string, span?: Span): never {
    throw new ParseError(diag(code, message, span ?? this.here()));
  }

  /** Consumes every token that starts before `offset` (after a sub-cursor parsed them). */
  skipTo(offset: number): void {
    while (this.pos < this.tokens.length && (this.tokens[this.pos]?.span.start ?? Infinity) < offset) this.pos++;
  }

  /** The tokens not consumed yet (for sub-grammars that re-tokenize words). */
  rest(): Token[] {
    return this.tokens.slice(this.pos);
  }

  lastEnd(): number {
    return this.tokens[this.pos - 1]?.span.end ?? this.segment.start;
  }
}

export function spanFrom(start: number, end: number): Span {
  return { start, end };
}
