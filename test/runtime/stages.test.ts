import { describe, expect, it } from 'vitest';
import type { ValueExpr, ValueOp } from '../../src/ir/types.js';
import { compileValueExpr, pcreToJs } from '../../src/runtime/eval.js';
import type { Row } from '../../src/runtime/index.js';
import { enrich, evalStage, fillnull, sortRows } from '../../src/runtime/stages.js';
import { rexExtract, rexSed } from '../../src/runtime/rex.js';
import { streamstats, type StreamOptions } from '../../src/runtime/streamstats.js';

const span = { start: 0, end: 0 };
type Arg = ValueExpr | string | number | boolean | null;
const wrap = (a: Arg): ValueExpr => (a !== null && typeof a === 'object' ? a : { kind: 'literal', value: a, span });
const f = (name: string): ValueExpr => ({ kind: 'field', name, span });
const call = (fn: string, ...args: Arg[]): ValueExpr => ({ kind: 'call', fn, args: args.map(wrap), span });
const op = (o: ValueOp, ...args: Arg[]): ValueExpr => ({ kind: 'op', op: o, args: args.map(wrap), span });
const assign = (field: string, e: ValueExpr) => ({ field, value: compileValueExpr(e) });

describe('evalStage', () => {
  it('runs assignments left to right, each seeing the earlier ones', () => {
    const rows: Row[] = [{ a: '2' }];
    const out = evalStage(rows, [assign('b', op('*', f('a'), 10)), assign('c', op('.', f('b'), 'x'))]);
    expect(out).toEqual([{ a: '2', b: 20, c: '20x' }]);
    expect(rows).toEqual([{ a: '2' }]); // input untouched
  });
  it('a null result removes the field', () => {
    expect(evalStage([{ a: 'x', b: 'y' }], [assign('b', f('missing'))])).toEqual([{ a: 'x' }]);
  });
  it('overwrites an existing field and stores multivalues', () => {
    expect(evalStage([{ a: 'x' }], [assign('a', call('split', 'p;q', ';'))])).toEqual([{ a: ['p', 'q'] }]);
  });
  it('a boolean cannot be stored: the field is removed', () => {
    expect(evalStage([{ a: 'x' }], [assign('t', op('=', f('a'), 'x'))])).toEqual([{ a: 'x' }]);
  });
});

// https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/rex
describe('rexExtract', () => {
  const re = pcreToJs('user=(?<user>\\w+)(?: domain=(?<domain>\\w+))?');
  it('named groups become fields', () => {
    expect(rexExtract([{ _raw: 'x user=bob domain=CORP y' }], '_raw', re, ['user', 'domain'])).toEqual([
      { _raw: 'x user=bob domain=CORP y', user: 'bob', domain: 'CORP' },
    ]);
  });
  it('overwrites existing fields on a match; a group that did not take part leaves its field', () => {
    expect(rexExtract([{ _raw: 'user=amy', user: 'old', domain: 'KEEP' }], '_raw', re, ['user', 'domain'])).toEqual([
      { _raw: 'user=amy', user: 'amy', domain: 'KEEP' },
    ]);
  });
  it('a non-matching row keeps its fields', () => {
    const row = { _raw: 'nothing here', user: 'old' };
    expect(rexExtract([row], '_raw', re, ['user', 'domain'])).toEqual([row]);
  });
  it('a row without the field is unchanged', () => {
    expect(rexExtract([{ other: 'user=x' }], '_raw', re, ['user'])).toEqual([{ other: 'user=x' }]);
  });
  it('max_match=1: only the first match is used, even with a global regex', () => {
    const g = new RegExp('(?<n>\\d+)', 'g');
    const rows = [{ s: 'a1 b2' }, { s: 'c3 d4' }];
    expect(rexExtract(rows, 's', g, ['n'])).toEqual([
      { s: 'a1 b2', n: '1' },
      { s: 'c3 d4', n: '3' },
    ]);
  });
  it('honours (?i) from the PCRE', () => {
    expect(rexExtract([{ s: 'USER=Z' }], 's', pcreToJs('(?i)user=(?<u>\\w)'), ['u'])).toEqual([{ s: 'USER=Z', u: 'Z' }]);
  });
});

