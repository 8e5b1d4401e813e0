/**
 * Streaming aggregation (src/runtime/aggregate.ts, pipeline.ts): Splunk's stats semantics on small
 * hand-worked cases, the memory bound measured through the pipeline's retained state (no timing),
 * and equivalence with the all-rows implementation it replaced, on random rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runStages, stats, streamStages, streamstats, LIST_MAX, STATS_FUNCTIONS, STREAMSTATS_FUNCTIONS, type Row, type RuntimeStage } from '../../src/runtime/index.js';
import { runStagesAllRows, statsAllRows } from '../support/stats-all-rows.js';

type Agg = { fn: string; field: string | null; as: string };
const statsStage = (aggs: Agg[], by: string[], mode: 'stats' | 'eventstats' = 'stats'): RuntimeStage => ({ kind: 'aggregate', mode, aggs, by });
const valuesStar: Agg = { fn: 'values', field: '*', as: '*' };

describe('stats semantics', () => {
  const rows: Row[] = [
    { host: 'b', user: 'zed', n: 10 },
    { host: 'a', user: 'Amy', n: '9' },
    { user: 'nobody', n: 1 }, // no host: forms no group
    { host: 'a', user: 'amy', n: 'x' },
    { host: 'a', user: 'amy', n: 2 },
  ];
  it('values(*) as * by host: groups sorted by host, values distinct and in code-unit order', () => {
    expect(runStages(rows, [statsStage([valuesStar], ['host'])])).toEqual([
      { host: 'a', n: ['2', '9', 'x'], user: ['Amy', 'amy'] },
      { host: 'b', n: ['10'], user: ['zed'] },
    ]);
  });
  it('min/max numeric only when every value is a number; first/last in arrival order; count and dc', () => {
    const aggs: Agg[] = [
      { fn: 'min', field: 'n', as: 'lo' },
      { fn: 'max', field: 'n', as: 'hi' },
      { fn: 'first', field: 'user', as: 'first' },
      { fn: 'last', field: 'user', as: 'last' },
      { fn: 'count', field: null, as: 'count' },
      { fn: 'dc', field: 'user', as: 'users' },
      { fn: 'sum', field: 'n', as: 'total' },
      { fn: 'avg', field: 'n', as: 'mean' },
    ];
    expect(runStages(rows, [statsStage(aggs, ['host'])])).toEqual([
      // n in group a: '9', 'x', 2 -> not all numbers: lexicographic min '2', max 'x'; sum/avg skip 'x'
      { host: 'a', lo: '2', hi: 'x', first: 'Amy', last: 'amy', count: 3, users: 2, total: 11, mean: 5.5 },
      { host: 'b', lo: 10, hi: 10, first: 'zed', last: 'zed', count: 1, users: 1, total: 10, mean: 10 },
    ]);
  });
  // earliest()/latest(): "the chronologically earliest (latest) seen occurrence of a value in a field".
  // https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/statistical-and-charting-functions/time-functions
  it('earliest()/latest() take the value of the row with the smallest/largest _time, not the first/last to arrive', () => {
    const timed: Row[] = [
      { host: 'a', _time: 200, user: 'mid' },
      { host: 'a', _time: 300, user: 'late' },
      { host: 'a', _time: 100, user: 'early' },
      { host: 'a', _time: 50 }, // no user: earliest(user) skips it
      { host: 'a', user: 'untimed' }, // no _time: only counts while no timed row has a user
    ];
    const aggs: Agg[] = [
      { fn: 'earliest', field: 'user', as: 'e' },
      { fn: 'latest', field: 'user', as: 'l' },
      { fn: 'first', field: 'user', as: 'f' },
      { fn: 'last', field: 'user', as: 'z' },
      { fn: 'earliest', field: '_time', as: 't0' },
    ];
    expect(runStages(timed, [statsStage(aggs, ['host'])])).toEqual([{ host: 'a', e: 'early', l: 'late', f: 'mid', z: 'untimed', t0: 50 }]);
    // Without any _time they follow arrival, like first()/last(); equal times keep the first for
    // earliest and the last for latest.
    expect(runStages([{ u: 'x' }, { u: 'y' }], [statsStage([{ fn: 'earliest', field: 'u', as: 'e' }, { fn: 'latest', field: 'u', as: 'l' }], [])])).toEqual([{ e: 'x', l: 'y' }]);
    expect(runStages([{ _time: 5, u: 'x' }, { _time: 5, u: 'y' }], [statsStage([{ fn: 'earliest', field: 'u', as: 'e' }, { fn: 'latest', field: 'u', as: 'l' }], [])])).toEqual([{ e: 'x', l: 'y' }]);
  });
  it('stats without by-fields gives one row on no input when count or dc gives it a field, with by-fields none; eventstats none', () => {
    const aggs: Agg[] = [
      { fn: 'count', field: null, as: 'count' },
      { fn: 'dc', field: 'user', as: 'users' },
      { fn: 'values', field: 'user', as: 'names' },
    ];
    expect(runStages([], [statsStage(aggs, [])])).toEqual([{ count: 0, users: 0 }]);
    expect(stats([], aggs, [], 'stats')).toEqual([{ count: 0, users: 0 }]);
    // "no data seen": the idiom works only because of that row
    expect(runStages([], [statsStage([{ fn: 'count', field: null, as: 'count' }], []), { kind: 'filter', test: (r) => r['count'] === 0 }])).toEqual([{ count: 0 }]);
    expect(runStages([], [statsStage(aggs, ['host'])])).toEqual([]);
    // A row with no field at all is left out.
    expect(runStages([], [statsStage([valuesStar], [])])).toEqual([]);
    expect(runStages([], [statsStage(aggs, [], 'eventstats')])).toEqual([]);
  });
  it('stdev() is the sample standard deviation and range() max - min, both over the numeric values', () => {
    const xs: Row[] = [2, 4, 4, 4, 5, 5, 7, 9, 'x'].map((x) => ({ g: 'a', x }));
    const [out] = runStages([...xs, { g: 'b', x: 3 }], [statsStage([{ fn: 'stdev', field: 'x', as: 's' }, { fn: 'range', field: 'x', as: 'r' }], ['g'])]);
    // mean 5, squared deviations sum to 32, over n - 1 = 7
    expect(out?.['s']).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(out?.['r']).toBe(7);
    expect(runStages([{ g: 'b', x: 3 }, { g: 'c', x: 'no' }], [statsStage([{ fn: 'stdev', field: 'x', as: 's' }], ['g'])])).toEqual([{ g: 'b', s: 0 }, { g: 'c' }]);
    // Welford's update keeps large, close values apart (a naive sum of squares cancels to 0 here).
    const [big] = runStages([1e9 + 1, 1e9 + 2, 1e9 + 3].map((x) => ({ x })), [statsStage([{ fn: 'stdev', field: 'x', as: 's' }], [])]);
    expect(big?.['s']).toBeCloseTo(1, 9);
  });
  it('every function in STATS_FUNCTIONS / STREAMSTATS_FUNCTIONS is computed, and median() is in neither', () => {
    const rows: Row[] = [{ _time: 1, x: 2 }, { _time: 2, x: 'b' }];
    for (const fn of STATS_FUNCTIONS) expect(() => stats(rows, [{ fn, field: 'x', as: 'a' }], [], 'stats'), fn).not.toThrow();
    for (const fn of STREAMSTATS_FUNCTIONS) expect(() => streamstats(rows, [{ fn, field: 'x', as: 'a' }], []), fn).not.toThrow();
    expect(STATS_FUNCTIONS.has('median') || STREAMSTATS_FUNCTIONS.has('median')).toBe(false);
    expect(() => stats(rows, [{ fn: 'median', field: 'x', as: 'a' }], [], 'stats')).toThrow(/unknown aggregation median/);
  });
  it('streamstats stdev() runs over the rows so far', () => {
    const out = streamstats([{ x: 1 }, { x: 3 }, { x: 5 }], [{ fn: 'stdev', field: 'x', as: 's' }], []);
    expect(out.map((r) => r['s'])).toEqual([0, Math.sqrt(2), 2]);
  });
  it('streamstats earliest()/latest() go by _time as well', () => {
    const rows: Row[] = [
      { _time: 20, user: 'b' },
      { _time: 10, user: 'a' },
      { _time: 30, user: 'c' },
    ];
    expect(streamstats(rows, [{ fn: 'earliest', field: 'user', as: 'e' }, { fn: 'latest', field: 'user', as: 'l' }, { fn: 'first', field: 'user', as: 'f' }], []).map((r) => [r['e'], r['l'], r['f']])).toEqual([
      ['b', 'b', 'b'],
      ['a', 'b', 'b'],
      ['a', 'c', 'b'],
    ]);
  });
  it('a multivalue by-field puts the row in each value group; the by-value keeps its type', () => {
    expect(runStages([{ port: [443, 80], x: 'p' }, { port: 80, x: 'q' }], [statsStage([{ fn: 'values', field: 'x', as: 'x' }], ['port'])])).toEqual([
      { port: 443, x: ['p'] },
      { port: 80, x: ['p', 'q'] },
    ]);
  });
  it('list() keeps the first 100 values in arrival order (Splunk list_maxsize)', () => {
    const many = Array.from({ length: 150 }, (_, i): Row => ({ k: 'g', v: `v${i}` }));
    const [out] = runStages(many, [statsStage([{ fn: 'list', field: 'v', as: 'l' }], ['k'])]);
    expect(out?.['l']).toEqual(Array.from({ length: LIST_MAX }, (_, i) => `v${i}`));
  });
  it('eventstats adds the group aggregate to every row and passes rows without a group', () => {
    expect(runStages(rows, [statsStage([{ fn: 'dc', field: 'user', as: 'dc' }], ['host'], 'eventstats')])).toEqual([
      { host: 'b', user: 'zed', n: 10, dc: 1 },
      { host: 'a', user: 'Amy', n: '9', dc: 2 },
      { user: 'nobody', n: 1 },
      { host: 'a', user: 'amy', n: 'x', dc: 2 },
      { host: 'a', user: 'amy', n: 2, dc: 2 },
    ]);
  });
});

describe('memory bound: stats holds groups and distinct values, not rows', () => {
  const N = 200_000;
  /** Synthetic rows of one host and one second, with few distinct values: one bucket. */
  const row = (i: number): Row => ({ _time: 1_700_000_000 + (i % 1000) / 1000, host: 'WS01', process: `p${i % 7}.exe`, user: `u${i % 3}`, _raw: `event ${i}` });
  const pipeline: RuntimeStage[] = [
    { kind: 'project', mode: 'table', fields: ['_time', 'host', 'process', 'user'] },
    { kind: 'bucket', field: '_time', seconds: 1, as: '_time' },
    statsStage([valuesStar], ['_time', 'host']),
  ];

  it(`bin span=1s | stats values(*) as * by _time, host over ${N.toLocaleString('en')} rows keeps 1 group and 10 values`, () => {
    const out: Row[] = [];
    const stream = streamStages(pipeline, (r) => out.push(r));
    const seen: { rows: number; groups: number; values: number }[] = [];
    for (let i = 0; i < N; i++) {
      stream.push(row(i));
      if (i === 999 || i === N - 1) seen.push(stream.retained());
    }
    // The same state after a thousand rows and after all of them: nothing grows with the rows.
    expect(seen[0]).toEqual({ rows: 0, groups: 1, values: 7 + 3 });
    expect(seen[1]).toEqual(seen[0]);
    expect(out).toEqual([]); // stats emits at end of input
    stream.end();
    expect(out).toEqual([{ _time: 1_700_000_000, host: 'WS01', process: ['p0.exe', 'p1.exe', 'p2.exe', 'p3.exe', 'p4.exe', 'p5.exe', 'p6.exe'], user: ['u0', 'u1', 'u2'] }]);
  });

  it('the measure sees rows that are held: eventstats and sort hold every row (control)', () => {
    const held = (stages: RuntimeStage[]): number => {
      const stream = streamStages(stages, () => undefined);
      for (let i = 0; i < 5000; i++) stream.push(row(i));
      return stream.retained().rows;
    };
    expect(held([statsStage([{ fn: 'count', field: null, as: 'count' }], ['host'], 'eventstats')])).toBe(5000);
    expect(held([{ kind: 'rows', run: (rs) => rs }])).toBe(5000);
    expect(held([{ kind: 'rows', rowWise: true, run: (rs) => rs }, statsStage([{ fn: 'count', field: null, as: 'count' }], ['host'])])).toBe(0);
  });

  it('stages after stats run on the aggregated rows at end of input', () => {
    const out: Row[] = [];
    const stream = streamStages([statsStage([{ fn: 'count', field: null, as: 'count' }], ['user']), { kind: 'filter', test: (r) => r['count'] === 1 }], (r) => out.push(r));
    for (const user of ['a', 'b', 'a', 'c', 'c']) stream.push({ user });
    expect(out).toEqual([]);
    stream.end();
    expect(out).toEqual([{ user: 'b', count: 1 }]);
  });
});

