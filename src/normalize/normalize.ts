/**
 * SPL AST -> IR. The only module that knows Splunk semantics. One entry per command kind; filters
 * that come before any stage fold into the detection's filter.
 */
import { diag, type Diagnostic, type Span } from '../diagnostics.js';
import type { Command, CommandKind } from '../spl/ast.js';
import { assertNever, type Aggregation, type AggFunction, type DataSource, type Detection, type Expr, type Stage, type StreamWindow, type ValueExpr } from '../ir/types.js';
import type { MacroDef, MacroTable } from '../ir/macros.js';
import { parseSpl } from '../spl/parse.js';
import { macroRef } from '../spl/commands.js';
import { positionAt, type RuleSource } from '../rules/source.js';
import { sourceFromCategories } from '../ir/categories.js';
import { parseRegex } from '../regex/index.js';
import { and, TRUE } from './build.js';
import { normalizeSearch } from './search.js';
import { normalizeWhere } from './where.js';
import { expandForeach } from './foreach.js';
import { STREAM_OPTIONS, streamWindow } from './stream-window.js';
import { toValue, UnsupportedConstruct } from './value.js';

interface State {
  filter: Expr;
  readonly stages: Stage[];
  readonly diagnostics: Diagnostic[];
  readonly macros: MacroTable;
  sourceId: string | null;
  /** The data source a scope macro implies when no source macro names one. */
  scopeSource: string | null;
  /** The scope of the last scope macro (`cloud`, `endpoint`, ...), which narrows data_category. */
  scope: string | null;
  readonly macroNames: string[];
  /** Macro expansion depth, to stop recursive definitions. */
  depth: number;
}

type Normalizer<K extends CommandKind> = (cmd: Extract<Command, { kind: K }>, s: State) => void;

/** Adds a filter: into the detection filter while no stage has run, else as a row filter stage. */
function addFilter(s: State, expr: Expr, span: Span): void {
  if (s.stages.length === 0) s.filter = and([s.filter, expr]);
  else s.stages.push({ kind: 'filter', expr, span });
}

function useMacro(s: State, name: string, span: Span, leading: boolean, args: readonly string[] = []): void {
  const def = s.macros[name];
  if (!def) {
    s.diagnostics.push(diag('SPL103', `macro \`${name}\` has no definition (add it to a --macros file)`, span));
    return;
  }
  s.macroNames.push(name);
  switch (def.kind) {
    case 'scope':
      s.scope = def.scope;
      if (def.source) s.scopeSource = def.source;
      return;
    case 'source':
      if (!leading) s.diagnostics.push(diag('SPL102', `data-source macro \`${name}\` must lead the search`, span));
      s.sourceId = def.source;
      return;
    case 'output':
      s.diagnostics.push(diag('SPL110', `output macro \`${name}\` dropped: it does not change which rows the rule returns`, span));
      return;
    case 'expand':
      expandMacro(s, name, def, args, span);
      return;
    case 'fields':
      s.diagnostics.push(diag('SPL102', `macro \`${name}\` stands for field names and belongs in a field list`, span));
      return;
    case 'undisclosed':
      // Kept in the IR as what it is; each backend decides how to drop it (wider, reported).
      addFilter(s, { kind: 'undisclosed', macro: name, span }, span);
      return;
    default:
      assertNever(def, 'macro definition');
  }
}

/** A field list with `fields` macros replaced by their field names. */
function expandFieldList(s: State, fields: readonly { name: string; span: Span }[]): { name: string; span: Span }[] {
  // A loop, not flatMap: every table, fields and stats list passes here, and flatMap makes an
  // array per field.
  const out: { name: string; span: Span }[] = [];
  for (const f of fields) {
    if (!f.name.startsWith('`')) {
      out.push({ name: f.name, span: f.span });
      continue;
    }
    const ref = macroRef({ value: f.name.slice(1, -1), span: f.span });
    const def = s.macros[ref.name];
    if (def?.kind !== 'fields') {
      s.diagnostics.push(diag('SPL103', `macro \`${ref.name}\` in a field list has no field-list definition (add one to a --macros file)`, f.span));
      continue;
    }
    s.macroNames.push(ref.name);
    s.diagnostics.push(diag('SPL112', `\`${ref.name}\` expanded to ${def.fields.length ? def.fields.join(', ') : 'no fields'}`, f.span));
    for (const name of def.fields) out.push({ name, span: f.span });
  }
  return out;
}

