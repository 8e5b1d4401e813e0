import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKEND_IDS } from '../../src/diagnostics.js';
import { builtinMacros, loadMacros } from '../../src/ir/macros.js';
import { printExpr } from '../../src/ir/print.js';
import type { Expr } from '../../src/ir/types.js';
import { onlyUndisclosed, relaxLeaves } from '../../src/backends/relax.js';
import { runDetection, matcherLossy } from '../../src/matcher/compile.js';
import { frontEnd, renderBackend } from '../../src/pipeline.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { parseRuleText } from '../../src/rules/load.js';

const SPL = '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=3 `fltr_bl_ip_address` | table _time, host, dest_ip';

function rule(spl: string) {
  const loaded = parseRuleText('t.yml', `id: 't.1'\ntitle: t\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`);
  if (!loaded.rule) throw new Error('bad test rule');
  return loaded.rule;
}

function macrosFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ruleport-macros-'));
  const file = join(dir, 'macros.yml');
  writeFileSync(file, text);
  return file;
}

describe('undisclosed filter macros', () => {
  it('the built-in table declares fltr_bl_ip_address as undisclosed, with no body', () => {
    expect(builtinMacros()['fltr_bl_ip_address']).toEqual({ kind: 'undisclosed' });
  });

  it('normalize to an undisclosed filter node at the call, not to an error', () => {
    const fe = frontEnd(rule(SPL));
    expect(fe.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(fe.detection && printExpr(fe.detection.filter)).toBe('and(eq(EventCode, "3"), undisclosed(fltr_bl_ip_address))');
    expect(fe.detection?.source.macros).toContain('fltr_bl_ip_address');
  });

  it('every backend drops it in the wider direction, with a lossy diagnostic located at the call', () => {
    const fe = frontEnd(rule(SPL));
    if (!fe.detection) throw new Error('no detection');
    const at = SPL.indexOf('`fltr_bl_ip_address`');
    for (const b of BACKEND_IDS) {
      const out = renderBackend(fe.detection, b);
      const d = out.diagnostics.filter((x) => x.message.includes('fltr_bl_ip_address'));
      expect(d, b).toHaveLength(1);
      expect(d[0]?.kind, b).toBe('lossy');
      expect(d[0]?.direction, b).toBe('wider');
      expect(d[0]?.span, b).toEqual({ start: at, end: at + '`fltr_bl_ip_address`'.length });
      expect(out.diagnostics.filter((x) => x.kind === 'unsupported' && x.message.includes('fltr_bl')), b).toEqual([]);
    }
  });

  it('under NOT it is dropped as false, which is still the wider direction', () => {
    const span = { start: 0, end: 4 };
    const u: Expr = { kind: 'undisclosed', macro: 'm', span };
    const eq: Expr = { kind: 'eq', field: { name: 'a', span }, pattern: ['1'], caseSensitive: false, span };
    // Under one NOT the unknown filter becomes false, so the NOT around it keeps everything.
    const r1 = relaxLeaves({ kind: 'and', args: [eq, { kind: 'not', arg: u, span }] }, onlyUndisclosed, 'kql');
    expect(printExpr(r1.expr)).toBe('eq(a, "1")');
    const r2 = relaxLeaves({ kind: 'not', arg: { kind: 'and', args: [eq, u] }, span }, onlyUndisclosed, 'kql');
    expect(printExpr(r2.expr)).toBe('true');
    expect(r2.diagnostics.map((d) => d.direction)).toEqual(['wider']);
  });

  it('the matcher keeps every event the rest of the filter keeps, and says why', () => {
    const fe = frontEnd(rule(SPL));
    if (!fe.detection) throw new Error('no detection');
    const events = [
      { EventID: 3, Computer: 'h1', DestinationIp: '10.0.0.1' },
      { EventID: 1, Computer: 'h2', DestinationIp: '10.0.0.2' },
    ];
    const rows = runDetection(fe.detection, resolveProfile('sysmon-raw'), events);
    expect(rows.map((r) => r['host'])).toEqual(['h1']);
    const lossy = matcherLossy(fe.detection);
    expect(lossy.map((d) => [d.code, d.direction])).toEqual([['BE006', 'wider']]);
  });

  it('a --macros file with the real definition replaces it', () => {
    const file = macrosFile("fltr_bl_ip_address: { kind: expand, args: [], body: 'search NOT dest_ip=10.0.0.0/8' }\n");
    const macros = { ...builtinMacros(), ...loadMacros(file) };
    const fe = frontEnd(rule(SPL), macros);
    expect(fe.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(fe.detection && printExpr(fe.detection.filter)).toBe('and(eq(EventCode, "3"), not(cidr(dest_ip, 10.0.0.0/8)))');
    const out = renderBackend(fe.detection!, 'ts');
    expect(out.diagnostics.filter((d) => d.message.includes('fltr_bl_ip_address'))).toEqual([]);
  });

  it('the macro-table schema accepts kind undisclosed and rejects a body on it', () => {
    expect(loadMacros(macrosFile('m: { kind: undisclosed }\n'))).toEqual({ m: { kind: 'undisclosed' } });
    expect(() => loadMacros(macrosFile("m: { kind: undisclosed, body: 'search a=1' }\n"))).toThrow(/invalid macro table/);
  });
});
