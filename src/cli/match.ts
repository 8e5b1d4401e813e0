/**
 * `ruleport match`: one pass over NDJSON input (files or stdin) for one or many rules.
 * Each line is tested on its raw bytes first (necessary key/value conditions of each filter),
 * decoded on its own and parsed once, however many rules run. Each kept event streams through
 * the rule's stages (runtime/pipeline.ts): filter-only rules and row-wise stages (table, rename,
 * bin, where, eval, rex, lookup) emit rows as they come, in constant memory; stats folds rows into
 * its groups (memory grows with the groups and their distinct values) and emits at end of input;
 * eventstats/sort/streamstats hold their rows until then. Rules with a join also keep every input
 * event, since the subsearch is a second search over the same input.
 */
import type { Argv } from 'yargs';
import { readFileSync, statSync } from 'node:fs';
import { diag } from '../diagnostics.js';
import { frontEnd } from '../pipeline.js';
import { loadRuleFile } from '../rules/load.js';
import { formatDiagnostic } from '../report.js';
import { resolveProfile } from '../profiles/profile.js';
import { findRuleFiles } from '../build.js';
import { compileDetection, matcherLossy, MatcherUnsupported, type CompiledRule } from '../matcher/compile.js';
import { mapEvent, needsInput, streamStages, type LookupTable, type Row, type RowStream } from '../runtime/index.js';
import { compileLinePrefilter, scanStream } from '../runtime/lines.js';
import { csvTable } from '../runtime/csv.js';

import { macrosFrom, type GlobalArgs, type SetExit } from './shared.js';

interface Running {
  readonly id: string;
  readonly rule: CompiledRule;
  readonly pre: ((buf: Buffer, start: number, end: number) => boolean) | null;
  /** The rule's stages, fed each kept event; set once the output is ready. */
  stream: RowStream | null;
  /** Every input event, kept for a join's subsearch (null when the rule has no join). */
  readonly events: Record<string, unknown>[] | null;
}