// max_match: "Controls the number of times the regex is matched. If greater than 1, the resulting
// fields are multivalued fields." (same page)
describe('rexExtract with max_match', () => {
  const dll = pcreToJs('(?<driver>\\S+\\.dll)');
  const line = 'load a.dll b.DLL c.dll d.exe e.dll';
  it('max_match=0 collects every match, in match order, into a multivalue field', () => {
    expect(rexExtract([{ s: line }], 's', dll, ['driver'], 0)).toEqual([{ s: line, driver: ['a.dll', 'c.dll', 'e.dll'] }]);
  });
  it('max_match=N stops after N matches', () => {
    expect(rexExtract([{ s: line }], 's', dll, ['driver'], 2)).toEqual([{ s: line, driver: ['a.dll', 'c.dll'] }]);
  });
  it('a single match stays a single value; no match leaves the row as it was', () => {
    expect(rexExtract([{ s: 'x.dll', driver: 'old' }], 's', dll, ['driver'], 0)).toEqual([{ s: 'x.dll', driver: 'x.dll' }]);
    const row = { s: 'none', driver: 'old' };
    expect(rexExtract([row], 's', dll, ['driver'], 0)).toEqual([row]);
  });
  it('each group collects the values it captured; one that never took part leaves its field', () => {
    const kv = pcreToJs('(?:user=(?<user>\\w*)|host=(?<host>\\w+))');
    expect(rexExtract([{ s: 'user=a host=h1 user= user=b', host: 'keep', port: 'p' }], 's', kv, ['user', 'host', 'port'], 0)).toEqual([
      { s: 'user=a host=h1 user= user=b', user: ['a', 'b'], host: 'h1', port: 'p' },
    ]);
    // Only empty captures: the field is emptied, as with max_match=1.
    expect(rexExtract([{ s: 'user= user=', user: 'old' }], 's', kv, ['user'], 0)).toEqual([{ s: 'user= user=' }]);
  });
  it('each search starts where the previous match ended (matches do not overlap)', () => {
    expect(rexExtract([{ s: 'aaaa' }], 's', pcreToJs('(?<p>aa)'), ['p'], 0)).toEqual([{ s: 'aaaa', p: ['aa', 'aa'] }]);
  });
  it('uses the first value of a multivalue field that matches, and honours (?i)', () => {
    const re = pcreToJs('(?i)x(?<n>\\d)');
    expect(rexExtract([{ s: ['none', 'X1 x2', 'x3'] }], 's', re, ['n'], 0)).toEqual([{ s: ['none', 'X1 x2', 'x3'], n: ['1', '2'] }]);
  });
  it('never loops in place on a regex that matches the empty string', () => {
    expect(rexExtract([{ s: 'ab' }], 's', pcreToJs('(?<c>b?)'), ['c'], 0)).toEqual([{ s: 'ab', c: 'b' }]);
  });
});

describe('rexSed', () => {
  it('replaces the first match without g', () => {
    expect(rexSed([{ s: 'aaa' }], 's', pcreToJs('a'), 'b', false)).toEqual([{ s: 'baa' }]);
  });
  it('replaces every match with g', () => {
    expect(rexSed([{ s: 'aaa' }], 's', pcreToJs('a'), 'b', true)).toEqual([{ s: 'bbb' }]);
  });
  it('supports \\1..\\9 backreferences (doc: masking example)', () => {
    // rex field=ccnumber mode=sed "s/(\d{4}-){3}/XXXX-XXXX-XXXX-/g"
    expect(rexSed([{ cc: '1234-5678-9012-3456' }], 'cc', pcreToJs('(\\d{4}-){3}'), 'XXXX-XXXX-XXXX-', true)).toEqual([{ cc: 'XXXX-XXXX-XXXX-3456' }]);
    expect(rexSed([{ s: 'john smith' }], 's', pcreToJs('(\\w+) (\\w+)'), '\\2, \\1', false)).toEqual([{ s: 'smith, john' }]);
  });
  it('& and $ are literal in the replacement', () => {
    expect(rexSed([{ s: 'ab' }], 's', pcreToJs('b'), '[&$1]', false)).toEqual([{ s: 'a[&$1]' }]);
  });
  it('applies to each value of a multivalue field; a missing field is unchanged', () => {
    expect(rexSed([{ m: ['x1', 'y2'] }, { o: 1 }], 'm', pcreToJs('\\d'), '#', true)).toEqual([{ m: ['x#', 'y#'] }, { o: 1 }]);
  });
});

