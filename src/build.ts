/**
 * Conversion of rule files: one file through every selected backend (`convertFile`), and the
 * output files of a batch, `<backend>/<rule stem>.<ext>` plus `report.json` (`assemble`). Batches
 * spread over threads and written to disk are src/workflow/batch.ts and src/workflow/tree.ts.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { BACKEND_IDS, statusOf, type BackendId, type Diagnostic, type Status } from './diagnostics.js';
import { BACKENDS } from './backends/registry.js';
import { capabilitiesMarkdown } from './capabilities.js';
import { frontEnd, renderBackend } from './pipeline.js';
import type { MacroTable } from './ir/macros.js';
import { builtinMacros } from './ir/macros.js';
import { loadRuleFile } from './rules/load.js';
import type { RuleSource } from './rules/source.js';
import { ruleResult, type RuleResult } from './workflow/rule-result.js';
import { reportFile, summarize } from './workflow/report-file.js';
import { posix } from './workflow/tree.js';

export interface BuildOptions {
  readonly backends?: readonly BackendId[];
  readonly profiles?: Partial<Record<BackendId, string>>;
  readonly macros?: MacroTable;
  /** Rule paths in reports are relative to this folder (default: the working directory). */
  readonly root?: string;
  /** Called after each rule file, for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RuleReport {
  readonly file: string;
  readonly rule?: RuleSource;
  /** The file text when it was read but is not a rule (bad YAML, schema errors), for code frames. */
  readonly text?: string;
  readonly diagnostics: readonly Diagnostic[];
  /** True when the front end produced an IR (no syntax error, no unsupported construct). */
  readonly normalized: boolean;
  readonly backends: { readonly backend: BackendId; readonly status: Status; readonly text: string | null; readonly diagnostics: readonly Diagnostic[] }[];
}

/** Rule files (*.yml, *.yaml) under the paths, sorted for deterministic output. */
export function findRuleFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const isRuleFile = (p: string, top: boolean): boolean => /\.ya?ml$/i.test(p) && (top || basename(p) !== 'ruleport.config.yml');
  // Hidden folders (.git, a build's staging tree) and the config file are not rules. Entry types
  // come with the listing: only symbolic links need a stat (a catalog is thousands of files).
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      const isDir = e.isSymbolicLink() ? statSync(p).isDirectory() : e.isDirectory();
      if (isDir) walk(p);
      else if (isRuleFile(p, false)) out.push(p);
    }
  };
  for (const p of paths) {
    if (statSync(p).isDirectory()) walk(p);
    else if (isRuleFile(p, true)) out.push(p);
  }
  return [...new Set(out)].sort();
}

export function convertFile(file: string, opts: BuildOptions = {}): RuleReport {
  const loaded = loadRuleFile(file);
  const backends = opts.backends ?? BACKEND_IDS;
  if (!loaded.rule) {
    return { file, ...(loaded.text === undefined ? {} : { text: loaded.text }), diagnostics: loaded.diagnostics, normalized: false, backends: backends.map((b) => ({ backend: b, status: 'error', text: null, diagnostics: [] })) };
  }
  const fe = frontEnd(loaded.rule, opts.macros ?? builtinMacros());
  const detection = fe.detection;
  return {
    file,
    rule: loaded.rule,
    diagnostics: fe.diagnostics,
    normalized: detection !== undefined,
    backends: backends.map((b) => {
      if (!detection) return { backend: b, status: statusOf(fe.diagnostics), text: null, diagnostics: [] };
      const r = renderBackend(detection, b, opts.profiles?.[b]);
      const status: Status = r.text === null && statusOf(r.diagnostics) === 'exact' ? 'error' : statusOf(r.diagnostics);
      return { backend: b, status, text: r.text, diagnostics: r.diagnostics };
    }),
  };
}

/** How a rule file is named in reports: posix, relative to `root` (the config file's folder or the cwd). */
export function displayPath(file: string, root: string = process.cwd()): string {
  const rel = relative(root, resolve(file));
  return posix(rel === '' ? basename(file) : rel);
}

