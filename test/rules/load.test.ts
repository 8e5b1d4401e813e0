import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOutputs } from '../../src/build.js';
import { loadRuleFile, parseRuleText } from '../../src/rules/load.js';
import { formatDiagnostic } from '../../src/report.js';
import { splPosition } from '../../src/rules/source.js';

describe('rule loader', () => {
  it('reads the seed and keeps its SPL', () => {
    const r = loadRuleFile('rules/tunneling_process_created.yml');
    expect(r.diagnostics).toEqual([]);
    expect(r.rule?.id).toBe('1139.1235');
    expect(r.rule?.spl.startsWith('`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 | regex process=')).toBe(true);
  });

  it('maps SPL offsets back to the file through a folded single-quoted scalar', () => {
    const r = loadRuleFile('rules/tunneling_process_created.yml');
    const rule = r.rule;
    if (!rule) throw new Error('no rule');
    const at = rule.spl.indexOf('by _time, host, process') + 'by _time, host, '.length;
    const pos = splPosition(rule, { start: at, end: at + 7 });
    const line = rule.text.split('\n')[pos.line - 1] ?? '';
    expect(line.slice(pos.column - 1, pos.column - 1 + 7)).toBe('process');
  });

  it.each([
    ['x: [1\n', 'RP001', 2],
    ["id: '1'\ntitle: t\nlogic_format: Splunk\n", 'RP002', 1],
    ["id: '1'\ntitle: t\nlogic_format: Splunk\nlogic: 5\n", 'RP002', 4],
    ["id: '1'\ntitle: t\nlogic_format: Splunk\nlogic: 'a=1'\nreferences: {a: 1}\n", 'RP002', 5],
  ])('a broken file gets a located error (%#)', (text, code, line) => {
    const r = parseRuleText('bad.yml', text);
    expect(r.rule).toBeUndefined();
    expect(r.diagnostics[0]?.code).toBe(code);
    expect(r.diagnostics[0]?.at?.line).toBe(line);
    expect(formatDiagnostic('bad.yml', r.diagnostics[0]!, undefined, text)).toMatch(new RegExp(`^bad\\.yml:${line}:\\d+: error ${code}`));
  });

  it('one broken file does not stop the others from converting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ruleport-load-'));
    writeFileSync(join(dir, 'a_bad.yml'), "id: '1'\ntitle: [\n");
    writeFileSync(join(dir, 'b_good.yml'), "id: '2'\ntitle: ok\nlogic_format: Splunk\nlogic: '`get_endpoint_data_sysmon` EventCode=1 process_name=cmd.exe'\n");
    const { outputs, reports } = buildOutputs([join(dir, 'a_bad.yml'), join(dir, 'b_good.yml')]);
    expect(reports[0]?.diagnostics[0]?.code).toBe('RP001');
    expect(outputs.has('kql/b_good.kql')).toBe(true);
    expect(outputs.has('sigma/b_good.yml')).toBe(true);
    expect([...outputs.keys()].some((k) => k.includes('a_bad'))).toBe(false);
  });
});