// https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/fillnull
describe('fillnull', () => {
  const rows: Row[] = [{ a: '1' }, { b: '2' }, { a: '3', c: '' }];
  it('with no field list fills every field seen in any row', () => {
    expect(fillnull(rows, '0', [])).toEqual([
      { a: '1', b: '0' },
      { b: '2', a: '0' },
      { a: '3', c: '', b: '0' },
    ]);
  });
  it('with a field list fills only those, even fields no row has', () => {
    expect(fillnull(rows, 'NULL', ['b', 'z'])).toEqual([
      { a: '1', b: 'NULL', z: 'NULL' },
      { b: '2', z: 'NULL' },
      { a: '3', c: '', b: 'NULL', z: 'NULL' },
    ]);
  });
  it('empty values count as null', () => {
    expect(fillnull([{ a: '', b: [] }], '0', ['a', 'b'])).toEqual([{ a: '0', b: '0' }]);
  });
  it('does not touch present values', () => {
    const r = { a: 'x' };
    expect(fillnull([r], '0', ['a'])[0]).toBe(r);
  });
});

// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.0/search-commands/sort
// https://help.splunk.com/en/splunk-enterprise/search/spl2-search-manual/sort-and-order
describe('sortRows', () => {
  const ids = (rows: Row[]) => rows.map((r) => r['id']);
  const rows: Row[] = [
    { id: 1, v: '10' },
    { id: 2, v: '9' },
    { id: 3 },
    { id: 4, v: 'b' },
    { id: 5, v: 'B' },
    { id: 6, v: '100' },
    { id: 7, v: '9' },
  ];
  it('auto: numbers numerically, before strings; uppercase before lowercase; missing last; stable', () => {
    expect(ids(sortRows(rows, [{ field: 'v', descending: false, as: 'auto' }], 0))).toEqual([2, 7, 1, 6, 5, 4, 3]);
  });
  it('descending keeps missing values last and equal keys stable', () => {
    expect(ids(sortRows(rows, [{ field: 'v', descending: true, as: 'auto' }], 0))).toEqual([4, 5, 6, 1, 2, 7, 3]);
  });
  it('str: lexicographic (doc table: 10, 100, 70, 9)', () => {
    const nums: Row[] = [{ v: '10' }, { v: '9' }, { v: '70' }, { v: '100' }];
    expect(sortRows(nums, [{ field: 'v', descending: false, as: 'str' }], 0).map((r) => r['v'])).toEqual(['10', '100', '70', '9']);
  });
  it('str: doc table of product ids', () => {
    const p = ['SF-01', 'pz-05', 'BS-09', 'MB-07', 'DC-02', 'PZ-05', 'mb-07'].map((v) => ({ v }));
    expect(sortRows(p, [{ field: 'v', descending: false, as: 'str' }], 0).map((r) => r['v'])).toEqual(['BS-09', 'DC-02', 'MB-07', 'PZ-05', 'SF-01', 'mb-07', 'pz-05']);
  });
  it('num: non-numeric values count as missing', () => {
    expect(ids(sortRows(rows, [{ field: 'v', descending: false, as: 'num' }], 0))).toEqual([2, 7, 1, 6, 3, 4, 5]);
  });
  it('ip: addresses numerically', () => {
    const r: Row[] = [{ ip: '10.0.0.10' }, { ip: '10.0.0.9' }, { ip: '9.255.0.1' }];
    expect(sortRows(r, [{ field: 'ip', descending: false, as: 'ip' }], 0).map((x) => x['ip'])).toEqual(['9.255.0.1', '10.0.0.9', '10.0.0.10']);
  });
  it('several keys and a limit', () => {
    const r: Row[] = [
      { a: 'x', b: 2 },
      { a: 'y', b: 1 },
      { a: 'x', b: 3 },
    ];
    expect(
      sortRows(r, [{ field: 'a', descending: false, as: 'auto' }, { field: 'b', descending: true, as: 'auto' }], 2),
    ).toEqual([
      { a: 'x', b: 3 },
      { a: 'x', b: 2 },
    ]);
  });
});

