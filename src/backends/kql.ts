/**
 * KQL backend (Microsoft Sentinel / Defender XDR / Azure Data Explorer), following
 * shared/notes/target-kql.md. Output: `<Table> | where <filter>` then one or more operators per
 * IR stage. Columns are the profile's target names until the first stage, which switches to CIM
 * names (`project`/`extend host = Computer, ...`), so every later stage speaks CIM.
 *
 * Null semantics: KQL strings are never null (a missing string is `""`), so "field present" is
 * `isnotempty`, and a column the declared table schema lacks, or an earlier `project` removed, is
 * an absent field: every test on it is `false` (Splunk drops events without the field).
 */
import { diag, type Span } from '../diagnostics.js';
import { assertNever, type Aggregation, type Detection, type Expr, type Stage } from '../ir/types.js';
import { nameMatches } from '../lint/lineage.js';
import { and } from '../normalize/build.js';
import { fieldMappingOf, type Profile } from '../profiles/profile.js';
import { translateRegex } from '../regex/index.js';
import { parseRegex } from '../regex/parse.js';
import type { RegexNode } from '../regex/ast.js';
import { conjuncts, RenderContext, type Backend, type BackendOutput } from './context.js';
import { stageLabel } from './stage-label.js';
import { compileTemplate } from './templates.js';

// ---------------------------------------------------------------------------------------------
// Escaping: the only code that knows KQL quoting (target-kql.md §3).

/** A KQL `"..."` string literal; control characters other than \n \r \t become `\uXXXX`. */
export function kqlString(value: string): string {
  // eslint-disable-next-line no-control-regex
  const body = value.replace(/[\\"\n\r\t\u0000-\u001f\u007f\u0085\u2028\u2029]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
  return `"${body}"`;
}

/** A verbatim `@"..."` literal (backslashes literal, `"` doubled); falls back to `"..."` for line breaks. */
export function kqlVerbatim(value: string): string {
  if (/[\r\n\u0085\u2028\u2029]/.test(value)) return kqlString(value);
  return `@"${value.replace(/"/g, '""')}"`;
}

/** A regex as a verbatim literal: raw line breaks become the regex escapes `\n` / `\r` first. */
export function kqlRegexLiteral(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[i + 1] as string;
      out += lineBreakEscape(next) ?? `\\${next}`;
      i++;
    } else out += lineBreakEscape(c) ?? c;
  }
  return `@"${out.replace(/"/g, '""')}"`;
}

function lineBreakEscape(c: string): string | null {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\u0085' || c === '\u2028' || c === '\u2029') return `\\x{${c.charCodeAt(0).toString(16)}}`;
  return null;
}

/** Text for a `//` comment: line breaks (which would end the comment) become spaces. */
export function kqlComment(value: unknown): string {
  return String(value).replace(/[\r\n\u0085\u2028\u2029]+/g, ' ');
}

/**
 * Words the Kusto parser will not take as a bare column name (KS228 and friends), found by trying
 * every identifier-like string of @kusto/language-service-next 12.4.1 in column positions.
 */
const KEYWORDS = new Set([
  'access', 'accumulate', 'alias', 'and', 'anomalychart', 'areachart', 'as', 'asc', 'bagexpansion', 'barchart',
  'between', 'bin_legacy', 'boolean', 'by', 'byte', 'cachingpolicy', 'callout', 'cancel', 'card', 'char',
  'columnchart', 'contains', 'contains_cs', 'containscs', 'cycles', 'dataexport', 'datascope', 'datatable', 'date',
  'datetime', 'decimal', 'declare', 'decodeblocks', 'desc', 'double', 'dynamic', 'earliest', 'encodingpolicy',
  'endswith', 'endswith_cs', 'evaluate', 'expandoutput', 'extend', 'extent_tags_retention', 'external_data',
  'externaldata', 'false', 'find', 'first', 'flags', 'float', 'force_remote', 'from', 'harddelete', 'hardretention',
  'has', 'has_all', 'has_any', 'has_cs', 'hasprefix', 'hasprefix_cs', 'hassuffix', 'hassuffix_cs', 'hotcache', 'in',
  'int', 'invoke', 'isfuzzy', 'join', 'journal', 'kind', 'ladderchart', 'last', 'latest', 'let', 'like', 'likecs',
  'linechart', 'long', 'materialize', 'mdm', 'missing', 'nooptimization', 'not', 'notcontains', 'notcontainscs',
  'notlike', 'notlikecs', 'null', 'of', 'on', 'or', 'order', 'others', 'pathformat', 'piechart', 'pivotchart',
  'print', 'project', 'queries', 'query_results', 'range', 'real', 'relaxed', 'restrict', 'restricted_view_access',
  'row_level_security', 'rowstore', 'rowstore_references', 'rowstore_sealinfo', 'rowstorepolicy', 'rowstores',
  'sample', 'scatterchart', 'seal', 'seals', 'search', 'set', 'shards', 'simple', 'softdelete', 'softretention',
  'sort', 'sql', 'stackedareachart', 'startswith', 'startswith_cs', 'statistics', 'step',
  'storedqueryresultcontainers', 'string', 'summarize', 'tablepurge', 'time', 'timechart', 'timeline', 'timepivot',
  'timespan', 'title', 'to', 'toscalar', 'totable', 'treemap', 'true', 'typeof', 'uint', 'ulong', 'union',
  'uniqueid', 'unrestrictedviewers', 'verbose', 'viewers', 'views', 'where', 'with_itemindex', 'with_match_id',
  'with_source', 'with_step_name', 'withsource', 'writeaheadlog',
]);

