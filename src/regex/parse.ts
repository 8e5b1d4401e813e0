/**
 * Recursive-descent parser for PCRE2 patterns (the dialect of Splunk `regex` / `match()`).
 *
 * Contract: `parseRegex` never throws and always terminates. Every loop advances
 * `pos`, nesting is capped (PCRE2's own default limit is 250), and anything that
 * escapes is converted to a `RegexError`.
 *
 * Constructs PCRE2 accepts but that no target here can use (recursion, subroutine
 * calls, conditionals, callouts, verbs, `\p`, `\R`, `\X`, `\K`, `\C`) are rejected
 * with a "not supported" message rather than half-parsed.
 */
import type {
  AnchorNode, BackreferenceNode, CharClassNode, ClassItem, FlagChange, GroupKind, LiteralNode,
  ParseResult, ParsedRegex, PosixClassName, QuantifierMode, RegexError, RegexNode, ShorthandName,
} from './ast.js';
import { fixedLength } from './analyze.js';

export type { ParseResult, ParsedRegex, RegexError } from './ast.js';

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  /** `(?xx)`: also ignore space/tab inside classes. */
  xx: boolean;
  /** `(?n)`: plain `(` does not capture. */
  n: boolean;
  /** `(?U)`: quantifiers are lazy by default. */
  U: boolean;
  /** `(?J)`: duplicate group names allowed. */
  J: boolean;
}

class ParseFailure extends Error {
  constructor(readonly error: RegexError) {
    super(error.message);
  }
}

const MAX_DEPTH = 250;
const MAX_REPEAT = 65535;
const MAX_NAME = 32;

const POSIX_NAMES: ReadonlySet<string> = new Set<PosixClassName>([
  'alpha', 'digit', 'alnum', 'upper', 'lower', 'space', 'blank', 'punct',
  'xdigit', 'word', 'cntrl', 'graph', 'print', 'ascii',
]);

const SHORTHANDS = 'dDwWsShHvV';
/** Characters skipped in `(?x)` mode (PCRE2 list for non-UTF mode). */
const X_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0xa0]);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);
const isNameStart = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z_]$/.test(c);
const isNameChar = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9_]$/.test(c);

/** What an escape sequence outside a class turned into. */
type EscapeResult =
  | { type: 'node'; node: RegexNode }
  | { type: 'literals'; nodes: LiteralNode[] } // \Q...\E
  | { type: 'nothing' }; // a lone \E

class Parser {
  private pos = 0;
  private depth = 0;
  private captureCount = 0;
  private readonly names = new Map<string, number>();
  /** References to resolve once every group is known: the one AST field set after construction. */
  private readonly backrefs: { node: { -readonly [K in keyof BackreferenceNode]: BackreferenceNode[K] }; relative: boolean }[] = [];
  private readonly lookbehinds: { body: RegexNode; start: number; end: number }[] = [];

  constructor(private readonly src: string) {}

  parse(): ParsedRegex {
    const flags: Flags = { i: false, m: false, s: false, x: false, xx: false, n: false, U: false, J: false };
    const ast = this.parseAlternation(flags, this.pos);
    if (this.pos < this.src.length) {
      // parseAlternation only stops early at a ')' that has no opener.
      this.fail('unmatched closing parenthesis', this.pos, this.pos + 1);
    }
    this.resolveBackrefs();
    for (const lb of this.lookbehinds) {
      if (!lookbehindIsFixed(lb.body)) this.fail('lookbehind assertion is not fixed length', lb.start, lb.end);
    }
    return { source: this.src, ast, ...leadingFlags(ast) };
  }

  // ---- helpers ----------------------------------------------------------

  private fail(message: string, start: number, end: number = start + 1): never {
    throw new ParseFailure({ message, start, end: Math.min(Math.max(end, start), this.src.length) });
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }

