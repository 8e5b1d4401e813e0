import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { printExpr, printStage } from '../../src/ir/print.js';
import { splRule } from '../support/rules.js';

const SRC = '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 ';
const SUB = '[ search `get_endpoint_data_sysmon` EventCode=3 | stats count as n by host ]';

function printed(spl: string): string {
  const r = splRule(SRC + spl);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.detection) return `ERROR ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`;
  return [printExpr(r.detection.filter), ...r.detection.stages.map(printStage)].join(' ; ');
}

// SPL join -> canonical printed IR; the subsearch is printed as its own filter | stages.
const CASES: [string, string][] = [
  [`| join host ${SUB}`, 'eq(EventCode, "1") ; join_inner(host; [eq(EventCode, "3") | stats(count() -> n; by host)])'],
  [`| join type=left host ${SUB}`, 'eq(EventCode, "1") ; join_left(host; [eq(EventCode, "3") | stats(count() -> n; by host)])'],
  // The docs: outer and left are synonyms.
  [`| join type=outer host ${SUB}`, 'eq(EventCode, "1") ; join_left(host; [eq(EventCode, "3") | stats(count() -> n; by host)])'],
  [`| join type=inner max=0 overwrite=false host, user ${SUB}`, 'eq(EventCode, "1") ; join_inner(host, user; max 0; keep existing; [eq(EventCode, "3") | stats(count() -> n; by host)])'],
  // Pipes inside the brackets belong to the subsearch; the pipeline goes on after it.
  [`| join host ${SUB} | where n > 2`, 'eq(EventCode, "1") ; join_inner(host; [eq(EventCode, "3") | stats(count() -> n; by host)]) ; filter(cmp(n > 2))'],
  ['| join user [ search a=1 | where isnotnull(b) ]', 'eq(EventCode, "1") ; join_inner(user; [and(eq(a, "1"), exists(b))])'],
  ['| join user [ search a=1 | join host [ search b=2 ] ]', 'eq(EventCode, "1") ; join_inner(user; [eq(a, "1") | join_inner(host; [eq(b, "2")])])'],
];

describe('normalizer: join with a subsearch', () => {
  it.each(CASES)('%s', (spl, expected) => {
    expect(printed(spl)).toBe(expected);
  });

  it('the subsearch keeps its own data source', () => {
    const r = splRule(SRC + '| join host [ search `get_endpoint_data_winevent` EventCode=4624 ]');
    const st = r.detection?.stages[0];
    expect(st?.kind).toBe('join');
    if (st?.kind !== 'join') return;
    expect(r.detection?.source.id).toBe('sysmon');
    expect(st.subsearch.source.id).toBe('windows_security');
    // The span covers the brackets, in the rule's SPL text.
    const spl = r.detection?.spl ?? '';
    expect(spl.slice(st.subsearch.span.start, st.subsearch.span.end)).toBe('[ search `get_endpoint_data_winevent` EventCode=4624 ]');
  });

  it('lineage: fields a join adds exist for later stages', () => {
    const r = splRule(SRC + `| table host | join host ${SUB} | where n > 2`);
    expect(r.diagnostics.filter((d) => d.code === 'LINT001')).toEqual([]);
  });

  it('lineage inside the subsearch is linted too', () => {
    const r = splRule(SRC + '| join host [ search a=1 | table x | stats count by host ]');
    expect(r.diagnostics.find((d) => d.code === 'LINT001')?.message).toContain("'host'");
  });
});

describe('join: problems are located diagnostics', () => {
  it.each([
    [`| join type=cross host ${SUB}`, 'SPL005', 'type=cross', 'type=cross'],
    [`| join max=all host ${SUB}`, 'SPL005', 'max=all', 'max=all'],
    [`| join usetime=true host ${SUB}`, 'SPL102', 'usetime=', 'usetime=true'],
    [`| join ${SUB}`, 'SPL102', 'no field list', 'join'],
    ['| join host', 'SPL004', 'subsearch', 'join'],
    ['| join host [ search a=1', 'SPL004', "no closing ']'", '['],
    ['| join host [ ]', 'SPL004', 'empty subsearch', '[ ]'],
    ['| join host [ search a=1 ] x', 'SPL003', 'after the subsearch', 'x'],
    ['| eval x=1 [ search a=1 ]', 'SPL102', 'only supported in join', '['],
    // An error inside the subsearch points into it.
    ['| join host [ search a=1 | frobnicate ]', 'SPL101', "'frobnicate'", 'frobnicate'],
  ])('%s -> %s', (spl, code, text, at) => {
    const r = splRule(SRC + spl);
    expect(r.detection).toBeUndefined();
    const d = r.diagnostics.find((x) => x.code === code);
    expect(d, JSON.stringify(r.diagnostics)).toBeDefined();
    expect(d?.message).toContain(text);
    const full = SRC + spl;
    expect(d?.span && full.slice(d.span.start, d.span.end)).toBe(at);
  });
});

describe('the IR schema covers join and undisclosed filters', () => {
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync('src/ir/ir-schema.json', 'utf8')) as object);
  it('a nested join whose subsearch calls an undisclosed filter validates', () => {
    const r = splRule(SRC + '`fltr_bl_ip_address` | join type=left max=0 user [ search a=1 `fltr_bl_ip_address` | join host [ search b=2 ] | stats count by user ]');
    expect(r.detection).toBeDefined();
    const ir = JSON.parse(JSON.stringify(r.detection)) as { stages: { kind: string; subsearch?: { source: { macros: string[] } } }[] };
    expect(validate(ir), JSON.stringify(validate.errors)).toBe(true);
    expect(ir.stages[0]?.subsearch?.source.macros).toEqual(['fltr_bl_ip_address']);
  });
  it('a join stage without its subsearch does not', () => {
    const r = splRule(SRC + '| join user [ search a=1 ]');
    const ir = JSON.parse(JSON.stringify(r.detection)) as { stages: Record<string, unknown>[] };
    delete ir.stages[0]?.['subsearch'];
    expect(validate(ir)).toBe(false);
  });
});
