/**
 * `npm run bench`: speed as ratios against baselines measured in the same run (never as timed
 * assertions in tests). Two figures:
 *  1. building the Armory corpus through every backend, against the floor of reading and
 *     YAML-parsing the same files, and against the build's I/O floor (io-floor.ts: the same
 *     reads and parses and the same output files written, no transpiling);
 *  2. the native matcher on shared/events repeated to >= 1M lines (temp dir): the generated module
 *     for the seed variant and the reference line path, against a hand-written loop (same line
 *     reader, JSON.parse, one RegExp test) and DuckDB (read_json + regexp_matches, 1 thread);
 *     then every Sysmon corpus rule at once.
 * BENCH_RUNS sets the number of runs (default 5), BENCH_ONLY=corpus|matcher one half, and
 * BENCH_INSTRUCTIONS=1 adds the corpus build and its floor counted in instructions (valgrind).
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import * as yaml from 'js-yaml';
import { buildOutputs, findRuleFiles } from '../../src/build.js';
import { frontEnd } from '../../src/pipeline.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { compileDetection, type CompiledRule } from '../../src/matcher/compile.js';
import type { LinePrefilter } from '../../src/runtime/index.js';
import { compileLinePrefilter, scanFileSync } from '../../src/runtime/lines.js';
import { renderBackend } from '../../src/pipeline.js';
import type { IoFloorJob } from './io-floor.js';
import { readTree } from '../../src/workflow/tree.js';

const SHARED = process.env['RULEPORT_SHARED'] ?? join(process.cwd(), '..', 'shared');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Alternates the measurements RUNS times and returns their medians in ms. */
function alternate(fs: readonly (() => void)[]): number[] {
  const times: number[][] = fs.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    fs.forEach((f, j) => {
      const t = performance.now();
      f();
      times[j]?.push(performance.now() - t);
    });
  }
  return times.map(median);
}

function pair(a: () => void, b: () => void): [number, number] {
  const [ta = 0, tb = 0] = alternate([a, b]);
  return [ta, tb];
}

/** Wall ms of a fresh `node` process running `args` (start-up included, as a user sees it). */
function processMs(args: readonly string[], env: Record<string, string> = {}): number {
  const t = performance.now();
  // Diagnostics go to /dev/null: printing them is part of the run, keeping them is not.
  const res = spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, ...env } });
  const ms = performance.now() - t;
  if (res.status !== 0 && res.status !== 1) throw new Error(`${args.join(' ')} exited ${res.status ?? res.signal}`);
  return ms;
}

/**
 * CPU seconds used so far by this process's finished children (Linux: /proc/self/stat fields 16
 * and 17, cutime and cstime, in USER_HZ = 100 per second); undefined elsewhere. The system part
 * tells file-system work (4,137 files created) from conversion when a build's wall time moves.
 */
function childCpu(): { user: number; system: number } | undefined {
  try {
    // Fields after the parenthesized command name start at field 3 (state).
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    const user = Number(fields[16 - 3]);
    const system = Number(fields[17 - 3]);
    return Number.isFinite(user) && Number.isFinite(system) ? { user: user / 100, system: system / 100 } : undefined;
  } catch {
    return undefined;
  }
}

/** User and system CPU seconds of each measured child process. */
interface ChildCpu {
  readonly user: number[];
  readonly system: number[];
}

