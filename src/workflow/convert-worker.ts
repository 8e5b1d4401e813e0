/**
 * A worker thread of `convertBatch`: converts the chunks of rule files it is sent and posts their
 * RuleResults back. Conversion is pure per file, so where a file is converted does not change it.
 * It may be started before its batch is known (workers.ts): the first message is the options to
 * convert with, answered with `ready`; then chunks, and `null` to stop.
 */
import { parentPort } from 'node:worker_threads';
import { convertOne, type WorkerOptions } from './batch.js';

const port = parentPort;
let opts: WorkerOptions | undefined;
port?.on('message', (msg: WorkerOptions | { start: number; files: string[] } | null) => {
  if (msg === null) {
    port.close();
  } else if (!opts) {
    opts = msg as WorkerOptions;
    port.postMessage({ ready: true });
  } else {
    const chunk = msg as { start: number; files: string[] };
    port.postMessage({ start: chunk.start, results: chunk.files.map((f) => convertOne(f, opts as WorkerOptions)) });
  }
});