describe('equivalence with the all-rows implementation (random rows)', () => {
  const scalar = fc.oneof(fc.constantFrom('a', 'B', 'b', '10', '9', '-1.5', '', 'x y'), fc.integer({ min: -3, max: 12 }), fc.constantFrom(0.5, 1e21));
  const value = fc.oneof(scalar, fc.array(scalar, { minLength: 0, maxLength: 3 }));
  const fields = ['host', 'user', 'n', 'p'];
  const rowArb = fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 4 }) as fc.Arbitrary<Row>;
  const fns = ['values', 'count', 'dc', 'min', 'max', 'sum', 'avg', 'first', 'last', 'earliest', 'latest'];
  const aggArb = fc.record({ fn: fc.constantFrom(...fns), field: fc.constantFrom<string | null>(null, '*', ...fields) }).map(
    ({ fn, field }): Agg => ({ fn, field, as: field === '*' ? '*' : `${fn}_${field ?? 'rows'}` }),
  );
  const byArb = fc.subarray(fields, { maxLength: 2 });

  it('stats and eventstats give the same rows, field order included', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 40 }), fc.array(aggArb, { minLength: 1, maxLength: 3 }), byArb, fc.constantFrom<'stats' | 'eventstats'>('stats', 'eventstats'), (rows, aggs, by, mode) => {
        const expected = JSON.stringify(statsAllRows(rows, aggs, by, mode));
        expect(JSON.stringify(stats(rows, aggs, by, mode))).toBe(expected);
        expect(JSON.stringify(runStages(rows, [statsStage(aggs, by, mode)]))).toBe(expected);
        expect(JSON.stringify(runStagesAllRows(rows, [statsStage(aggs, by, mode)]))).toBe(expected);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
