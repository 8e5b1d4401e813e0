import { describe, expect, it } from 'vitest';
import { printExpr } from '../../src/ir/print.js';
import { splRule } from '../support/rules.js';

const SRC = '`get_endpoint_data` `get_endpoint_data_sysmon` ';

// One row per semantic rule: SPL search text -> canonical printed IR filter.
const CASES: [string, string][] = [
  ['EventCode=1', 'eq(EventCode, "1")'],
  ['a=1 b=2', 'and(eq(a, "1"), eq(b, "2"))'],
  ['a=1 OR b=2 c=3', 'and(or(eq(a, "1"), eq(b, "2")), eq(c, "3"))'],
  ['a=1 b=2 OR c=3', 'and(eq(a, "1"), or(eq(b, "2"), eq(c, "3")))'],
  ['NOT a=1', 'not(eq(a, "1"))'],
  ['a!=1', 'and(exists(a), not(eq(a, "1")))'],
  ['a=*', 'exists(a)'],
  ['process=*cmd*', 'eq(process, "*cmd*")'],
  ['a=CASE(Foo)', 'eq_cs(a, "Foo")'],
  ['process_name IN ("a.exe", b*)', 'or(eq(process_name, "a.exe"), eq(process_name, "b*"))'],
  ['TERM(EventCode=1)', 'eq(EventCode, "1")'],
  ['TERM(hh.exe)', 'term_token("hh.exe")'],
  ['"web error"', 'term_phrase("web error")'],
  ['a>5', 'cmp(a > 5)'],
  ['a=1 | where match(process, "(?i)x")', 'and(eq(a, "1"), regex(process, "(?i)x"))'],
  ['a=1 | where isnull(b) OR like(c, "%x%")', 'and(eq(a, "1"), or(not(exists(b)), eq_cs(c, "*x*")))'],
  ['a=1 | regex process!="x"', 'and(eq(a, "1"), not(regex(process, "x")))'],
  ['a=1 | where b!="x"', 'and(eq(a, "1"), exists(b), not(eq_cs(b, "x")))'],
  ['path="C:\\\\Windows\\\\*"', 'eq(path, "C:\\\\Windows\\\\*")'],
];

describe('normalizer: SPL search semantics to IR', () => {
  it.each(CASES)('%s', (spl, expected) => {
    const r = splRule(SRC + spl);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.detection && printExpr(r.detection.filter)).toBe(expected);
  });
});

describe('front end: errors are located diagnostics', () => {
  it.each([
    ['a=1 | regex process-"x"', 'SPL003', "did you mean 'process='"],
    ['a=1 | frobnicate x', 'SPL101', "command 'frobnicate'"],
    ['a=1 | regex process="(unclosed"', 'RX001', 'invalid regex'],
    ['(a=1', 'SPL006', "missing ')'"],
    ['a="x', 'SPL002', 'unterminated'],
    ['a=1 | bin span=fast', 'SPL005', 'time span'],
    ['`no_such_macro` a=1', 'SPL103', 'no_such_macro'],
  ])('%s -> %s', (spl, code, text) => {
    const r = splRule(SRC + spl);
    const d = r.diagnostics.find((x) => x.code === code);
    expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
    expect(d?.message).toContain(text);
    expect(d?.span).not.toBeNull();
  });
});
