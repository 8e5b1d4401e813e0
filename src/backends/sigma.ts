/**
 * Sigma backend: the filter as search identifiers plus a condition. A `stats count|dc ... | where`
 * threshold becomes a correlation rule after the detection rule, in the same multi-document file
 * (sigma-correlation.ts); other stages Sigma cannot carry are reported as lossy (wider: Sigma
 * matches the events that would have fed them). Values use Sigma's escaping: `\`, `*`, `?`
 * escaped, wildcards raw.
 */
import * as crypto from 'node:crypto';
import { diag, type Span } from '../diagnostics.js';
import { assertNever, type Detection, type Expr, type Stage } from '../ir/types.js';
import type { Profile } from '../profiles/profile.js';
import { and } from '../normalize/build.js';
import { translateRegex } from '../regex/index.js';
import { RenderContext, type Backend, type BackendOutput } from './context.js';
import { basenameRegex } from './basename-regex.js';
import { planCorrelation } from './sigma-correlation.js';
import { compileTemplate } from './templates.js';
import { onlyUndisclosed, relaxLeaves } from './relax.js';
import { stageLabel } from './stage-label.js';

/**
 * Characters a YAML reader may take for a line break or strip: C0/C1 controls, DEL, U+2028/2029
 * (line breaks in YAML 1.1, which PyYAML and so pySigma read) and the BOM. Inside single quotes
 * they would be folded or rejected, so a scalar holding one is double-quoted with `\u` escapes.
 */
// eslint-disable-next-line no-control-regex
const YAML_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** YAML scalar: single-quoted, or double-quoted with escapes when it holds YAML_UNSAFE characters. */
export function yamlScalar(v: unknown): string {
  if (typeof v === 'number') return String(v);
  const s = String(v);
  if (!YAML_UNSAFE.test(s)) return `'${s.replace(/'/g, "''")}'`;
  // One replace over the string, not a test per character: multi-line SPL takes this path.
  return `"${s.replace(YAML_DOUBLE_QUOTED_ESCAPES, (c) => (c === '\\' || c === '"' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}"`;
}

/** What a double-quoted scalar escapes: `\`, `"` and YAML_UNSAFE (all BMP, so one UTF-16 unit each). */
const YAML_DOUBLE_QUOTED_ESCAPES = new RegExp(`[\\\\"]|${YAML_UNSAFE.source}`, 'g');

const YAML_UNSAFE_RUNS = new RegExp(`${YAML_UNSAFE.source}+`, 'g');

/** Text for a `#` comment: YAML_UNSAFE runs (line breaks to some readers) become one space. */
export function yamlComment(v: unknown): string {
  return String(v).replace(YAML_UNSAFE_RUNS, ' ');
}

/** Sigma string escaping for literal text: `\` `*` `?` each get a backslash. */
export function sigmaLiteral(text: string): string {
  return text.replace(/[\\*?]/g, '\\$&');
}

function sigmaPattern(segments: readonly string[]): string {
  return segments.map(sigmaLiteral).join('*');
}

interface Selection {
  name: string;
  items?: { key: string; value: string }[];
  keywords?: string[];
  /** An empty keyword list (what an inexpressible leaf leaves behind), written `[]` to stay a list. */
  empty?: boolean;
}

class SigmaRenderer {
  readonly selections: Selection[] = [];

  constructor(private readonly ctx: RenderContext) {}

  private add(sel: Omit<Selection, 'name' | 'empty'>): string {
    const name = `selection_${this.selections.length + 1}`;
    this.selections.push({ name, ...sel, empty: sel.keywords?.length === 0 });
    return name;
  }

  /** Condition text for an expression; leaves become search identifiers. */
  condition(e: Expr, top = true): string {
    if ('field' in e && this.unspellable(e.field.name, e.field.span)) return this.add({ keywords: [] });
    switch (e.kind) {
      case 'and':
        if (e.args.length === 0) return this.add({ keywords: ['*'] }); // matches every event
        return this.group(e.args.map((a) => this.condition(a, false)), 'and', top);
      case 'or':
        if (e.args.length === 0) {
          this.ctx.report(diag('BE005', 'an always-false filter has no Sigma spelling', null, { backend: 'sigma' }));
          return this.add({ keywords: [] });
        }
        return this.group(e.args.map((a) => this.condition(a, false)), 'or', top);
      case 'not':
        return `not ${this.condition(e.arg, false)}`;
      case 'eq':
        return this.add({ items: [this.eqItem(e)] });
      case 'regex':
        return this.add({ items: [this.regexItem(e)] });
      case 'cmp':
        return this.add({ items: [this.cmpItem(e)] });
      case 'exists': {
        const f = this.ctx.field(e.field.name, e.field.span);
        return this.add({ items: [{ key: `${f.name}|exists`, value: 'true' }] });
      }
      case 'term':
        this.ctx.report(
          diag('BE006', `raw-event search '${e.value}' becomes a Sigma keyword, which backends match as a substring of the whole event rather than as a Splunk ${e.form}`, e.span, {
            backend: 'sigma',
            direction: 'wider',
          }),
        );
        return this.add({ keywords: [`*${sigmaLiteral(e.value)}*`] });
      case 'cidr': {
        const f = this.ctx.field(e.field.name, e.field.span);
        return this.add({ items: [{ key: `${f.name}|cidr`, value: yamlScalar(e.network) }] });
      }
      case 'cond':
        this.ctx.report(diag('BE005', 'this where expression has no Sigma spelling', e.span, { backend: 'sigma' }));
        return this.add({ keywords: [] });
      case 'undisclosed':
        // render() relaxes these first (relaxLeaves); one reaching here is reported.
        this.ctx.report(diag('BE005', `filter macro \`${e.macro}\` has no published definition`, e.span, { backend: 'sigma' }));
        return this.add({ keywords: [] });
      default:
        return assertNever(e, 'expression');
    }
  }

