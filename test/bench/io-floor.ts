/**
 * The build's I/O floor, a stand-in for `ruleport build` that does everything a build must do
 * except transpiling: on two threads (the build's own split), each reads and YAML-parses its
 * share of the rule files and writes its share of a real output tree (the same files, same
 * bytes); the main thread then writes the same report.json. What a build costs beyond this is the
 * cost of the transpiling itself.
 *
 * Usage (bench.ts): `node io-floor.js <job.json> <out dir>`, where job.json holds the rule files,
 * the output files of a previous build of them and its report. The stand-in prints how many ms
 * loading job.json took, which the bench subtracts (a real build computes those bytes instead).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as yaml from 'js-yaml';

export interface IoFloorJob {
  readonly ruleFiles: readonly string[];
  /** [path relative to the output folder, content] of every output file but report.json. */
  readonly outputs: readonly (readonly [string, string])[];
  readonly report: string;
}

interface Share {
  readonly ruleFiles: readonly string[];
  readonly outputs: readonly (readonly [string, string])[];
  readonly outDir: string;
}

function work(share: Share): void {
  for (const f of share.ruleFiles) {
    try {
      yaml.load(readFileSync(f, 'utf8'));
    } catch {
      // the corpus holds one file js-yaml rejects; the build reports it
    }
  }
  for (const [rel, content] of share.outputs) writeFileSync(join(share.outDir, rel), content);
}

function half<T>(xs: readonly T[], first: boolean): T[] {
  const cut = Math.ceil(xs.length / 2);
  return first ? xs.slice(0, cut) : xs.slice(cut);
}

if (isMainThread) {
  const [jobFile, outDir] = process.argv.slice(2);
  if (!jobFile || !outDir) throw new Error('usage: io-floor.js <job.json> <out dir>');
  const t = performance.now();
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as IoFloorJob;
  const loadMs = performance.now() - t;
  for (const folder of new Set(job.outputs.map(([rel]) => dirname(rel)))) mkdirSync(join(outDir, folder), { recursive: true });
  const theirs: Share = { ruleFiles: half(job.ruleFiles, false), outputs: half(job.outputs, false), outDir };
  const worker = new Worker(new URL(import.meta.url), { workerData: theirs });
  const done = new Promise<void>((resolve, reject) => {
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`io-floor worker exited ${code}`))));
  });
  work({ ruleFiles: half(job.ruleFiles, true), outputs: half(job.outputs, true), outDir });
  await done;
  writeFileSync(join(outDir, 'report.json'), job.report);
  process.stdout.write(`${loadMs}\n`);
} else {
  work(workerData as Share);
  parentPort?.close();
}