function corpusBench(): void {
  const dir = join(SHARED, 'corpus', 'armory');
  if (!existsDir(dir)) {
    console.log('corpus: skipped (no ../shared/corpus/armory)');
    return;
  }
  const files = findRuleFiles([dir]);
  const readAll = (): void => {
    for (const f of files) {
      try {
        yaml.load(readFileSync(f, 'utf8'));
      } catch {
        // the corpus holds one file js-yaml rejects; the build reports it, the floor skips it
      }
    }
  };
  // What issue #6 measures: a cold `ruleport build` of the corpus into an empty directory, against
  // a cold process that only reads and YAML-parses the same files. Exit 1 is the build's "findings".
  const work = mkdtempSync(join(tmpdir(), 'ruleport-bench-build-'));
  console.log(`corpus: output folders ${spreadSubfolders(work) ? 'spread over the file system (chattr +T)' : 'in one folder (chattr +T not available)'}`);
  const floorScript = join(work, 'floor.mjs');
  writeFileSync(floorScript, [
    `import { readFileSync } from 'node:fs';`,
    `import * as yaml from ${JSON.stringify(pathToFileURL(join(process.cwd(), 'node_modules', 'js-yaml', 'dist', 'js-yaml.mjs')).href)};`,
    `for (const f of ${JSON.stringify(files)}) { try { yaml.load(readFileSync(f, 'utf8')); } catch { /* one corpus file is not YAML */ } }`,
  ].join('\n'));
  const cli = join(process.cwd(), 'dist', 'bundle', 'cli.js');
  // A previous build's tree: the outputs the I/O floor writes, and what the rebuilds start from.
  const again = join(work, 'again');
  processMs([cli, 'build', dir, '-o', again]);
  const job = join(work, 'io-floor-job.json');
  const outputCount = writeIoFloorJob(job, files, again);
  const ioFloor = join(process.cwd(), 'dist', 'test', 'bench', 'io-floor.js');
  /** A cold process's wall ms, recording its user and system CPU seconds in `cpu`. */
  const measured = (cpu: ChildCpu, args: readonly string[], env: Record<string, string> = {}): void => {
    const before = childCpu();
    processMs(args, env);
    const after = childCpu();
    if (before && after) {
      cpu.user.push(after.user - before.user);
      cpu.system.push(after.system - before.system);
    }
  };
  const cpuText = (whose: string, cpu: ChildCpu): string =>
    cpu.user.length ? `; ${whose} CPU: user ${median(cpu.user).toFixed(2)} s, system ${median(cpu.system).toFixed(2)} s` : '';
  const cold = (label: string, args: (i: number) => string[], env: Record<string, string> = {}, withIoFloor = false): void => {
    let n = 0;
    const buildCpu: ChildCpu = { user: [], system: [] };
    let m = 0;
    const ioCpu: ChildCpu = { user: [], system: [] };
    const [floor = 0, build = 0, io = 0] = alternate([
      () => void processMs([floorScript]),
      () => measured(buildCpu, args(n++), env),
      ...(withIoFloor ? [() => measured(ioCpu, [ioFloor, job, join(work, `io${m++}`)])] : []),
    ]);
    console.log(`corpus build, ${label} (cold CLI process, ${files.length} files, 5 backends): ${build.toFixed(0)} ms wall; floor (cold process, read + YAML parse): ${floor.toFixed(0)} ms; ratio ${(build / floor).toFixed(2)}x the floor${cpuText("the build's", buildCpu)}`);
    if (withIoFloor) {
      console.log(
        `  its I/O floor (cold process, two threads read + YAML-parse the same files and write ${outputCount} output files and a report.json of the same sizes, no transpiling): ${io.toFixed(0)} ms; ${(io / floor).toFixed(2)}x the floor; the build is ${(build / io).toFixed(2)}x its I/O floor, ${(build - io).toFixed(0)} ms more${cpuText('its', ioCpu)}`,
      );
    }
  };
  // Into an empty folder: every output file is created.
  cold('into an empty folder', (i) => [cli, 'build', dir, '-o', join(work, `fresh${i}`)], {}, true);
  // Over the previous build (what CI regenerating a committed out/ does): unchanged files are linked.
  cold('over its previous output', () => [cli, 'build', dir, '-o', again]);
  cold('over its previous output, one thread', () => [cli, 'build', dir, '-o', again], { RULEPORT_THREADS: '1' });
  if (process.env['BENCH_INSTRUCTIONS'] === '1') instructionRatio(floorScript, [cli, 'build', dir, '-o', join(work, 'counted'), '-q']);
  rmSync(work, { recursive: true, force: true });
  // The same work in one warm process (no start-up, no writes, caches filled by the first run).
  const [floor, build] = pair(readAll, () => void buildOutputs(files));
  console.log(`corpus build (in-process, warm, no writes): ${build.toFixed(0)} ms; floor (read + YAML parse): ${floor.toFixed(0)} ms; ratio ${(build / floor).toFixed(2)}x the floor`);
}

/**
 * Writes the I/O floor's job (io-floor.ts): the rule files, and the files of the built tree `tree`
 * with their sizes. Returns how many output files there are besides report.json.
 */
