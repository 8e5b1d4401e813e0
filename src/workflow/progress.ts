/** A one-line progress bar on stderr, drawn only when stderr is a terminal (never in CI logs or pipes). */

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(s: string): boolean;
}

/** Returns an `onProgress(done, total)` callback, or undefined when the stream is not a TTY. */
export function progressBar(label: string, stream: ProgressStream = process.stderr): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 80) return;
    last = now;
    if (done >= total) {
      stream.write('\r\x1b[2K');
      return;
    }
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 20));
    const filled = Math.round((width * done) / Math.max(total, 1));
    stream.write(`\r\x1b[2K${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
  };
}
