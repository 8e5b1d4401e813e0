/** What every CLI command shares: options, config file, diagnostics printing, exit codes. */
import type { Argv } from 'yargs';
import { BACKEND_IDS, atLeast, worstSeverity, type BackendId, type Diagnostic, type Severity } from '../diagnostics.js';
import type { RuleReport } from '../build.js';
import { builtinMacros, loadMacros, type MacroTable } from '../ir/macros.js';
import { resolveProfile } from '../profiles/profile.js';
import { escalate, formatDiagnostic, formatLocated, styleFor, type Style } from '../report.js';
import { locatedDiagnostics, severities, type RuleResult } from '../workflow/rule-result.js';
import { findConfig, loadConfig, type RuleportConfig } from '../workflow/config.js';

/** Options every command accepts. */
export interface GlobalArgs {
  macros?: string;
}

/** Sets the process exit code once the command finishes. */
export type SetExit = (code: number) => void;

/** A problem with the command line or the configuration: exit 2. */
export class UsageError extends Error {}

export const EXIT_CODES_EPILOG = 'Exit codes: 0 ok; 1 findings at or above the threshold (--fail-on), stale/missing/extra outputs, or colliding rule names; 2 usage or I/O error.';

export const backendOption = { alias: 't', type: 'string', choices: BACKEND_IDS as unknown as string[], describe: 'target backend' } as const;

export function macrosFrom(file: string | undefined): MacroTable {
  return file ? { ...builtinMacros(), ...loadMacros(file) } : builtinMacros();
}

export function printDiagnostics(report: RuleReport, diags: readonly Diagnostic[], style: Style = styleFor(process.stderr), file: string = report.file): void {
  for (const d of diags) process.stderr.write(`${formatDiagnostic(file, d, report.rule, report.rule?.text, style)}\n`);
}

export function allDiagnostics(r: RuleReport): Diagnostic[] {
  return [...r.diagnostics, ...r.backends.flatMap((b) => b.diagnostics)];
}

/** 1 when a diagnostic reaches error severity (with --strict, lossy and unmapped ones count too). */
export function exitFor(diags: readonly Diagnostic[], strict: boolean, threshold: Severity = 'error'): number {
  const worst = worstSeverity(strict ? diags.map(escalate) : diags);
  return worst && atLeast(worst, threshold) ? 1 : 0;
}

// ---- options shared by build, check and diff -------------------------------------------------

export interface BatchArgs extends GlobalArgs {
  paths?: string[];
  out?: string;
  target?: string[];
  profile?: string[];
  strict?: boolean;
  config?: string | false;
  'fail-on'?: string;
  quiet?: boolean;
  verbose?: boolean;
}

/** Options of build and check (and, without paths/out, diff). */
export function batchOptions<T>(y: Argv<T>, { paths = true }: { paths?: boolean } = {}): Argv<T & BatchArgs> {
  let r = y as unknown as Argv<T & BatchArgs>;
  if (paths) {
    r = r
      .positional('paths', { type: 'string', array: true, describe: 'rule files or folders (default: `paths` in ruleport.config.yml)' })
      .option('out', { alias: 'o', type: 'string', describe: 'output directory (default: `out` in ruleport.config.yml)' }) as unknown as Argv<T & BatchArgs>;
  }
  return r
    .option('target', { alias: 't', type: 'string', array: true, describe: `backends, repeated or comma-separated: ${BACKEND_IDS.join(', ')} (default: all)` })
    .option('profile', { alias: 'p', type: 'string', array: true, describe: 'mapping profile per backend: backend=name-or-file (repeatable)' })
    .option('strict', { type: 'boolean', describe: 'treat lossy and unmapped translations as errors, and fail on errors (--fail-on error)' })
    .option('fail-on', { type: 'string', choices: ['error', 'warning', 'none'], describe: 'exit 1 when a diagnostic reaches this severity (default: none; error with --strict)' })
    .option('config', { type: 'string', describe: 'config file (default: the nearest ruleport.config.yml upward from the working directory; --no-config for none)' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'print only the summary' })
    .option('verbose', { type: 'boolean', describe: `print every diagnostic (default: every error, and the first ${PRINTED_WARNINGS} warnings)` })
    .conflicts('quiet', 'verbose') as unknown as Argv<T & BatchArgs>;
}

export interface Settings {
  readonly paths: string[];
  readonly out: string | undefined;
  readonly targets: BackendId[];
  readonly profiles: Partial<Record<BackendId, string>>;
  readonly macros: MacroTable;
  readonly strict: boolean;
  /** null: never exit 1 for diagnostics. */
  readonly failOn: Severity | null;
  /** Report paths are relative to this folder: the config file's, else the working directory. */
  readonly root: string;
  readonly config: RuleportConfig | null;
}

function parseTargets(raw: readonly string[]): BackendId[] {
  const out: BackendId[] = [];
  for (const t of raw.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean)) {
    if (!(BACKEND_IDS as readonly string[]).includes(t)) throw new UsageError(`unknown backend '${t}' (choose from ${BACKEND_IDS.join(', ')})`);
    if (!out.includes(t as BackendId)) out.push(t as BackendId);
  }
  return BACKEND_IDS.filter((b) => out.includes(b));
}

