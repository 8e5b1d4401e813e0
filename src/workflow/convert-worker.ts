/**
 * A worker thread for `convertFiles`: converts the rule files it is sent, one chunk at a time, and
 * posts the reports back (plain data, structured-cloned). Conversion is pure per file, so where a
 * file is converted does not change its report.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { convertFile, type BuildOptions } from '../build.js';

interface Init {
  readonly opts: Pick<BuildOptions, 'backends' | 'profiles' | 'macros'>;
}

const { opts } = workerData as Init;
const port = parentPort;
if (port) {
  port.on('message', (msg: { start: number; files: string[] } | null) => {
    if (msg === null) {
      port.close();
      return;
    }
    const reports = msg.files.map((f) => convertFile(f, opts));
    port.postMessage({ start: msg.start, reports });
  });
  port.postMessage({ ready: true });
}
