/**
 * Grammar-level checker for the EQL subset ruleport emits, after Elastic's EqlBase.g4 as
 * summarised in /work/shared/notes/target-eql-esql.md §2–§4: `<category> where <condition>`,
 * double-quoted strings with only the legal escapes, `"""raw"""` strings, identifiers with
 * backtick quoting, `== != < <= > >= : like like~ regex regex~ in in~`, `and or not`, `?field`,
 * function calls. Throws on invalid text; returns the predicates with decoded string values.
 */

type Tok =
  | { t: 'str'; v: string; raw: boolean; at: number }
  | { t: 'num'; v: string; at: number }
  | { t: 'id'; v: string; quoted: boolean; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'eof'; at: number };

export interface EqlPredicate {
  readonly field: string;
  readonly optional: boolean;
  readonly op: string;
  readonly values: readonly (string | number | null | boolean)[];
}

export interface EqlQuery {
  readonly category: string;
  readonly predicates: readonly EqlPredicate[];
}

const KEYWORDS = new Set(['and', 'or', 'not', 'where', 'in', 'like', 'regex', 'true', 'false', 'null', 'sequence', 'sample', 'join', 'by', 'with', 'until', 'maxspan', 'of', 'any']);
const BOOLEAN_FUNCTIONS = new Set(['cidrmatch', 'startswith', 'endswith', 'stringcontains']);
const FUNCTIONS = new Set(['string', 'number', 'startswith', 'endswith', 'stringcontains', 'length', 'substring', 'concat', 'indexof', 'between', 'cidrmatch', 'add', 'subtract', 'multiply', 'divide', 'modulo']);

function fail(text: string, at: number, msg: string): never {
  throw new Error(`EQL syntax error at ${at}: ${msg} near ${JSON.stringify(text.slice(Math.max(0, at - 15), at + 25))}`);
}

function decodeDouble(text: string, start: number): { v: string; end: number } {
  let i = start + 1;
  let v = '';
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') return { v, end: i + 1 };
    if (c === '\r' || c === '\n') fail(text, i, 'raw line break in string');
    if (c === '\\') {
      const n = text[i + 1];
      const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', "'": "'", '\\': '\\' };
      if (n !== undefined && simple[n] !== undefined) {
        v += simple[n];
        i += 2;
        continue;
      }
      const u = /^\\u\{([0-9A-Fa-f]{2,8})\}/.exec(text.slice(i));
      if (u && u[1]) {
        const cp = parseInt(u[1], 16);
        if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) fail(text, i, 'invalid unicode escape');
        v += String.fromCodePoint(cp);
        i += u[0].length;
        continue;
      }
      fail(text, i, `illegal escape \\${n ?? ''} (token recognition error)`);
    }
    v += c;
    i++;
  }
  return fail(text, start, 'unterminated string');
}

