/**
 * `ruleport diff`: what a change to the rules (or to ruleport) does to the outputs. Compares two
 * output trees, two rule folders, or a rules folder at two git revisions (read with `git archive`,
 * nothing in the repository changes); per rule and backend a unified diff, the status changes from
 * report.json, and with --events the events whose verdict (the rule's filter, native matcher)
 * changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { assemble, findRuleFiles } from '../build.js';
import { loadRuleFile } from '../rules/load.js';
import { convertBatch } from '../workflow/batch.js';
import { readTree } from '../workflow/tree.js';
import { isOutputTree } from '../workflow/output-tree.js';
import { frontEnd } from '../pipeline.js';
import { resolveProfile } from '../profiles/profile.js';
import { compileDetection, MatcherUnsupported, type CompiledRule } from '../matcher/compile.js';
import { mapEvent } from '../runtime/index.js';
import { styleFor, type Style } from '../report.js';
import { unifiedDiff } from '../workflow/unified-diff.js';
import { progressBar } from '../workflow/progress.js';
import { batchOptions, resolveSettings, UsageError, type BatchArgs, type GlobalArgs, type SetExit, type Settings } from './shared.js';

/** One side of a comparison: output files, and (unless it is a prebuilt tree) the rule files. */
export interface Side {
  readonly label: string;
  readonly outputs: ReadonlyMap<string, string>;
  readonly ruleFiles?: readonly string[];
  readonly root: string;
}

interface StatusRow {
  readonly file: string;
  readonly backends: Record<string, { status: string }>;
}

function statusesOf(reportJson: string | undefined): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  if (!reportJson) return out;
  const j = JSON.parse(reportJson) as { results?: StatusRow[] };
  for (const r of j.results ?? []) out.set(stemOf(r.file), Object.fromEntries(Object.entries(r.backends).map(([b, v]) => [b, v.status])));
  return out;
}

function stemOf(file: string): string {
  return basename(file, extname(file));
}

export interface DiffText {
  readonly text: string;
  readonly changed: number;
}

/** Status changes and unified diffs between two sides, as text (colour only through `style`). */
export function diffSides(a: Side, b: Side, style: Style, context = 3): DiffText {
  const lines: string[] = [];
  let changed = 0;
  const sa = statusesOf(a.outputs.get('report.json'));
  const sb = statusesOf(b.outputs.get('report.json'));
  const stems = [...new Set([...sa.keys(), ...sb.keys()])].sort();
  const statusLines: string[] = [];
  for (const stem of stems) {
    const x = sa.get(stem);
    const y = sb.get(stem);
    if (!x) statusLines.push(`  ${stem}: added (${Object.entries(y ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')})`);
    else if (!y) statusLines.push(`  ${stem}: removed`);
    else {
      const ch = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => x[k] !== y[k]).map((k) => `${k} ${x[k] ?? '-'} -> ${y[k] ?? '-'}`);
      if (ch.length) statusLines.push(`  ${stem}: ${ch.join(', ')}`);
    }
  }
  if (statusLines.length) lines.push(style.bold('status changes:'), ...statusLines, '');
  const files = [...new Set([...a.outputs.keys(), ...b.outputs.keys()])].filter((f) => f !== 'report.json').sort();
  for (const f of files) {
    const d = unifiedDiff(`a/${f}`, `b/${f}`, a.outputs.get(f) ?? null, b.outputs.get(f) ?? null, context);
    if (!d) continue;
    changed++;
    lines.push(colourDiff(d, style).trimEnd());
  }
  return { text: lines.length ? `${lines.join('\n')}\n` : '', changed: changed + statusLines.length };
}

function colourDiff(d: string, style: Style): string {
  return d
    .split('\n')
    .map((l) => (l.startsWith('+++') || l.startsWith('---') ? style.bold(l) : l.startsWith('@@') ? style.cyan(l) : l.startsWith('+') ? style.green(l) : l.startsWith('-') ? style.red(l) : l))
    .join('\n');
}

// ---- events -------------------------------------------------------------------------------------

type Verdict = boolean | 'n/a';

function compiledRules(side: Side, s: Settings, inputProfile: string): Map<string, CompiledRule | string> {
  const out = new Map<string, CompiledRule | string>();
  const profile = resolveProfile(inputProfile);
  for (const file of side.ruleFiles ?? []) {
    const stem = stemOf(file);
    const r = loadRuleFile(file);
    if (!r.rule) {
      out.set(stem, 'rule does not load');
      continue;
    }
    const fe = frontEnd(r.rule, s.macros);
    if (!fe.detection) {
      out.set(stem, 'rule does not normalize');
      continue;
    }
    try {
      out.set(stem, compileDetection(fe.detection, profile));
    } catch (err) {
      if (!(err instanceof MatcherUnsupported)) throw err;
      out.set(stem, err.message);
    }
  }
  return out;
}