function parseProfiles(raw: readonly string[]): Partial<Record<BackendId, string>> {
  const out: Partial<Record<BackendId, string>> = {};
  for (const p of raw) {
    const m = /^([a-z]+)=(.+)$/.exec(p);
    if (!m || !(BACKEND_IDS as readonly string[]).includes(m[1] ?? '')) throw new UsageError(`--profile wants backend=name (backend one of ${BACKEND_IDS.join(', ')}), got '${p}'`);
    out[m[1] as BackendId] = m[2] as string;
  }
  return out;
}

/** Command line over config file over defaults; profiles are checked here so a typo is a usage error. */
export function resolveSettings(a: BatchArgs, { needPaths = true, needOut = true }: { needPaths?: boolean; needOut?: boolean } = {}): Settings {
  const configFile = a.config === false ? null : typeof a.config === 'string' ? a.config : findConfig();
  let config: RuleportConfig | null = null;
  if (configFile) {
    try {
      config = loadConfig(configFile);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const paths = a.paths?.length ? a.paths : [...(config?.paths ?? [])];
  if (needPaths && paths.length === 0) throw new UsageError('no rule paths: give them on the command line or as `paths` in ruleport.config.yml');
  const out = a.out ?? config?.out;
  if (needOut && !out) throw new UsageError('no output directory: give -o <dir> or `out` in ruleport.config.yml');
  const targets = a.target?.length ? parseTargets(a.target) : config?.targets ? [...config.targets] : [...BACKEND_IDS];
  const profiles = { ...(config?.profiles ?? {}), ...parseProfiles(a.profile ?? []) };
  for (const [b, p] of Object.entries(profiles)) {
    try {
      resolveProfile(p);
    } catch (err) {
      throw new UsageError(`profile for ${b}: ${(err as Error).message}`);
    }
  }
  const macrosFile = a.macros ?? config?.macros;
  let macros: MacroTable;
  try {
    macros = macrosFrom(macrosFile);
  } catch (err) {
    throw new UsageError(`macros ${macrosFile ?? ''}: ${(err as Error).message}`);
  }
  const strict = a.strict ?? config?.strict ?? false;
  const failOnArg = a['fail-on'];
  const failOn: Severity | null = failOnArg === 'none' ? null : failOnArg === 'error' || failOnArg === 'warning' ? failOnArg : strict ? 'error' : null;
  return { paths, out, targets, profiles, macros, strict, failOn, root: config?.dir ?? process.cwd(), config };
}

const SEVERITIES_WORST_FIRST: readonly Severity[] = ['error', 'warning', 'info'];

/** The exit code the diagnostics of a batch call for under the settings. */
export function diagnosticsExit(results: readonly RuleResult[], s: Settings): number {
  if (!s.failOn) return 0;
  const threshold = s.failOn;
  return results.some((r) => {
    const n = severities(r.tally, s.strict);
    const worst = SEVERITIES_WORST_FIRST.find((sev) => n[sev] > 0);
    return worst !== undefined && atLeast(worst, threshold);
  })
    ? 1
    : 0;
}

/** Warnings a batch prints before it only counts them (all are in report.json; --verbose prints all). */
export const PRINTED_WARNINGS = 20;

/**
 * Prints a batch's diagnostics from `min` up on stderr, in file order, with code frames (colour on
 * a TTY only): every error, and warnings and infos up to PRINTED_WARNINGS unless `verbose`. A
 * catalog port has tens of thousands of lossy warnings; a page of them says what kind they are,
 * report.json lists them all.
 */
export function printBatchDiagnostics(results: readonly RuleResult[], s: Settings, min: Severity = 'warning', verbose = false): void {
  const style = styleFor(process.stderr);
  let pending = '';
  let shown = 0;
  let hidden = 0;
  for (const r of results) {
    const n = severities(r.tally, s.strict);
    const below = (min === 'info' ? n.info : 0) + (min !== 'error' ? n.warning : 0);
    const room = verbose ? below : Math.max(0, PRINTED_WARNINGS - shown);
    hidden += below - Math.min(below, room);
    if (n.error === 0 && (below === 0 || room === 0)) continue;
    for (const raw of locatedDiagnostics(r)) {
      const d = s.strict ? escalate(raw) : raw;
      if (!atLeast(d.severity, min)) continue;
      if (d.severity !== 'error') {
        if (shown >= PRINTED_WARNINGS && !verbose) continue;
        shown++;
      }
      pending += `${formatLocated(r.display, d, r.text, style)}\n`;
    }
    // stderr writes are synchronous system calls on files and pipes: one per ~64 KiB.
    if (pending.length >= 1 << 16) {
      process.stderr.write(pending);
      pending = '';
    }
  }
  if (hidden > 0) pending += `ruleport: ${hidden} more ${min === 'info' ? 'warnings and infos' : 'warnings'} not shown (all are in report.json; --verbose prints them)\n`;
  if (pending) process.stderr.write(pending);
}
