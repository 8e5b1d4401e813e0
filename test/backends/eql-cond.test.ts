/** EQL: `where` conditions with no simpler IR spelling (IR cond), with Splunk's null semantics. */
import { describe, expect, it } from 'vitest';
import { renderBackend } from '../../src/pipeline.js';
import { checkEql } from '../support/eql-grammar.js';
import { splRule } from '../support/rules.js';

const PREFIX = '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 ';

function eql(spl: string): { condition: string; codes: string[] } {
  const r = splRule(PREFIX + spl);
  if (!r.detection) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  const out = renderBackend(r.detection, 'eql');
  const text = out.text ?? '';
  checkEql(text);
  const body = text.split('\n').filter((l) => !l.startsWith('//')).join('\n');
  return { condition: body.replace(/^process where event\.code : "1"\n {2}and /, ''), codes: out.diagnostics.map((d) => d.code) };
}

describe('eql: where conditions (IR cond)', () => {
  it.each([
    // A comparison with a missing field is null in Splunk: the field is required.
    ['where len(process) > 100', '?process.command_line != null and length(process.command_line) > 100'],
    // NOT swaps "is true" and "is false"; both need the field.
    // NOT (a OR b) on a null length is null in Splunk: the row is dropped, so each side needs the field.
    ['where NOT (len(process) > 100 OR len(process) < 3)', '?process.command_line != null and length(process.command_line) <= 100\n  and ?process.command_line != null and length(process.command_line) >= 3'],
    ['where len(process) > 5 AND isnull(user)', '?process.command_line != null and length(process.command_line) > 5'],
  ])('%s', (spl, expected) => {
    expect(eql(`| ${spl}`).condition).toContain(expected);
  });

  it('reports what EQL cannot test as BE005, located', () => {
    const out = eql('| where mvcount(process) > 2');
    expect(out.codes).toContain('BE005');
  });

  it('relaxes raw-event searches (wider)', () => {
    const out = eql('mimikatz');
    expect(out.codes).toContain('BE006');
    expect(out.codes).not.toContain('BE005');
  });
});