/** Events whose filter-level verdict differs between the two sides, per rule. */
export function eventChanges(a: Side, b: Side, s: Settings, eventFiles: readonly string[], inputProfile: string): string {
  const ra = compiledRules(a, s, inputProfile);
  const rb = compiledRules(b, s, inputProfile);
  const verdict = (r: CompiledRule | string | undefined, raw: Record<string, unknown>, line: string): Verdict => {
    if (r === undefined) return false; // no rule: nothing matches
    if (typeof r === 'string') return 'n/a';
    return r.filter(mapEvent({ ...raw, _raw: line }, r.input));
  };
  const stems = [...new Set([...ra.keys(), ...rb.keys()])].sort();
  const out: string[] = [];
  const events: { where: string; raw: Record<string, unknown>; line: string }[] = [];
  for (const f of eventFiles) {
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        try {
          const raw = JSON.parse(line) as unknown;
          if (raw && typeof raw === 'object' && !Array.isArray(raw)) events.push({ where: `${f}:${i + 1}`, raw: raw as Record<string, unknown>, line });
        } catch {
          // not JSON: skipped, as `ruleport match` does
        }
      });
  }
  for (const stem of stems) {
    const x = ra.get(stem);
    const y = rb.get(stem);
    if (typeof x === 'string' && typeof y === 'string') continue;
    const rows: string[] = [];
    for (const e of events) {
      const vx = verdict(x, e.raw, e.line);
      const vy = verdict(y, e.raw, e.line);
      if (vx !== vy) rows.push(`  ${e.where}: ${show(vx)} -> ${show(vy)}`);
    }
    if (rows.length) out.push(`${stem}:`, ...rows);
    const why = typeof x === 'string' ? `old: ${x}` : typeof y === 'string' ? `new: ${y}` : null;
    if (why) out.push(`  (${stem}: matcher cannot run the ${why})`);
  }
  return out.length ? `${['events whose verdict changed:', ...out].join('\n')}\n` : '';
}

function show(v: Verdict): string {
  return v === 'n/a' ? 'n/a' : v ? 'match' : 'no match';
}

// ---- sides ----------------------------------------------------------------------------------------

async function buildSide(label: string, paths: readonly string[], root: string, s: Settings): Promise<Side> {
  const files = findRuleFiles(paths);
  const onProgress = progressBar(`diff ${label}`);
  const batch = await convertBatch(files, { backends: s.targets, profiles: s.profiles, macros: s.macros, root, ...(onProgress ? { onProgress } : {}) });
  const { outputs } = assemble(batch.results, batch.capabilities);
  return { label, outputs, ruleFiles: files, root };
}

/** A directory holding report.json is an output tree; anything else is rules to build. */
async function sideFromPath(label: string, p: string, s: Settings): Promise<Side> {
  if (!existsSync(p)) throw new UsageError(`${p}: no such file or directory`);
  if (isOutputTree(p)) return { label, outputs: readTree(p), root: resolve(p) };
  return buildSide(label, [p], statSync(p).isDirectory() ? resolve(p) : resolve(p, '..'), s);
}

function git(args: string[], cwd: string): { ok: boolean; stdout: Buffer; stderr: string } {
  const r = spawnSync('git', args, { cwd, maxBuffer: 1 << 30 });
  return { ok: r.status === 0, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? String(r.error ?? '') };
}

/** Extracts `path` at `rev` into `dir` with `git archive` (read-only); false when the path is not in that revision. */
function extractAt(rev: string, path: string, top: string, dir: string): boolean {
  const rel = relative(top, resolve(path)) || '.';
  const arch = git(['archive', '--format=tar', rev, '--', rel], top);
  if (!arch.ok) {
    if (/did not match any files|not a valid object name|path not found/i.test(arch.stderr) && git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], top).ok) return false;
    throw new UsageError(`git archive ${rev} -- ${rel}: ${arch.stderr.trim()}`);
  }
  const tar = spawnSync('tar', ['-x', '-C', dir], { input: arch.stdout, maxBuffer: 1 << 30 });
  if (tar.status !== 0) throw new Error(`tar: ${tar.stderr?.toString() ?? tar.error}`);
  return true;
}