/**
 * Expands a macro body into commands and normalizes them in place. Every span inside points at
 * the macro call, since the body text is not in the rule file.
 */
function expandMacro(s: State, name: string, def: Extract<MacroDef, { kind: 'expand' }>, args: readonly string[], span: Span): void {
  if (args.length !== def.args.length) {
    s.diagnostics.push(diag('SPL102', `macro \`${name}\` takes ${def.args.length} argument(s) (${def.args.join(', ')}), not ${args.length}`, span));
    return;
  }
  if (s.depth > 8) {
    s.diagnostics.push(diag('SPL102', `macro \`${name}\` expands too deeply (recursive definition?)`, span));
    return;
  }
  const body = def.args.reduce((text, arg, i) => text.split(`$${arg}$`).join(args[i] ?? ''), def.body);
  s.diagnostics.push(diag('SPL112', `\`${name}\` expanded to \`| ${body}\``, span));
  // An empty leading `search` makes the body parse as the commands after a pipe.
  const parsed = parseSpl(`search | ${body}`);
  for (const d of parsed.diagnostics) s.diagnostics.push({ ...d, span, message: `in the expansion of \`${name}\`: ${d.message}` });
  s.depth++;
  for (const cmd of parsed.pipeline.commands.slice(1)) run(respan(cmd, span), s);
  s.depth--;
}

/** A copy of an AST node with every span (and offset table) pointing at `span`. */
function respan<T>(node: T, span: Span): T {
  if (Array.isArray(node)) return node.map((x: unknown) => (typeof x === 'number' ? span.start : respan(x, span))) as T;
  if (node === null || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  if (typeof o['start'] === 'number' && typeof o['end'] === 'number' && Object.keys(o).length === 2) return { ...span } as T;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, respan(v, span)])) as T;
}

const AGG_ALIASES: Readonly<Record<string, AggFunction>> = {
  values: 'values', list: 'list', count: 'count', c: 'count', dc: 'dc', distinct_count: 'dc',
  min: 'min', max: 'max', sum: 'sum', avg: 'avg', mean: 'avg', earliest: 'earliest', latest: 'latest', first: 'first', last: 'last',
  stdev: 'stdev', median: 'median', range: 'range',
};

const SPAN_UNITS: Readonly<Record<string, number>> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1, m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600, d: 86400, day: 86400, days: 86400,
};