  /** Read one code point (a surrogate pair counts as one character). */
  private nextCodePoint(): number {
    const cp = this.src.codePointAt(this.pos);
    if (cp === undefined) this.fail('unexpected end of pattern', this.pos);
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  private skipExtended(flags: Flags): void {
    if (!flags.x) return;
    for (;;) {
      const c = this.src.charCodeAt(this.pos);
      if (X_WHITESPACE.has(c)) {
        this.pos++;
      } else if (c === 0x23 /* # */) {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
      } else {
        return;
      }
    }
  }

  // ---- structure --------------------------------------------------------

  /** branch ( '|' branch )* — stops before ')' or at the end. `flags` carries over between branches (PCRE). */
  private parseAlternation(flags: Flags, start: number): RegexNode {
    const branches: RegexNode[] = [this.parseSequence(flags)];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.parseSequence(flags));
    }
    if (branches.length === 1 && branches[0]) return branches[0];
    return { kind: 'alternation', branches, start, end: this.pos };
  }

  private parseSequence(flags: Flags): RegexNode {
    const start = this.pos;
    const items: RegexNode[] = [];
    // Index of the item a following quantifier applies to, or -1 when there is none
    // (start of branch, after a quantifier, after an anchor). Comments, `\E` and an
    // empty `\Q\E` leave it unchanged, as in PCRE2 (`a(?#x)+` = `a+`).
    let quantifiable = -1;
    for (;;) {
      this.skipExtended(flags);
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      if (this.atQuantifier()) {
        if (quantifiable < 0) this.fail('quantifier does not follow a repeatable item', this.pos);
        this.parseQuantifier(items, quantifiable, flags);
        quantifiable = -1;
        continue;
      }
      const atom = this.parseAtom(flags);
      if (atom === 'nothing') continue;
      if (Array.isArray(atom)) {
        items.push(...atom);
        quantifiable = items.length - 1;
        continue;
      }
      items.push(atom);
      quantifiable = isRepeatable(atom) ? items.length - 1 : -1;
    }
    if (items.length === 1 && items[0]) return items[0];
    return { kind: 'sequence', items, start, end: this.pos };
  }

  private atQuantifier(): boolean {
    const c = this.peek();
    return c === '*' || c === '+' || c === '?' || (c === '{' && this.readBraceQuantifier() !== null);
  }

  /** Wrap items[index] in the quantifier at pos (with its lazy `?` / possessive `+` suffix). */
  private parseQuantifier(items: RegexNode[], index: number, flags: Flags): void {
    let min: number;
    let max: number | null;
    const c = this.peek();
    if (c === '*') { min = 0; max = null; this.pos++; }
    else if (c === '+') { min = 1; max = null; this.pos++; }
    else if (c === '?') { min = 0; max = 1; this.pos++; }
    else {
      const q = this.readBraceQuantifier();
      if (q === null) return;
      ({ min, max } = q);
      this.pos = q.end;
    }
    let mode: QuantifierMode = flags.U ? 'lazy' : 'greedy';
    if (this.peek() === '?') { mode = flags.U ? 'greedy' : 'lazy'; this.pos++; }
    else if (this.peek() === '+') { mode = 'possessive'; this.pos++; }
    const body = items[index];
    if (!body) return;
    items[index] = { kind: 'quantifier', min, max, mode, body, start: body.start, end: this.pos };
  }

  /** `{n}`, `{n,}`, `{n,m}` at pos; anything else is not a quantifier (PCRE2 10.42 reads `{,n}` literally). */
  private readBraceQuantifier(): { min: number; max: number | null; end: number } | null {
    const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.src.slice(this.pos, this.pos + 32));
    if (!m || m[1] === undefined) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? null : Number(m[3]);
    const end = this.pos + m[0].length;
    if (min > MAX_REPEAT || (max !== null && max > MAX_REPEAT)) {
      this.fail('number too big in {} quantifier', this.pos, end);
    }
    if (max !== null && max < min) this.fail('numbers out of order in {} quantifier', this.pos, end);
    return { min, max, end };
  }

  /** One atom; an array for `\Q...\E`; 'nothing' for zero-width syntax that leaves no node. */
  private parseAtom(flags: Flags): RegexNode | LiteralNode[] | 'nothing' {
    const start = this.pos;
    const c = this.peek();
    switch (c) {
      case '(':
        return this.parseGroup(flags);
      case '[':
        return this.parseClass(flags);
      case '.':
        this.pos++;
        return { kind: 'any', dotAll: flags.s, start, end: this.pos };
      case '^':
        this.pos++;
        return { kind: 'anchor', anchor: 'start', multiline: flags.m, start, end: this.pos };
      case '$':
        this.pos++;
        return { kind: 'anchor', anchor: 'end', multiline: flags.m, start, end: this.pos };
      case '\\': {
        const e = this.parseEscape(flags);
        if (e.type === 'node') return e.node;
        if (e.type === 'literals') return e.nodes.length ? e.nodes : 'nothing';
        return 'nothing';
      }
      default: {
        const value = this.nextCodePoint();
        return { kind: 'literal', value, caseInsensitive: flags.i, escaped: false, start, end: this.pos };
      }
    }
  }

  // ---- groups -----------------------------------------------------------

  private parseGroup(flags: Flags): RegexNode | 'nothing' {
    const start = this.pos;
    this.pos++; // (
    if (this.peek() === '*') {
      if (/^[A-Za-z_:]/.test(this.peek(1) ?? '')) {
        this.fail('backtracking verbs and (*...) settings are not supported', start, start + 2);
      }
      this.fail('quantifier does not follow a repeatable item', this.pos);
    }
    if (this.peek() !== '?') {
      return this.finishGroup(flags, start, flags.n ? 'nonCapturing' : 'capturing');
    }
    this.pos++; // ?
    const c = this.peek();
    switch (c) {
      case '#': {
        const close = this.src.indexOf(')', this.pos);
        if (close < 0) this.fail('missing ) after (?# comment', start, this.src.length);
        this.pos = close + 1;
        return 'nothing';
      }
      case ':':
        this.pos++;
        return this.finishGroup(flags, start, 'nonCapturing');
      case '>':
        this.pos++;
        return this.finishGroup(flags, start, 'atomic');
      case '|':
        this.fail('branch reset groups (?| are not supported', start, this.pos + 1);
      // falls through (fail never returns)
      case '=':
      case '!':
        this.pos++;
        return this.finishLookaround(flags, start, false, c === '!');
      case '<': {
        const d = this.peek(1);
        if (d === '=' || d === '!') {
          this.pos += 2;
          return this.finishLookaround(flags, start, true, d === '!');
        }
        if (d === '*') this.fail('non-atomic lookbehind (?<*...) is not supported', start, this.pos + 2);
        this.pos++;
        return this.finishNamedGroup(flags, start, '>');
      }
      case "'":
        this.pos++;
        return this.finishNamedGroup(flags, start, "'");
      case 'P': {
        const d = this.peek(1);
        if (d === '<') {
          this.pos += 2;
          return this.finishNamedGroup(flags, start, '>');
        }
        if (d === '=') {
          this.pos += 2;
          const name = this.readName(')');
          return this.namedBackref(name, flags, start);
        }
        if (d === '>') this.fail('subroutine calls (?P>name) are not supported', start, this.pos + 2);
        this.fail('unrecognized character after (?P', this.pos + 1);
      }
      // falls through (fail never returns)
      case '*':
        this.fail('non-atomic lookahead (?*...) is not supported', start, this.pos + 1);
      // falls through
      case '(':
        this.fail('conditional groups (?(...) are not supported', start, this.pos + 1);
      // falls through
      case 'C':
        this.fail('callouts (?C...) are not supported', start, this.pos + 1);
      // falls through
      case '&':
      case 'R':
        this.fail('recursion and subroutine calls are not supported', start, this.pos + 1);
      // falls through
      default:
        if (c === '+' || (c === '-' && isDigit(this.peek(1))) || isDigit(c)) {
          this.fail('recursion and subroutine calls are not supported', start, this.pos + 1);
        }
        return this.parseFlagGroup(flags, start);
    }
  }

  /** `(?imsx-imsx)` or `(?imsx-imsx:...)`, with pos just after `(?`. */
  private parseFlagGroup(flags: Flags, start: number): RegexNode {
    const change = { on: '', off: '' };
    const inner: Flags = { ...flags };
    let negate = false;
    if (this.peek() === '^') {
      // (?^) unsets imnsx first.
      Object.assign(inner, { i: false, m: false, n: false, s: false, x: false, xx: false });
      change.off += 'imnsx';
      this.pos++;
    }
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('missing closing parenthesis', start, this.src.length);
      if (c === ')' || c === ':') break;
      if (c === '-' && !negate) {
        negate = true;
        this.pos++;
        continue;
      }
      if (!'imnsxUJ'.includes(c)) {
        this.fail(`unrecognized character after (? or (?-: '${c}'`, this.pos);
      }
      if (c === 'x' && this.peek(1) === 'x') {
        inner.x = !negate;
        inner.xx = !negate;
        this.pos++;
      } else {
        inner[c as keyof Flags] = !negate;
        if (c === 'x' && negate) inner.xx = false;
      }
      if (negate) change.off += c;
      else change.on += c;
      this.pos++;
    }
    if (this.peek() === ')') {
      this.pos++;
      // Unscoped: the change applies to the rest of the enclosing group (and its later branches).
      Object.assign(flags, inner);
      return { kind: 'flags', flags: change, start, end: this.pos };
    }
    this.pos++; // ':'
    return this.finishGroup(inner, start, 'nonCapturing', undefined, change, true);
  }

  private finishNamedGroup(flags: Flags, start: number, terminator: string): RegexNode {
    const nameStart = this.pos;
    const name = this.readName(terminator);
    if (this.names.has(name) && !flags.J) {
      this.fail('two named subpatterns have the same name', nameStart, nameStart + name.length);
    }
    return this.finishGroup(flags, start, 'named', name);
  }

  /** A group name followed by `terminator` (consumed). */
  private readName(terminator: string): string {
    const nameStart = this.pos;
    if (!isNameStart(this.peek())) this.fail('group name must start with a letter or underscore', this.pos);
    while (isNameChar(this.peek())) this.pos++;
    const name = this.src.slice(nameStart, this.pos);
    if (name.length > MAX_NAME) this.fail('group name is too long', nameStart, this.pos);
    if (this.peek() !== terminator) this.fail(`syntax error in group name: expected '${terminator}'`, this.pos);
    this.pos++;
    return name;
  }

  private enter(start: number): void {
    if (++this.depth > MAX_DEPTH) this.fail('parentheses are too deeply nested', start);
  }

  private closeGroup(start: number): void {
    if (this.peek() !== ')') {
      this.fail(`missing closing parenthesis for group opened at offset ${start}`, start, this.src.length);
    }
    this.pos++;
    this.depth--;
  }

  private finishGroup(
    flags: Flags, start: number, group: GroupKind, name?: string, change?: FlagChange, innerIsCopy = false,
  ): RegexNode {
    this.enter(start);
    let index: number | undefined;
    if (group === 'capturing' || group === 'named') {
      index = ++this.captureCount;
      if (name !== undefined && !this.names.has(name)) this.names.set(name, index);
    }
    // Flag changes inside a group end with the group.
    const inner = innerIsCopy ? flags : { ...flags };
    const body = this.parseAlternation(inner, this.pos);
    this.closeGroup(start);
    return {
      kind: 'group', group, body, start, end: this.pos,
      ...(name !== undefined ? { name } : {}),
      ...(index !== undefined ? { index } : {}),
      ...(change ? { flags: change } : {}),
    };
  }

  private finishLookaround(flags: Flags, start: number, behind: boolean, negative: boolean): RegexNode {
    this.enter(start);
    const body = this.parseAlternation({ ...flags }, this.pos);
    this.closeGroup(start);
    if (behind) this.lookbehinds.push({ body, start, end: this.pos });
    return { kind: 'lookaround', behind, negative, body, start, end: this.pos };
  }

  // ---- escapes ----------------------------------------------------------

  private parseEscape(flags: Flags): EscapeResult {
    const start = this.pos;
    this.pos++; // backslash
    const c = this.peek();
    if (c === undefined) this.fail('\\ at end of pattern', start, this.src.length);
    const node = (n: RegexNode): EscapeResult => ({ type: 'node', node: n });
    const lit = (value: number): EscapeResult =>
      node({ kind: 'literal', value, caseInsensitive: flags.i, escaped: true, start, end: this.pos });
    const anchor = (a: AnchorNode['anchor']): EscapeResult => {
      this.pos++;
      return node({ kind: 'anchor', anchor: a, multiline: false, start, end: this.pos });
    };

    if (SHORTHANDS.includes(c)) {
      this.pos++;
      return node({ kind: 'shorthand', name: c as ShorthandName, start, end: this.pos });
    }
    switch (c) {
      case 'b':
      case 'B':
        this.pos++;
        return node({ kind: 'wordBoundary', negated: c === 'B', start, end: this.pos });
      case 'A':
      case 'G': // \G is the start of the match attempt: for one unanchored search this equals \A.
        return anchor('start');
      case 'Z':
        return anchor('end');
      case 'z':
        return anchor('endAbsolute');
      case 'N':
        // \N{2} is \N repeated; \N{U+41} / \N{name} are character names.
        if (this.peek(1) === '{') {
          this.pos++;
          const isQuantifier = this.readBraceQuantifier() !== null;
          this.pos--;
          if (!isQuantifier) this.fail('\\N{...} is not supported', start, start + 3);
        }
        this.pos++;
        return node({ kind: 'any', dotAll: false, start, end: this.pos });
      case 'Q':
        return { type: 'literals', nodes: this.readQuoted(flags) };
      case 'E':
        this.pos++;
        return { type: 'nothing' };
      case 'g':
        return this.parseGReference(flags, start);
      case 'k': {
        const open = this.peek(1);
        const close = open === '<' ? '>' : open === "'" ? "'" : open === '{' ? '}' : undefined;
        if (close === undefined) this.fail('\\k must be followed by a group name in <>, \'\' or {}', start, start + 2);
        this.pos += 2;
        return node(this.namedBackref(this.readName(close), flags, start));
      }
      default:
        break;
    }
    if (c >= '1' && c <= '9') {
      const digits = /^\d+/.exec(this.src.slice(this.pos, this.pos + 10))?.[0] ?? c;
      const n = Number(digits);
      if (n < 10 || c === '8' || c === '9' || n <= this.captureCount) {
        this.pos += digits.length;
        return node(this.numberedBackref(n, false, flags, start));
      }
      return lit(this.readOctalDigits(3));
    }
    const code = this.readCharEscape(start, false);
    if (code !== null) return lit(code);
    if (isAlnum(c)) this.fail(this.badLetterMessage(c), start, start + 2);
    // Backslash before any other (non-alphanumeric) character quotes it.
    return lit(this.nextCodePoint());
  }

  private badLetterMessage(c: string): string {
    if ('pPX'.includes(c)) return `Unicode property escapes (\\${c}) are not supported`;
    if (c === 'R') return '\\R (newline sequence) is not supported';
    if (c === 'K') return '\\K is not supported';
    if (c === 'C') return '\\C is not supported';
    if ('uUlL'.includes(c)) return `PCRE2 does not support \\${c}`;
    return `unrecognized character follows \\: '${c}'`;
  }

  /**
   * Character-producing escapes shared by classes and the main pattern:
   * \a \e \f \n \r \t \0 \o{} \x \c. Returns null (without consuming) otherwise.
   * pos is at the character after the backslash.
   */
  private readCharEscape(start: number, inClass: boolean): number | null {
    const c = this.peek();
    const simple: Record<string, number> = { a: 7, e: 0x1b, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09 };
    if (c === undefined) return null;
    if (c in simple) {
      this.pos++;
      return simple[c] ?? 0;
    }
    if (inClass && c === 'b') {
      this.pos++;
      return 0x08;
    }
    if (c === '0') return this.readOctalDigits(3);
    if (c === 'o') {
      if (this.peek(1) !== '{') this.fail('missing opening brace after \\o', start, this.pos + 1);
      const m = /^\{([0-7]+)\}/.exec(this.src.slice(this.pos + 1, this.pos + 40));
      if (!m || m[1] === undefined) this.fail('non-octal character in \\o{} (closing brace missing?)', start, this.pos + 2);
      this.pos += 1 + m[0].length;
      return this.checkCodePoint(parseInt(m[1], 8), start);
    }
    if (c === 'x') {
      this.pos++;
      if (this.peek() === '{') {
        const m = /^\{([0-9A-Fa-f]+)\}/.exec(this.src.slice(this.pos, this.pos + 40));
        if (!m || m[1] === undefined) this.fail('non-hex character in \\x{} (closing brace missing?)', start, this.pos + 1);
        this.pos += m[0].length;
        return this.checkCodePoint(parseInt(m[1], 16), start);
      }
      let digits = '';
      while (digits.length < 2 && isHex(this.peek())) digits += this.src[this.pos++];
      return digits ? parseInt(digits, 16) : 0;
    }
    if (c === 'c') {
      this.pos++;
      const d = this.peek();
      if (d === undefined) this.fail('\\c at end of pattern', start, this.pos);
      const code = d.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) this.fail('\\c must be followed by a printable ASCII character', start, this.pos + 1);
      this.pos++;
      return (d.toUpperCase().charCodeAt(0) ^ 0x40) & 0x7f;
    }
    return null;
  }

  private checkCodePoint(n: number, start: number): number {
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
      this.fail('character code point value in \\x{} or \\o{} is too large or invalid', start, this.pos);
    }
    return n;
  }

  private readOctalDigits(max: number): number {
    let digits = '';
    while (digits.length < max && isOctal(this.peek())) digits += this.src[this.pos++];
    return parseInt(digits || '0', 8);
  }

  /** `\Q...\E` (or to the end of the pattern), pos at 'Q'. Whitespace is literal even under (?x). */
  private readQuoted(flags: Flags): LiteralNode[] {
    this.pos++; // Q
    const out: LiteralNode[] = [];
    while (this.pos < this.src.length && !this.startsWith('\\E')) {
      const start = this.pos;
      const value = this.nextCodePoint();
      out.push({ kind: 'literal', value, caseInsensitive: flags.i, escaped: true, start, end: this.pos });
    }
    if (this.startsWith('\\E')) this.pos += 2;
    return out;
  }

  /** \g1 \g{1} \g-1 \g{-1} \g{name}; \g<...> and \g'...' are subroutine calls. pos at 'g'. */
  private parseGReference(flags: Flags, start: number): EscapeResult {
    const rest = this.src.slice(this.pos + 1, this.pos + 40);
    if (rest.startsWith('<') || rest.startsWith("'")) {
      this.fail('subroutine calls (\\g<...>) are not supported', start, start + 3);
    }
    const m = /^(?:\{(-?\d+)\}|(-?\d+))/.exec(rest);
    if (m) {
      const text = m[1] ?? m[2] ?? '0';
      this.pos += 1 + m[0].length;
      const n = Number(text);
      if (n === 0) this.fail('a numbered reference must not be zero', start, this.pos);
      if (n < 0) {
        const index = this.captureCount + 1 + n;
        if (index < 1) this.fail('reference to non-existent subpattern', start, this.pos);
        return { type: 'node', node: this.numberedBackref(index, true, flags, start) };
      }
      return { type: 'node', node: this.numberedBackref(n, false, flags, start) };
    }
    if (rest.startsWith('{')) {
      this.pos += 2;
      return { type: 'node', node: this.namedBackref(this.readName('}'), flags, start) };
    }
    this.fail('\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number', start, start + 2);
  }

  private numberedBackref(index: number, relative: boolean, flags: Flags, start: number): BackreferenceNode {
    const node: BackreferenceNode = { kind: 'backreference', index, caseInsensitive: flags.i, start, end: this.pos };
    this.backrefs.push({ node, relative });
    return node;
  }

  private namedBackref(name: string, flags: Flags, start: number): BackreferenceNode {
    const node: BackreferenceNode = { kind: 'backreference', index: 0, name, caseInsensitive: flags.i, start, end: this.pos };
    this.backrefs.push({ node, relative: false });
    return node;
  }

  private resolveBackrefs(): void {
    for (const { node } of this.backrefs) {
      if (node.name !== undefined) {
        const index = this.names.get(node.name);
        if (index === undefined) this.fail(`reference to non-existent subpattern '${node.name}'`, node.start, node.end);
        node.index = index;
      } else if (node.index > this.captureCount) {
        this.fail('reference to non-existent subpattern', node.start, node.end);
      }
    }
  }

  // ---- character classes ------------------------------------------------

  /**
   * PCRE2's check_posix_syntax: at `[` followed by `:`, `.` or `=`, find the matching
   * `:]` / `.]` / `=]` before any `]`. Returns the offset after it, or -1.
   */
  private posixSyntaxEnd(at: number): number {
    const term = this.src[at + 1];
    if (term !== ':' && term !== '.' && term !== '=') return -1;
    for (let p = at + 2; p < this.src.length; p++) {
      const ch = this.src[p];
      if (ch === '\\' && (this.src[p + 1] === ']' || this.src[p + 1] === '\\')) p++;
      else if ((ch === '[' && this.src[p + 1] === term) || ch === ']') return -1;
      else if (ch === term && this.src[p + 1] === ']') return p + 2;
    }
    return -1;
  }

  private parseClass(flags: Flags): CharClassNode {
    const start = this.pos;
    const posixEnd = this.posixSyntaxEnd(start);
    if (posixEnd >= 0) {
      // `[:alpha:]` / `[.a.]` written without the enclosing brackets.
      this.fail(
        this.src[start + 1] === ':' ? 'POSIX named classes are supported only within a class' : 'POSIX collating elements are not supported',
        start, posixEnd,
      );
    }
    this.pos++; // [
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const items: ClassItem[] = [];
    let first = true;
    for (;;) {
      if (this.classQuote) {
        if (this.pos >= this.src.length) this.fail('missing terminating ] for character class', start, this.src.length);
        if (this.startsWith('\\E')) {
          this.pos += 2;
          this.classQuote = false;
          continue;
        }
        const at = this.pos;
        items.push({ kind: 'classChar', value: this.nextCodePoint(), start: at, end: this.pos });
        first = false;
        continue;
      }
      if (flags.xx) while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
      const c = this.peek();
      if (c === undefined) this.fail('missing terminating ] for character class', start, this.src.length);
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      const item = this.parseClassAtom();
      if (item === null) continue;
      if (item.kind !== 'classChar') {
        // PCRE2: a shorthand or POSIX class cannot start a range ([\d-z] is an error).
        if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
          this.fail('invalid range in character class', item.start, this.pos + 1);
        }
        items.push(item);
        continue;
      }
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        const dash = this.pos;
        this.pos++;
        const to = this.parseClassAtom();
        if (to === null) {
          // e.g. [a-\Q\E] — treat the dash as literal.
          items.push(item, { kind: 'classChar', value: 0x2d, start: dash, end: dash + 1 });
          continue;
        }
        if (to.kind !== 'classChar') this.fail('invalid range in character class', item.start, to.end);
        if (to.value < item.value) this.fail('range out of order in character class', item.start, to.end);
        items.push({ kind: 'classRange', from: item.value, to: to.value, start: item.start, end: to.end });
        continue;
      }
      items.push(item);
    }
    return { kind: 'class', negated, items, caseInsensitive: flags.i, start, end: this.pos };
  }

  /** One class member; null for syntax that produces nothing (\E, empty \Q\E). */
  private parseClassAtom(): ClassItem | null {
    const start = this.pos;
    const c = this.peek();
    if (c === '[') {
      const end = this.posixSyntaxEnd(this.pos);
      if (end >= 0) {
        const text = this.src.slice(this.pos, end);
        const m = /^\[:(\^?)([a-z]+):\]$/.exec(text);
        if (this.src[this.pos + 1] !== ':') this.fail('POSIX collating elements are not supported', start, end);
        if (!m || m[2] === undefined || !POSIX_NAMES.has(m[2])) this.fail(`unknown POSIX class name '${text}'`, start, end);
        this.pos = end;
        return { kind: 'posix', name: m[2] as PosixClassName, negated: m[1] === '^', start, end };
      }
    }
    if (c !== '\\') {
      const value = this.nextCodePoint();
      return { kind: 'classChar', value, start, end: this.pos };
    }
    this.pos++; // backslash
    const d = this.peek();
    if (d === undefined) this.fail('\\ at end of pattern', start, this.src.length);
    if (SHORTHANDS.includes(d)) {
      this.pos++;
      return { kind: 'shorthand', name: d as ShorthandName, start, end: this.pos };
    }
    if (d === 'E') {
      this.pos++;
      return null;
    }
    if (d === 'Q') {
      // \Q...\E inside a class: the quoted characters are plain members (handled in parseClass).
      this.pos++;
      this.classQuote = true;
      return null;
    }
    if (d >= '1' && d <= '9') {
      // Inside a class there are no back references: \1-\7 start octal, \8 \9 are literal digits.
      if (d === '8' || d === '9') {
        this.pos++;
        return { kind: 'classChar', value: d.charCodeAt(0), start, end: this.pos };
      }
      const value = this.readOctalDigits(3);
      return { kind: 'classChar', value, start, end: this.pos };
    }
    const code = this.readCharEscape(start, true);
    if (code !== null) return { kind: 'classChar', value: code, start, end: this.pos };
    if (isAlnum(d)) {
      if ('BRXNz'.includes(d) || d === 'A' || d === 'Z' || d === 'G') {
        this.fail(`escape sequence \\${d} is invalid in character class`, start, start + 2);
      }
      this.fail(this.badLetterMessage(d), start, start + 2);
    }
    const value = this.nextCodePoint();
    return { kind: 'classChar', value, start, end: this.pos };
  }

  /** Inside `[...]`, between `\Q` and `\E`. */
  private classQuote = false;
}

