/**
 * A worker thread of `convertBatch`: converts the chunks of rule files it is sent and posts their
 * RuleResults back. Conversion is pure per file, so where a file is converted does not change it.
 * It may be started before its batch is known (workers.ts): the first message is the options to
 * convert with, answered with `ready`; then chunks, and `null` to stop, answered (once its files
 * are on disk) with what staging them did.
 */
import { parentPort } from 'node:worker_threads';
import { convertOne, stagerFor, type WorkerMessage, type WorkerOptions } from './batch.js';

const port = parentPort;
let opts: WorkerOptions | undefined;
let stopping = false;
const post = (msg: WorkerMessage): void => port?.postMessage(msg);
port?.on('message', (msg: WorkerOptions | { start: number; files: string[] } | null) => {
  if (stopping) return;
  if (msg === null) {
    stopping = true;
    const stage = opts?.stage;
    if (!stage) port.close();
    else
      stagerFor(stage)
        .settled()
        .then(
          (staged) => post({ staged }),
          (err: unknown) => post({ stagingError: err instanceof Error ? err.message : String(err) }),
        )
        .finally(() => port.close());
  } else if (!opts) {
    opts = msg as WorkerOptions;
    post({ ready: true });
  } else {
    const chunk = msg as { start: number; files: string[] };
    post({ start: chunk.start, results: chunk.files.map((f) => convertOne(f, opts as WorkerOptions)) });
  }
});