/** Triple-quoted raw string: no escapes, no line breaks; up to two extra `"` join the value. */
export function decodeRaw(text: string, start: number): { v: string; end: number } {
  const close = text.indexOf('"""', start + 3);
  if (close < 0) fail(text, start, 'unterminated raw string');
  let end = close + 3;
  let v = text.slice(start + 3, close);
  for (let k = 0; k < 2 && text[end] === '"'; k++, end++) v += '"';
  if (/[\r\n]/.test(v)) fail(text, start, 'line break in raw string');
  return { v, end };
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const rest = text.slice(i);
    if (/\s/.test(c)) {
      i++;
    } else if (rest.startsWith('//')) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (rest.startsWith('/*')) {
      const e = text.indexOf('*/', i + 2);
      if (e < 0) fail(text, i, 'unterminated comment');
      i = e + 2;
    } else if (rest.startsWith('"""')) {
      const r = decodeRaw(text, i);
      toks.push({ t: 'str', v: r.v, raw: true, at: i });
      i = r.end;
    } else if (c === '"') {
      const r = decodeDouble(text, i);
      toks.push({ t: 'str', v: r.v, raw: false, at: i });
      i = r.end;
    } else if (c === "'") {
      fail(text, i, 'single-quoted strings are not supported');
    } else if (c === '`') {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= text.length) fail(text, i, 'unterminated quoted identifier');
        if (text[j] === '`') {
          if (text[j + 1] === '`') {
            v += '`';
            j += 2;
            continue;
          }
          break;
        }
        v += text[j];
        j++;
      }
      toks.push({ t: 'id', v, quoted: true, at: i });
      i = j + 1;
    } else if (/[A-Za-z_@]/.test(c)) {
      const m = /^[A-Za-z_@][A-Za-z0-9_]*~?/.exec(rest) as RegExpExecArray;
      const word = m[0];
      if (word.endsWith('~') && !['in~', 'like~', 'regex~'].includes(word.toLowerCase())) fail(text, i, `unexpected ~ after ${word}`);
      toks.push({ t: 'id', v: word, quoted: false, at: i });
      i += word.length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(rest) as RegExpExecArray;
      toks.push({ t: 'num', v: m[0], at: i });
      i += m[0].length;
    } else {
      const op = ['==', '!=', '<=', '>='].find((o) => rest.startsWith(o)) ?? (/^[<>:(),.?[\]]/.test(c) ? c : null);
      if (!op) fail(text, i, `unexpected character ${JSON.stringify(c)}`);
      if (op === '?' && text[i + 1] === '"') fail(text, i, '?"..." strings are not supported');
      toks.push({ t: 'op', v: op, at: i });
      i += op.length;
    }
  }
  toks.push({ t: 'eof', at: text.length });
  return toks;
}

class Parser {
  private i = 0;
  readonly predicates: EqlPredicate[] = [];
  constructor(
    private readonly text: string,
    private readonly toks: Tok[],
  ) {}

  private peek(): Tok {
    return this.toks[this.i] as Tok;
  }
  private next(): Tok {
    return this.toks[this.i++] as Tok;
  }
  private isKw(w: string): boolean {
    const t = this.peek();
    return t.t === 'id' && !t.quoted && t.v.toLowerCase() === w;
  }
  private isOp(o: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === o;
  }
  private expectOp(o: string): void {
    if (!this.isOp(o)) fail(this.text, this.peek().at, `expected '${o}'`);
    this.i++;
  }
  private err(msg: string): never {
    return fail(this.text, this.peek().at, msg);
  }

  query(): EqlQuery {
    const cat = this.next();
    let category: string;
    if (cat.t === 'str') category = cat.v;
    else if (cat.t === 'id' && !cat.quoted && (cat.v === 'any' || !KEYWORDS.has(cat.v.toLowerCase()))) category = cat.v;
    else return fail(this.text, cat.at, 'expected an event category');
    if (!this.isKw('where')) this.err("expected 'where'");
    this.i++;
    this.expr();
    if (this.peek().t !== 'eof') this.err('unexpected text after the condition (only head/tail pipes exist)');
    return { category, predicates: this.predicates };
  }

  private expr(): void {
    this.and();
    while (this.isKw('or')) {
      this.i++;
      this.and();
    }
  }
  private and(): void {
    this.not();
    while (this.isKw('and')) {
      this.i++;
      this.not();
    }
  }
  private not(): void {
    if (this.isKw('not')) {
      this.i++;
      this.not();
      return;
    }
    this.predicate();
  }

  private field(): string {
    const t = this.next();
    if (t.t !== 'id') return fail(this.text, t.at, 'expected a field name');
    if (!t.quoted && KEYWORDS.has(t.v.toLowerCase())) fail(this.text, t.at, `keyword '${t.v}' used as a field name`);
    if (!t.quoted && t.v.endsWith('~')) fail(this.text, t.at, 'invalid field name');
    let name = t.v;
    while (this.isOp('.')) {
      this.i++;
      const p = this.next();
      if (p.t !== 'id' || p.quoted) fail(this.text, p.at, 'expected a name after .');
      name += `.${(p as { v: string }).v}`;
    }
    return name;
  }

