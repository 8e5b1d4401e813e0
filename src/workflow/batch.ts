/**
 * A batch of rule files converted on every core: worker threads (one per extra core) and the main
 * thread take chunks of files from one queue. Each rule comes back as a RuleResult (strings and
 * counts, cheap to post between threads), and when the batch stages an output tree the thread
 * that converted a rule has already put its files there. The results are the same, byte for
 * byte, wherever a file was converted.
 */
import type { Worker } from 'node:worker_threads';
import { convertFile, ruleOutputs, type BuildOptions } from '../build.js';
import { ruleResult, type RuleResult } from './rule-result.js';
import { Stager, type StagedCount, type StagingTarget } from './tree.js';
import { takeWorkers } from './workers.js';

export interface BatchOptions extends BuildOptions {
  /** Each thread puts the rule's output files into this staging tree as soon as it has them. */
  readonly stage?: StagingTarget;
}

/** A result, and what staging its files did (when the batch stages). */
export interface Staged extends RuleResult {
  readonly staged?: StagedCount | { readonly error: string };
}

/** Options a worker converts with (functions stay in the main thread). */
export type WorkerOptions = Pick<BuildOptions, 'backends' | 'profiles' | 'macros'> & { readonly root: string; readonly stage?: StagingTarget };

/** Files per message: small enough to balance the threads, large enough to amortize messages. */
const CHUNK = 16;

let stager: Stager | undefined;

/** Converts one file and, when the batch stages, puts its outputs into the staging tree. */
export function convertOne(file: string, opts: WorkerOptions): Staged {
  const result = ruleResult(convertFile(file, opts), opts.root);
  if (!opts.stage || result.skipped) return result;
  // One stager per thread (it keeps the folders it made and its read buffers).
  if (stager?.target !== opts.stage) stager = new Stager(opts.stage);
  const count = { written: 0, unchanged: 0 };
  try {
    for (const [rel, text] of ruleOutputs(result)) stager.place(rel, text, count);
  } catch (err) {
    return { ...result, staged: { error: (err as Error).message } };
  }
  return { ...result, staged: count };
}

/** Every file's RuleResult, in file order. */
export async function convertBatch(files: readonly string[], opts: BatchOptions = {}): Promise<Staged[]> {
  const workerOpts: WorkerOptions = { backends: opts.backends, profiles: opts.profiles, macros: opts.macros, root: opts.root ?? process.cwd(), ...(opts.stage ? { stage: opts.stage } : {}) };
  const results = new Array<Staged | undefined>(files.length);
  let done = 0;
  const accept = (i: number, r: Staged): void => {
    results[i] = r;
    opts.onProgress?.(++done, files.length);
  };
  let next = 0;
  const take = (): { start: number; files: string[] } | null => {
    if (next >= files.length) return null;
    const start = next;
    next = Math.min(files.length, next + CHUNK);
    return { start, files: files.slice(start, next) };
  };
  const workers = spawnWorkers(files.length, workerOpts);
  const finished = workers.map(
    (w) =>
      new Promise<void>((resolve) => {
        // A worker that fails (it cannot load, it crashes) only loses its chunk: converted below.
        w.on('error', () => resolve());
        w.on('exit', () => resolve());
        // Two chunks in flight per worker: it starts the next while the main thread, busy with
        // its own chunk, has not yet read the last results.
        w.on('message', (msg: { ready?: true; start?: number; results?: Staged[] }) => {
          if (msg.results && msg.start !== undefined) msg.results.forEach((r, i) => accept((msg.start as number) + i, r));
          for (let n = msg.ready ? 2 : 1; n > 0; n--) w.postMessage(take());
        });
      }),
  );
  // The main thread converts chunks too, yielding between them so worker messages are handled.
  for (let chunk = take(); chunk; chunk = take()) {
    const { start } = chunk;
    chunk.files.forEach((f, i) => accept(start + i, convertOne(f, workerOpts)));
    if (workers.length) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(finished);
  return results.map((r, i) => r ?? convertOne(files[i] as string, workerOpts));
}

/** Workers for batches large enough to pay for them, each sent the options to convert with. */
function spawnWorkers(files: number, opts: WorkerOptions): Worker[] {
  const workers = takeWorkers(Math.floor(files / (4 * CHUNK)));
  for (const w of workers) w.postMessage(opts);
  return workers;
}