  /**
   * A Sigma key is `field|modifier|...` with no escape for `|`, so a field whose target name holds
   * one cannot be written (reported, located, instead of a key Sigma would read as modifiers).
   */
  private unspellable(cim: string, span: Span): boolean {
    const { name } = this.ctx.field(cim, span);
    if (!name.includes('|')) return false;
    this.ctx.report(diag('BE005', `field name '${name}' contains '|', which Sigma reads as a modifier separator and cannot escape`, span, { backend: 'sigma' }));
    return true;
  }

  private group(parts: string[], op: 'and' | 'or', top: boolean): string {
    const text = parts.join(` ${op} `);
    return top || parts.length === 1 ? text : `(${text})`;
  }

  private eqItem(e: Extract<Expr, { kind: 'eq' }>): { key: string; value: string } {
    const f = this.ctx.field(e.field.name, e.field.span);
    const cased = e.caseSensitive ? '|cased' : '';
    if (f.type === 'number' && e.pattern.length === 1 && /^\d+$/.test(e.pattern[0] ?? '')) {
      return { key: f.name, value: String(Number(e.pattern[0])) };
    }
    if (f.derive === 'basename') {
      const [first] = e.pattern;
      const leadingOnly = e.pattern.length === 1 || (e.pattern.length === 2 && first === '');
      if (!leadingOnly || e.pattern.some((s) => s.includes('\\'))) {
        this.ctx.report(diag('BE006', `'${e.field.name}' is the file name part of ${f.name}; a wildcard inside it also matches directory names`, e.span, { backend: 'sigma', direction: 'wider' }));
      }
      // `*\name` on the full path is "the last component is name" when name has no backslash.
      const value = e.pattern.length === 1 ? `*\\\\${sigmaPattern(e.pattern)}` : sigmaPattern(e.pattern);
      return { key: `${f.name}${cased}`, value: yamlScalar(value) };
    }
    return { key: `${f.name}${cased}`, value: yamlScalar(sigmaPattern(e.pattern)) };
  }

  private regexItem(e: Extract<Expr, { kind: 'regex' }>): { key: string; value: string } {
    const f = this.ctx.field(e.field.name, e.field.span);
    if (f.derive === 'basename') {
      // The base-name regex rewritten over the full path (exact; see basename-regex.ts).
      const b = basenameRegex(e.pattern);
      if (!b.ok) {
        this.ctx.report(diag('BE005', `regex on '${e.field.name}' (the file name part of ${f.name}) cannot be rewritten over the full path: ${b.reason}`, e.span, { backend: 'sigma' }));
        return { key: `${f.name}|re`, value: yamlScalar(e.pattern) };
      }
      for (const u of b.result.unsupported) this.ctx.report(diag('RX101', `Sigma regex: ${u.message}`, e.span, { backend: 'sigma' }));
      return { key: `${f.name}|re${b.result.caseInsensitive ? '|i' : ''}`, value: yamlScalar(b.result.pattern) };
    }
    if (f.derive) this.ctx.report(diag('BE005', `regex on '${e.field.name}' needs a derived field Sigma does not have`, e.span, { backend: 'sigma' }));
    const t = translateRegex(e.pattern, 'pcre');
    if (!t.ok) {
      this.ctx.report(diag('RX001', t.error.message, e.span, { backend: 'sigma' }));
      return { key: `${f.name}|re`, value: yamlScalar(e.pattern) };
    }
    for (const u of t.result.unsupported) {
      this.ctx.report(diag('RX101', `Sigma regex: ${u.message}`, { start: e.span.start + u.start, end: e.span.start + u.end }, { backend: 'sigma' }));
    }
    return { key: `${f.name}|re${t.result.caseInsensitive ? '|i' : ''}`, value: yamlScalar(t.result.pattern) };
  }