/** Two rule files whose outputs would have the same name (`<backend>/<stem>.<ext>`). */
export interface Collision {
  readonly stem: string;
  readonly files: readonly string[];
}

export interface BuildResult {
  /** Relative posix path -> content, `report.json` included. */
  readonly outputs: Map<string, string>;
  /** Every converted Splunk rule, in file order (skipped ones excluded). */
  readonly results: RuleResult[];
  /** Output path -> the rule file it comes from (report.json excluded). */
  readonly sources: Map<string, string>;
  /** Stems shared by several rule files; a build with collisions must not be written. */
  readonly collisions: Collision[];
}

/** Output files of a build as relative path -> content, converted in this thread. */
export function buildOutputs(files: readonly string[], opts: BuildOptions = {}): BuildResult & { readonly reports: RuleReport[] } {
  const reports: RuleReport[] = [];
  for (const f of files) {
    reports.push(convertFile(f, opts));
    opts.onProgress?.(reports.length, files.length);
  }
  const root = opts.root ?? process.cwd();
  return { ...assemble(reports.map((r) => ruleResult(r, root))), reports };
}

/**
 * The outputs of a batch: every rule's files, report.json and capabilities.md (rendered here unless
 * given). Rules in other query languages (the Armory's Snowflake twins) are counted as skipped, not failed.
 */
export function assemble(all: readonly RuleResult[], capabilities: string = capabilitiesMarkdown()): BuildResult {
  const outputs = new Map<string, string>();
  const sources = new Map<string, string>();
  const results = all.filter((r) => !r.skipped);
  const byStem = new Map<string, string[]>();
  for (const r of results) {
    const same = byStem.get(r.stem);
    if (same) same.push(r.display);
    else byStem.set(r.stem, [r.display]);
    for (const [rel, text] of ruleOutputs(r)) {
      outputs.set(rel, text);
      sources.set(rel, r.file);
    }
  }
  const collisions = [...byStem].filter(([, fs]) => fs.length > 1).map(([stem, files]) => ({ stem, files }));
  outputs.set('report.json', reportFile(results, all.length - results.length));
  // What each backend can express, next to what it made of these rules.
  outputs.set('capabilities.md', capabilities);
  return { outputs, results, sources, collisions };
}

/** A rule's output files: `<backend>/<stem>.<ext>` -> text. */
export function ruleOutputs(r: RuleResult): [string, string][] {
  const out: [string, string][] = [];
  for (const o of r.outputs) if (o.text !== null) out.push([`${o.backend}/${r.stem}.${BACKENDS[o.backend].extension}`, o.text]);
  return out;
}

/** A plain-text summary: per backend exact / lossy / unsupported / error, and the commonest codes. */
export function corpusSummary(built: { readonly reports: readonly RuleReport[]; readonly results: readonly RuleResult[] }): string {
  const rules = built.reports.filter((r) => !r.diagnostics.some((d) => d.code === 'RP004'));
  const { summary, codes } = summarize(built.results);
  const normalized = rules.filter((r) => r.normalized).length;
  const clean = rules.filter((r) => r.normalized && !r.diagnostics.some((d) => d.severity === 'error')).length;
  const lines = [
    `rules: ${rules.length}; normalized to an IR: ${normalized} (${pct(normalized, rules.length)}); of those, without lint errors: ${clean}`, '', '| backend | exact | lossy | unsupported | error |', '|---|---|---|---|---|'];
  for (const [b, s] of Object.entries(summary)) lines.push(`| ${b} | ${s.exact} | ${s.lossy} | ${s.unsupported} | ${s.error} |`);
  lines.push('', '| code | count |', '|---|---|');
  for (const [c, n] of Object.entries(codes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`| ${c} | ${n} |`);
  return `${lines.join('\n')}\n`;
}

function pct(n: number, d: number): string {
  return d === 0 ? '0%' : `${((100 * n) / d).toFixed(1)}%`;
}
