/**
 * A worker thread of `convertBatch`: converts the chunks of rule files it is sent and posts their
 * RuleResults back. Conversion is pure per file, so where a file is converted does not change it.
 * It may be started before its batch is known (workers.ts): the first message is the options to
 * convert with (answered with capabilities.md when it rendered that); then chunks, and `null` to
 * stop, answered (once its files are on disk) with what staging them did.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { capabilitiesMarkdown } from '../capabilities.js';
import { convertOne, stagerFor, type WorkerMessage, type WorkerOptions } from './batch.js';
import type { WorkerStart } from './workers.js';

const port = parentPort;
/**
 * A worker started ahead of its batch waits while the main thread loads its modules and reads the
 * arguments. Rendering the capability probes (every backend on a few small rules) fills that
 * wait: it loads the data tables and compiles the conversion code before the first chunk, and the
 * main thread no longer renders capabilities.md after the batch.
 */
const capabilities = (workerData as WorkerStart | undefined)?.warmUp ? capabilitiesMarkdown() : undefined;
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
    if (capabilities !== undefined) post({ capabilities });
  } else {
    const chunk = msg as { start: number; files: string[] };
    post({ start: chunk.start, results: chunk.files.map((f) => convertOne(f, opts as WorkerOptions)) });
  }
});
