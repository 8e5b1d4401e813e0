import { describe, expect, it } from 'vitest';
import { printExpr } from '../../src/ir/print.js';
import { rawSearch, relaxLeaves } from '../../src/backends/relax.js';
import { splRule } from '../support/rules.js';

const SRC = '`get_endpoint_data` `get_endpoint_data_sysmon` ';

// Raw-event searches relaxed in the direction that keeps every match.
const CASES: [string, string, number][] = [
  ['EventCode=1 TERM(net) process=*x*', 'and(eq(EventCode, "1"), eq(process, "*x*"))', 1],
  ['EventCode=1 (TERM(net) OR process=*x*)', 'eq(EventCode, "1")', 1],
  ['EventCode=1 NOT TERM(net)', 'eq(EventCode, "1")', 1],
  // NOT (t AND p) = (NOT t) OR (NOT p): relaxing t under the NOT makes the whole NOT true.
  ['EventCode=1 NOT (TERM(net) process=*x*)', 'eq(EventCode, "1")', 1],
  // NOT (t OR p) = (NOT t) AND (NOT p): only NOT p is left.
  ['EventCode=1 NOT (TERM(net) OR process=*x*)', 'and(eq(EventCode, "1"), not(eq(process, "*x*")))', 1],
  ['EventCode=1 process=*x*', 'and(eq(EventCode, "1"), eq(process, "*x*"))', 0],
];

describe('relaxing raw-event searches', () => {
  it.each(CASES)('%s', (spl, expected, count) => {
    const d = splRule(SRC + spl).detection;
    if (!d) throw new Error('did not normalize');
    const r = relaxLeaves(d.filter, rawSearch, 'kql');
    expect(printExpr(r.expr)).toBe(expected);
    expect(r.diagnostics).toHaveLength(count);
    for (const x of r.diagnostics) expect(x.direction).toBe('wider');
  });
});
