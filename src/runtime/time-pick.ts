/**
 * earliest()/latest() in stats and streamstats: "the chronologically earliest (latest) seen
 * occurrence of a value in a field", i.e. the value from the row with the smallest (largest)
 * `_time`, whatever order the rows arrive in (first()/last() are the ones that follow arrival).
 * [doc] https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/time-functions
 * Rows without a `_time` count only while no row with one has the field, in arrival order
 * [assumption]; of rows with the same `_time`, earliest keeps the first to arrive and latest the
 * last [assumption].
 */
import type { Row, Scalar } from './index.js';

export class TimePick {
  private value: Scalar | undefined;
  private time: number | undefined;

  constructor(private readonly latest: boolean) {}

  add(v: Scalar, time: number | undefined): void {
    if (this.value === undefined) {
      this.value = v;
      this.time = time;
    } else if (time === undefined) {
      if (this.latest && this.time === undefined) this.value = v;
    } else if (this.time === undefined || (this.latest ? time >= this.time : time < this.time)) {
      this.value = v;
      this.time = time;
    }
  }

  result(): Scalar | undefined {
    return this.value;
  }

  /** Values held, for the stats memory bound: one at most. */
  get size(): number {
    return 0;
  }
}

/** A row's `_time` in epoch seconds, when it has one. */
export function timeOf(row: Row): number | undefined {
  const t = row['_time'];
  const n = typeof t === 'number' ? t : typeof t === 'string' && t.trim() !== '' ? Number(t) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