/** A column (or table) name: bare when it is a plain identifier, else `["..."]`. */
export function kqlColumn(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name) ? name : `[${kqlString(name)}]`;
}

/** Rust-regex escaping of literal text (the set `regex::escape` escapes). */
function rustEscape(text: string): string {
  return [...text]
    .map((c) => {
      if (/[\\.+*?()|[\]{}^$#&\-~]/.test(c)) return `\\${c}`;
      const code = c.codePointAt(0) as number;
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(c)) return `\\x{${code.toString(16)}}`;
      return c;
    })
    .join('');
}

// ---------------------------------------------------------------------------------------------

const NUMERIC = new Set(['int', 'long', 'real', 'double', 'decimal']);
const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;
const BASENAME = '@"[^\\\\]+$"';

/** A column as an expression with its Kusto type. */
interface Ref {
  readonly expr: string;
  readonly type: string;
}

type Lookup = { ok: true; ref: Ref } | { ok: false; why: 'no-column' | 'removed'; target?: string };

interface Line {
  readonly comment: string | null;
  readonly text: string;
}

class KqlRenderer {
  readonly lines: Line[] = [];
  readonly notes: string[] = [];
  /** CIM-named columns (name -> Kusto type) once the first stage ran; null before (target names). */
  private cols: Map<string, string> | null = null;
  /** CIM fields that the target has no column for (absent everywhere, unlike a projected-away field). */
  private readonly noColumn = new Set<string>();
  private readonly reportedMissing = new Set<string>();
  /** Target-named columns kept by `extend` that are not CIM fields (left out of `values(*)`). */
  private readonly targetOnly = new Set<string>();

  constructor(
    private readonly ctx: RenderContext,
    readonly table: string,
    private readonly schema: Readonly<Record<string, string>> | null,
  ) {}

  // --- columns ------------------------------------------------------------------------------

  private mapped(name: string): boolean {
    return (this.ctx.variant?.fields?.[name] ?? this.ctx.profile.fields[name]) !== undefined;
  }

  /** A CIM field in the target table (before any stage). */
  private target(name: string, span: Span | null): Lookup {
    const m = this.ctx.field(name, span);
    const declared = this.schema ? this.schema[m.name] : undefined;
    if (this.schema && declared === undefined) return { ok: false, why: 'no-column', target: m.name };
    if (m.derive === 'basename') return { ok: true, ref: { expr: `extract(${BASENAME}, 0, ${kqlColumn(m.name)})`, type: 'string' } };
    const type = declared ?? (m.type === 'number' ? 'long' : m.type === 'time' ? 'datetime' : 'string');
    return { ok: true, ref: { expr: kqlColumn(m.name), type } };
  }

  private lookup(name: string, span: Span | null): Lookup {
    if (this.cols === null) return this.target(name, span);
    const type = this.cols.get(name);
    if (type !== undefined) return { ok: true, ref: { expr: kqlColumn(name), type } };
    return { ok: false, why: this.noColumn.has(name) ? 'no-column' : 'removed' };
  }

  /** Column for a filter leaf, or null for an absent field (reported when the target lacks it). */
  private filterRef(name: string, span: Span): Ref | null {
    const l = this.lookup(name, span);
    if (l.ok) return l.ref;
    if (l.why === 'no-column' && !this.reportedMissing.has(name)) {
      this.reportedMissing.add(name);
      this.ctx.report(
        diag('BE006', `field '${name}' has no column in table ${this.table}${l.target ? ` (looked for '${l.target}')` : ''}; tests on it are false here, while Splunk events may carry it`, span, {
          backend: 'kql',
          direction: 'narrower',
        }),
      );
    }
    return null;
  }

  /** Switches to CIM column names: `project` of `keep` (in that order) or `extend` of every catalog field. */
  private toCim(keep: readonly string[] | null, span: Span): void {
    const fields = keep ?? this.ctx.catalog();
    const entries: { name: string; ref: Ref }[] = [];
    const missing: string[] = [];
    for (const f of fields) {
      if (f === '_raw') {
        this.notes.push('_raw (the raw event text) has no KQL column; it is not projected');
        continue;
      }
      // Extending every catalog field must not report the ones the rule never names as unmapped.
      if (!keep && !this.mapped(f)) {
        if (this.schema && this.schema[f] === undefined) this.noColumn.add(f);
        else entries.push({ name: f, ref: { expr: kqlColumn(f), type: this.schema?.[f] ?? 'string' } });
        continue;
      }
      const l = this.target(f, null);
      if (l.ok) entries.push({ name: f, ref: l.ref });
      else {
        this.noColumn.add(f);
        missing.push(f);
      }
    }
    const assign = (e: { name: string; ref: Ref }): string => (e.ref.expr === kqlColumn(e.name) ? e.ref.expr : `${kqlColumn(e.name)} = ${e.ref.expr}`);
    if (keep) {
      if (missing.length) {
        this.ctx.report(diag('BE002', `no column in table ${this.table} for ${missing.map((m) => `'${m}'`).join(', ')}; left out of the projection`, span, { backend: 'kql' }));
      }
      if (entries.length === 0) {
        this.ctx.report(diag('BE001', 'the projection keeps no column the target has; KQL cannot project nothing', span, { backend: 'kql' }));
        this.cols = new Map();
        return;
      }
      this.lines.push({ comment: null, text: `| project ${entries.map(assign).join(', ')}` });
      this.cols = new Map(entries.map((e) => [e.name, e.ref.type]));
      return;
    }
    const renamed = entries.filter((e) => e.ref.expr !== kqlColumn(e.name));
    if (renamed.length) this.lines.push({ comment: null, text: `| extend ${renamed.map(assign).join(', ')}` });
    this.cols = new Map([...Object.entries(this.schema ?? {}), ...entries.map((e): [string, string] => [e.name, e.ref.type])]);
    for (const c of Object.keys(this.schema ?? {})) if (!entries.some((e) => e.name === c)) this.targetOnly.add(c);
  }

  private ensureCim(span: Span): Map<string, string> {
    if (this.cols === null) this.toCim(null, span);
    return this.cols as Map<string, string>;
  }

  /** Names selected by field patterns, in pattern order, from `names`; plain names are kept as listed. */
  private static select(patterns: readonly string[], names: readonly string[], keepPlain: boolean): string[] {
    const out: string[] = [];
    for (const p of patterns) {
      const hits = p.includes('*') ? names.filter((n) => nameMatches(p, n)) : keepPlain || names.includes(p) ? [p] : [];
      for (const h of hits) if (!out.includes(h)) out.push(h);
    }
    return out;
  }

  // --- filter -------------------------------------------------------------------------------

  expr(e: Expr, top = true): string {
    switch (e.kind) {
      case 'and':
        if (e.args.length === 0) return 'true';
        return this.group(e.args.map((a) => this.expr(a, false)), 'and', top);
      case 'or':
        if (e.args.length === 0) return 'false';
        return this.orExpr(e.args, top);
      case 'not':
        return `not(${this.expr(e.arg, true)})`;
      case 'eq':
        return this.eq(e);
      case 'regex':
        return this.regex(e, top);
      case 'cmp':
        return this.cmp(e, top);
      case 'exists': {
        const r = this.filterRef(e.field.name, e.span);
        if (!r) return 'false';
        return NUMERIC.has(r.type) || r.type === 'datetime' || r.type === 'bool' ? `isnotnull(${r.expr})` : `isnotempty(${r.expr})`;
      }
      case 'term':
        this.ctx.report(
          diag('BE005', `raw-event search '${e.value}' (${e.form}) has no KQL equivalent: there is no _raw column, and \`has\`/\`contains\` over columns is a different test; rendered as \`* contains\` for reference only`, e.span, {
            backend: 'kql',
          }),
        );
        return `* contains ${kqlString(e.value)}`;
      case 'cidr': {
        const r = this.filterRef(e.field.name, e.span);
        if (!r) return 'false';
        const fn = e.network.includes(':') ? 'ipv6_is_in_range' : 'ipv4_is_in_range';
        return `${fn}(${this.asString(r, e.span)}, ${kqlString(e.network)})`;
      }
      case 'cond':
        this.ctx.report(diag('BE005', 'this where expression has no KQL translation yet', e.span, { backend: 'kql' }));
        return 'false';
      default:
        return assertNever(e, 'expression');
    }
  }

  private group(parts: readonly string[], op: 'and' | 'or', top: boolean): string {
    const text = parts.join(` ${op} `);
    return top || parts.length === 1 ? text : `(${text})`;
  }

  /** OR with exact-value tests of one field folded into `in~` / `in` lists. */
  private orExpr(args: readonly Expr[], top: boolean): string {
    const groups = new Map<string, Extract<Expr, { kind: 'eq' }>[]>();
    const order: (Expr | string)[] = [];
    for (const a of args) {
      if (a.kind === 'eq' && a.pattern.length === 1) {
        const key = `${a.caseSensitive ? 'cs' : 'ci'}:${a.field.name}`;
        const g = groups.get(key);
        if (g) g.push(a);
        else {
          groups.set(key, [a]);
          order.push(key);
        }
      } else order.push(a);
    }
    const parts = order.map((item) => {
      if (typeof item !== 'string') return this.expr(item, false);
      const g = groups.get(item) as Extract<Expr, { kind: 'eq' }>[];
      const first = g[0] as Extract<Expr, { kind: 'eq' }>;
      return g.length === 1 ? this.expr(first, false) : this.inList(g);
    });
    return this.group(parts, 'or', top);
  }

  private inList(g: readonly Extract<Expr, { kind: 'eq' }>[]): string {
    const first = g[0] as Extract<Expr, { kind: 'eq' }>;
    const r = this.filterRef(first.field.name, first.span);
    if (!r) return 'false';
    const values = [...new Set(g.map((e) => e.pattern[0] as string))];
    if (NUMERIC.has(r.type) && values.every((v) => INTEGER.test(v))) return `${r.expr} in (${values.join(', ')})`;
    const s = this.asString(r, first.span);
    return `${s} ${first.caseSensitive ? 'in' : 'in~'} (${values.map(kqlString).join(', ')})`;
  }

  /** A string-typed view of a column (non-strings are compared through `tostring`). */
  private asString(r: Ref, span: Span): string {
    if (r.type === 'dynamic') {
      this.ctx.report(diag('BE005', 'a test on a multivalue column (the output of values()/list()) has no exact KQL spelling here; compared as its JSON text', span, { backend: 'kql' }));
    }
    return r.type === 'string' ? r.expr : `tostring(${r.expr})`;
  }

  private eq(e: Extract<Expr, { kind: 'eq' }>): string {
    const r = this.filterRef(e.field.name, e.field.span);
    if (!r) return 'false';
    // `a**b` is `a*b`: drop empty inner segments.
    const segs = e.pattern.filter((s, i) => s !== '' || i === 0 || i === e.pattern.length - 1);
    const cs = e.caseSensitive ? '_cs' : '';
    if (segs.length === 1) {
      const v = segs[0] as string;
      if (NUMERIC.has(r.type) && (r.type === 'int' || r.type === 'long' ? INTEGER : NUMBER).test(v)) return `${r.expr} == ${v}`;
      if (v === '') {
        this.ctx.report(diag('BE006', "an empty value also matches a missing field in KQL (strings are never null)", e.span, { backend: 'kql', direction: 'wider' }));
      }
      return `${this.asString(r, e.span)} ${e.caseSensitive ? '==' : '=~'} ${kqlString(v)}`;
    }
    const s = this.asString(r, e.span);
    const [first, second] = segs as [string, string];
    if (segs.length === 2) {
      if (first === '' && second === '') return `isnotempty(${s})`;
      if (first === '') return `${s} endswith${cs} ${kqlString(second)}`;
      if (second === '') return `${s} startswith${cs} ${kqlString(first)}`;
    }
    if (segs.length === 3 && first === '' && segs[2] === '') return `${s} contains${cs} ${kqlString(second)}`;
    // Wildcards inside the value: a whole-value regex (`^...$` and `(?i)` are both needed).
    const re = `(?${e.caseSensitive ? '' : 'i'}s)^${segs.map(rustEscape).join('.*')}$`;
    return `${s} matches regex ${kqlRegexLiteral(re)}`;
  }

  private regex(e: Extract<Expr, { kind: 'regex' }>, top: boolean): string {
    const r = this.filterRef(e.field.name, e.field.span);
    if (!r) return 'false';
    const t = translateRegex(e.pattern, 'rust');
    let pattern = e.pattern;
    if (!t.ok) {
      this.ctx.report(diag('RX001', t.error.message, { start: e.span.start + t.error.start, end: e.span.start + t.error.end }, { backend: 'kql' }));
    } else {
      pattern = t.result.pattern;
      for (const u of t.result.unsupported) {
        this.ctx.report(diag('RX101', `KQL (Rust) regex: ${u.message}`, { start: e.span.start + u.start, end: e.span.start + u.end }, { backend: 'kql' }));
      }
    }
    const s = this.asString(r, e.span);
    const test = `${s} matches regex ${kqlRegexLiteral(pattern)}`;
    // Splunk drops events without the field; a missing KQL string is "", which a pattern that can
    // match the empty string would match.
    const parsed = parseRegex(e.pattern);
    if (parsed.ok && !matchesEmpty(parsed.regex.ast)) return test;
    return this.group([`isnotempty(${s})`, test], 'and', top);
  }

  private cmp(e: Extract<Expr, { kind: 'cmp' }>, top: boolean): string {
    const r = this.filterRef(e.field.name, e.field.span);
    if (!r) return 'false';
    if (e.numeric) {
      const lit = NUMBER.test(e.value) ? e.value : `toreal(${kqlString(e.value)})`;
      if (NUMERIC.has(r.type)) return `${r.expr} ${e.op} ${lit}`;
      // Splunk's _time is epoch seconds.
      if (r.type === 'datetime') return `${r.expr} ${e.op} unixtime_seconds_todatetime(${lit})`;
      if (r.type === 'dynamic') this.asString(r, e.span);
      return `toreal(${r.expr}) ${e.op} ${lit}`;
    }
    // A string comparison is lexicographic and false for a missing field.
    const s = this.asString(r, e.span);
    return this.group([`isnotempty(${s})`, `strcmp(${s}, ${kqlString(e.value)}) ${e.op} 0`], 'and', top);
  }

  // --- stages -------------------------------------------------------------------------------

  stages(stages: readonly Stage[]): void {
    stages.forEach((st, i) => {
      switch (st.kind) {
        case 'project':
          return this.project(st);
        case 'rename':
          return this.rename(st);
        case 'bucket': {
          const next = stages[i + 1];
          if (next?.kind === 'aggregate' && next.mode === 'stats' && next.by.some((b) => b.name === st.as) && !next.aggs.some((a) => a.field === st.as)) {
            this.pendingBin = st; // folded into the summarize's `by`
            return;
          }
          const cols = this.ensureCim(st.span);
          const b = this.binExpr(st);
          if (b) {
            this.lines.push({ comment: null, text: `| extend ${kqlColumn(st.as)} = ${b.expr}` });
            cols.set(st.as, b.type);
          }
          return;
        }
        case 'aggregate':
          if (st.mode === 'stats') this.stats(st, i);
          else this.eventstats(st, i);
          this.pendingBin = null;
          return;
        case 'filter':
          this.lines.push({ comment: null, text: `| where ${this.expr(st.expr)}` });
          return;
        case 'eval':
        case 'rex':
        case 'enrich':
        case 'sort':
        case 'fillnull':
          this.ctx.report(diag('BE001', `\`${stageLabel(st)}\` is not translated to KQL yet`, st.span, { backend: 'kql' }));
          return;
        default:
          return assertNever(st, 'stage');
      }
    });
  }

  private pendingBin: Extract<Stage, { kind: 'bucket' }> | null = null;

  private binExpr(st: Extract<Stage, { kind: 'bucket' }>): { expr: string; type: string; source: string } | null {
    const l = this.lookup(st.field.name, st.field.span);
    if (!l.ok) return null; // Splunk's bin leaves a missing field missing
    const col = l.ref.expr;
    if (l.ref.type === 'datetime') {
      // KQL bins from 0001-01-01; that equals epoch alignment when the span divides a day.
      const expr = 86400 % st.seconds === 0 ? `bin(${col}, ${timespan(st.seconds)})` : `bin_at(${col}, ${timespan(st.seconds)}, datetime(1970-01-01))`;
      return { expr, type: 'datetime', source: col };
    }
    if (NUMERIC.has(l.ref.type)) return { expr: `bin(${col}, ${st.seconds})`, type: l.ref.type, source: col };
    this.ctx.report(diag('BE001', `\`${stageLabel(st)}\`: '${st.field.name}' is a ${l.ref.type} column, not a time`, st.span, { backend: 'kql' }));
    return { expr: `bin(todatetime(${col}), ${timespan(st.seconds)})`, type: 'datetime', source: col };
  }

  private project(st: Extract<Stage, { kind: 'project' }>): void {
    const patterns = st.fields.map((f) => f.name);
    if (st.mode === 'remove') {
      const cols = this.ensureCim(st.span);
      const gone = KqlRenderer.select(patterns, [...cols.keys()], false);
      if (gone.length) this.lines.push({ comment: null, text: `| project-away ${gone.map(kqlColumn).join(', ')}` });
      gone.forEach((g) => cols.delete(g));
      return;
    }
    const extra = st.mode === 'keep' ? ['_time', '_raw'] : [];
    if (this.cols === null) {
      this.toCim(KqlRenderer.select([...patterns, ...extra], this.ctx.catalog(), true), st.span);
      return;
    }
    const cols = this.cols;
    const names = KqlRenderer.select([...patterns, ...extra], [...cols.keys()], false);
    if (names.length === 0) {
      this.ctx.report(diag('BE001', 'the projection keeps no existing column; KQL cannot project nothing', st.span, { backend: 'kql' }));
      return;
    }
    this.lines.push({ comment: null, text: `| project ${names.map(kqlColumn).join(', ')}` });
    this.cols = new Map(names.map((n) => [n, cols.get(n) as string]));
  }

  private rename(st: Extract<Stage, { kind: 'rename' }>): void {
    const cols = this.ensureCim(st.span);
    for (const { from, to } of st.pairs) {
      const moves: [string, string][] = [];
      if (from.name.includes('*')) {
        const stars = (s: string): number => s.split('*').length - 1;
        if (stars(from.name) !== stars(to.name)) {
          this.ctx.report(diag('BE001', `rename ${from.name} as ${to.name}: the wildcard counts differ`, st.span, { backend: 'kql' }));
          continue;
        }
        const re = new RegExp(`^${from.name.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.*)')}$`, 's');
        for (const c of cols.keys()) {
          const m = re.exec(c);
          if (m) {
            let k = 1;
            moves.push([c, to.name.replace(/\*/g, () => m[k++] ?? '')]);
          }
        }
      } else if (cols.has(from.name)) moves.push([from.name, to.name]);
      for (const [a, b] of moves) {
        if (a === b) continue;
        // Splunk's rename overwrites an existing field of the new name.
        if (cols.has(b)) {
          this.lines.push({ comment: null, text: `| project-away ${kqlColumn(b)}` });
          cols.delete(b);
        }
        this.lines.push({ comment: null, text: `| project-rename ${kqlColumn(b)} = ${kqlColumn(a)}` });
        const type = cols.get(a) as string;
        cols.delete(a);
        cols.set(b, type);
      }
    }
  }

  /** The aggregations of a stats/eventstats stage as `name = fn(...)`, with output types. */
  private aggregations(st: Extract<Stage, { kind: 'aggregate' }>, cols: Map<string, string>, byNames: readonly string[]): { name: string; expr: string; type: string }[] {
    const out: { name: string; expr: string; type: string }[] = [];
    for (const a of st.aggs) {
      if (a.field !== null && a.field.includes('*')) {
        // `values(*) as *`: every column that may exist before the stage, minus the by-fields.
        const available = [...cols.keys()].filter((c) => !this.targetOnly.has(c));
        const inputs = KqlRenderer.select([a.field], available, false).filter((f) => !byNames.includes(f));
        for (const f of inputs) {
          const name = a.field === '*' ? a.as.replace(/\*/g, f) : a.as === a.field ? f : a.as.replace(/\*/g, f);
          out.push({ name, ...this.aggregate(a, f, cols) });
        }
        continue;
      }
      out.push({ name: a.as, ...this.aggregate(a, a.field, cols) });
    }
    return out;
  }

  private aggregate(a: Aggregation, field: string | null, cols: Map<string, string>): { expr: string; type: string } {
    if (field === null) {
      if (a.fn === 'count') return { expr: 'count()', type: 'long' };
      this.ctx.report(diag('BE001', `${a.fn}() needs a field`, a.span, { backend: 'kql' }));
      return { expr: 'count()', type: 'long' };
    }
    const type = cols.get(field);
    if (type === undefined) {
      // The field does not exist here (Splunk: no values).
      if (a.fn === 'count' || a.fn === 'dc') return { expr: 'countif(false)', type: 'long' };
      if (a.fn === 'values' || a.fn === 'list') return { expr: 'make_set_if("", false)', type: 'dynamic' };
      return { expr: 'take_anyif("", false)', type: 'string' };
    }
    const c = kqlColumn(field);
    const present = NUMERIC.has(type) || type === 'datetime' || type === 'bool' ? `isnotnull(${c})` : `isnotempty(${c})`;
    // Splunk's values()/dc() see values as strings ("10" < "9", "1" differs from "1.0").
    const text = type === 'string' ? c : `tostring(${c})`;
    switch (a.fn) {
      case 'values':
        return { expr: `array_sort_asc(make_set_if(${text}, ${present}))`, type: 'dynamic' };
      case 'count':
        return { expr: `countif(${present})`, type: 'long' };
      case 'dc':
        return { expr: `count_distinctif(${text}, ${present})`, type: 'long' };
      case 'sum':
      case 'avg':
        return { expr: `${a.fn}(${NUMERIC.has(type) ? c : `toreal(${c})`})`, type: 'real' };
      case 'min':
      case 'max':
        if (NUMERIC.has(type) || type === 'datetime') return { expr: `${a.fn}(${c})`, type };
        this.ctx.report(
          diag('BE002', `${a.fn}(${field}) compares as numbers; Splunk falls back to lexicographic order for values that are not numbers, which this ignores`, a.span, { backend: 'kql' }),
        );
        return { expr: `${a.fn}(toreal(${c}))`, type: 'real' };
      case 'list':
        this.ctx.report(diag('BE002', `list(${field}) keeps event order in Splunk; KQL's make_list order is not defined`, a.span, { backend: 'kql' }));
        return { expr: `make_list_if(${c}, ${present}, 100)`, type: 'dynamic' };
      case 'stdev':
        return { expr: `stdev(${NUMERIC.has(type) ? c : `toreal(${c})`})`, type: 'real' };
      case 'range':
        return { expr: `max(toreal(${c})) - min(toreal(${c}))`, type: 'real' };
      case 'median':
        this.ctx.report(diag('BE002', `median(${field}) becomes KQL's percentile(…, 50), an estimate`, a.span, { backend: 'kql' }));
        return { expr: `percentile(toreal(${c}), 50)`, type: 'real' };
      case 'earliest':
      case 'latest':
      case 'first':
      case 'last':
        this.ctx.report(diag('BE001', `${a.fn}(${field}) depends on event order and has no KQL aggregate here; rendered as take_any for reference only`, a.span, { backend: 'kql' }));
        return { expr: `take_anyif(${c}, ${present})`, type };
      default:
        return assertNever(a.fn, 'aggregation');
    }
  }

  /** By-fields split into those present (with their `by` spelling) and those missing. */
  private byFields(st: Extract<Stage, { kind: 'aggregate' }>, cols: Map<string, string>): { by: string[]; guard: string[]; missing: string[]; types: [string, string][] } {
    const by: string[] = [];
    const guard: string[] = [];
    const missing: string[] = [];
    const types: [string, string][] = [];
    for (const f of st.by) {
      const bin = this.pendingBin && this.pendingBin.as === f.name ? this.binExpr(this.pendingBin) : null;
      if (bin) {
        by.push(`${kqlColumn(f.name)} = ${bin.expr}`);
        guard.push(`isnotempty(${bin.source})`);
        types.push([f.name, bin.type]);
        continue;
      }
      const type = cols.get(f.name);
      if (type === undefined) {
        missing.push(f.name);
        continue;
      }
      by.push(kqlColumn(f.name));
      guard.push(`isnotempty(${kqlColumn(f.name)})`);
      types.push([f.name, type]);
    }
    return { by, guard, missing, types };
  }

  private noGroups(missing: readonly string[], st: Extract<Stage, { kind: 'aggregate' }>, index: number): void {
    const lacking = missing.filter((m) => this.noColumn.has(m));
    const removed = missing.filter((m) => !this.noColumn.has(m));
    if (lacking.length) {
      this.ctx.report(
        diag('BE002', `by-field ${quoteList(lacking)} has no column in table ${this.table}; the stage forms no groups here`, st.span, { backend: 'kql', direction: 'narrower' }),
      );
    }
    const set = this.ctx.sets[index];
    const remover = set?.kind === 'restricted' ? `the earlier \`${stageName(set.by)}\`` : 'an earlier stage';
    const why = [
      ...(removed.length ? [`${quoteList(removed)} (${st.mode} by-field) was removed by ${remover}`] : []),
      ...(lacking.length ? [`${quoteList(lacking)} (${st.mode} by-field) has no column in ${this.table}`] : []),
    ].join('; ');
    this.lines.push({ comment: `${why}, so Splunk forms no groups and the rule returns no rows`, text: '| where false' });
  }

  private stats(st: Extract<Stage, { kind: 'aggregate' }>, index: number): void {
    const cols = this.ensureCim(st.span);
    const { by, guard, missing, types } = this.byFields(st, cols);
    const aggs = this.aggregations(st, cols, st.by.map((f) => f.name));
    if (missing.length) this.noGroups(missing, st, index);
    else if (guard.length) {
      this.lines.push({ comment: 'Splunk drops events whose by-field is missing; KQL would group them under ""', text: `| where ${guard.join(' and ')}` });
    }
    const aggText = aggs.map((a) => `${kqlColumn(a.name)} = ${a.expr}`).join(', ');
    if (!aggText) {
      this.ctx.report(diag('BE001', `\`${stageLabel(st)}\` aggregates nothing in this target`, st.span, { backend: 'kql' }));
    }
    this.lines.push({ comment: null, text: `| summarize ${aggText || 'count()'}${by.length ? ` by ${by.join(', ')}` : ''}` });
    // Splunk returns stats rows ordered by the by-fields.
    if (by.length) this.lines.push({ comment: null, text: `| sort by ${types.map(([n]) => `${kqlColumn(n)} asc`).join(', ')}` });
    this.cols = new Map([...types, ...aggs.map((a): [string, string] => [a.name, a.type])]);
  }

  /** eventstats: the group aggregates joined back onto every row (rows without a group keep no value). */
  private eventstats(st: Extract<Stage, { kind: 'aggregate' }>, index: number): void {
    const cols = this.ensureCim(st.span);
    const { guard, missing, types } = this.byFields(st, cols);
    if (missing.length) return; // no groups: Splunk adds nothing to any row
    const aggs = this.aggregations(st, cols, st.by.map((f) => f.name));
    if (aggs.length === 0) return;
    const name = `ruleport_rows_${index}`;
    const keys = types.length ? types.map(([n]) => n) : [];
    const right = keys.length ? keys.map((k) => `ruleport_by_${k.replace(/[^A-Za-z0-9_]/g, '_')}`) : ['ruleport_key'];
    const by = keys.length ? keys.map((k, i) => `${right[i] as string} = ${kqlColumn(k)}`) : [];
    const on = keys.length ? keys.map((k, i) => `$left.${kqlColumn(k)} == $right.${right[i] as string}`) : ['ruleport_key'];
    const tmp = aggs.map((_, i) => `ruleport_agg_${i}`);
    if (!keys.length) this.lines.push({ comment: null, text: '| extend ruleport_key = 1' });
    this.lines.push({ comment: null, text: `| as ${name}` });
    const sub = [
      name,
      ...(guard.length ? [`where ${guard.join(' and ')}`] : []),
      `summarize ${aggs.map((a, i) => `${tmp[i] as string} = ${a.expr}`).join(', ')}${keys.length ? ` by ${by.join(', ')}` : ' by ruleport_key = 1'}`,
    ].join(' | ');
    this.lines.push({ comment: null, text: `| join kind=leftouter (${sub}) on ${on.join(', ')}` });
    this.lines.push({ comment: null, text: `| extend ${aggs.map((a, i) => `${kqlColumn(a.name)} = ${tmp[i] as string}`).join(', ')}` });
    const away = keys.length ? [...right, ...tmp] : ['ruleport_key', 'ruleport_key1', ...tmp];
    this.lines.push({ comment: null, text: `| project-away ${away.join(', ')}` });
    for (const a of aggs) cols.set(a.name, a.type);
  }
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}

function stageName(st: Stage): string {
  if (st.kind === 'project') return st.mode === 'table' ? 'table' : 'fields';
  if (st.kind === 'aggregate') return st.mode;
  return st.kind === 'bucket' ? 'bin' : st.kind === 'rename' ? 'rename' : 'where';
}

/** A KQL timespan literal for a number of seconds. */
function timespan(seconds: number): string {
  if (Number.isInteger(seconds)) {
    if (seconds % 86400 === 0) return `${seconds / 86400}d`;
    if (seconds % 3600 === 0) return `${seconds / 3600}h`;
    if (seconds % 60 === 0) return `${seconds / 60}m`;
  }
  return `${seconds}s`;
}

/** Can the (PCRE) pattern match the empty string? Over-approximates where unsure. */
function matchesEmpty(n: RegexNode): boolean {
  switch (n.kind) {
    case 'literal':
    case 'any':
    case 'shorthand':
    case 'class':
      return false;
    case 'wordBoundary':
      return n.negated; // no word characters in "": \b fails, \B holds
    case 'anchor':
    case 'flags':
    case 'lookaround':
    case 'backreference':
      return true;
    case 'group':
      return matchesEmpty(n.body);
    case 'quantifier':
      return n.min === 0 || matchesEmpty(n.body);
    case 'sequence':
      return n.items.every(matchesEmpty);
    case 'alternation':
      return n.branches.some(matchesEmpty);
    default:
      return true;
  }
}

/** Top-level conditions the chosen table already implies, when the target has no column to test them. */
function impliedByTable(ctx: RenderContext, profile: Profile, schema: Readonly<Record<string, string>> | null): { filter: Expr; dropped: string[] } {
  const when = Object.entries(ctx.variant?.when ?? {});
  const dropped: string[] = [];
  const kept = conjuncts(ctx.filter).filter((p) => {
    if (p.kind !== 'eq' || p.pattern.length !== 1) return true;
    const hit = when.find(([f, v]) => f === p.field.name && v.toLowerCase() === (p.pattern[0] as string).toLowerCase());
    if (!hit) return true;
    const own = ctx.variant?.fields?.[p.field.name] ?? profile.fields[p.field.name];
    const column = own === undefined ? undefined : fieldMappingOf(own).name;
    const testable = column !== undefined && (schema === null || schema[column] !== undefined);
    if (testable) return true;
    dropped.push(`${hit[0]}=${hit[1]}`);
    return false;
  });
  return { filter: dropped.length ? and(kept) : ctx.filter, dropped };
}

let template: ((view: object) => string) | null = null;

function render(detection: Detection, profile: Profile): BackendOutput {
  const ctx = new RenderContext('kql', detection, profile);
  const table = ctx.variant?.table;
  if (!ctx.variant || table === undefined) {
    return { text: null, diagnostics: ctx.diagnostics.length ? ctx.diagnostics : [diag('BE004', `profile '${profile.name}' gives no KQL table`, null, { backend: 'kql' })] };
  }
  const schema = profile.tables?.[table] ?? null;
  const r = new KqlRenderer(ctx, table, schema);
  const { filter, dropped } = impliedByTable(ctx, profile, schema);
  if (dropped.length) r.notes.push(`${dropped.join(', ')} is implied by table ${table} (no column to test it)`);
  const where = filter.kind === 'and' && filter.args.length === 0 ? null : r.expr(filter);
  const lines: Line[] = [...(where === null ? [] : [{ comment: null, text: `| where ${where}` }])];
  r.stages(detection.stages);
  lines.push(...r.lines);
  const issues = ctx.diagnostics
    .filter((d) => d.backend === 'kql' && (d.kind === 'lossy' || d.kind === 'unsupported' || d.kind === 'syntax'))
    .map((d) => `${d.code} ${d.kind}${d.direction ? ` (${d.direction})` : ''}: ${d.message}`);
  template ??= compileTemplate('kql', 'rule', { comment: kqlComment, table: (v) => kqlColumn(String(v)) });
  const text = template({
    title: detection.title,
    id: detection.id,
    profile: profile.name,
    table,
    spl: detection.spl,
    notes: [...r.notes, ...issues],
    lines,
  });
  return { text, diagnostics: ctx.diagnostics };
}

export const kqlBackend: Backend = { id: 'kql', extension: 'kql', defaultProfile: 'kql-sysmon', render };