  private predicate(): void {
    if (this.isOp('(')) {
      this.i++;
      this.expr();
      this.expectOp(')');
      return;
    }
    const t = this.peek();
    if (t.t === 'id' && !t.quoted && ['true', 'false'].includes(t.v.toLowerCase())) {
      this.i++;
      return;
    }
    let optional = false;
    let field: string;
    if (this.isOp('?')) {
      this.i++;
      optional = true;
      field = this.field();
    } else if (t.t === 'id' && !t.quoted && FUNCTIONS.has(t.v.toLowerCase()) && this.toks[this.i + 1]?.t === 'op' && (this.toks[this.i + 1] as { v: string }).v === '(') {
      this.i += 2;
      const args: string[] = [];
      do {
        if (this.isOp('?')) this.i++;
        const a = this.peek();
        if (a.t === 'str' || a.t === 'num') this.i++;
        else args.push(this.field());
      } while (this.isOp(',') && ++this.i);
      this.expectOp(')');
      field = `${t.v}(${args.join(',')})`;
      // Boolean functions stand alone as a condition (`cidrMatch(f, "10.0.0.0/8")`).
      if (BOOLEAN_FUNCTIONS.has(t.v.toLowerCase())) {
        const nx = this.peek();
        const follows = nx.t === 'eof' || (nx.t === 'op' && nx.v === ')') || (nx.t === 'id' && !nx.quoted && ['and', 'or'].includes(nx.v.toLowerCase()));
        if (follows) {
          this.predicates.push({ field, optional: false, op: 'call', values: [] });
          return;
        }
      }
    } else field = this.field();
    const op = this.peek();
    if (op.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(op.v)) {
      this.i++;
      this.predicates.push({ field, optional, op: op.v, values: [this.scalar()] });
      return;
    }
    let negIn = false;
    if (this.isKw('not')) {
      this.i++;
      negIn = true;
    }
    const w = this.peek();
    const word = w.t === 'op' && w.v === ':' ? ':' : w.t === 'id' && !w.quoted ? w.v.toLowerCase() : '';
    if ([':', 'like', 'like~', 'regex', 'regex~'].includes(word) && !negIn) {
      this.i++;
      this.predicates.push({ field, optional, op: word, values: this.stringList() });
      return;
    }
    if (['in', 'in~'].includes(word)) {
      this.i++;
      this.expectOp('(');
      const values = [this.scalar()];
      while (this.isOp(',')) {
        this.i++;
        values.push(this.scalar());
      }
      this.expectOp(')');
      if (word === 'in~' && values.some((v) => typeof v !== 'string')) this.err('in~ takes strings');
      this.predicates.push({ field, optional, op: `${negIn ? 'not ' : ''}${word}`, values });
      return;
    }
    this.err('expected a comparison operator after the field');
  }

  private scalar(): string | number | null | boolean {
    const t = this.next();
    if (t.t === 'str') return t.v;
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'id' && !t.quoted && ['null', 'true', 'false'].includes(t.v.toLowerCase())) return t.v === 'null' ? null : t.v === 'true';
    return fail(this.text, t.at, 'expected a literal');
  }

  private stringList(): string[] {
    const one = (): string => {
      const t = this.next();
      if (t.t !== 'str') return fail(this.text, t.at, 'expected a string');
      return t.v;
    };
    if (!this.isOp('(')) return [one()];
    this.i++;
    const out = [one()];
    while (this.isOp(',')) {
      this.i++;
      out.push(one());
    }
    this.expectOp(')');
    return out;
  }
}

/** Parses EQL text (comments allowed); throws an Error describing the first syntax error. */
export function checkEql(text: string): EqlQuery {
  return new Parser(text, tokenize(text)).query();
}