async function gitSides(range: string, path: string, s: Settings): Promise<[Side, Side, () => void]> {
  const m = /^(.*?)(?:\.\.(.*))?$/.exec(range);
  const from = m?.[1] || 'HEAD';
  const to = m?.[2] || 'HEAD';
  const top = git(['rev-parse', '--show-toplevel'], existsSync(path) && statSync(path).isDirectory() ? path : process.cwd());
  if (!top.ok) throw new UsageError(`--git: not in a git repository (${top.stderr.trim()})`);
  const topDir = top.stdout.toString().trim();
  for (const rev of [from, to]) if (!git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], topDir).ok) throw new UsageError(`--git: unknown revision '${rev}'`);
  const tmp = mkdtempSync(join(tmpdir(), 'ruleport-diff-'));
  const cleanup = (): void => rmSync(tmp, { recursive: true, force: true });
  try {
    const rel = relative(topDir, resolve(path)) || '.';
    const sides: Side[] = [];
    for (const [i, rev] of [from, to].entries()) {
      const dir = join(tmp, i === 0 ? 'a' : 'b');
      mkdirSync(dir, { recursive: true });
      const present = extractAt(rev, path, topDir, dir);
      const p = join(dir, rel);
      sides.push(present && existsSync(p) ? await buildSide(rev, [p], dir, s) : { label: rev, outputs: new Map<string, string>(), ruleFiles: [], root: dir });
    }
    return [sides[0] as Side, sides[1] as Side, cleanup];
  } catch (err) {
    cleanup();
    throw err;
  }
}

interface DiffArgs extends BatchArgs {
  old?: string;
  new?: string;
  git?: string;
  events?: string[];
  'input-profile': string;
  context: number;
}

export function diffCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'diff [old] [new]',
    'compare two output trees, two rule folders, or a rules folder at two git revisions',
    (y) =>
      batchOptions(y, { paths: false })
        .positional('old', { type: 'string', describe: 'old output tree (with report.json) or rules; with --git: the rules folder (default: `paths` of the config, else .)' })
        .positional('new', { type: 'string', describe: 'new output tree or rules' })
        .option('git', { type: 'string', describe: 'compare the rules folder at two revisions: <rev1>..<rev2> (rev2 defaults to HEAD)' })
        .option('events', { type: 'string', array: true, describe: 'NDJSON event files: list the events whose verdict (the rule filter, native matcher) changed' })
        .option('input-profile', { type: 'string', default: 'sysmon-raw', describe: 'field mapping of the events for --events' })
        .option('context', { alias: 'U', type: 'number', default: 3, describe: 'lines of context in the unified diffs' })
        .example('$0 diff out-main out', 'two output trees')
        .example('$0 diff --git origin/main..HEAD rules --events test/fixtures/tunneling.ndjson', 'what a branch changes, and which events it flips')
        .epilog('Exit codes: 0 no differences; 1 differences; 2 usage or I/O error (as diff(1)).') as unknown as Argv<DiffArgs>,
    async (args) => {
      const a = args as unknown as DiffArgs;
      const s = resolveSettings(a, { needPaths: false, needOut: false });
      let sides: [Side, Side];
      let cleanup = (): void => {};
      if (a.git !== undefined) {
        if (a.new !== undefined) throw new UsageError('--git takes one rules folder');
        const path = a.old ?? s.paths[0] ?? '.';
        const [x, z, c] = await gitSides(a.git, path, s);
        sides = [x, z];
        cleanup = c;
      } else {
        if (a.old === undefined || a.new === undefined) throw new UsageError('diff wants <old> <new>, or --git <rev1>..<rev2> [path]');
        sides = [await sideFromPath('old', a.old, s), await sideFromPath('new', a.new, s)];
      }
      try {
        const [x, z] = sides;
        const style = styleFor(process.stdout);
        const d = diffSides(x, z, style, a.context);
        process.stdout.write(d.text);
        let ev = '';
        if (a.events?.length) {
          if (!x.ruleFiles || !z.ruleFiles) throw new UsageError('--events needs rules on both sides (rule folders or --git), not prebuilt output trees');
          ev = eventChanges(x, z, s, a.events, a['input-profile']);
          if (ev) process.stdout.write(`${d.text ? '\n' : ''}${ev}`);
        }
        setExit(d.changed || ev ? 1 : 0);
      } finally {
        cleanup();
      }
    },
  ) as unknown as Argv<GlobalArgs>;
}