  private cmpItem(e: Extract<Expr, { kind: 'cmp' }>): { key: string; value: string } {
    const f = this.ctx.field(e.field.name, e.field.span);
    const mod = { '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' }[e.op];
    if (!e.numeric) this.ctx.report(diag('BE005', 'Sigma compares numbers only; this is a string comparison', e.span, { backend: 'sigma' }));
    return { key: `${f.name}|${mod}`, value: e.numeric ? String(Number(e.value)) : yamlScalar(e.value) };
  }
}

/** Deterministic UUID (version 5 layout) derived from the rule id, so reruns give the same file. */
export function ruleUuid(id: string): string {
  const h = sha1Hex(`ruleport:${id}`);
  const variant = ((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** SHA-1 in hex: crypto.hash (Node >= 20.12) is the one-shot form, a few times cheaper per call. */
function sha1Hex(text: string): string {
  return typeof crypto.hash === 'function' ? crypto.hash('sha1', text) : crypto.createHash('sha1').update(text).digest('hex');
}

let template: ((view: object) => string) | null = null;

function render(detection: Detection, profile: Profile): BackendOutput {
  const ctx = new RenderContext('sigma', detection, profile);
  if (!ctx.variant?.logsource) {
    return { text: null, diagnostics: ctx.diagnostics.length ? ctx.diagnostics : [diag('BE004', `profile '${profile.name}' gives no logsource`, null, { backend: 'sigma' })] };
  }
  const r = new SigmaRenderer(ctx);
  const relaxed = relaxLeaves(ctx.filter, onlyUndisclosed, 'sigma');
  relaxed.diagnostics.forEach((d) => ctx.report(d));
  const plan = planCorrelation(ctx);
  const condition = r.condition(plan && plan.filters.length > 0 ? and([relaxed.expr, ...plan.filters]) : relaxed.expr);
  const notes: string[] = [];
  if (plan) {
    for (const d of plan.diagnostics) ctx.report(d);
    notes.push(...plan.notes);
  } else {
    detection.stages.forEach((st: Stage) => {
      if (st.kind === 'join') {
        // Dropping it would also drop the fields the subsearch adds, which later stages may test.
        ctx.report(diag('BE001', `\`${stageLabel(st)}\`: a Sigma detection rule has no joins or subsearches`, st.span, { backend: 'sigma' }));
        notes.push(`not expressed: ${stageLabel(st)}`);
        return;
      }
      ctx.report(
        diag('BE002', `\`${stageLabel(st)}\` has no Sigma detection-rule equivalent; the rule matches the events that feed it`, st.span, { backend: 'sigma', direction: 'wider' }),
      );
      notes.push(`not expressed: ${stageLabel(st)}`);
    });
  }
  for (const d of ctx.diagnostics) {
    if (d.code !== 'BE006') continue;
    const text = `lossy${d.direction ? ` (${d.direction})` : ''}: ${d.message}`;
    if (!notes.includes(text)) notes.push(text);
  }
  // `fields` lists the columns the rule's last stage shows; without a projection or aggregation
  // Splunk shows the whole event, and Sigma's default (no `fields`) says the same. Under a
  // correlation the base rule is not converted on its own (`generate` is false), so it has none.
  const projects = !plan && detection.stages.some((s) => s.kind === 'project' || s.kind === 'aggregate');
  const finalFields = projects ? ctx.fieldsBefore(detection.stages.length) : [];
  const fields = [...new Set(finalFields.filter((f) => f !== '_time').map((f) => ctx.field(f, null).name))];
  template ??= compileTemplate('sigma', 'rule', { yaml: yamlScalar, comment: yamlComment });
  const text = template({
    title: detection.title,
    // Two documents of one file need distinct titles (pySigma's duplicate_title check).
    baseTitle: `${detection.title} (events)`,
    uuid: ruleUuid(detection.id),
    description: detection.description,
    references: detection.references,
    tags: detection.techniqueIds.map((t) => `attack.${t.toLowerCase()}`),
    logsource: Object.entries(ctx.variant.logsource).map(([key, value]) => ({ key, value })),
    selections: r.selections,
    condition,
    fields,
    notes,
    sourceId: detection.id,
    spl: detection.spl,
    correlation: plan && {
      uuid: ruleUuid(`${detection.id}#correlation`),
      type: plan.type,
      groupBy: plan.groupBy,
      timespan: plan.timespan,
      field: plan.field,
      condition: plan.condition,
    },
  });
  return { text, diagnostics: ctx.diagnostics };
}

export const sigmaBackend: Backend = { id: 'sigma', extension: 'yml', defaultProfile: 'sigma-windows', render };
