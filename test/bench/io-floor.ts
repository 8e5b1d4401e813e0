/**
 * The build's I/O floor, a stand-in for `ruleport build` that does everything a build must do
 * except transpiling: on two threads (the build's own split), each reads and YAML-parses its
 * share of the rule files and writes its share of a real output tree (the same files, each of
 * the same size); the main thread then writes a report.json of the same size. What a build
 * costs beyond this is the cost of the transpiling itself.
 *
 * Usage (bench.ts): `node io-floor.js <job.json> <out dir>`, where job.json lists the rule files
 * and the paths and sizes of the files of a previous build of them (a few hundred KB: loading it
 * costs a few ms, which the figure includes).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as yaml from 'js-yaml';

export interface IoFloorJob {
  readonly ruleFiles: readonly string[];
  /** [path relative to the output folder, size in bytes] of every output file but report.json. */
  readonly outputs: readonly (readonly [string, number])[];
  readonly reportBytes: number;
}

interface Share {
  readonly ruleFiles: readonly string[];
  readonly outputs: readonly (readonly [string, number])[];
  readonly outDir: string;
}

/** Output bytes: the same for every file (the page cache and ext4 do not look at them). */
function filler(bytes: number): Buffer {
  return Buffer.alloc(bytes, 'x');
}

function work(share: Share): void {
  for (const f of share.ruleFiles) {
    try {
      yaml.load(readFileSync(f, 'utf8'));
    } catch {
      // the corpus holds one file js-yaml rejects; the build reports it
    }
  }
  const bytes = filler(Math.max(0, ...share.outputs.map(([, size]) => size)));
  for (const [rel, size] of share.outputs) writeFileSync(join(share.outDir, rel), bytes.subarray(0, size));
}

function half<T>(xs: readonly T[], first: boolean): T[] {
  const cut = Math.ceil(xs.length / 2);
  return first ? xs.slice(0, cut) : xs.slice(cut);
}

if (isMainThread) {
  const [jobFile, outDir] = process.argv.slice(2);
  if (!jobFile || !outDir) throw new Error('usage: io-floor.js <job.json> <out dir>');
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as IoFloorJob;
  for (const folder of new Set(job.outputs.map(([rel]) => dirname(rel)))) mkdirSync(join(outDir, folder), { recursive: true });
  const theirs: Share = { ruleFiles: half(job.ruleFiles, false), outputs: half(job.outputs, false), outDir };
  const worker = new Worker(new URL(import.meta.url), { workerData: theirs });
  const done = new Promise<void>((resolve, reject) => {
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`io-floor worker exited ${code}`))));
  });
  work({ ruleFiles: half(job.ruleFiles, true), outputs: half(job.outputs, true), outDir });
  await done;
  writeFileSync(join(outDir, 'report.json'), filler(job.reportBytes));
} else {
  work(workerData as Share);
  parentPort?.close();
}