// https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/search-commands/lookup
describe('enrich (lookup)', () => {
  const table = [
    { user: 'alice', dept: 'eng', title: 'dev' },
    { user: 'bob', dept: 'ops', title: '' },
    { user: 'Carol', dept: 'hr', title: 'lead' },
  ];
  const inputs = [{ field: 'u', column: 'user' }];
  it('OUTPUT overwrites existing fields', () => {
    expect(enrich([{ u: 'alice', dept: 'old' }], table, inputs, [{ column: 'dept', as: 'dept' }], true)).toEqual([{ u: 'alice', dept: 'eng' }]);
  });
  it('OUTPUTNEW only fills absent fields', () => {
    expect(
      enrich([{ u: 'alice', dept: 'old' }], table, inputs, [{ column: 'dept', as: 'dept' }, { column: 'title', as: 'title' }], false),
    ).toEqual([{ u: 'alice', dept: 'old', title: 'dev' }]);
  });
  it('matching is exact and case-sensitive', () => {
    expect(enrich([{ u: 'carol' }, { u: 'Carol' }, { u: 'ali' }], table, inputs, [{ column: 'dept', as: 'd' }], true)).toEqual([
      { u: 'carol' },
      { u: 'Carol', d: 'hr' },
      { u: 'ali' },
    ]);
  });
  it('no match keeps existing values, even with OUTPUT', () => {
    expect(enrich([{ u: 'zed', d: 'keep' }], table, inputs, [{ column: 'dept', as: 'd' }], true)).toEqual([{ u: 'zed', d: 'keep' }]);
  });
  it('AS renames; no output list means every non-input column', () => {
    expect(enrich([{ u: 'alice' }], table, inputs, [], true)).toEqual([{ u: 'alice', dept: 'eng', title: 'dev' }]);
  });
  it('an empty table value outputs nothing', () => {
    expect(enrich([{ u: 'bob', title: 'x' }], table, inputs, [{ column: 'title', as: 'title' }], false)).toEqual([{ u: 'bob', title: 'x' }]);
  });
  it('several input fields must all match; multivalue inputs try each value', () => {
    const t = [
      { h: 'a', p: '1', o: 'A1' },
      { h: 'a', p: '2', o: 'A2' },
    ];
    const ins = [
      { field: 'host', column: 'h' },
      { field: 'port', column: 'p' },
    ];
    expect(enrich([{ host: 'a', port: '2' }, { host: 'a', port: ['1', '2'] }, { host: 'a' }], t, ins, [{ column: 'o', as: 'o' }], true)).toEqual([
      { host: 'a', port: '2', o: 'A2' },
      { host: 'a', port: ['1', '2'], o: ['A1', 'A2'] },
      { host: 'a' },
    ]);
  });
  it('numbers match their string form', () => {
    expect(enrich([{ code: 4688 }], [{ code: '4688', name: 'proc' }], [{ field: 'code', column: 'code' }], [{ column: 'name', as: 'name' }], true)).toEqual([
      { code: 4688, name: 'proc' },
    ]);
  });
  it('a null table leaves rows unchanged', () => {
    const rows = [{ u: 'alice' }];
    expect(enrich(rows, null, inputs, [{ column: 'dept', as: 'dept' }], true)).toEqual(rows);
  });
});

// https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats
describe('streamstats', () => {
  const rows: Row[] = [
    { host: 'a', p: 'x', n: '1' },
    { host: 'b', p: 'y', n: '5' },
    { host: 'a', p: 'y', n: '3' },
    { host: 'a', p: 'x' },
    { p: 'z', n: '9' },
  ];
  it('running aggregates per group, current row included', () => {
    const out = streamstats(
      rows,
      [
        { fn: 'count', field: null, as: 'c' },
        { fn: 'dc', field: 'p', as: 'dc' },
        { fn: 'values', field: 'p', as: 'vals' },
        { fn: 'sum', field: 'n', as: 'sum' },
        { fn: 'avg', field: 'n', as: 'avg' },
        { fn: 'min', field: 'n', as: 'min' },
        { fn: 'max', field: 'n', as: 'max' },
      ],
      ['host'],
    );
    expect(out).toEqual([
      { host: 'a', p: 'x', n: '1', c: 1, dc: 1, vals: 'x', sum: 1, avg: 1, min: '1', max: '1' },
      { host: 'b', p: 'y', n: '5', c: 1, dc: 1, vals: 'y', sum: 5, avg: 5, min: '5', max: '5' },
      { host: 'a', p: 'y', n: '3', c: 2, dc: 2, vals: ['x', 'y'], sum: 4, avg: 2, min: '1', max: '3' },
      { host: 'a', p: 'x', c: 3, dc: 2, vals: ['x', 'y'], sum: 4, avg: 2, min: '1', max: '3' },
      { p: 'z', n: '9' }, // no by-field: passed through
    ]);
  });
  it('without by: one running group; count(field) counts values', () => {
    const out = streamstats(rows, [{ fn: 'count', field: 'n', as: 'cn' }], []);
    expect(out.map((r) => r['cn'])).toEqual([1, 2, 3, 3, 4]);
  });
  it('rejects an unsupported function', () => {
    expect(() => streamstats(rows, [{ fn: 'median', field: 'n', as: 'm' }], [])).toThrow(/median/);
  });
});