function writeIoFloorJob(jobFile: string, ruleFiles: readonly string[], tree: string): number {
  const files = [...readTree(tree)].map(([rel, content]): [string, number] => [rel, Buffer.byteLength(content)]);
  const outputs = files.filter(([rel]) => rel !== 'report.json');
  const job: IoFloorJob = { ruleFiles, outputs, reportBytes: files.find(([rel]) => rel === 'report.json')?.[1] ?? 0 };
  writeFileSync(jobFile, JSON.stringify(job));
  return outputs.length;
}

/**
 * Instructions executed by `node --single-threaded <args>` (V8 compiles and collects garbage on
 * the main thread, so all of it is counted), from valgrind's callgrind; undefined without it.
 * Unlike times, the count repeats for the same binary and inputs whatever else the machine
 * does (within about 0.5% here), so it can tell changes of a few percent apart.
 */
function instructions(args: readonly string[], env: Record<string, string> = {}): number | undefined {
  const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  const m = /Collected\s*:\s*(\d+)/.exec(r.stderr ?? '');
  return m ? Number(m[1]) : undefined;
}

/** BENCH_INSTRUCTIONS=1: the floor and a one-thread cold build, counted in instructions (a few minutes under valgrind). */
function instructionRatio(floorScript: string, build: readonly string[]): void {
  const floor = instructions([floorScript]);
  const built = instructions(build, { RULEPORT_THREADS: '1' });
  if (floor === undefined || built === undefined) {
    console.log('corpus build, instructions: skipped (valgrind not available or it failed)');
    return;
  }
  const g = (n: number): string => `${(n / 1e9).toFixed(2)} G`;
  console.log(`corpus build, one thread, in instructions (node --single-threaded under callgrind): ${g(built)}; floor: ${g(floor)}; ratio ${(built / floor).toFixed(2)}x the floor`);
}

/**
 * Best effort (Linux, ext2/3/4): marks `dir` as a top of a directory hierarchy, so that ext4
 * places each of its subfolders, and the files created in them, in a block group of its own
 * choosing (the Orlov allocator) instead of `dir`'s. Why: an ext4 without a journal, as on this
 * machine (`/sys/fs/ext4/<dev>/journal_task` is `<none>`), skips inodes freed in the last minutes
 * when it allocates new ones, scanning past each of them for every new file. Right after thousands
 * of deletions in the same group (the test suite's temporary trees, an earlier bench run), creating
 * a build's 4,137 files took about 1 s of system time instead of 0.1 s (measured: 4,150 files in
 * a folder of that group vs in a marked folder). A user's first build on a fresh checkout, or any
 * build on a journaled file system, does not pay that; the bench measures that case, and still
 * prints each build's system CPU.
 */
function spreadSubfolders(dir: string): boolean {
  return spawnSync('chattr', ['+T', dir], { stdio: 'ignore' }).status === 0;
}

function existsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** shared/events repeated to at least 1M lines, in a temp dir (never in the repo). */
function repeatedEvents(dir: string): { file: string; lines: number; bytes: number } {
  const src = readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
  const once = Buffer.concat(src.map((b) => (b.length && b[b.length - 1] !== 10 ? Buffer.concat([b, Buffer.from('\n')]) : b)));
  let perCopy = 0;
  for (let i = 0; i < once.length; i++) if (once[i] === 10) perCopy++;
  const copies = Math.ceil(1_000_000 / perCopy);
  const tmp = mkdtempSync(join(tmpdir(), 'ruleport-bench-'));
  const file = join(tmp, 'events.ndjson');
  const fd = openSync(file, 'w');
  for (let i = 0; i < copies; i++) writeSync(fd, once);
  closeSync(fd);
  return { file, lines: perCopy * copies, bytes: once.length * copies };
}

interface GeneratedModule {
  readonly prefilter: LinePrefilter;
  test(e: Readonly<Record<string, unknown>>, line: string): boolean;
}

