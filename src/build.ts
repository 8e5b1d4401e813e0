/**
 * Batch conversion: every rule file under the given paths through every selected backend, into
 * `<out>/<backend>/<rule stem>.<ext>` plus `<out>/report.json`. Computed in memory, then swapped
 * in as a whole so an interrupted build leaves the previous tree intact.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BACKEND_IDS, statusOf, type BackendId, type Diagnostic, type Status } from './diagnostics.js';
import { BACKENDS } from './backends/registry.js';
import { capabilitiesMarkdown } from './capabilities.js';
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
  /** Rule paths in reports are relative to this folder (default: the working directory). */
  readonly root?: string;
  /** Called after each rule file, for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
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
  // Hidden folders (.git, a build's staging tree) and the config file are not rules.
  const walk = (p: string, top: boolean): void => {
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p).sort()) if (!e.startsWith('.')) walk(join(p, e), false);
    } else if (/\.ya?ml$/i.test(p) && (top || basename(p) !== 'ruleport.config.yml')) out.push(p);
  };
  for (const p of paths) walk(p, true);
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

export function posix(p: string): string {
  return p.split(sep).join('/');
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
  readonly reports: RuleReport[];
  /** Output path -> the rule file it comes from (report.json excluded). */
  readonly sources: Map<string, string>;
  /** Stems shared by several rule files; a build with collisions must not be written. */
  readonly collisions: Collision[];
}

/** Output files of a build as relative path -> content. */
export function buildOutputs(files: readonly string[], opts: BuildOptions = {}): BuildResult {
  const all: RuleReport[] = [];
  for (const f of files) {
    all.push(convertFile(f, opts));
    opts.onProgress?.(all.length, files.length);
  }
  return assemble(all, opts);
}

/**
 * `buildOutputs` spread over worker threads (one per extra core, the main thread converting too)
 * for large batches; the same result, byte for byte. Falls back to one thread for small batches,
 * on one core, or when running from TypeScript sources (tests), where workers cannot load.
 */
export async function buildOutputsParallel(files: readonly string[], opts: BuildOptions = {}): Promise<BuildResult> {
  return assemble(await convertFiles(files, opts), opts);
}

const CHUNK = 24;

