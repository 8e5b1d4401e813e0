/**
 * A batch of rule files converted on every core: worker threads (one per extra core) and the main
 * thread take chunks of files from one queue. Each rule comes back as a RuleResult (strings and
 * counts, cheap to post between threads) as soon as its chunk is done, so the caller can write
 * its files while the rest converts. The results are the same, byte for byte, wherever a file
 * was converted.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { convertFile, type BuildOptions } from '../build.js';
import { ruleResult, type RuleResult } from './rule-result.js';

export interface BatchOptions extends BuildOptions {
  /** Called with each rule's result as soon as it is converted, in no particular order. */
  readonly onResult?: (r: RuleResult) => void;
}

/** Options a worker converts with (functions stay in the main thread). */
export type WorkerOptions = Pick<BuildOptions, 'backends' | 'profiles' | 'macros' | 'root'> & { readonly root: string };

/** Files per message: small enough to balance the threads, large enough to amortize messages. */
const CHUNK = 16;

export function convertOne(file: string, opts: WorkerOptions): RuleResult {
  return ruleResult(convertFile(file, opts), opts.root);
}

/** Every file's RuleResult, in file order. */
export async function convertBatch(files: readonly string[], opts: BatchOptions = {}): Promise<RuleResult[]> {
  const workerOpts: WorkerOptions = { backends: opts.backends, profiles: opts.profiles, macros: opts.macros, root: opts.root ?? process.cwd() };
  const results = new Array<RuleResult | undefined>(files.length);
  let done = 0;
  const accept = (i: number, r: RuleResult): void => {
    results[i] = r;
    opts.onResult?.(r);
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
        w.on('message', (msg: { start?: number; results?: RuleResult[] }) => {
          if (msg.results && msg.start !== undefined) msg.results.forEach((r, i) => accept((msg.start as number) + i, r));
          w.postMessage(take());
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

/**
 * One worker per extra core (at most 3) for batches large enough to pay for starting them; none
 * when running from TypeScript sources (tests), where a worker cannot load the .ts module.
 */
function spawnWorkers(files: number, opts: WorkerOptions): Worker[] {
  const count = Math.min(availableParallelism() - 1, Math.floor(files / (4 * CHUNK)), 3);
  if (count < 1 || !import.meta.url.endsWith('.js') || process.env['RULEPORT_THREADS'] === '1') return [];
  const url = new URL('./convert-worker.js', import.meta.url);
  return Array.from({ length: count }, () => new Worker(url, { workerData: opts }));
}