/** The generated module for a rule, transpiled into a temp dir that resolves `ruleport/runtime`. */
async function generatedModule(ruleFile: string, tmp: string): Promise<GeneratedModule> {
  const loaded = loadRuleFile(ruleFile);
  const detection = loaded.rule && frontEnd(loaded.rule).detection;
  if (!detection) throw new Error(`${ruleFile} did not normalize`);
  const text = renderBackend(detection, 'ts').text;
  if (!text) throw new Error(`${ruleFile}: no TypeScript output`);
  mkdirSync(join(tmp, 'node_modules'), { recursive: true });
  if (!existsDir(join(tmp, 'node_modules', 'ruleport'))) symlinkSync(process.cwd(), join(tmp, 'node_modules', 'ruleport'), 'dir');
  writeFileSync(join(tmp, 'package.json'), '{"type":"module"}');
  const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const path = join(tmp, 'rule.mjs');
  writeFileSync(path, js);
  return (await import(pathToFileURL(path).href)) as GeneratedModule;
}

function median3(f: () => number): [number, number] {
  const ts: number[] = [];
  let hits = 0;
  for (let i = 0; i < MATCH_RUNS; i++) {
    const t = performance.now();
    hits = f();
    ts.push(performance.now() - t);
  }
  return [median(ts), hits];
}

const MATCH_RUNS = Number(process.env['BENCH_MATCH_RUNS'] ?? 3);
const SEED_RE = String.raw`(\-\-dns)?((\s+)|(\=))?((server\=)|(host\=))?((\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\,port\=\d{1,5}.+)|(\w+\.((com)|(org)|(net)|(info)))$)|(\w+\.((com)|(org)|(net)|(info))\:\d{1,5})|(\w+\@(\d{1,3}\.){3}\d{1,3}.+\-(R|D|L).+(\d{1,3}\.){3}\d{1,3}\:\d{1,5})|(\-(R|D|L).+(\d{1,3}\.){3}\d{1,3}\:\d{1,5}.+\w+\@(\d{1,3}\.){3}\d{1,3})|(\d{1,5}\s+?(\d{1,3}\.){3}\d{1,3}\:\d{1,5})`;