export async function convertFiles(files: readonly string[], opts: BuildOptions = {}): Promise<RuleReport[]> {
  const workerUrl = new URL('./workflow/convert-worker.js', import.meta.url);
  const threads = Math.min(availableParallelism() - 1, Math.floor(files.length / (4 * CHUNK)), 3);
  if (threads < 1 || !import.meta.url.endsWith('.js') || process.env['RULEPORT_THREADS'] === '1') {
    const all: RuleReport[] = [];
    for (const f of files) {
      all.push(convertFile(f, opts));
      opts.onProgress?.(all.length, files.length);
    }
    return all;
  }
  const results: (RuleReport | undefined)[] = new Array<RuleReport | undefined>(files.length);
  let next = 0;
  let done = 0;
  const take = (): { start: number; files: string[] } | null => {
    if (next >= files.length) return null;
    const start = next;
    next = Math.min(files.length, next + CHUNK);
    return { start, files: files.slice(start, next) };
  };
  const progress = (n: number): void => {
    done += n;
    opts.onProgress?.(done, files.length);
  };
  const workerOpts = { backends: opts.backends, profiles: opts.profiles, macros: opts.macros };
  const workers = Array.from({ length: threads }, () => new Worker(workerUrl, { workerData: { opts: workerOpts } }));
  const finished = workers.map(
    (w) =>
      new Promise<void>((resolvePromise) => {
        // A worker that fails (it cannot load, it crashes) only loses its chunk: converted below.
        w.on('error', () => resolvePromise());
        w.on('exit', () => resolvePromise());
        w.on('message', (msg: { ready?: true; start?: number; reports?: RuleReport[] }) => {
          if (msg.reports && msg.start !== undefined) {
            msg.reports.forEach((r, i) => (results[(msg.start as number) + i] = r));
            progress(msg.reports.length);
          }
          w.postMessage(take());
        });
      }),
  );
  // The main thread converts chunks too, yielding between them so worker messages are handled.
  for (let chunk = take(); chunk; chunk = take()) {
    chunk.files.forEach((f, i) => (results[(chunk as { start: number }).start + i] = convertFile(f, opts)));
    progress(chunk.files.length);
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(finished);
  return results.map((r, i) => r ?? convertFile(files[i] as string, opts));
}

function assemble(all: readonly RuleReport[], opts: BuildOptions): BuildResult {
  const outputs = new Map<string, string>();
  const sources = new Map<string, string>();
  const root = opts.root ?? process.cwd();
  // Rules in other query languages (the Armory's Snowflake twins) are skipped, not failed.
  const reports = all.filter((r) => !r.diagnostics.some((d) => d.code === 'RP004'));
  const skipped = all.length - reports.length;
  const byStem = new Map<string, string[]>();
  for (const r of reports) {
    const stem = basename(r.file, extname(r.file));
    const same = byStem.get(stem);
    if (same) same.push(r.file);
    else byStem.set(stem, [r.file]);
    for (const b of r.backends) {
      if (b.text === null) continue;
      const rel = `${b.backend}/${stem}.${BACKENDS[b.backend].extension}`;
      outputs.set(rel, b.text);
      sources.set(rel, r.file);
    }
  }
  const collisions = [...byStem].filter(([, fs]) => fs.length > 1).map(([stem, fs]) => ({ stem, files: fs.map((f) => displayPath(f, root)) }));
  outputs.set('report.json', `${JSON.stringify({ skipped, ...reportJson(reports, root) }, null, 2)}\n`);
  // What each backend can express, next to what it made of these rules.
  outputs.set('capabilities.md', capabilitiesMarkdown());
  return { outputs, reports, sources, collisions };
}

export function reportJson(reports: readonly RuleReport[], root: string = process.cwd()): object {
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
    codes: Object.fromEntries(Object.entries(codes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    results: reports.map((r) => {
      const file = displayPath(r.file, root);
      return {
        file,
        id: r.rule?.id ?? null,
        normalized: r.normalized,
        diagnostics: r.diagnostics.map((d) => diagnosticJson(file, d, r.rule)),
        backends: Object.fromEntries(r.backends.map((b) => [b.backend, { status: b.status, diagnostics: b.diagnostics.map((d) => diagnosticJson(file, d, r.rule)) }])),
      };
    }),
  };
}

export class UnsafeOutputDir extends Error {}

/**
 * Refuses output directories whose replacement would destroy something that is not a ruleport
 * build: the working directory or one of its ancestors, a folder holding rule inputs, or an
 * existing non-empty folder without a `report.json`.
 */
export function assertSafeOutDir(outDir: string, inputs: readonly string[] = []): void {
  const out = resolve(outDir);
  const inside = (child: string, parent: string): boolean => {
    const rel = relative(parent, child);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (inside(process.cwd(), out)) throw new UnsafeOutputDir(`refusing to replace ${outDir}: it contains the working directory`);
  for (const i of inputs) if (inside(resolve(i), out)) throw new UnsafeOutputDir(`refusing to replace ${outDir}: it contains the rule input ${i}`);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UnsafeOutputDir(`refusing to replace ${outDir}: not a directory`);
    const entries = readdirSync(out);
    if (entries.length > 0 && !entries.includes('report.json'))
      throw new UnsafeOutputDir(`refusing to replace ${outDir}: not empty and not a ruleport output tree (no report.json)`);
  }
}

/**
 * Writes the outputs as the whole content of `outDir`: a staging tree is built beside it (files
 * unchanged since the previous build are hard-linked from it rather than rewritten), then swapped
 * in with two renames. An interrupted or failed build leaves the previous tree as it was.
 */
export function writeTree(outDir: string, outputs: ReadonlyMap<string, string>): { written: number; unchanged: number } {
  const parent = dirname(resolve(outDir));
  mkdirSync(parent, { recursive: true });
  const name = basename(resolve(outDir));
  const staging = join(parent, `.${name}.staging-${process.pid}`);
  const old = join(parent, `.${name}.old-${process.pid}`);
  const sorted = [...outputs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let written = 0;
  let unchanged = 0;
  // A build killed between its two renames left the previous tree as .<name>.old-<pid>: put it back.
  if (!existsSync(outDir)) {
    const left = readdirSync(parent).filter((e) => e.startsWith(`.${name}.old-`)).sort();
    const last = left[left.length - 1];
    if (last) renameSync(join(parent, last), outDir);
  }
  rmSync(staging, { recursive: true, force: true });
  try {
    const dirs = new Set<string>();
    for (const [rel] of sorted) dirs.add(dirname(rel));
    mkdirSync(staging);
    for (const d of [...dirs].sort()) if (d !== '.') mkdirSync(join(staging, d), { recursive: true });
    for (const [rel, content] of sorted) {
      const target = join(staging, rel);
      const previous = join(outDir, rel);
      if (sameContent(previous, content)) {
        try {
          linkSync(previous, target);
          unchanged++;
          continue;
        } catch {
          // no hard links here (another device, a file system without them): write it
        }
      }
      writeFileSync(target, content);
      written++;
    }
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(staging, outDir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(outDir) && existsSync(old)) renameSync(old, outDir);
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
  return { written, unchanged };
}

function sameContent(file: string, content: string): boolean {
  let have: Buffer;
  try {
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile() || st.size !== Buffer.byteLength(content)) return false;
    have = readFileSync(file);
  } catch {
    return false;
  }
  return have.equals(Buffer.from(content));
}

/** Files in `dir` as relative posix path -> content, for staleness checks. */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of findAll(dir)) out.set(posix(relative(dir, f)), readFileSync(f, 'utf8'));
  return out;
}

function findAll(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const p = join(dir, e.name);
      return e.isDirectory() ? findAll(p) : [p];
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
