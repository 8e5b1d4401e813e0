import { describe, expect, it } from 'vitest';
import type { ValueExpr } from '../../src/ir/types.js';
import { compileValueExpr } from '../../src/runtime/eval.js';
import { runRule, runStages, type Row, type RuntimeStage } from '../../src/runtime/index.js';
import { COMPUTED_LOOKUPS, enrichComputed, joinRows, shannonEntropy } from '../../src/runtime/stages.js';
import { runDetection } from '../../src/matcher/compile.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { splRule } from '../support/rules.js';

const left: Row[] = [
  { user: 'amy', city: 'Oslo', n: '1' },
  { user: 'bob', city: 'Rome' },
  { user: 'cid' },
  { city: 'Lima' }, // no join field
];
const right: Row[] = [
  { user: 'bob', city: 'Paris', score: '7' },
  { user: 'amy', score: '3' },
  { user: 'bob', city: 'Nice', score: '9' },
  { score: '5' }, // no join field: never matches
];

describe('joinRows (Splunk join semantics, hand-worked)', () => {
  it('inner, max=1, overwrite: the first subsearch row per key, its fields win', () => {
    expect(joinRows(left, right, { type: 'inner', fields: ['user'], max: 1, overwrite: true })).toEqual([
      { user: 'amy', city: 'Oslo', n: '1', score: '3' },
      { user: 'bob', city: 'Paris', score: '7' },
    ]);
  });

  it('left keeps unmatched rows unchanged, in row order', () => {
    expect(joinRows(left, right, { type: 'left', fields: ['user'], max: 1, overwrite: true })).toEqual([
      { user: 'amy', city: 'Oslo', n: '1', score: '3' },
      { user: 'bob', city: 'Paris', score: '7' },
      { user: 'cid' },
      { city: 'Lima' },
    ]);
  });

  it('overwrite=false only fills fields the row lacks', () => {
    expect(joinRows(left.slice(0, 2), right, { type: 'inner', fields: ['user'], max: 1, overwrite: false })).toEqual([
      { user: 'amy', city: 'Oslo', n: '1', score: '3' },
      { user: 'bob', city: 'Rome', score: '7' },
    ]);
  });

  it('max=0 joins every match, one row each, in subsearch order; max=2 caps it', () => {
    const bob = [{ user: 'bob' }];
    expect(joinRows(bob, right, { type: 'inner', fields: ['user'], max: 0, overwrite: true }).map((r) => r['city'])).toEqual(['Paris', 'Nice']);
    expect(joinRows(bob, right, { type: 'inner', fields: ['user'], max: 2, overwrite: true })).toHaveLength(2);
  });

  it('several join fields must all be equal, case-sensitively', () => {
    const rows: Row[] = [{ user: 'bob', city: 'Nice' }, { user: 'Bob', city: 'Nice' }];
    expect(joinRows(rows, right, { type: 'inner', fields: ['user', 'city'], max: 1, overwrite: true })).toEqual([{ user: 'bob', city: 'Nice', score: '9' }]);
  });

  it('does not change its inputs', () => {
    const l = [{ user: 'amy' }];
    joinRows(l, right, { type: 'inner', fields: ['user'], max: 1, overwrite: true });
    expect(l).toEqual([{ user: 'amy' }]);
  });
});

describe('runRule: the subsearch runs over the same input', () => {
  const events = [
    { action: 'login', user: 'bob', Country: 'France' },
    { action: 'login', user: 'bob', Country: 'Germany' },
    { action: 'login', user: 'amy', Country: 'Spain' },
    { action: 'logout', user: 'dan', Country: 'Italy' },
  ];
  const isLogin = (row: Row): boolean => row['action'] === 'login';
  const subsearch = {
    input: {},
    filter: isLogin,
    stages: [{ kind: 'aggregate', mode: 'stats', aggs: [{ fn: 'count', field: null, as: 'n' }], by: ['user', 'Country'] }] as RuntimeStage[],
  };
  const join: RuntimeStage = { kind: 'join', type: 'left', fields: ['user'], max: 1, overwrite: true, subsearch };

  it('a one-shot iterable is read once and kept for the subsearch', () => {
    function* once() {
      yield* events;
    }
    const rows = runRule(once(), { input: {}, filter: (r) => r['user'] !== 'amy', stages: [join] });
    // stats by user, Country sorts its groups, so bob's first subsearch row is France.
    expect(rows).toEqual([
      { action: 'login', user: 'bob', Country: 'France', n: 1 },
      { action: 'login', user: 'bob', Country: 'France', n: 1 },
      { action: 'logout', user: 'dan', Country: 'Italy' },
    ]);
  });

  it('runStages refuses a join without the input events rather than skipping it', () => {
    expect(() => runStages([{ user: 'bob' }], [join])).toThrow(/needs the input events/);
  });
});