const NORMALIZERS: { readonly [K in CommandKind]: Normalizer<K> } = {
  search(cmd, s) {
    cmd.macros.forEach((m) => useMacro(s, m.name, m.span, true, m.args));
    if (cmd.expr) addFilter(s, normalizeSearch(cmd.expr, s.diagnostics), cmd.span);
  },
  where(cmd, s) {
    const r = normalizeWhere(cmd.expr);
    s.diagnostics.push(...r.diagnostics);
    if (r.expr) {
      checkRegexes(r.expr, s);
      addFilter(s, r.expr, cmd.span);
    }
  },
  regex(cmd, s) {
    const parsed = parseRegex(cmd.pattern);
    if (!parsed.ok) {
      const at = (i: number): number => cmd.patternOffsets[Math.min(i, cmd.patternOffsets.length - 1)] ?? cmd.patternSpan.start;
      s.diagnostics.push(diag('RX001', `invalid regex: ${parsed.error.message}`, { start: at(parsed.error.start), end: at(Math.max(parsed.error.start, parsed.error.end - 1)) + 1 }));
      return;
    }
    const field = cmd.field ? { name: cmd.field.name, span: cmd.field.span } : { name: '_raw', span: cmd.nameSpan };
    const re: Expr = { kind: 'regex', field, pattern: cmd.pattern, span: cmd.patternSpan };
    addFilter(s, cmd.negated ? { kind: 'not', arg: re, span: cmd.span } : re, cmd.span);
  },
  table(cmd, s) {
    s.stages.push({ kind: 'project', mode: 'table', fields: expandFieldList(s, cmd.fields), span: cmd.span });
  },
  fields(cmd, s) {
    s.stages.push({ kind: 'project', mode: cmd.remove ? 'remove' : 'keep', fields: expandFieldList(s, cmd.fields), span: cmd.span });
  },
  rename(cmd, s) {
    s.stages.push({ kind: 'rename', pairs: cmd.pairs.map((p) => ({ from: { ...p.from }, to: { ...p.to } })), span: cmd.span });
  },
  bin(cmd, s) {
    const m = /^(\d+)([a-z]+)?$/i.exec(cmd.spanText);
    const unit = SPAN_UNITS[(m?.[2] ?? 's').toLowerCase()];
    if (!m || unit === undefined) {
      s.diagnostics.push(diag('SPL005', `span '${cmd.spanText}' is not a time span ruleport understands (e.g. 1s, 5m, 1h, 1d)`, cmd.spanSpan));
      return;
    }
    // `bin span=1s` with no field bins _time: the Armory relies on it (splunk-semantics.md §6).
    const field = cmd.field ? { name: cmd.field.name, span: cmd.field.span } : { name: '_time', span: cmd.nameSpan };
    s.stages.push({ kind: 'bucket', field, seconds: Number(m[1]) * unit, as: cmd.as?.name ?? field.name, span: cmd.span });
  },
  stats(cmd, s) {
    const window = cmd.variant === 'streamstats' ? streamWindow(cmd.options, s.diagnostics) : null;
    const unsupported = cmd.variant === 'streamstats' ? cmd.options.filter((o) => !STREAM_OPTIONS.has(o.name)) : cmd.options;
    for (const o of unsupported) s.diagnostics.push(diag('SPL102', `${cmd.variant} ${o.name}= is not supported yet`, o.span));
    if (unsupported.length || (cmd.variant === 'streamstats' && !window)) return;
    const aggs: Aggregation[] = [];
    for (const a of cmd.aggs) {
      const fn = AGG_ALIASES[a.fn];
      if (!fn) {
        s.diagnostics.push(diag('SPL104', `statistical function ${a.fn}() is not supported yet`, a.span));
        continue;
      }
      const field = a.arg?.name ?? null;
      if (field === null && fn !== 'count') {
        s.diagnostics.push(diag('SPL004', `${a.fn}() needs a field`, a.span));
        continue;
      }
      const as = a.as?.name ?? (field === '*' ? '*' : field === null ? 'count' : `${a.fn}(${field})`);
      if (field === '*' && as !== '*') {
        s.diagnostics.push(diag('SPL102', `${a.fn}(*) must be renamed with 'as *'`, a.span));
        continue;
      }
      aggs.push({ fn, field, as, span: a.span });
    }
    const by = cmd.by.map((f) => ({ name: f.name, span: f.span }));
    if (cmd.variant === 'streamstats') s.stages.push({ kind: 'aggregate', mode: 'streamstats', aggs, by, ...(window as StreamWindow), span: cmd.span });
    else s.stages.push({ kind: 'aggregate', mode: cmd.variant, aggs, by, span: cmd.span });
  },
  eval(cmd, s) {
    const assignments: { field: { name: string; span: Span }; expr: ValueExpr }[] = [];
    for (const a of cmd.assignments) {
      try {
        assignments.push({ field: { name: a.field.name, span: a.field.span }, expr: toValue(a.expr) });
      } catch (err) {
        if (!(err instanceof UnsupportedConstruct)) throw err;
        s.diagnostics.push(diag(err.code, err.message, err.span));
      }
    }
    if (assignments.length === cmd.assignments.length) {
      assignments.forEach((a) => checkValueRegexes(a.expr, s));
      s.stages.push({ kind: 'eval', assignments, span: cmd.span });
    }
  },
  rex(cmd, s) {
    const field = cmd.field ? { name: cmd.field.name, span: cmd.field.span } : { name: '_raw', span: cmd.nameSpan };
    const mode = cmd.options.find((o) => o.name === 'mode');
    const maxMatch = cmd.options.find((o) => o.name === 'max_match');
    for (const o of cmd.options) {
      if (o.name === 'offset_field') s.diagnostics.push(diag('SPL102', 'rex offset_field= is not supported', o.span));
    }
    const at = (i: number): number => cmd.patternOffsets[Math.min(i, cmd.patternOffsets.length - 1)] ?? cmd.patternSpan.start;
    if (mode && mode.value !== 'sed') {
      s.diagnostics.push(diag('SPL005', `rex mode=${mode.value}: only mode=sed exists`, mode.span));
      return;
    }
    if (mode) {
      const sed = parseSed(cmd.pattern);
      if (!sed) {
        s.diagnostics.push(diag('SPL005', "rex mode=sed needs 's/<regex>/<replacement>/[g]' (the y/// form is not supported)", cmd.patternSpan));
        return;
      }
      const parsed = parseRegex(sed.regex);
      if (!parsed.ok) {
        s.diagnostics.push(diag('RX001', `invalid regex: ${parsed.error.message}`, { start: at(2 + parsed.error.start), end: at(2 + Math.max(parsed.error.start, parsed.error.end - 1)) + 1 }));
        return;
      }
      s.stages.push({ kind: 'rex', field, pattern: sed.regex, patternSpan: cmd.patternSpan, mode: 'sed', groups: [], maxMatch: 1, replacement: sed.replacement, global: sed.global, span: cmd.span });
      return;
    }
    if (maxMatch && !/^\d+$/.test(maxMatch.value)) {
      s.diagnostics.push(diag('SPL005', `rex max_match=${maxMatch.value}: a count is needed (0 for every match)`, maxMatch.span));
      return;
    }
    const parsed = parseRegex(cmd.pattern);
    if (!parsed.ok) {
      s.diagnostics.push(diag('RX001', `invalid regex: ${parsed.error.message}`, { start: at(parsed.error.start), end: at(Math.max(parsed.error.start, parsed.error.end - 1)) + 1 }));
      return;
    }
    const groups = namedGroups(cmd.pattern);
    if (groups.length === 0) {
      s.diagnostics.push(diag('SPL102', 'rex extracts nothing: the regex has no named group (?<name>...)', cmd.patternSpan, { severity: 'warning' }));
    }
    s.stages.push({ kind: 'rex', field, pattern: cmd.pattern, patternSpan: cmd.patternSpan, mode: 'extract', groups, maxMatch: maxMatch ? Number(maxMatch.value) : 1, replacement: null, global: false, span: cmd.span });
  },
  lookup(cmd, s) {
    for (const o of cmd.options) s.diagnostics.push(diag('SPL102', `lookup ${o.name}= is not supported`, o.span));
    if (cmd.outputs.length === 0) {
      s.diagnostics.push(diag('SPL102', 'lookup without OUTPUT adds every column of the table, which ruleport cannot know statically; list them with OUTPUT', cmd.span));
      return;
    }
    s.stages.push({
      kind: 'enrich',
      command: 'lookup',
      table: cmd.table.name,
      inputs: cmd.inputs.map((i) => ({ field: i.as ? { name: i.as.name, span: i.as.span } : { name: i.column.name, span: i.column.span }, column: i.column.name })),
      outputs: cmd.outputs.map((o) => ({ column: o.column.name, as: o.as?.name ?? o.column.name })),
      overwrite: cmd.outputMode !== 'OUTPUTNEW',
      span: cmd.span,
    });
  },
  iplocation(cmd, s) {
    const prefix = cmd.options.find((o) => o.name === 'prefix')?.value ?? '';
    const all = /^(1|t|true)$/i.test(cmd.options.find((o) => o.name === 'allfields')?.value ?? 'false');
    for (const o of cmd.options) if (o.name === 'lang') s.diagnostics.push(diag('SPL102', 'iplocation lang= is not supported', o.span));
    const columns = ['City', 'Country', 'Region', 'lat', 'lon', ...(all ? ['Continent', 'MetroCode', 'Timezone'] : [])];
    s.stages.push({
      kind: 'enrich',
      command: 'iplocation',
      table: 'geoip',
      inputs: [{ field: { name: cmd.field.name, span: cmd.field.span }, column: 'ip' }],
      outputs: columns.map((c) => ({ column: c, as: `${prefix}${c}` })),
      overwrite: true,
      span: cmd.span,
    });
  },
  sort(cmd, s) {
    s.stages.push({
      kind: 'sort',
      keys: cmd.keys.map((k) => ({ field: { name: k.field.name, span: k.field.span }, descending: k.descending, as: k.as })),
      // Splunk's sort keeps at most 10000 rows unless a count is given; 0 means all.
      limit: cmd.limit ?? 10000,
      span: cmd.span,
    });
  },
  fillnull(cmd, s) {
    s.stages.push({ kind: 'fillnull', value: cmd.options.find((o) => o.name === 'value')?.value ?? '0', fields: cmd.fields.map((f) => ({ name: f.name, span: f.span })), span: cmd.span });
  },
  foreach(cmd, s) {
    for (const c of expandForeach(cmd, s.stages, s.diagnostics)) run(c, s);
  },
  macro(cmd, s) {
    useMacro(s, cmd.macro.name, cmd.macro.span, false, cmd.macro.args);
  },
  join(cmd, s) {
    let type: 'inner' | 'left' = 'inner';
    let max = 1;
    // Splunk's join docs: overwrite defaults to true (subsearch fields replace the row's).
    let overwrite = true;
    let ok = true;
    const bad = (o: { span: Span }, message: string): void => {
      s.diagnostics.push(diag('SPL005', message, o.span));
      ok = false;
    };
    for (const o of cmd.options) {
      const v = o.value.toLowerCase();
      if (o.name === 'type') {
        if (v === 'inner') type = 'inner';
        // The docs: "outer and left are synonymous".
        else if (v === 'left' || v === 'outer') type = 'left';
        else bad(o, `join type=${o.value}: expected inner, left or outer`);
      } else if (o.name === 'max') {
        if (/^\d+$/.test(o.value)) max = Number(o.value);
        else bad(o, `join max=${o.value}: a count is needed (0 for no limit)`);
      } else if (o.name === 'overwrite') {
        const b = parseBool(o.value);
        if (b === null) bad(o, `join overwrite=${o.value}: expected true or false`);
        else overwrite = b;
      } else {
        s.diagnostics.push(diag('SPL102', `join ${o.name}= is not supported`, o.span));
        ok = false;
      }
    }
    if (cmd.fields.length === 0) {
      s.diagnostics.push(diag('SPL102', 'join with no field list (join on every common field) is not supported: name the fields', cmd.nameSpan));
      ok = false;
    }
    const sub = normalizeCommands(cmd.subsearch.commands, s.macros, s.diagnostics, s.depth + 1);
    if (!ok) return;
    s.stages.push({
      kind: 'join',
      type,
      fields: cmd.fields.map((f) => ({ name: f.name, span: f.span })),
      max,
      overwrite,
      subsearch: { source: sub.source, filter: sub.filter, stages: sub.stages, span: cmd.subsearch.span },
      span: cmd.span,
    });
  },
  unknown() {
    // The parser already reported the command; nothing to add to the IR.
  },
};

