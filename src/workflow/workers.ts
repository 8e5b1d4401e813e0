/**
 * The worker threads batches convert on. Starting one (a V8 isolate that loads the bundle) takes
 * about 0.1-0.15 s, so the CLI starts them first thing for the commands that convert batches,
 * while the main thread is still loading its own modules and reading the arguments; a batch then
 * takes those, or starts its own. No workers when running from TypeScript sources (tests), where a
 * worker cannot load the .ts module.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** Most workers a batch uses: one per extra core, at most 3 (more stopped paying on the corpus). */
export const MAX_WORKERS = 3;

const WORKER = new URL('./convert-worker.js', import.meta.url);

/** Started ahead of a batch and not yet taken; unreferenced, so they never keep the process alive. */
let waiting: Worker[] = [];

function usable(): number {
  if (!import.meta.url.endsWith('.js') || process.env['RULEPORT_THREADS'] === '1') return 0;
  return Math.max(0, Math.min(availableParallelism() - 1, MAX_WORKERS));
}

/** What a worker is started with. */
export interface WorkerStart {
  /** Render capabilities.md while waiting for a batch (see convert-worker.ts). */
  readonly warmUp: boolean;
}

/** Starts the workers a large batch would use; the first warms up on the capability probes. */
export function prestartWorkers(): void {
  for (let i = waiting.length; i < usable(); i++) {
    const start: WorkerStart = { warmUp: i === 0 };
    const w = new Worker(WORKER, { workerData: start });
    w.unref();
    waiting.push(w);
  }
}

/** Up to `wanted` workers (fewer when there are fewer cores): started ones first. Unused started ones are stopped. */
export function takeWorkers(wanted: number): Worker[] {
  const count = Math.min(wanted, usable());
  const taken = waiting.slice(0, count);
  for (const w of waiting.slice(count)) void w.terminate();
  waiting = [];
  while (taken.length < count) taken.push(new Worker(WORKER));
  for (const w of taken) w.ref();
  return taken;
}
