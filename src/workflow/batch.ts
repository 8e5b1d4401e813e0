/**
 * A batch of rule files converted on every core: worker threads (one per extra core) and the main
 * thread take chunks of files from one queue. Each rule comes back as a RuleResult (strings and
 * counts, cheap to post between threads), and when the batch stages an output tree the thread
 * that converted a rule stages its files (they are all on disk once the batch resolves). The
 * results are the same, byte for byte, wherever a file was converted.
 */
import { availableParallelism } from 'node:os';
import { convertFile, ruleOutputs, type BuildOptions } from '../build.js';
import { ruleResult, type RuleResult } from './rule-result.js';
import { Stager, type StagedCount, type StagingTarget } from './tree.js';
import { takeWorkers } from './workers.js';

export interface BatchOptions extends BuildOptions {
  /** Each thread puts the rule's output files into this staging tree as soon as it has them. */
  readonly stage?: StagingTarget;
}

/** A batch's results in file order, and what staging their files did (when the batch stages). */
export interface BatchResult {
  readonly results: RuleResult[];
  readonly staged?: StagedCount;
  /** capabilities.md, when a worker rendered it while waiting for the batch. */
  readonly capabilities?: string;
}

/** What a worker posts: capabilities.md if it rendered it, each chunk's results, and at the end what its staging did. */
export type WorkerMessage = { readonly capabilities: string } | { readonly start: number; readonly results: RuleResult[] } | { readonly staged: StagedCount } | { readonly stagingError: string };

/** Options a worker converts with (functions stay in the main thread). */
export type WorkerOptions = Pick<BuildOptions, 'backends' | 'profiles' | 'macros'> & { readonly root: string; readonly stage?: StagingTarget };

/**
 * Files per message: large enough to amortize messages, and smaller toward the end of the batch
 * (a quarter of each thread's share of what is left, down to MIN_CHUNK), so that no thread is
 * left converting a full chunk, with another queued, while the others have run out.
 */
const CHUNK = 16;
const MIN_CHUNK = 4;

let stager: Stager | undefined;

/** This thread's stager for the batch's staging tree (it keeps the folders it made and its read buffers). */
export function stagerFor(stage: StagingTarget): Stager {
  if (stager?.target !== stage) stager = new Stager(stage);
  return stager;
}

/** Converts one file and, when the batch stages, starts putting its outputs into the staging tree. */
export function convertOne(file: string, opts: WorkerOptions): RuleResult {
  const result = ruleResult(convertFile(file, opts), opts.root);
  if (opts.stage && !result.skipped) {
    const s = stagerFor(opts.stage);
    for (const [rel, text] of ruleOutputs(result)) s.place(rel, text);
  }
  return result;
}

/**
 * Every file's RuleResult, in file order. When the batch stages, rejects once every thread's files
 * are settled if any could not be staged (the staging tree is then the caller's to drop).
 */
export async function convertBatch(files: readonly string[], opts: BatchOptions = {}): Promise<BatchResult> {
  const workers = takeWorkers(Math.floor(files.length / (4 * CHUNK)));
  // Files are written on libuv's pool only when a core is left over for it (see Stager).
  const stage = opts.stage && { ...opts.stage, inBackground: workers.length + 1 < availableParallelism() };
  const workerOpts: WorkerOptions = { backends: opts.backends, profiles: opts.profiles, macros: opts.macros, root: opts.root ?? process.cwd(), ...(stage ? { stage } : {}) };
  const results = new Array<RuleResult | undefined>(files.length);
  let done = 0;
  const accept = (i: number, r: RuleResult): void => {
    results[i] = r;
    opts.onProgress?.(++done, files.length);
  };
  let next = 0;
  const threads = workers.length + 1;
  const take = (): { start: number; files: string[] } | null => {
    if (next >= files.length) return null;
    const start = next;
    const size = Math.max(MIN_CHUNK, Math.min(CHUNK, Math.ceil((files.length - next) / (4 * threads))));
    next = Math.min(files.length, next + size);
    return { start, files: files.slice(start, next) };
  };
  let capabilities: string | undefined;
  // What each worker's staging did, from its last message; undefined when it stopped without one.
  const finished = workers.map(
    (w) =>
      new Promise<StagedCount | string | undefined>((resolve) => {
        let last: StagedCount | string | undefined;
        // A worker that fails (it cannot load, it crashes) only loses its chunks: converted below.
        w.on('error', () => resolve(last));
        w.on('exit', () => resolve(last));
        w.on('message', (msg: WorkerMessage) => {
          if ('capabilities' in msg) capabilities ??= msg.capabilities;
          else if ('staged' in msg) last = msg.staged;
          else if ('stagingError' in msg) last = msg.stagingError;
          else {
            msg.results.forEach((r, i) => accept(msg.start + i, r));
            w.postMessage(take());
          }
        });
        // The options, then two chunks: the worker starts the second while the main thread, busy
        // with a chunk of its own, has not yet read the first's results.
        w.postMessage(workerOpts);
        w.postMessage(take());
        w.postMessage(take());
      }),
  );
  // The main thread converts chunks too, yielding between them so worker messages are handled.
  for (let chunk = take(); chunk; chunk = take()) {
    const { start } = chunk;
    chunk.files.forEach((f, i) => accept(start + i, convertOne(f, workerOpts)));
    if (workers.length) await new Promise((r) => setImmediate(r));
  }
  const fromWorkers = await Promise.all(finished);
  const all = results.map((r, i) => r ?? convertOne(files[i] as string, workerOpts));
  const rendered = capabilities === undefined ? {} : { capabilities };
  if (!stage) return { results: all, ...rendered };
  // This thread's staging and each worker's, as counts or the first failure's message.
  const mine = await stagerFor(stage)
    .settled()
    .then(
      (count) => count,
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
  const staged = { written: 0, unchanged: 0 };
  for (const s of [mine, ...fromWorkers]) {
    // A worker's files may still have been in flight when it stopped: the tree cannot be trusted.
    if (s === undefined) throw new Error('cannot write the outputs: a worker thread stopped before its files were staged');
    if (typeof s === 'string') throw new Error(`cannot write the outputs: ${s}`);
    staged.written += s.written;
    staged.unchanged += s.unchanged;
  }
  return { results: all, staged, ...rendered };
}
