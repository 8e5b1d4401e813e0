/**
 * Node-only part of the fast path: the raw-line prefilter on bytes (necessary key/value conditions
 * of the whole filter, checked before decoding) and NDJSON line splitting on bytes with each line
 * decoded on its own. Imported by the CLI and the bench directly (not re-exported from index.ts, so
 * generated modules type-check without @types/node).
 */
import { createReadStream, closeSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { LinePrefilter } from './raw.js';

const BACKSLASH_U = Buffer.from('\\u');

/** Position cache for Buffer.indexOf over consecutive lines of one chunk (one search per chunk). */
class Finder {
  private buf: Buffer | null = null;
  private at = -1;
  private from = 0;
  constructor(readonly needle: Buffer) {}
  /** First occurrence at or after `start`, or -1. */
  next(buf: Buffer, start: number): number {
    if (buf !== this.buf || start < this.from || (this.at !== -1 && this.at < start)) {
      this.buf = buf;
      this.from = start;
      this.at = buf.indexOf(this.needle, start);
    }
    return this.at;
  }
}

function isWs(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function valueAt(buf: Buffer, q: number, end: number): string | null | true {
  const c = buf[q];
  if (c === 0x22) {
    let k = q + 1;
    let escaped = false;
    while (k < end) {
      const b = buf[k];
      if (b === 0x5c) {
        escaped = true;
        k += 2;
        continue;
      }
      if (b === 0x22) break;
      k++;
    }
    if (k >= end) return true; // malformed: let JSON.parse decide
    const text = buf.toString('utf8', q, k + 1);
    if (!escaped) return text.slice(1, -1);
    try {
      return JSON.parse(text) as string;
    } catch {
      return true;
    }
  }
  if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) {
    let k = q + 1;
    while (k < end) {
      const b = buf[k] as number;
      if (b === 0x2c || b === 0x7d || b === 0x5d || isWs(b)) break;
      k++;
    }
    return String(Number(buf.toString('latin1', q, k)));
  }
  if (c === 0x5b) return true; // an array: any value may match
  return null; // true/false/null/object: not a field value
}

/** Compiles a line prefilter into a test on `buf[start, end)` (one NDJSON line, undecoded). */
export function compileLinePrefilter(pre: LinePrefilter): ((buf: Buffer, start: number, end: number) => boolean) | null {
  if (pre.length === 0) return null;
  const escapes = new Finder(BACKSLASH_U);
  const conj = pre.map((probes) =>
    probes.map((p) => ({
      finders: p.keys.map((k) => new Finder(Buffer.from(JSON.stringify(k)))),
      values: new Set(p.caseSensitive ? p.values : p.values.map((v) => v.toLowerCase())),
      caseSensitive: p.caseSensitive,
    })),
  );
  const probeHolds = (p: (typeof conj)[number][number], buf: Buffer, start: number, end: number): boolean => {
    for (const f of p.finders) {
      let at = f.next(buf, start);
      while (at !== -1 && at < end) {
        let q = at + f.needle.length;
        while (q < end && isWs(buf[q])) q++;
        if (buf[q] === 0x3a) {
          q++;
          while (q < end && isWs(buf[q])) q++;
          const v = valueAt(buf, q, end);
          if (v === true) return true;
          if (v !== null && p.values.has(p.caseSensitive ? v : v.toLowerCase())) return true;
        }
        at = buf.indexOf(f.needle, at + 1);
        if (at === -1 || at >= end) break;
      }
    }
    return false;
  };
  return (buf, start, end) => {
    for (const probes of conj) {
      let ok = false;
      for (const p of probes) {
        if (probeHolds(p, buf, start, end)) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        const u = escapes.next(buf, start);
        return u !== -1 && u < end; // an escape could spell a key or value differently
      }
    }
    return true;
  };
}

// ---- line splitting ---------------------------------------------------------------------------------

export type LineHandler = (buf: Buffer, start: number, end: number) => void;

const CHUNK = 4 * 1024 * 1024;

/** Splits a byte stream into lines (LF; a trailing CR is dropped), carrying partial lines over. */
export class LineSplitter {
  private carry: Buffer | null = null;
  /** Bytes seen so far (for progress). */
  bytes = 0;
  constructor(private readonly onLine: LineHandler) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl === -1) break;
      this.emit(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) this.carry = Buffer.from(buf.subarray(start));
  }

  end(): void {
    if (this.carry) {
      const c = this.carry;
      this.carry = null;
      this.emit(c, 0, c.length);
    }
  }

  private emit(buf: Buffer, start: number, end: number): void {
    const e = end > start && buf[end - 1] === 13 ? end - 1 : end;
    this.onLine(buf, start, e);
  }
}

/** Reads a whole file synchronously in 4 MiB chunks, calling `onLine` per line. */
export function scanFileSync(path: string, onLine: LineHandler, onChunk?: (bytes: number) => void): void {
  const fd = openSync(path, 'r');
  const splitter = new LineSplitter(onLine);
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      splitter.push(buf.subarray(0, n));
      onChunk?.(splitter.bytes);
    }
    splitter.end();
  } finally {
    closeSync(fd);
  }
}

/** Streams a file (or stdin for `-`) line by line; memory stays at one chunk plus a partial line. */
export async function scanStream(input: Readable | string, onLine: LineHandler, onChunk?: (bytes: number) => void): Promise<void> {
  const stream = typeof input === 'string' ? createReadStream(input, { highWaterMark: 1024 * 1024 }) : input;
  const splitter = new LineSplitter(onLine);
  for await (const chunk of stream) {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    onChunk?.(splitter.bytes);
  }
  splitter.end();
}
