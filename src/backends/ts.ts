/**
 * TypeScript backend: a standalone module per rule (apart from `ruleport/runtime`) that runs the
 * whole pipeline on events. Leaf tests become module-level matchers built once; the filter is a
 * plain boolean expression over them.
 */
import { diag } from '../diagnostics.js';
import { assertNever, type Detection, type Expr, type Stage } from '../ir/types.js';
import type { Profile } from '../profiles/profile.js';
import { translateRegex } from '../regex/index.js';
import { inputMapping } from '../matcher/compile.js';
import { RenderContext, type Backend, type BackendOutput } from './context.js';
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

class TsRenderer {
  readonly matchers: { name: string; code: string }[] = [];
  /** Runtime functions the module uses, imported by name. */
  readonly imports = new Set<string>(['runRule']);

  constructor(private readonly ctx: RenderContext) {}

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

  private get(field: string): string {
    return `row[${json(field)}]`;
  }

  expr(e: Expr): string {
    switch (e.kind) {
      case 'and':
        return e.args.length === 0 ? 'true' : e.args.map((a) => this.wrap(a)).join(' && ');
      case 'or':
        return e.args.length === 0 ? 'false' : e.args.map((a) => this.wrap(a)).join(' || ');
      case 'not':
        return `!${this.wrap(e.arg)}`;
      case 'eq':
        return `${this.matcher(`wildcardMatcher(${json(e.pattern)}, ${e.caseSensitive})`, 'wildcardMatcher')}(${this.get(e.field.name)})`;
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
        return `${this.matcher(`regexMatcher(${lit})`, 'regexMatcher')}(${this.get(e.field.name)})`;
      }
      case 'cmp':
        return `${this.use('compare')}(${this.get(e.field.name)}, ${json(e.op)}, ${json(e.value)}, ${e.numeric})`;
      case 'exists':
        return `${this.use('isPresent')}(${this.get(e.field.name)})`;
      case 'term':
        return `${this.use('rawContains')}(String(row['_raw'] ?? ''), ${json(e.value)})`;
      case 'cidr':
        return `${this.matcher(`cidrMatcher(${json(e.network)})`, 'cidrMatcher')}(${this.get(e.field.name)})`;
      case 'cond':
        return `${this.matcher(`compileCondition(${irJson(e.expr)})`, 'compileCondition')}(row)`;
      default:
        return assertNever(e, 'expression');
    }
  }

  private wrap(e: Expr): string {
    return e.kind === 'and' || e.kind === 'or' ? `(${this.expr(e)})` : this.expr(e);
  }

  stage(st: Stage): string {
    switch (st.kind) {
      case 'project':
        return `{ kind: 'project', mode: ${json(st.mode)}, fields: ${json(st.fields.map((f) => f.name))} }`;
      case 'rename':
        return `{ kind: 'rename', pairs: ${json(st.pairs.map((p) => [p.from.name, p.to.name]))} }`;
      case 'bucket':
        return `{ kind: 'bucket', field: ${json(st.field.name)}, seconds: ${st.seconds}, as: ${json(st.as)} }`;
      case 'aggregate':
        return `{ kind: 'aggregate', mode: ${json(st.mode)}, aggs: ${json(st.aggs.map((a) => ({ fn: a.fn, field: a.field, as: a.as })))}, by: ${json(st.by.map((f) => f.name))} }`;
      case 'filter':
        return `{ kind: 'filter', test: (row: Row): boolean => ${this.expr(st.expr)} }`;
      case 'eval': {
        const assignments = st.assignments.map((a) => `{ field: ${json(a.field.name)}, value: ${this.matcher(`compileValueExpr(${irJson(a.expr)})`, 'compileValueExpr')} }`);
        return `{ kind: 'rows', run: (rows: Row[]): Row[] => ${this.use('evalStage')}(rows, [${assignments.join(', ')}]) }`;
      }
      case 'rex': {
        const flags = st.mode === 'sed' && st.global ? 'g' : '';
        const re = this.matcher(`pcreToJs(${json(st.pattern)}, ${json(flags)})`, 'pcreToJs');
        if (st.mode === 'sed') return `{ kind: 'rows', run: (rows: Row[]): Row[] => ${this.use('rexSed')}(rows, ${json(st.field.name)}, ${re}, ${json(st.replacement ?? '')}, ${st.global}) }`;
        if (st.maxMatch !== 1) this.ctx.report(diag('BE001', `rex max_match=${st.maxMatch} (multivalue extraction) is not in the TypeScript matcher yet`, st.span, { backend: 'ts' }));
        return `{ kind: 'rows', run: (rows: Row[]): Row[] => ${this.use('rexExtract')}(rows, ${json(st.field.name)}, ${re}, ${json(st.groups)}) }`;
      }
      case 'enrich':
        return `{ kind: 'rows', run: (rows: Row[]): Row[] => ${this.use('enrich')}(rows, ${this.use('lookupTable')}(options.lookups, ${json(st.table)}), ${irJson(st.inputs.map((i) => ({ field: i.field.name, column: i.column })))}, ${json(st.outputs)}, ${st.overwrite}) }`;
      case 'sort':
        return `{ kind: 'rows', run: (rows: Row[]): Row[] => ${this.use('sortRows')}(rows, ${json(st.keys.map((k) => ({ field: k.field.name, descending: k.descending, as: k.as })))}, ${st.limit}) }`;
      case 'fillnull':
        return `{ kind: 'rows', run: (rows: Row[]): Row[] => ${this.use('fillnull')}(rows, ${json(st.value)}, ${json(st.fields.map((f) => f.name))}) }`;
      default:
        return assertNever(st, 'stage');
    }
  }
}

let template: ((view: object) => string) | null = null;

function render(detection: Detection, profile: Profile): BackendOutput {
  const ctx = new RenderContext('ts', detection, profile);
  const r = new TsRenderer(ctx);
  const filter = r.expr(detection.filter);
  const stages = detection.stages.map((s) => r.stage(s));
  const notes = ctx.diagnostics.map((d) => `${d.code} ${d.message}`);
  template ??= compileTemplate('ts', 'rule', { json, comment: (v) => String(v).replace(/[\r\n\u2028\u2029]+/g, ' ') });
  const text = template({
    id: detection.id,
    title: detection.title,
    profile: profile.name,
    input: inputMapping(profile),
    matchers: r.matchers,
    filter,
    stages,
    runtimeImports: [...r.imports].sort().join(', '),
    notes,
  });
  return { text, diagnostics: ctx.diagnostics.filter((d) => d.code !== 'BE004') };
}

export const tsBackend: Backend = { id: 'ts', extension: 'ts', defaultProfile: 'sysmon-raw', render };
