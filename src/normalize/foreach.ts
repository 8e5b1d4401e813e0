/**
 * `foreach <wc-field>... [ <template> ]` (mode=multifield, the default): the template runs once per
 * field whose name matches, with `<<FIELD>>` replaced by the field name and `<<MATCHSTR>>` by the
 * part the wildcard matched. ruleport expands it while normalizing, over the fields the pipeline
 * names before that point (knownFields); every span of the expanded commands points into the
 * rule's own template text (a substituted name points at its placeholder).
 * [doc] https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/foreach
 */
import { diag, type Diagnostic, type Span } from '../diagnostics.js';
import type { Stage } from '../ir/types.js';
import { nameMatches } from '../lint/lineage.js';
import type { Command } from '../spl/ast.js';
import { parseSpl } from '../spl/parse.js';
import { knownFields } from './known-fields.js';

type Foreach = Extract<Command, { kind: 'foreach' }>;

/** Template text after substitution, with each character's place in the SPL. */
interface Mapped {
  readonly text: string;
  /** Per character of `text`: start and end offset in the SPL. */
  readonly starts: number[];
  readonly ends: number[];
}

/**
 * Replaces the placeholders in the template. When the template is the rule's own text, plain
 * characters keep their offsets; a substituted name takes its placeholder's span. When it is not
 * (a foreach inside a macro body, whose span is the macro call), everything points at bodySpan.
 */
function substitute(cmd: Foreach, body: string, bodyStart: number, values: ReadonlyMap<string, string>): Mapped {
  const own = cmd.bodySpan.end - cmd.bodySpan.start === cmd.body.length;
  const at = (i: number): Span => (own ? { start: bodyStart + i, end: bodyStart + i + 1 } : cmd.bodySpan);
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  const placeholders = [...values.keys()];
  for (let i = 0; i < body.length; ) {
    const ph = placeholders.find((p) => body.startsWith(p, i));
    if (ph !== undefined) {
      const value = values.get(ph) as string;
      const span: Span = own ? { start: bodyStart + i, end: bodyStart + i + ph.length } : cmd.bodySpan;
      for (let k = 0; k < value.length; k++) {
        starts.push(span.start);
        ends.push(span.end);
      }
      text += value;
      i += ph.length;
      continue;
    }
    const span = at(i);
    text += body[i];
    starts.push(span.start);
    ends.push(span.end);
    i++;
  }
  return { text, starts, ends };
}

/** A copy of an AST node with every span and offset table mapped through `m` (after `prefix` characters). */
function remap<T>(node: T, m: Mapped, prefix: number, fallback: Span): T {
  const start = (o: number): number => (o < prefix ? fallback.start : (m.starts[o - prefix] ?? fallback.end));
  const end = (o: number): number => (o <= prefix ? fallback.end : (m.ends[o - prefix - 1] ?? fallback.end));
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map((v: unknown) => (typeof v === 'number' ? start(v) : walk(v)));
    if (x === null || typeof x !== 'object') return x;
    const o = x as Record<string, unknown>;
    if (typeof o['start'] === 'number' && typeof o['end'] === 'number' && Object.keys(o).length === 2) {
      const s = o['start'];
      const e = o['end'];
      return { start: start(s), end: e > s ? end(e) : start(s) };
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v)]));
  };
  return walk(node) as T;
}

/** The wildcard's match in `name` for a pattern with exactly one `*`, else null. */
function matchStr(pattern: string, name: string): string | null {
  const parts = pattern.split('*');
  if (parts.length !== 2) return null;
  const [head, tail] = parts as [string, string];
  return name.slice(head.length, name.length - tail.length);
}

/**
 * The commands of the expansion, in order: the template once per matching field. Fields are taken
 * in pattern order, and within a pattern in name order [assumption: Splunk does not document its
 * iteration order; the Armory's templates touch one field each, so the order does not matter there].
 */
export function expandForeach(cmd: Foreach, stages: readonly Stage[], diagnostics: Diagnostic[]): Command[] {
  const opt = (name: string): string | undefined => cmd.options.find((o) => o.name === name)?.value;
  const mode = cmd.options.find((o) => o.name === 'mode');
  if (mode && mode.value.toLowerCase() !== 'multifield') {
    diagnostics.push(diag('SPL102', `foreach mode=${mode.value} is not supported (only mode=multifield, over field names)`, mode.span));
    return [];
  }
  const seg = cmd.options.find((o) => o.name.startsWith('matchseg'));
  if (seg) {
    diagnostics.push(diag('SPL102', `foreach ${seg.name}= is not supported`, seg.span));
    return [];
  }
  const fieldTpl = opt('fieldstr') ?? '<<FIELD>>';
  const matchTpl = opt('matchstr') ?? '<<MATCHSTR>>';
  if (/<<MATCHSEG\d+>>/.test(cmd.body)) {
    diagnostics.push(diag('SPL102', 'foreach <<MATCHSEGn>> is not supported', cmd.bodySpan));
    return [];
  }
  // A template may start with a pipe (`[ | eval ... ]`), as Splunk allows.
  const lead = /^\s*\|?/.exec(cmd.body)?.[0].length ?? 0;
  const body = cmd.body.slice(lead);
  const bodyStart = cmd.bodySpan.start + lead;
  const known = knownFields(stages);
  const fields: { name: string; pattern: string }[] = [];
  for (const p of cmd.fields) {
    for (const name of known.filter((n) => nameMatches(p.name, n)).sort()) {
      if (!fields.some((f) => f.name === name)) fields.push({ name, pattern: p.name });
    }
  }
  const patterns = cmd.fields.map((f) => f.name).join(' ');
  if (fields.length === 0) {
    diagnostics.push(
      diag('SPL120', `foreach ${patterns}: no field named earlier in the rule matches, so nothing is expanded; a field that only the raw events carry would be iterated by Splunk`, cmd.nameSpan, {
        severity: 'warning',
      }),
    );
    return [];
  }
  diagnostics.push(
    diag(
      'SPL120',
      `foreach ${patterns} expanded over ${fields.map((f) => f.name).join(', ')}: the fields the rule names before it (fields only the raw events carry are not known statically); each copy runs on every row, also rows that lack that field, where Splunk skips them`,
      cmd.nameSpan,
    ),
  );
  const out: Command[] = [];
  for (const f of fields) {
    const values = new Map<string, string>([[fieldTpl, f.name]]);
    if (cmd.body.includes(matchTpl)) {
      const ms = matchStr(f.pattern, f.name);
      if (ms === null) {
        diagnostics.push(diag('SPL102', `foreach ${matchTpl} needs a field pattern with exactly one '*' ('${f.pattern}' has ${f.pattern.split('*').length - 1})`, cmd.bodySpan));
        return [];
      }
      values.set(matchTpl, ms);
    }
    const mapped = substitute(cmd, body, bodyStart, values);
    // An empty leading `search` makes the template parse as the commands after a pipe.
    const prefix = 'search | ';
    const parsed = parseSpl(prefix + mapped.text);
    const bad = parsed.diagnostics.filter((d) => d.severity === 'error');
    for (const d of parsed.diagnostics) diagnostics.push({ ...remap(d, mapped, prefix.length, cmd.bodySpan), message: `in foreach over ${f.name}: ${d.message}` });
    if (bad.length) return [];
    for (const c of parsed.pipeline.commands.slice(1)) out.push(remap(c, mapped, prefix.length, cmd.bodySpan));
  }
  return out;
}