/** Named capture groups of a PCRE, in order: `(?<n>`, `(?P<n>` and `(?'n'`. */
function namedGroups(pattern: string): string[] {
  const names: string[] = [];
  const re = /\\.|\[(?:\\.|[^\]])*\]|\(\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(pattern)) !== null) {
    const name = m[1] ?? m[2];
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

/** `s/<regex>/<replacement>/<flags>` with `\/` for a literal slash. */
function parseSed(script: string): { regex: string; replacement: string; global: boolean } | null {
  const m = /^s\/((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/(g?)$/s.exec(script);
  if (!m) return null;
  return { regex: (m[1] as string).replace(/\\\//g, '/'), replacement: (m[2] as string).replace(/\\\//g, '/'), global: m[3] === 'g' };
}

/** Regex literals inside filters (match(), regex nodes) must parse; report them located. */
function checkRegexes(e: Expr, s: State): void {
  switch (e.kind) {
    case 'and':
    case 'or':
      e.args.forEach((a) => checkRegexes(a, s));
      return;
    case 'not':
      checkRegexes(e.arg, s);
      return;
    case 'regex': {
      const parsed = parseRegex(e.pattern);
      if (!parsed.ok) s.diagnostics.push(diag('RX001', `invalid regex: ${parsed.error.message}`, e.span));
      return;
    }
    case 'cond':
      checkValueRegexes(e.expr, s);
      return;
    case 'eq':
    case 'cmp':
    case 'exists':
    case 'term':
    case 'cidr':
    case 'undisclosed':
      return;
    default:
      assertNever(e, 'expression');
  }
}

function checkValueRegexes(e: ValueExpr, s: State): void {
  if (e.kind === 'call' || e.kind === 'op') {
    e.args.forEach((a) => checkValueRegexes(a, s));
    const re = e.args[e.kind === 'call' && (e.fn === 'match' || e.fn === 'replace') ? 1 : -1];
    if (re?.kind === 'literal' && typeof re.value === 'string') {
      const parsed = parseRegex(re.value);
      if (!parsed.ok) s.diagnostics.push(diag('RX001', `invalid regex: ${parsed.error.message}`, re.span));
    }
  }
}

function run<K extends CommandKind>(cmd: Extract<Command, { kind: K }>, s: State): void {
  (NORMALIZERS[cmd.kind] as Normalizer<K>)(cmd, s);
}

export interface NormalizeResult {
  readonly detection: Detection;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * For a search that names no data source: the one source the rule file's data_category names
 * (within the scope macro's family, if any), reported as an info so the assumption is visible.
 */
function sourceFromRule(rule: RuleSource, s: State): string | null {
  const found = sourceFromCategories(rule.dataCategories, s.scope);
  const key = /^data_category[ \t]*:/m.exec(rule.text);
  const pos = key ? positionAt(rule.text, key.index) : null;
  const at = pos ? { at: { line: pos.line, column: pos.column } } : {};
  const within = s.scope ? ` of scope '${s.scope}'` : '';
  switch (found.kind) {
    case 'none':
      return null;
    case 'ambiguous':
      s.diagnostics.push(diag('SPL114', `the search names no data source and data_category names several${within} (${found.sources.join(', ')}); none is assumed`, null, at));
      return null;
    case 'resolved':
      s.diagnostics.push(diag('SPL113', `the search names no data source; data source '${found.source}' taken from data_category ${found.from.map((c) => `'${c}'`).join(', ')}`, null, at));
      return found.source;
    default:
      return assertNever(found, 'category resolution');
  }
}

/** SPL's boolean option values (`t`, `true`, `1`, `f`, `false`, `0`), or null. */
function parseBool(v: string): boolean | null {
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  return null;
}

/** A pipeline's data source, filter and stages (the whole search, or a subsearch). */
function normalizeCommands(
  commands: readonly Command[],
  macros: MacroTable,
  diagnostics: Diagnostic[],
  depth: number,
): { source: DataSource; filter: Expr; stages: Stage[] } {
  const s = runCommands(commands, macros, diagnostics, depth);
  return { source: { id: s.sourceId ?? s.scopeSource, macros: s.macroNames }, filter: s.filter, stages: s.stages };
}

function runCommands(commands: readonly Command[], macros: MacroTable, diagnostics: Diagnostic[], depth: number): State {
  const s: State = { filter: TRUE, stages: [], diagnostics, macros, sourceId: null, scopeSource: null, scope: null, macroNames: [], depth };
  for (const cmd of commands) run(cmd, s);
  return s;
}

export function normalize(rule: RuleSource, commands: readonly Command[], macros: MacroTable): NormalizeResult {
  const diagnostics: Diagnostic[] = [];
  const s = runCommands(commands, macros, diagnostics, 0);
  const source: DataSource = { id: s.sourceId ?? s.scopeSource ?? sourceFromRule(rule, s), macros: s.macroNames };
  const { filter, stages } = s;
  const detection: Detection = {
    id: rule.id,
    title: rule.title,
    description: rule.description,
    references: rule.references,
    techniqueIds: rule.techniqueIds,
    spl: rule.spl,
    source,
    filter,
    stages,
  };
  return { detection, diagnostics };
}