function isRepeatable(node: RegexNode): boolean {
  switch (node.kind) {
    case 'anchor':
    case 'wordBoundary':
    case 'flags':
      return false;
    default:
      return true;
  }
}

function lookbehindIsFixed(body: RegexNode): boolean {
  // PCRE2 10.42: each top-level branch of a lookbehind must have a fixed length (branches may differ).
  const branches = body.kind === 'alternation' ? body.branches : [body];
  return branches.every((b) => fixedLength(b) !== null);
}

/** Flags set by `(?...)` items at the very start of the pattern apply to the whole pattern. */
function leadingFlags(ast: RegexNode): Pick<ParsedRegex, 'caseInsensitive' | 'dotAll' | 'multiline'> {
  const out = { caseInsensitive: false, dotAll: false, multiline: false };
  let first: RegexNode | undefined = ast;
  while (first?.kind === 'alternation') first = first.branches[0];
  const items: readonly RegexNode[] = first?.kind === 'sequence' ? first.items : first ? [first] : [];
  for (const item of items) {
    if (item.kind !== 'flags') break;
    for (const f of item.flags.on) apply(f, true);
    for (const f of item.flags.off) apply(f, false);
  }
  function apply(f: string, on: boolean): void {
    if (f === 'i') out.caseInsensitive = on;
    if (f === 's') out.dotAll = on;
    if (f === 'm') out.multiline = on;
  }
  return out;
}

/**
 * The front end, the prefilter and each backend's flavour parse the same patterns again and
 * again (and the corpus repeats patterns across rules); parsing is pure and nobody changes an AST
 * (printers and analyses only read it), so results are shared. Bounded so a long-lived process
 * cannot grow without limit. Internal errors (a stack overflow depends on the caller's depth) are
 * not kept.
 */
const parsed = new Map<string, ParseResult>();
const PARSED_LIMIT = 20_000;

function keep(source: string, r: ParseResult): ParseResult {
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(source, r);
  return r;
}

export function parseRegex(source: string): ParseResult {
  if (typeof source !== 'string') {
    return { ok: false, error: { message: 'pattern is not a string', start: 0, end: 0 } };
  }
  const known = parsed.get(source);
  if (known) return known;
  try {
    return keep(source, { ok: true, regex: new Parser(source).parse() });
  } catch (e) {
    if (e instanceof ParseFailure) return keep(source, { ok: false, error: e.error });
    // Stack overflow or a bug: still a value, never an exception.
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { message: `internal parser error: ${message}`, start: 0, end: source.length } };
  }
}
