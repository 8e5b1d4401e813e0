/**
 * stdev() and range() over the numeric values of a field, for stats and streamstats.
 * stdev is the sample standard deviation (Splunk's stdevp is the population one), kept with
 * Welford's update so that it needs no second pass and does not cancel on large values.
 * [doc] https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/aggregate-functions
 * One value gives 0 [assumption: as KQL's stdev(), which the KQL backend emits].
 */
export class Spread {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private lo = Infinity;
  private hi = -Infinity;

  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
  }

  stdev(): number | undefined {
    if (this.n === 0) return undefined;
    return this.n === 1 ? 0 : Math.sqrt(this.m2 / (this.n - 1));
  }

  /** max - min of the values. */
  range(): number | undefined {
    return this.n === 0 ? undefined : this.hi - this.lo;
  }
}
