/**
 * TypeScript backend: a standalone module per rule (apart from `ruleport/runtime`) that runs the
 * whole pipeline on events. Leaf tests become module-level matchers built once; the filter is a
 * plain boolean expression over them.
 */
import { diag } from '../diagnostics.js';
import { assertNever, type Detection, type Expr, type Stage } from '../ir/types.js';
import type { Profile } from '../profiles/profile.js';
import { translateRegex } from '../regex/index.js';
import { aggregateUnsupported, inputMapping, linePrefilter, multiMatchUnsupported } from '../matcher/compile.js';
import { regexPrefilter } from '../regex/prefilter.js';
import type { InputMapping } from '../runtime/index.js';
import type { ValueExpr } from '../ir/types.js';

function valueFields(e: ValueExpr, out: Set<string>): void {
  if (e.kind === 'field') out.add(e.name);
  else if (e.kind === 'call' || e.kind === 'op') for (const a of e.args) valueFields(a, out);
}
import { RenderContext, type Backend, type BackendOutput } from './context.js';
import { onlyUndisclosed, relaxLeaves } from './relax.js';
import { COMPUTED_LOOKUPS } from '../runtime/stages.js';
import { compileTemplate } from './templates.js';

const json = (v: unknown): string => JSON.stringify(v);

/** A JS regex literal body: `/` escaped; line terminators spelled out so the literal stays valid. */
function regexLiteral(source: string, flags: string): string {
  const body = source
    .replace(/\\\\|\\\/|\//g, (m) => (m === '/' ? '\\/' : m))
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `/${body || '(?:)'}/${flags}`;
}

/** IR JSON for embedding in generated code, without spans (they mean nothing at run time). */
function irJson(v: unknown): string {
  return JSON.stringify(v, (k, x: unknown) => (k === 'span' ? undefined : x));
}

/**
 * A reader's function name for a field. Each other UTF-16 unit becomes `$<hex>$`: the closing `$`
 * keeps the spelling one-to-one (`é1` and U+0E91 would both be `$e91` without it).
 */
const ident = (name: string): string => `f_${name.replace(/[^A-Za-z0-9_]/g, (c) => `$${c.charCodeAt(0).toString(16)}$`)}`;

class TsRenderer {
  readonly matchers: { name: string; code: string }[] = [];
  /** Field readers over raw events, spelled out: name -> function text. */
  readonly readers = new Map<string, string>();
  /** Runtime functions the module uses, imported by name. */
  readonly imports = new Set<string>(['runGenerated']);
  /** Whether the filter searches the raw line for keywords (TERM, bare words). */
  usesKeywords = false;

  constructor(
    private readonly ctx: RenderContext,
    private readonly input: InputMapping,
    private readonly profile: Profile,
  ) {}

  /** Undisclosed filter macros dropped (wider), each reported. */
  relax(e: Expr): Expr {
    const r = relaxLeaves(e, onlyUndisclosed, 'ts');
    r.diagnostics.forEach((d) => this.ctx.report(d));
    return r.expr;
  }

  /** A module-level constant built once; `uses` are the runtime functions its code calls. */
  private matcher(code: string, ...uses: string[]): string {
    uses.forEach((u) => this.imports.add(u));
    const name = `m${this.matchers.length}`;
    this.matchers.push({ name, code });
    return name;
  }

  private use(fn: string): string {
    this.imports.add(fn);
    return fn;
  }

  /** Field access: `row["f"]` on mapped rows, or a spelled-out reader on raw events. */
  private get(field: string, raw: boolean): string {
    if (!raw) return `row[${json(field)}]`;
    if (field === '_raw') return `(line === '' ? undefined : line)`;
    const fn = ident(field);
    if (!this.readers.has(field)) {
      const m = Object.prototype.hasOwnProperty.call(this.input, field) ? this.input[field] : undefined;
      const own = field === '_source' ? 'undefined' : `${this.use('present')}(e[${json(field)}]) ? (e[${json(field)}] as FieldValue) : undefined`;
      if (m) this.use('present');
      let body: string;
      if (!m) body = `return ${own};`;
      else if (m.type === 'time') {
        this.use('parseTime');
        body = `const v = e[${json(m.name)}];\n  if (present(v)) {\n    const t = parseTime(v);\n    if (t !== undefined) return t;\n  }\n  return ${own};`;
      } else if (m.derive === 'basename') {
        body = `const v = e[${json(m.name)}];\n  if (present(v)) {\n    const s = String(v);\n    return s.slice(Math.max(s.lastIndexOf('\\\\'), s.lastIndexOf('/')) + 1);\n  }\n  return ${own};`;
      } else body = `const v = e[${json(m.name)}];\n  return present(v) ? (v as FieldValue) : ${own === 'undefined' ? 'undefined' : `(${own})`};`;
      this.readers.set(field, `/** ${field.replace(/\*\//g, '*\\/')}${m ? ` <- ${m.name.replace(/\*\//g, '*\\/')}${m.derive ? ` (${m.derive})` : ''}${m.type === 'time' ? ' (time)' : ''}` : ''} */\nfunction ${fn}(e: RawEvent): FieldValue | undefined {\n  ${body}\n}`);
    }
    return `${fn}(e)`;
  }

  /** The filter as a TypeScript boolean expression over `e`/`line` (raw) or `row` (mapped rows). */
  expr(e: Expr, raw: boolean): string {
    switch (e.kind) {
      case 'and':
        return e.args.length === 0 ? 'true' : e.args.map((a) => this.wrap(a, raw)).join(' && ');
      case 'or':
        return e.args.length === 0 ? 'false' : e.args.map((a) => this.wrap(a, raw)).join(' || ');
      case 'not':
        return `!${this.wrap(e.arg, raw)}`;
      case 'eq': {
        const segs = e.caseSensitive ? e.pattern : e.pattern.map((p) => p.toLowerCase());
        const conv = e.caseSensitive ? 's' : 's.toLowerCase()';
        if (segs.length === 1) return `${this.use('anyValue')}(${this.get(e.field.name, raw)}, (s) => ${conv} === ${json(segs[0] ?? '')})`;
        return `${this.use('anyValue')}(${this.get(e.field.name, raw)}, (s) => ${this.use('wildcard')}(${conv}, ${json(segs)}))`;
      }
      case 'regex': {
        const t = translateRegex(e.pattern, 'js');
        if (!t.ok) {
          this.ctx.report(diag('RX001', t.error.message, e.span, { backend: 'ts' }));
          return 'false';
        }
        for (const u of t.result.unsupported) {
          this.ctx.report(diag('RX101', `JavaScript regex: ${u.message}`, { start: e.span.start + u.start, end: e.span.start + u.end }, { backend: 'ts' }));
        }
        const lit = regexLiteral(t.result.pattern, t.result.caseInsensitive ? 'i' : '');
        const test = this.matcher(`guardedTest(${lit}, ${json(e.pattern)})`, 'guardedTest');
        const pf = regexPrefilter(e.pattern);
        if (!pf) return `${this.use('anyValue')}(${this.get(e.field.name, raw)}, ${test})`;
        const pre = this.matcher(regexLiteral(pf.source, pf.flags));
        return `${this.use('anyValue')}(${this.get(e.field.name, raw)}, (s) => ${pre}.test(s) && ${test}(s))`;
      }
      case 'cmp': {
        const v = this.get(e.field.name, raw);
        if (e.numeric) return `${this.use('anyValue')}(${v}, (s) => { const n = Number(s); return !Number.isNaN(n) && n ${e.op} ${json(Number(e.value))}; })`;
        return `${this.use('anyValue')}(${v}, (s) => s ${e.op} ${json(e.value)})`;
      }
      case 'exists':
        return `${this.use('isPresent')}(${this.get(e.field.name, raw)})`;
      case 'term':
        if (raw) {
          this.usesKeywords = true;
          this.use('keywordSearch');
        }
        return raw ? `has_(${json(e.value.toLowerCase())})` : `String(row['_raw'] ?? '').toLowerCase().includes(${json(e.value.toLowerCase())})`;
      case 'cidr':
        return `${this.matcher(`cidrMatcher(${json(e.network)})`, 'cidrMatcher')}(${this.get(e.field.name, raw)})`;
      case 'cond': {
        const cond = this.matcher(`compileCondition(${irJson(e.expr)})`, 'compileCondition');
        if (!raw) return `${cond}(row)`;
        const names = new Set<string>();
        valueFields(e.expr, names);
        const fields = [...names].map((n) => `${json(n)}: ${this.get(n, true)}`);
        return `${cond}(${this.use('rowOf')}({ ${fields.join(', ')} }))`;
      }
      case 'undisclosed':
        // render() and stage() relax these first (relaxLeaves); one reaching here is reported.
        this.ctx.report(diag('BE005', `filter macro \`${e.macro}\` has no published definition`, e.span, { backend: 'ts' }));
        return 'false';
      default:
        return assertNever(e, 'expression');
    }
  }

  private wrap(e: Expr, raw: boolean): string {
    return e.kind === 'and' || e.kind === 'or' ? `(${this.expr(e, raw)})` : this.expr(e, raw);
  }

  stage(st: Stage): string {
    switch (st.kind) {
      case 'project':
        return `{ kind: 'project', mode: ${json(st.mode)}, fields: ${json(st.fields.map((f) => f.name))} }`;
      case 'rename':
        return `{ kind: 'rename', pairs: ${json(st.pairs.map((p) => [p.from.name, p.to.name]))} }`;
      case 'bucket':
        return `{ kind: 'bucket', field: ${json(st.field.name)}, seconds: ${st.seconds}, as: ${json(st.as)} }`;
      case 'aggregate': {
        const unsupported = aggregateUnsupported(st);
        if (unsupported) this.ctx.report(diag('BE001', unsupported.message, unsupported.span, { backend: 'ts' }));
        // streamstats options are spelled out only when they differ from Splunk's defaults.
        const w = st.mode === 'streamstats' && (st.window !== 0 || !st.current || st.resetOnChange) ? { window: st.window, current: st.current, global: st.global, resetOnChange: st.resetOnChange } : null;
        return `{ kind: 'aggregate', mode: ${json(st.mode)}, aggs: ${json(st.aggs.map((a) => ({ fn: a.fn, field: a.field, as: a.as })))}, by: ${json(st.by.map((f) => f.name))}${w ? `, stream: ${json(w)}` : ''} }`;
      }
      case 'filter':
        return `{ kind: 'filter', test: (row: Row): boolean => ${this.expr(this.relax(st.expr), false)} }`;
      case 'eval': {
        const assignments = st.assignments.map((a) => `{ field: ${json(a.field.name)}, value: ${this.matcher(`compileValueExpr(${irJson(a.expr)})`, 'compileValueExpr')} }`);
        return `{ kind: 'rows', rowWise: true, run: (rows: Row[]): Row[] => ${this.use('evalStage')}(rows, [${assignments.join(', ')}]) }`;
      }
      case 'rex': {
        const flags = st.mode === 'sed' && st.global ? 'g' : '';
        const re = this.matcher(`pcreToJs(${json(st.pattern)}, ${json(flags)})`, 'pcreToJs');
        if (st.mode === 'sed') return `{ kind: 'rows', rowWise: true, run: ${this.use('rexSedStage')}(${json(st.field.name)}, ${re}, ${json(st.replacement ?? '')}, ${st.global}) }`;
        const unsupported = multiMatchUnsupported(st.pattern, st.maxMatch);
        if (unsupported) this.ctx.report(diag('BE001', unsupported, st.span, { backend: 'ts' }));
        const maxMatch = st.maxMatch === 1 ? '' : `, ${st.maxMatch}`;
        return `{ kind: 'rows', rowWise: true, run: ${this.use('rexExtractStage')}(${json(st.field.name)}, ${re}, ${json(st.groups)}${maxMatch}) }`;
      }
      case 'enrich': {
        const args = `${irJson(st.inputs.map((i) => ({ field: i.field.name, column: i.column })))}, ${json(st.outputs)}, ${st.overwrite}`;
        const fromFile = `${this.use('enrich')}(rows, ${this.use('lookupTable')}(options.lookups, ${json(st.table)}), ${args})`;
        if (!Object.prototype.hasOwnProperty.call(COMPUTED_LOOKUPS, st.table)) return `{ kind: 'rows', rowWise: true, run: (rows: Row[]): Row[] => ${fromFile} }`;
        // A script lookup the runtime computes; a table given by the caller still wins.
        const computed = `${this.use('enrichComputed')}(rows, ${this.use('computedLookup')}(${json(st.table)}), ${args})`;
        return `{ kind: 'rows', rowWise: true, run: (rows: Row[]): Row[] => (options.lookups?.has(${json(st.table)}) ? ${fromFile} : ${computed}) }`;
      }
      case 'sort':
        return `{ kind: 'rows', run: (rows: Row[]): Row[] => ${this.use('sortRows')}(rows, ${json(st.keys.map((k) => ({ field: k.field.name, descending: k.descending, as: k.as })))}, ${st.limit}) }`;
      case 'fillnull':
        return `{ kind: 'rows', rowWise: ${st.fields.length > 0}, run: (rows: Row[]): Row[] => ${this.use('fillnull')}(rows, ${json(st.value)}, ${json(st.fields.map((f) => f.name))}) }`;
      case 'join': {
        const sub = st.subsearch;
        // The subsearch is a search of its own: its data source picks its input mapping.
        const pseudo: Detection = { id: '', title: '', description: '', references: [], techniqueIds: [], spl: '', source: sub.source, filter: sub.filter, stages: sub.stages };
        const input = inputMapping(this.profile, pseudo);
        const stages = sub.stages.map((s) => this.stage(s));
        const subsearch = `{ input: ${json(input)}, filter: (row: Row): boolean => ${this.expr(this.relax(sub.filter), false)}, stages: [${stages.join(', ')}] }`;
        return `{ kind: 'join', type: ${json(st.type)}, fields: ${json(st.fields.map((f) => f.name))}, max: ${st.max}, overwrite: ${st.overwrite}, subsearch: ${subsearch} }`;
      }
      default:
        return assertNever(st, 'stage');
    }
  }
}

let template: ((view: object) => string) | null = null;

/**
 * The input mapping's JSON. Mappings are shared, immutable objects (one per profile and source
 * variant, see inputMapping) with hundreds of fields, and every rule embeds its mapping.
 */
const mappingJson = new WeakMap<InputMapping, string>();
function inputJson(input: InputMapping): string {
  let text = mappingJson.get(input);
  if (text === undefined) mappingJson.set(input, (text = json(input)));
  return text;
}

function render(detection: Detection, profile: Profile): BackendOutput {
  const ctx = new RenderContext('ts', detection, profile);
  const input = inputMapping(profile, detection);
  const r = new TsRenderer(ctx, input, profile);
  const relaxed = r.relax(detection.filter);
  const filter = r.expr(relaxed, true);
  const stages = detection.stages.map((s) => r.stage(s));
  const notes = ctx.diagnostics.map((d) => `${d.code} ${d.message}`);
  template ??= compileTemplate('ts', 'rule', { json, comment: (v) => String(v).replace(/[\r\n\u2028\u2029]+/g, ' ') });
  const text = template({
    id: detection.id,
    title: detection.title,
    profile: profile.name,
    input: inputJson(input),
    prefilter: linePrefilter(relaxed, input),
    readers: [...r.readers.values()],
    matchers: r.matchers,
    filter,
    stages,
    runtimeImports: [...r.imports].sort().join(', '),
    usesKeywords: r.usesKeywords,
    notes,
  });
  return { text, diagnostics: ctx.diagnostics.filter((d) => d.code !== 'BE004') };
}

export const tsBackend: Backend = { id: 'ts', extension: 'ts', defaultProfile: 'sysmon-raw', render };
