/**
 * Batch conversion: every rule file under the given paths through every selected backend, into
 * `<out>/<backend>/<rule stem>.<ext>` plus `<out>/report.json`. Computed in memory, then swapped
 * in as a whole so an interrupted build leaves the previous tree intact.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { BACKEND_IDS, statusOf, type BackendId, type Diagnostic, type Status } from './diagnostics.js';
import { BACKENDS } from './backends/registry.js';
import { frontEnd, renderBackend } from './pipeline.js';
import type { MacroTable } from './ir/macros.js';
import { builtinMacros } from './ir/macros.js';
import { loadRuleFile } from './rules/load.js';
import type { RuleSource } from './rules/source.js';
import { diagnosticJson } from './report.js';

export interface BuildOptions {
  readonly backends?: readonly BackendId[];
  readonly profiles?: Partial<Record<BackendId, string>>;
  readonly macros?: MacroTable;
}

export interface RuleReport {
  readonly file: string;
  readonly rule?: RuleSource;
  readonly diagnostics: readonly Diagnostic[];
  /** True when the front end produced an IR (no syntax error, no unsupported construct). */
  readonly normalized: boolean;
  readonly backends: { readonly backend: BackendId; readonly status: Status; readonly text: string | null; readonly diagnostics: readonly Diagnostic[] }[];
}

/** Rule files (*.yml, *.yaml) under the paths, sorted for deterministic output. */
export function findRuleFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e));
    } else if (/\.ya?ml$/i.test(p)) out.push(p);
  };
  for (const p of paths) walk(p);
  return [...new Set(out)].sort();
}

export function convertFile(file: string, opts: BuildOptions = {}): RuleReport {
  const loaded = loadRuleFile(file);
  const backends = opts.backends ?? BACKEND_IDS;
  if (!loaded.rule) {
    return { file, diagnostics: loaded.diagnostics, normalized: false, backends: backends.map((b) => ({ backend: b, status: 'error', text: null, diagnostics: [] })) };
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

function posix(p: string): string {
  return p.split(sep).join('/');
}

/** Output files of a build as relative path -> content. */
export function buildOutputs(files: readonly string[], opts: BuildOptions = {}): { outputs: Map<string, string>; reports: RuleReport[] } {
  const outputs = new Map<string, string>();
  // Rules in other query languages (the Armory's Snowflake twins) are skipped, not failed.
  const all = files.map((f) => convertFile(f, opts));
  const reports = all.filter((r) => !r.diagnostics.some((d) => d.code === 'RP004'));
  const skipped = all.length - reports.length;
  for (const r of reports) {
    const stem = basename(r.file, extname(r.file));
    for (const b of r.backends) {
      if (b.text !== null) outputs.set(`${b.backend}/${stem}.${BACKENDS[b.backend].extension}`, b.text);
    }
  }
  outputs.set('report.json', `${JSON.stringify({ skipped, ...reportJson(reports) }, null, 2)}\n`);
  return { outputs, reports };
}

export function reportJson(reports: readonly RuleReport[]): object {
  const summary: Record<string, Record<Status, number>> = {};
  const codes: Record<string, number> = {};
  for (const r of reports) {
    for (const d of r.diagnostics) codes[d.code] = (codes[d.code] ?? 0) + 1;
    for (const b of r.backends) {
      const s = (summary[b.backend] ??= { exact: 0, lossy: 0, unsupported: 0, error: 0 });
      s[b.status]++;
      for (const d of b.diagnostics) codes[d.code] = (codes[d.code] ?? 0) + 1;
    }
  }
  return {
    rules: reports.length,
    summary,
    codes: Object.fromEntries(Object.entries(codes).sort(([a], [b]) => a.localeCompare(b))),
    results: reports.map((r) => ({
      file: posix(r.file),
      id: r.rule?.id ?? null,
      normalized: r.normalized,
      diagnostics: r.diagnostics.map((d) => diagnosticJson(posix(r.file), d, r.rule)),
      backends: Object.fromEntries(
        r.backends.map((b) => [b.backend, { status: b.status, diagnostics: b.diagnostics.map((d) => diagnosticJson(posix(r.file), d, r.rule)) }]),
      ),
    })),
  };
}

/** Writes the outputs as the whole content of `outDir`, swapping the new tree in at the end. */
export function writeTree(outDir: string, outputs: ReadonlyMap<string, string>): void {
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(outDir)}.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  for (const [rel, content] of [...outputs].sort(([a], [b]) => a.localeCompare(b))) {
    const target = join(staging, rel);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  const old = join(parent, `.${basename(outDir)}.old-${process.pid}`);
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(staging, outDir);
  rmSync(old, { recursive: true, force: true });
}

/** Files in `dir` as relative posix path -> content, for staleness checks. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of findAll(dir)) out.set(posix(relative(dir, f)), readFileSync(f, 'utf8'));
  return out;
}

function findAll(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? findAll(p) : [p];
  });
}

/** A plain-text summary: per backend exact / lossy / unsupported / error, and the commonest codes. */
export function corpusSummary(reports: readonly RuleReport[]): string {
  const j = reportJson(reports) as { rules: number; summary: Record<string, Record<Status, number>>; codes: Record<string, number> };
  const normalized = reports.filter((r) => r.normalized).length;
  const clean = reports.filter((r) => r.normalized && !r.diagnostics.some((d) => d.severity === 'error')).length;
  const lines = [
    `rules: ${j.rules}; normalized to an IR: ${normalized} (${pct(normalized, j.rules)}); of those, without lint errors: ${clean}`, '', '| backend | exact | lossy | unsupported | error |', '|---|---|---|---|---|'];
  for (const [b, s] of Object.entries(j.summary)) lines.push(`| ${b} | ${s.exact} | ${s.lossy} | ${s.unsupported} | ${s.error} |`);
  lines.push('', '| code | count |', '|---|---|');
  for (const [c, n] of Object.entries(j.codes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) lines.push(`| ${c} | ${n} |`);
  return `${lines.join('\n')}\n`;
}

function pct(n: number, d: number): string {
  return d === 0 ? '0%' : `${((100 * n) / d).toFixed(1)}%`;
}
