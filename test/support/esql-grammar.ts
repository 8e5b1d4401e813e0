/**
 * Grammar-level checker for the ES|QL subset ruleport emits (target notes §9; Elastic's ES|QL
 * lexer/parser rules): `FROM sources | WHERE | EVAL | KEEP | DROP | RENAME | STATS … BY … | LIMIT`,
 * strings with only `\t \n \r \" \\` escapes, `"""raw"""` strings, backtick identifiers,
 * `== != < <= > >= LIKE RLIKE IN IS [NOT] NULL AND OR NOT`, time spans, a fixed function list.
 * It also tracks columns: once KEEP or STATS has fixed the column set, a reference to a column
 * that no longer exists is an error (ES|QL's "Unknown column"). Throws on invalid text.
 */
import { decodeRaw } from './eql-grammar.js';

type Tok =
  | { t: 'str'; v: string; at: number }
  | { t: 'num'; v: string; at: number }
  | { t: 'id'; v: string; quoted: boolean; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'src'; v: string; at: number }
  | { t: 'eof'; at: number };

export interface EsqlCommand {
  readonly name: string;
  /** String literals in the command, decoded. */
  readonly strings: readonly string[];
  /** The decoded patterns of LIKE (not RLIKE) in the command, a subset of `strings`. */
  readonly likes: readonly string[];
  /** Column names the command mentions, decoded (backticks removed, dotted parts joined). */
  readonly names: readonly string[];
}

export interface EsqlQuery {
  readonly sources: readonly string[];
  readonly commands: readonly EsqlCommand[];
  /** Columns after the last command, or null when not fixed by KEEP/STATS. */
  readonly columns: readonly string[] | null;
}

const COMMANDS = new Set(['where', 'eval', 'keep', 'drop', 'rename', 'stats', 'limit', 'sort', 'grok', 'inline', 'lookup']);
const RESERVED = new Set(['and', 'or', 'not', 'is', 'null', 'like', 'rlike', 'in', 'as', 'by', 'true', 'false']);
const SCALAR_FNS: Record<string, [number, number]> = {
  to_lower: [1, 1], to_upper: [1, 1], to_string: [1, 1], to_double: [1, 1], to_long: [1, 1], to_ip: [1, 1], to_datetime: [1, 1],
  date_trunc: [2, 2], date_format: [1, 2], now: [0, 0], mv_sort: [1, 2], coalesce: [1, 99], case: [2, 99], length: [1, 1], substring: [2, 3],
  replace: [3, 3], split: [2, 2], trim: [1, 1], ltrim: [1, 1], rtrim: [1, 1], concat: [2, 99], cidr_match: [2, 99], abs: [1, 1], ceil: [1, 1],
  floor: [1, 1], sqrt: [1, 1], log: [1, 2], log10: [1, 1], sin: [1, 1], cos: [1, 1], tan: [1, 1], round: [1, 2], pow: [2, 2], pi: [0, 0],
  least: [1, 99], greatest: [1, 99], mv_count: [1, 1], mv_slice: [2, 3], mv_append: [2, 2], mv_concat: [2, 2], mv_dedupe: [1, 1],
  st_x: [1, 1], st_y: [1, 1],
  // https://www.elastic.co/docs/reference/query-languages/esql/functions-operators/math-functions
  asin: [1, 1], acos: [1, 1], atan: [1, 1], atan2: [2, 2], exp: [1, 1],
};
const AGG_FNS: Record<string, [number, number]> = { values: [1, 1], count: [0, 1], count_distinct: [1, 2], min: [1, 1], max: [1, 1], sum: [1, 1], avg: [1, 1], median: [1, 1] };
const UNITS = /^(milliseconds?|ms|seconds?|sec|s|minutes?|min|hours?|h|days?|d|weeks?|w|months?|mo|years?|yr|y)$/i;

