/**
 * SPL AST -> IR. The only module that knows Splunk semantics. One entry per command kind; filters
 * that come before any stage fold into the detection's filter.
 */
import { diag, type Diagnostic, type Span } from '../diagnostics.js';
import type { Command, CommandKind } from '../spl/ast.js';
import type { Aggregation, AggFunction, DataSource, Detection, Expr, Stage } from '../ir/types.js';
import type { MacroTable } from '../ir/macros.js';
import type { RuleSource } from '../rules/source.js';
import { parseRegex } from '../regex/index.js';
import { and, TRUE } from './build.js';
import { normalizeSearch } from './search.js';
import { normalizeWhere } from './where.js';

interface State {
  filter: Expr;
  readonly stages: Stage[];
  readonly diagnostics: Diagnostic[];
  readonly macros: MacroTable;
  sourceId: string | null;
  readonly macroNames: string[];
}

type Normalizer<K extends CommandKind> = (cmd: Extract<Command, { kind: K }>, s: State) => void;

/** Adds a filter: into the detection filter while no stage has run, else as a row filter stage. */
function addFilter(s: State, expr: Expr, span: Span): void {
  if (s.stages.length === 0) s.filter = and([s.filter, expr]);
  else s.stages.push({ kind: 'filter', expr, span });
}

function useMacro(s: State, name: string, span: Span, leading: boolean): void {
  const def = s.macros[name];
  if (!def) {
    s.diagnostics.push(diag('SPL103', `macro \`${name}\` has no definition (add it to a --macros file)`, span));
    return;
  }
  s.macroNames.push(name);
  switch (def.kind) {
    case 'scope':
      return;
    case 'source':
      if (!leading) s.diagnostics.push(diag('SPL102', `data-source macro \`${name}\` must lead the search`, span));
      s.sourceId = def.source;
      return;
    case 'output':
      s.diagnostics.push(diag('SPL110', `output macro \`${name}\` dropped: it does not change which rows the rule returns`, span));
      return;
  }
}

const AGG_ALIASES: Readonly<Record<string, AggFunction>> = {
  values: 'values', list: 'list', count: 'count', c: 'count', dc: 'dc', distinct_count: 'dc',
  min: 'min', max: 'max', sum: 'sum', avg: 'avg', mean: 'avg', earliest: 'earliest', latest: 'latest', first: 'first', last: 'last',
};

const SPAN_UNITS: Readonly<Record<string, number>> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1, m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600, d: 86400, day: 86400, days: 86400,
};

const NORMALIZERS: { readonly [K in CommandKind]: Normalizer<K> } = {
  search(cmd, s) {
    cmd.macros.forEach((m) => useMacro(s, m.name, m.span, true));
    if (cmd.expr) addFilter(s, normalizeSearch(cmd.expr), cmd.span);
  },
  where(cmd, s) {
    const r = normalizeWhere(cmd.expr);
    s.diagnostics.push(...r.diagnostics);
    if (r.expr) addFilter(s, r.expr, cmd.span);
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
    s.stages.push({ kind: 'project', mode: 'table', fields: cmd.fields.map((f) => ({ name: f.name, span: f.span })), span: cmd.span });
  },
  fields(cmd, s) {
    s.stages.push({ kind: 'project', mode: cmd.remove ? 'remove' : 'keep', fields: cmd.fields.map((f) => ({ name: f.name, span: f.span })), span: cmd.span });
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
    s.stages.push({ kind: 'aggregate', mode: cmd.variant, aggs, by: cmd.by.map((f) => ({ name: f.name, span: f.span })), span: cmd.span });
  },
  macro(cmd, s) {
    useMacro(s, cmd.macro.name, cmd.macro.span, false);
  },
  unknown() {
    // The parser already reported the command; nothing to add to the IR.
  },
};

function run<K extends CommandKind>(cmd: Extract<Command, { kind: K }>, s: State): void {
  (NORMALIZERS[cmd.kind] as Normalizer<K>)(cmd, s);
}

export interface NormalizeResult {
  readonly detection: Detection;
  readonly diagnostics: readonly Diagnostic[];
}

export function normalize(rule: RuleSource, commands: readonly Command[], macros: MacroTable): NormalizeResult {
  const s: State = { filter: TRUE, stages: [], diagnostics: [], macros, sourceId: null, macroNames: [] };
  for (const cmd of commands) run(cmd, s);
  const source: DataSource = { id: s.sourceId, macros: s.macroNames };
  const detection: Detection = {
    id: rule.id,
    title: rule.title,
    description: rule.description,
    references: rule.references,
    techniqueIds: rule.techniqueIds,
    spl: rule.spl,
    source,
    filter: s.filter,
    stages: s.stages,
  };
  return { detection, diagnostics: s.diagnostics };
}