function table(rows: readonly Row[]): string {
  const cols: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
  const cell = (v: unknown): string => (v === undefined ? '' : Array.isArray(v) ? v.join(' | ') : String(v)).replace(/[\r\n\t]+/g, ' ');
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.min(80, Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length))));
  const fit = (s: string, w: number): string => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = (xs: readonly string[]): string => xs.map((x, i) => fit(x, widths[i] ?? 0)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

export function matchCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'match <rule> [events..]',
    'run the native matcher on NDJSON events (files, or - for stdin); <rule> is a rule file or a folder of rules (one pass for all)',
    (y) =>
      y
        .positional('rule', { type: 'string', demandOption: true })
        .positional('events', { type: 'string', array: true, default: ['-'] })
        .option('profile', { alias: 'p', type: 'string', default: 'sysmon-raw', describe: 'input mapping profile' })
        .option('lookup', { type: 'string', array: true, default: [] as string[], describe: 'lookup table as name=file.csv (repeatable)' })
        .option('format', { choices: ['ndjson', 'table'] as const, describe: 'output format (default: table on a terminal, else NDJSON)' }),
    async (a) => {
      let exit = 0;
      const lookups = new Map<string, LookupTable>();
      for (const spec of a.lookup) {
        const eq = spec.indexOf('=');
        if (eq <= 0) {
          process.stderr.write(`--lookup ${spec}: expected name=file.csv\n`);
          setExit(2);
          return;
        }
        try {
          lookups.set(spec.slice(0, eq), csvTable(readFileSync(spec.slice(eq + 1), 'utf8')));
        } catch (err) {
          process.stderr.write(`--lookup ${spec}: ${(err as Error).message}\n`);
          setExit(2);
          return;
        }
      }
      let files: string[];
      try {
        files = findRuleFiles([a.rule]);
      } catch (err) {
        process.stderr.write(`${a.rule}: ${(err as Error).message}\n`);
        setExit(2);
        return;
      }
      const profile = resolveProfile(a.profile);
      const running: Running[] = [];
      for (const file of files) {
        const loaded = loadRuleFile(file);
        if (!loaded.rule) {
          for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(file, d)}\n`);
          exit = 1;
          continue;
        }
        const fe = frontEnd(loaded.rule, macrosFrom(a.macros));
        if (files.length === 1) for (const d of fe.diagnostics) process.stderr.write(`${formatDiagnostic(file, d, loaded.rule)}\n`);
        if (!fe.detection) {
          if (files.length > 1) process.stderr.write(`${file}: skipped: the rule does not normalize (see ruleport lint)\n`);
          exit = 1;
          continue;
        }
        try {
          const rule = compileDetection(fe.detection, profile, { lookups });
          if (files.length === 1) for (const d of matcherLossy(fe.detection)) process.stderr.write(`${formatDiagnostic(file, d, loaded.rule)}\n`);
          // A join's subsearch reads every event, so the rule's line prefilter cannot skip any.
          const joins = needsInput(rule.stages);
          running.push({ id: fe.detection.id, rule, pre: joins ? null : compileLinePrefilter(rule.prefilter), stream: null, events: joins ? [] : null });
        } catch (err) {
          if (!(err instanceof MatcherUnsupported)) throw err;
          process.stderr.write(`${formatDiagnostic(file, diag('BE001', err.message, err.span, { backend: 'ts' }), loaded.rule)}\n`);
          exit = 1;
        }
      }
      const tagged = running.length > 1;
      const asTable = (a.format ?? (process.stdout.isTTY ? 'table' : 'ndjson')) === 'table';
      const tableRows: Row[] = [];
      const emit = (r: Running, row: Row): void => {
        const { _raw, ...rest } = row;
        void _raw;
        const out: Row = tagged ? { _rule: r.id, ...rest } : rest;
        if (asTable) tableRows.push(out);
        else process.stdout.write(`${JSON.stringify(out)}\n`);
      };
      for (const r of running) r.stream = streamStages(r.rule.stages, (row) => emit(r, row), r.events ?? undefined);

      for (const src of a.events as string[]) {
        let lineNo = 0;
        const size = src === '-' ? 0 : statSafe(src);
        const progress = process.stderr.isTTY && size > 64 * 1024 * 1024;
        let shown = -1;
        const onLine = (buf: Buffer, start: number, end: number): void => {
          lineNo++;
          if (end === start) return;
          let text: string | null = null;
          let raw: Record<string, unknown> | null | undefined;
          for (const r of running) {
            if (r.pre && !r.pre(buf, start, end)) continue;
            text ??= buf.toString('utf8', start, end);
            if (raw === undefined) {
              try {
                const v = JSON.parse(text) as unknown;
                raw = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
              } catch {
                raw = null;
              }
              if (raw === null && text.trim() !== '') process.stderr.write(`${src}:${lineNo}: skipped: not a JSON object\n`);
            }
            if (!raw) break;
            r.events?.push({ ...raw, _raw: text });
            if (!r.rule.test(raw, text)) continue;
            r.stream?.push(mapEvent({ ...raw, _raw: text }, r.rule.input));
          }
        };
        try {
          await scanStream(src === '-' ? process.stdin : src, onLine, (bytes) => {
            if (!progress) return;
            const pct = Math.floor((bytes / size) * 100);
            if (pct === shown) return;
            shown = pct;
            const w = 30;
            const fill = Math.round((pct / 100) * w);
            process.stderr.write(`\r${src} [${'#'.repeat(fill)}${'.'.repeat(w - fill)}] ${pct}%`);
          });
        } catch (err) {
          process.stderr.write(`${src}: ${(err as Error).message}\n`);
          setExit(2);
          return;
        }
        if (progress) process.stderr.write('\n');
      }
      for (const r of running) r.stream?.end();
      if (asTable && tableRows.length) process.stdout.write(table(tableRows));
      setExit(exit);
    },
  );
}

function statSafe(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}
