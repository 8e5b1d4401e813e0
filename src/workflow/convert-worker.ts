/**
 * A worker thread of `convertBatch`: converts the chunks of rule files it is sent and posts their
 * RuleResults back. Conversion is pure per file, so where a file is converted does not change it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { convertOne, type WorkerOptions } from './batch.js';

const opts = workerData as WorkerOptions;
const port = parentPort;
if (port) {
  port.on('message', (msg: { start: number; files: string[] } | null) => {
    if (msg === null) {
      port.close();
      return;
    }
    port.postMessage({ start: msg.start, results: msg.files.map((f) => convertOne(f, opts)) });
  });
  port.postMessage({ ready: true });
}