function fail(text: string, at: number, msg: string): never {
  throw new Error(`ES|QL syntax error at ${at}: ${msg} near ${JSON.stringify(text.slice(Math.max(0, at - 20), at + 25))}`);
}

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let sourceMode = false;
  while (i < text.length) {
    const c = text[i] as string;
    const rest = text.slice(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (rest.startsWith('//')) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
      continue;
    }
    if (rest.startsWith('/*')) {
      const e = text.indexOf('*/', i + 2);
      if (e < 0) fail(text, i, 'unterminated comment');
      i = e + 2;
      continue;
    }
    if (sourceMode && c !== '|' && c !== ',' && c !== '"') {
      const m = /^[^\s|,"`=[\]/]+/.exec(rest);
      if (!m) fail(text, i, 'bad index pattern');
      toks.push({ t: 'src', v: m[0], at: i });
      i += m[0].length;
      continue;
    }
    if (rest.startsWith('"""')) {
      const r = decodeRaw(text, i);
      toks.push({ t: 'str', v: r.v, at: i });
      i = r.end;
    } else if (c === '"') {
      let j = i + 1;
      let v = '';
      for (;;) {
        const d = text[j];
        if (d === undefined || d === '\r' || d === '\n') fail(text, i, 'unterminated string');
        if (d === '"') break;
        if (d === '\\') {
          const n = text[j + 1] ?? '';
          const esc: Record<string, string> = { t: '\t', n: '\n', r: '\r', '"': '"', '\\': '\\' };
          if (esc[n] === undefined) fail(text, j, `illegal escape \\${n} (token recognition error)`);
          v += esc[n];
          j += 2;
          continue;
        }
        v += d;
        j++;
      }
      toks.push({ t: 'str', v, at: i });
      i = j + 1;
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
      const m = /^[A-Za-z_@][A-Za-z0-9_]*/.exec(rest) as RegExpExecArray;
      if (/^[_@]$/.test(m[0])) fail(text, i, 'identifier needs a character after _ or @');
      toks.push({ t: 'id', v: m[0], quoted: false, at: i });
      i += m[0].length;
      if (m[0].toLowerCase() === 'from' && toks.length === 1) sourceMode = true;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(rest) as RegExpExecArray;
      toks.push({ t: 'num', v: m[0], at: i });
      i += m[0].length;
    } else {
      const op = ['==', '!=', '<=', '>='].find((o) => rest.startsWith(o)) ?? (/^[<>=(),.|*+\-/%]/.test(c) ? c : null);
      if (!op) fail(text, i, `unexpected character ${JSON.stringify(c)}`);
      if (op === '|') sourceMode = false;
      toks.push({ t: 'op', v: op, at: i });
      i += op.length;
    }
  }
  toks.push({ t: 'eof', at: text.length });
  return toks;
}

class Parser {
  private i = 0;
  private columns: Set<string> | null = null;
  private strings: string[] = [];
  private likes: string[] = [];
  private names: string[] = [];
  private inStatsAgg = false;
  private inStatsBy = false;
  private sawAgg = false;

  constructor(
    private readonly text: string,
    private readonly toks: Tok[],
  ) {}

  private peek(k = 0): Tok {
    return this.toks[this.i + k] as Tok;
  }
  private next(): Tok {
    return this.toks[this.i++] as Tok;
  }
  private kw(w: string, k = 0): boolean {
    const t = this.peek(k);
    return t.t === 'id' && !t.quoted && t.v.toLowerCase() === w;
  }
  private op(o: string, k = 0): boolean {
    const t = this.peek(k);
    return t.t === 'op' && t.v === o;
  }
  private expectOp(o: string): void {
    if (!this.op(o)) this.err(`expected '${o}'`);
    this.i++;
  }
  private expectKw(w: string): void {
    if (!this.kw(w)) this.err(`expected ${w.toUpperCase()}`);
    this.i++;
  }
  private err(msg: string): never {
    return fail(this.text, this.peek().at, msg);
  }

  query(): EsqlQuery {
    this.expectKw('from');
    const sources: string[] = [];
    do {
      const s = this.next();
      if (s.t === 'src' || s.t === 'str') sources.push(s.v);
      else fail(this.text, s.at, 'expected an index pattern');
    } while (this.op(',') && ++this.i);
    const commands: EsqlCommand[] = [];
    while (this.op('|')) {
      this.i++;
      const c = this.next();
      if (c.t !== 'id' || !COMMANDS.has(c.v.toLowerCase())) fail(this.text, c.at, 'expected a processing command');
      this.strings = [];
      this.likes = [];
      this.names = [];
      this.command(c.v.toLowerCase());
      commands.push({ name: c.v.toUpperCase(), strings: this.strings, likes: this.likes, names: this.names });
    }
    if (this.peek().t !== 'eof') this.err('unexpected text (missing |?)');
    return { sources, commands, columns: this.columns ? [...this.columns] : null };
  }