describe('the matcher runs a join rule end to end', () => {
  it('first location per user from the subsearch, then mvfind against all of them', () => {
    const r = splRule(
      'action=login | stats values(Country) as locations by user | join type=left user [ search action=login | stats count by user, Country ] | where isnotnull(locations) AND isnotnull(mvfind(locations, Country))',
    );
    if (!r.detection) throw new Error(JSON.stringify(r.diagnostics));
    const events = [
      { action: 'login', user: 'bob', Country: 'France' },
      { action: 'login', user: 'bob', Country: 'Germany' },
      { action: 'login', user: 'cid' },
    ];
    expect(runDetection(r.detection, resolveProfile('sysmon-raw'), events)).toEqual([{ user: 'bob', locations: ['France', 'Germany'], Country: 'France', count: 1 }]);
  });
});

describe('mvfind', () => {
  const span = { start: 0, end: 0 };
  const f = (name: string): ValueExpr => ({ kind: 'field', name, span });
  const lit = (value: string): ValueExpr => ({ kind: 'literal', value, span });
  const mvfind = (a: ValueExpr, b: ValueExpr) => compileValueExpr({ kind: 'call', fn: 'mvfind', args: [a, b], span });
  it('the 0-based index of the first value the regex matches anywhere in, null when none does', () => {
    const row: Row = { mv: ['alpha', 'beta', 'gamma'], p: 'a$' };
    expect(mvfind(f('mv'), lit('et'))(row)).toBe(1);
    expect(mvfind(f('mv'), f('p'))(row)).toBe(0);
    expect(mvfind(f('mv'), lit('^z'))(row)).toBe(null);
    expect(mvfind(f('missing'), lit('a'))(row)).toBe(null);
    expect(mvfind(lit('solo'), lit('ol'))(row)).toBe(0);
  });
});

describe('ut_shannon_lookup (URL Toolbox ut_shannon.py)', () => {
  it('the value URL Toolbox documents for "buttercup"', () => {
    // https://github.com/splunk/utbox README, section ut_shannon: buttercup -> 2.725480556997868
    expect(COMPUTED_LOOKUPS['ut_shannon_lookup']?.({ word: 'buttercup' })).toEqual({ ut_shannon: '2.725480556997868' });
  });
  it('hand-worked values, written as Python writes floats, after Python strip()', () => {
    // "aaaa": one symbol, p=1, 0 bits. "ab", "aabb": two equally likely symbols, 1 bit.
    // "abcd": four, 2 bits. \x1c is whitespace to Python's strip() (not to JavaScript's trim()).
    const out = (w: string): string | undefined => COMPUTED_LOOKUPS['ut_shannon_lookup']?.({ word: w })['ut_shannon'];
    expect(out('aaaa')).toBe('0.0');
    expect(out(' ab\t')).toBe('1.0');
    expect(out('aabb')).toBe('1.0');
    expect(out('abcd\x1c')).toBe('2.0');
    expect(out('')).toBe('0.0');
    expect(shannonEntropy('aab')).toBeCloseTo(0.9182958340544896, 15);
  });
  it('as a lookup stage: absent input leaves the row unchanged, OUTPUTNEW keeps an existing value', () => {
    const compute = COMPUTED_LOOKUPS['ut_shannon_lookup'];
    if (!compute) throw new Error('missing');
    const inputs = [{ field: 'cmd', column: 'word' }];
    const outputs = [{ column: 'ut_shannon', as: 'ut_shannon' }];
    expect(enrichComputed([{ cmd: 'ab' }, { other: 'x' }], compute, inputs, outputs, true)).toEqual([{ cmd: 'ab', ut_shannon: '1.0' }, { other: 'x' }]);
    expect(enrichComputed([{ cmd: 'ab', ut_shannon: '9' }], compute, inputs, outputs, false)).toEqual([{ cmd: 'ab', ut_shannon: '9' }]);
  });
  it('the ut_shannon macro expands to that lookup and the matcher computes it', () => {
    const r = splRule('`get_endpoint_data` `get_endpoint_data_powershell` EventCode=4103 | `ut_shannon(cmd)` | where ut_shannon > 1.5');
    if (!r.detection) throw new Error(JSON.stringify(r.diagnostics));
    const events = [
      { EventID: 4103, cmd: 'abcd' },
      { EventID: 4103, cmd: 'aabb' },
    ];
    const rows = runDetection(r.detection, resolveProfile('sysmon-raw'), events);
    expect(rows.map((x) => [x['cmd'], x['ut_shannon']])).toEqual([['abcd', '2.0']]);
  });
});