async function matcherBench(): Promise<void> {
  const dir = join(SHARED, 'events');
  if (!existsDir(dir)) {
    console.log('matcher: skipped (no ../shared/events)');
    return;
  }
  const { file, lines, bytes } = repeatedEvents(dir);
  const tmp = mkdtempSync(join(tmpdir(), 'ruleport-bench-mod-'));
  try {
    console.log(`matcher input: shared/events repeated to ${lines.toLocaleString('en')} lines (${(bytes / 2 ** 20).toFixed(0)} MiB) in ${file}; medians of ${MATCH_RUNS} runs`);
    const rate = (ms: number): number => lines / (ms / 1000);
    const fmt = (ms: number): string => `${Math.round(rate(ms)).toLocaleString('en')} events/s`;

    // 1. hand-written baseline: same line reader, JSON.parse, one RegExp test.
    const seedRegex = new RegExp(SEED_RE, 'i');
    const [base, baseHits] = median3(() => {
      let n = 0;
      scanFileSync(file, (buf, s, e) => {
        const ev = JSON.parse(buf.toString('utf8', s, e)) as Record<string, unknown>;
        const cl = ev['CommandLine'];
        if (ev['EventID'] === 1 && typeof cl === 'string' && seedRegex.test(cl)) n++;
      });
      return n;
    });

    // 2. the generated module for the seed variant, with its line prefilter.
    const mod = await generatedModule('rules/tunneling_process_created_fixed.yml', tmp);
    const modPre = compileLinePrefilter(mod.prefilter);
    const [gen, genHits] = median3(() => {
      let n = 0;
      scanFileSync(file, (buf, s, e) => {
        if (modPre && !modPre(buf, s, e)) return;
        const text = buf.toString('utf8', s, e);
        if (mod.test(JSON.parse(text) as Record<string, unknown>, text)) n++;
      });
      return n;
    });

    // 3. the reference matcher's line path (what `ruleport match` runs).
    const loaded = loadRuleFile('rules/tunneling_process_created_fixed.yml');
    const detection = loaded.rule && frontEnd(loaded.rule).detection;
    if (!detection) throw new Error('seed variant did not normalize');
    const rule = compileDetection(detection, resolveProfile('sysmon-raw'));
    const refPre = compileLinePrefilter(rule.prefilter);
    const [ref, refHits] = median3(() => {
      let n = 0;
      scanFileSync(file, (buf, s, e) => {
        if (refPre && !refPre(buf, s, e)) return;
        const text = buf.toString('utf8', s, e);
        if (rule.test(JSON.parse(text) as Record<string, unknown>, text)) n++;
      });
      return n;
    });

    // 4. DuckDB: read_json with the two columns declared + regexp_matches, one thread.
    let duck: number | null = null;
    let duckHits = 0;
    try {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const inst = await DuckDBInstance.create(':memory:');
      const con = await inst.connect();
      await con.run('SET threads = 1');
      const sql = `SELECT count(*) AS n FROM read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited', columns = {EventID: 'BIGINT', CommandLine: 'VARCHAR'}) WHERE EventID = 1 AND regexp_matches(CommandLine, '${('(?i)' + SEED_RE).replace(/'/g, "''")}')`;
      const tsd: number[] = [];
      for (let i = 0; i < MATCH_RUNS; i++) {
        const t = performance.now();
        const r = await con.runAndReadAll(sql);
        tsd.push(performance.now() - t);
        duckHits = Number(r.getRows()[0]?.[0] ?? 0);
      }
      duck = median(tsd);
      con.closeSync();
    } catch (err) {
      console.log(`duckdb: skipped (${(err as Error).message})`);
    }

    console.log(`seed variant, hand-written baseline (line reader + JSON.parse + one RegExp): ${fmt(base)} (${baseHits} hits)`);
    console.log(`seed variant, generated module (out/ts, prefilters): ${fmt(gen)} (${genHits} hits); ratio ${(base / gen).toFixed(2)}x the baseline's speed`);
    console.log(`seed variant, reference matcher line path (ruleport match): ${fmt(ref)} (${refHits} hits); ratio ${(base / ref).toFixed(2)}x the baseline's speed`);
    if (duck !== null) {
      console.log(`seed variant, DuckDB 1 thread (read_json, 2 columns, regexp_matches): ${fmt(duck)} (${duckHits} hits); generated module is ${(duck / gen).toFixed(2)}x DuckDB's speed`);
    }

    // 5. every Sysmon corpus rule at once, one pass (shared decode and parse per line).
    const corpus = join(SHARED, 'corpus', 'armory');
    if (existsDir(corpus)) {
      const profile = resolveProfile('sysmon-raw');
      const rules: { test: CompiledRule['test']; pre: ReturnType<typeof compileLinePrefilter> }[] = [];
      for (const f of findRuleFiles([corpus])) {
        const l = loadRuleFile(f);
        const d = l.rule && frontEnd(l.rule).detection;
        if (!d || d.source.id !== 'sysmon') continue;
        try {
          const c = compileDetection(d, profile);
          rules.push({ test: c.test, pre: compileLinePrefilter(c.prefilter) });
        } catch {
          // needs a lookup table or an unsupported stage
        }
      }
      const t0 = performance.now();
      const [, allHits] = [0, ((): number => {
        let n = 0;
        scanFileSync(file, (buf, s, e) => {
          let text: string | null = null;
          let ev: Record<string, unknown> | null = null;
          for (const r of rules) {
            if (r.pre && !r.pre(buf, s, e)) continue;
            text ??= buf.toString('utf8', s, e);
            ev ??= JSON.parse(text) as Record<string, unknown>;
            if (r.test(ev, text)) n++;
          }
        });
        return n;
      })()];
      const all = performance.now() - t0;
      console.log(`all ${rules.length} Sysmon corpus rules at once (reference line path, one pass, 1 run): ${fmt(all)} (${allHits} rule hits); ${(base / all).toFixed(2)}x the seed baseline's speed${duck !== null ? `; ${(duck / all).toFixed(2)}x DuckDB's seed-only speed` : ''}`);
    }
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}

// BENCH_ONLY=corpus or BENCH_ONLY=matcher runs one half.
const ONLY = process.env['BENCH_ONLY'];
console.log(`ruleport bench (medians of ${RUNS} alternated runs; ratios are what carry over between machines)`);
if (ONLY !== 'matcher') corpusBench();
if (ONLY !== 'corpus') await matcherBench();