  private qname(): string {
    const t = this.next();
    if (t.t !== 'id') return fail(this.text, t.at, 'expected a column name');
    if (!t.quoted && RESERVED.has(t.v.toLowerCase())) fail(this.text, t.at, `keyword '${t.v}' used as a column name`);
    let name = t.v;
    while (this.op('.')) {
      this.i++;
      const p = this.next();
      if (p.t !== 'id') fail(this.text, p.at, 'expected a name after .');
      name += `.${(p as { v: string }).v}`;
    }
    this.names.push(name);
    return name;
  }

  private use(name: string, at: number): void {
    if (this.columns && !this.columns.has(name)) fail(this.text, at, `unknown column '${name}' (removed by an earlier KEEP/STATS)`);
  }

  private command(name: string): void {
    switch (name) {
      case 'where':
        this.expr();
        return;
      case 'limit': {
        const n = this.next();
        if (n.t !== 'num' || n.v.includes('.')) fail(this.text, n.at, 'LIMIT takes an integer');
        return;
      }
      case 'keep':
      case 'drop': {
        const names: string[] = [];
        do {
          const at = this.peek().at;
          const n = this.qname();
          this.use(n, at);
          names.push(n);
        } while (this.op(',') && ++this.i);
        if (name === 'keep') this.columns = new Set(names);
        else if (this.columns) names.forEach((n) => this.columns?.delete(n));
        return;
      }
      case 'rename':
        do {
          const at = this.peek().at;
          const from = this.qname();
          this.use(from, at);
          this.expectKw('as');
          const to = this.qname();
          if (this.columns) {
            this.columns.delete(from);
            this.columns.add(to);
          }
        } while (this.op(',') && ++this.i);
        return;
      case 'eval':
        do {
          const target = this.assignment();
          this.expr();
          if (target && this.columns) this.columns.add(target);
        } while (this.op(',') && ++this.i);
        return;
      case 'stats': {
        const out: string[] = [];
        if (!this.kw('by')) {
          do {
            const target = this.assignment();
            this.inStatsAgg = true;
            this.sawAgg = false;
            const at = this.peek().at;
            this.expr();
            this.inStatsAgg = false;
            if (!this.sawAgg) fail(this.text, at, 'STATS expression without an aggregate function');
            out.push(target ?? '?');
          } while (this.op(',') && ++this.i);
        }
        if (this.kw('by')) {
          this.i++;
          do {
            const target = this.assignment();
            this.inStatsBy = true;
            const start = this.i;
            this.expr();
            this.inStatsBy = false;
            const t0 = this.toks[start];
            out.push(target ?? (t0 && t0.t === 'id' ? this.nameAt(start) : '?'));
          } while (this.op(',') && ++this.i);
        }
        if (out.length === 0) this.err('empty STATS');
        this.columns = new Set(out);
        return;
      }
      case 'sort':
        do {
          this.operand();
          if (this.kw('asc') || this.kw('desc')) this.i++;
          if (this.kw('nulls')) {
            this.i++;
            if (!this.kw('first') && !this.kw('last')) this.err('expected FIRST or LAST after NULLS');
            this.i++;
          }
        } while (this.op(',') && ++this.i);
        return;
      case 'grok': {
        // GROK <column> "<pattern>": named captures `(?<name>…)` become (string) columns.
        const at = this.peek().at;
        this.use(this.qname(), at);
        const p = this.next();
        if (p.t !== 'str') fail(this.text, p.at, 'GROK takes a string pattern');
        const pattern = (p as { v: string }).v;
        this.strings.push(pattern);
        for (const m of pattern.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)) this.columns?.add(m[1] as string);
        return;
      }
      case 'inline': {
        // INLINE STATS: STATS that keeps every row and adds the aggregates.
        this.expectKw('stats');
        const before = this.columns;
        this.command('stats');
        const added = this.columns ?? new Set<string>();
        this.columns = before ? new Set([...before, ...added]) : null;
        return;
      }
      case 'lookup': {
        // LOOKUP JOIN <index> ON <field>[, <field>…]: the index's columns are not known here.
        this.expectKw('join');
        const idx = this.next();
        if (idx.t !== 'id' && idx.t !== 'src') fail(this.text, idx.at, 'expected a lookup index name');
        while (this.op('.') || this.op('-')) {
          this.i++;
          this.next();
        }
        this.expectKw('on');
        do {
          const at = this.peek().at;
          this.use(this.qname(), at);
        } while (this.op(',') && ++this.i);
        this.columns = null;
        return;
      }
      default:
        this.err(`command ${name} not in the checked subset`);
    }
  }

  private nameAt(index: number): string {
    let k = index;
    let name = (this.toks[k] as { v: string }).v;
    while (this.toks[k + 1]?.t === 'op' && (this.toks[k + 1] as { v: string }).v === '.') {
      name += `.${(this.toks[k + 2] as { v: string }).v}`;
      k += 2;
    }
    return name;
  }

  /** `name =` prefix of an EVAL/STATS field, if present. */
  private assignment(): string | null {
    const save = this.i;
    if (this.peek().t !== 'id') return null;
    try {
      const n = this.qname();
      if (this.op('=')) {
        this.i++;
        return n;
      }
    } catch {
      /* not an assignment */
    }
    this.i = save;
    return null;
  }

  private expr(): void {
    this.and();
    while (this.kw('or')) {
      this.i++;
      this.and();
    }
  }
  private and(): void {
    this.not();
    while (this.kw('and')) {
      this.i++;
      this.not();
    }
  }
  private not(): void {
    if (this.kw('not')) {
      this.i++;
      this.not();
      return;
    }
    this.predicate();
  }

  private predicate(): void {
    this.operand();
    const t = this.peek();
    if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      this.i++;
      this.operand();
      return;
    }
    if (this.kw('is')) {
      this.i++;
      if (this.kw('not')) this.i++;
      this.expectKw('null');
      return;
    }
    const neg = this.kw('not');
    if (neg) this.i++;
    if (this.kw('like') || this.kw('rlike')) {
      const like = this.kw('like');
      this.i++;
      const s = this.next();
      if (s.t !== 'str') fail(this.text, s.at, 'LIKE/RLIKE take a string pattern');
      this.strings.push((s as { v: string }).v);
      if (like) this.likes.push((s as { v: string }).v);
      return;
    }
    if (this.kw('in')) {
      this.i++;
      this.expectOp('(');
      do this.operand();
      while (this.op(',') && ++this.i);
      this.expectOp(')');
      return;
    }
    if (neg) this.err('expected LIKE, RLIKE or IN after NOT');
  }

  private operand(): void {
    this.primary();
    while (this.peek().t === 'op' && ['+', '-', '*', '/', '%'].includes((this.peek() as { v: string }).v)) {
      this.i++;
      this.primary();
    }
  }

  private primary(): void {
    const t = this.peek();
    if (this.op('(')) {
      this.i++;
      this.expr();
      this.expectOp(')');
      return;
    }
    if (t.t === 'str') {
      this.i++;
      this.strings.push(t.v);
      return;
    }
    if (t.t === 'num') {
      this.i++;
      const u = this.peek();
      if (u.t === 'id' && !u.quoted && UNITS.test(u.v)) this.i++;
      return;
    }
    if (t.t === 'op' && t.v === '-') {
      this.i++;
      this.primary();
      return;
    }
    if (t.t !== 'id') this.err('expected an expression');
    if (!t.quoted && ['true', 'false', 'null'].includes(t.v.toLowerCase())) {
      this.i++;
      return;
    }
    if (!t.quoted && this.op('(', 1)) {
      this.call(t.v.toLowerCase(), t.at);
      return;
    }
    const at = t.at;
    this.use(this.qname(), at);
  }

  private call(fn: string, at: number): void {
    this.i += 2;
    let arity: [number, number] | undefined = SCALAR_FNS[fn];
    if (AGG_FNS[fn]) {
      if (!this.inStatsAgg) fail(this.text, at, `aggregate ${fn.toUpperCase()} outside STATS`);
      this.sawAgg = true;
      arity = AGG_FNS[fn];
    } else if (fn === 'bucket') {
      if (!this.inStatsBy) fail(this.text, at, 'BUCKET outside STATS … BY');
      arity = [2, 4];
    }
    if (!arity) fail(this.text, at, `unknown function ${fn}`);
    let n = 0;
    if (fn === 'count' && this.op('*')) {
      this.i++;
      n = 1;
    } else if (!this.op(')')) {
      do {
        this.expr();
        n++;
      } while (this.op(',') && ++this.i);
    }
    this.expectOp(')');
    if (n < arity[0] || n > arity[1]) fail(this.text, at, `${fn.toUpperCase()} takes ${arity[0]}–${arity[1]} arguments, got ${n}`);
  }
}

/** Parses ES|QL text (comments allowed); throws an Error describing the first problem. */
export function checkEsql(text: string): EsqlQuery {
  return new Parser(text, tokenize(text)).query();
}