describe('streamstats window, current, global, reset_on_change', () => {
  // u is the by-field; the row without u passes through, takes no window slot, resets nothing.
  const rows: Row[] = [
    { u: 'a', t: '10' },
    { u: 'b', t: '20' },
    { u: 'a', t: '13' },
    { u: 'a', t: '19' },
    { u: 'b', t: '21' },
    { t: '50' },
    { u: 'a', t: '30' },
  ];
  const opts = (o: Partial<StreamOptions>): StreamOptions => ({ window: 0, current: true, global: true, resetOnChange: false, ...o });
  const col = (out: Row[], name: string): unknown[] => out.map((r) => r[name]);

  it('window=2 global=false: range over the last 2 rows of the same u', () => {
    // a: [10] 0, [10,13] 3, [13,19] 6, [19,30] 11; b: [20] 0, [20,21] 1.
    const out = streamstats(rows, [{ fn: 'range', field: 't', as: 'd' }], ['u'], opts({ window: 2, global: false }));
    expect(col(out, 'd')).toEqual([0, 0, 3, 6, 1, undefined, 11]);
    expect(out[5]).toEqual({ t: '50' });
  });

  it('window=2 global=true (the default): the last 2 rows of the stream, of those the ones of the same u', () => {
    // Windows: [r1] a:10 -> 0; [r1,r2] b:20 -> 0; [r2,r3] a:13 -> 0; [r3,r4] a:13,19 -> 6;
    // [r4,r5] b:21 -> 0; r6 passes; [r5,r7] a:30 -> 0.
    const out = streamstats(rows, [{ fn: 'range', field: 't', as: 'd' }], ['u'], opts({ window: 2 }));
    expect(col(out, 'd')).toEqual([0, 0, 0, 6, 0, undefined, 0]);
  });

  it('window=1 current=f: the previous row, in the stream (global) or in the group', () => {
    const prevGlobal = streamstats(rows, [{ fn: 'values', field: 't', as: 'last_t' }], ['u'], opts({ window: 1, current: false }));
    // Only r4 follows a row of its own u (r3).
    expect(col(prevGlobal, 'last_t')).toEqual([undefined, undefined, undefined, '13', undefined, undefined, undefined]);
    const prevInGroup = streamstats(rows, [{ fn: 'values', field: 't', as: 'last_t' }], ['u'], opts({ window: 1, current: false, global: false }));
    expect(col(prevInGroup, 'last_t')).toEqual([undefined, undefined, '10', '13', '20', undefined, '19']);
  });

  it('current=f without a window: the rows of the group before this one', () => {
    const out = streamstats(rows, [{ fn: 'count', field: null, as: 'c' }, { fn: 'sum', field: 't', as: 's' }], ['u'], opts({ current: false }));
    expect(col(out, 'c')).toEqual([0, 0, 1, 2, 1, undefined, 3]);
    expect(col(out, 's')).toEqual([undefined, undefined, 10, 23, 20, undefined, 42]);
  });

  it('reset_on_change: a change of u clears every aggregate', () => {
    // a | b (change) | a (change) | a | b (change) | - | a (change from b, the last row with u)
    const out = streamstats(rows, [{ fn: 'count', field: null, as: 'c' }], ['u'], opts({ resetOnChange: true }));
    expect(col(out, 'c')).toEqual([1, 1, 1, 2, 1, undefined, 1]);
  });

  it('window=3 moving average (Splunk SPL2 docs example: 100, 200, 400, 50, 150, 100)', () => {
    // https://help.splunk.com/en/splunk-enterprise/search/spl2-search-reference/streamstats-command
    const bytes = [100, 200, 400, 50, 150, 100].map((b) => ({ bytes: String(b) }));
    const out = streamstats(bytes, [{ fn: 'avg', field: 'bytes', as: 'avg' }], [], opts({ window: 3 }));
    const want = [100, 150, 700 / 3, 650 / 3, 200, 100];
    out.forEach((r, i) => expect(r['avg']).toBeCloseTo(want[i] as number, 10));
  });

  it('rejects a window that is not a row count', () => {
    expect(() => streamstats(rows, [{ fn: 'count', field: null, as: 'c' }], [], opts({ window: -1 }))).toThrow(/window/);
  });
});
