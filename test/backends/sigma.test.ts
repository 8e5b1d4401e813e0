import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { buildOutputs, findRuleFiles } from '../../src/build.js';
import { renderBackend } from '../../src/pipeline.js';
import { splRule } from '../support/rules.js';
import { sigmaSchemaErrors } from '../support/sigma.js';
import type { Diagnostic } from '../../src/diagnostics.js';

function sigmaOf(spl: string): { text: string | null; doc: Record<string, unknown>; docs: Record<string, unknown>[]; diagnostics: readonly Diagnostic[] } {
  const r = splRule(spl);
  if (!r.detection) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  const out = renderBackend(r.detection, 'sigma');
  const docs = (out.text ? yaml.loadAll(out.text) : []) as Record<string, unknown>[];
  return { text: out.text, doc: docs[0] ?? {}, docs, diagnostics: out.diagnostics };
}

describe('sigma backend', () => {
  const { outputs } = buildOutputs(findRuleFiles(['rules']), { backends: ['sigma'] });

  it.each([...outputs.keys()].filter((k) => k.startsWith('sigma/')))('%s is valid against the official Sigma schemas', (rel) => {
    const text = outputs.get(rel) ?? '';
    expect(yaml.loadAll(text).length).toBeGreaterThan(0);
    expect(sigmaSchemaErrors(text)).toEqual([]);
  });

  it('the seed: process_creation logsource, CommandLine|re|i, EventCode absorbed', () => {
    const doc = yaml.loadAll(outputs.get('sigma/tunneling_process_created.yml') ?? '')[0] as Record<string, Record<string, unknown>>;
    expect(doc['logsource']).toEqual({ product: 'windows', category: 'process_creation' });
    const sel = doc['detection']?.['selection_1'] as Record<string, string>;
    expect(Object.keys(sel)).toEqual(['CommandLine|re|i']);
    expect(sel['CommandLine|re|i']).not.toContain('(?i)');
    expect(JSON.stringify(doc['detection'])).not.toContain('EventID');
  });

  it.each([
    // Sigma spells a literal backslash as two.
    ['EventCode=1 process_name=cmd.exe', { 'Image': '*\\\\cmd.exe' }],
    ['EventCode=1 process="*-enc *"', { 'CommandLine': '*-enc *' }],
    ['EventCode=1 process="a?b"', { 'CommandLine': 'a\\?b' }],
    ['EventCode=1 process=CASE(Foo)', { 'CommandLine|cased': 'Foo' }],
  ])('%s', (spl, item) => {
    const { doc } = sigmaOf('`get_endpoint_data_sysmon` ' + spl);
    const det = doc['detection'] as Record<string, unknown>;
    expect(det['selection_1']).toEqual(item);
  });

  it('keeps Splunk NOT and != apart', () => {
    const { doc } = sigmaOf('`get_endpoint_data_sysmon` EventCode=1 user!=SYSTEM NOT parent_process_name=explorer.exe');
    const det = doc['detection'] as Record<string, unknown>;
    expect(det['condition']).toBe('selection_1 and not selection_2 and not selection_3');
    expect(det['selection_1']).toEqual({ 'User|exists': true });
  });

  describe('correlation rules for `stats count|dc ... | where` thresholds', () => {
    const SYSMON = '`get_endpoint_data_sysmon` EventCode=1 process_name=whoami.exe';
    const correlationOf = (spl: string): { base: Record<string, unknown>; corr: Record<string, unknown> | undefined; diagnostics: readonly Diagnostic[]; text: string } => {
      const { docs, diagnostics, text } = sigmaOf(`${SYSMON} ${spl}`);
      expect(text).not.toBeNull();
      expect(sigmaSchemaErrors(text ?? '')).toEqual([]);
      return { base: docs[0] ?? {}, corr: docs[1]?.['correlation'] as Record<string, unknown> | undefined, diagnostics, text: text ?? '' };
    };

    it('bin span=1h | stats count by _time, host, user | where count > 5: event_count over 1h, wider', () => {
      const { base, corr, diagnostics } = correlationOf('| table _time host user | bin span=1h | stats count by _time, host, user | where count > 5');
      expect(corr).toEqual({ type: 'event_count', rules: [base['id']], 'group-by': ['Computer', 'User'], timespan: '1h', condition: { gt: 5 } });
      // Only the outermost rule carries status and level; the base rule is not converted on its own.
      expect(base['level']).toBeUndefined();
      expect(base['fields']).toBeUndefined();
      const lossy = diagnostics.filter((d) => d.code === 'BE002');
      expect(lossy.map((d) => [d.direction, d.message.match(/fixed, aligned buckets|without host or user/)?.[0]])).toEqual([
        ['wider', 'fixed, aligned buckets'],
        ['wider', 'without host or user'],
      ]);
    });

    it('dc(f) as d with >= becomes value_count on the mapped field; other columns are reported', () => {
      const { corr, diagnostics } = correlationOf('| bin span=90s | stats dc(process) as dp values(parent_process) as pp by _time, host | where dp >= 3');
      expect(corr).toEqual({ type: 'value_count', rules: [expect.any(String)], 'group-by': ['Computer'], timespan: '90s', condition: { field: 'CommandLine', gte: 3 } });
      expect(diagnostics.map((d) => d.message).join('\n')).toMatch(/other result columns \(values\(parent_process\)\) are not carried/);
    });

    it('no bin: the search range is assumed and said to err either way', () => {
      const { corr, diagnostics } = correlationOf('| stats count as c by user | where c > 10 AND c < 1000');
      expect(corr).toMatchObject({ timespan: '1d', condition: { gt: 10, lt: 1000 } });
      const d = diagnostics.find((x) => x.message.includes('whole search time range'));
      expect(d?.direction).toBeUndefined();
      expect(d?.message).toMatch(/either way/);
      // A lower bound alone: a longer real range only adds events, so the direction follows it.
      const lower = correlationOf('| stats count as c by user | where c > 10').diagnostics.find((x) => x.message.includes('whole search time range'));
      expect(lower?.message).toMatch(/wider if the scheduled search covers at most 1d, narrower if it covers more/);
    });

    it('thresholds stay exact over integer counts: > 2.5 is >= 3, = 4 is eq', () => {
      expect(correlationOf('| bin span=1m | stats count by _time, host | where count > 2.5').corr?.['condition']).toEqual({ gte: 3 });
      const eq = correlationOf('| bin span=1d | stats count by _time, host | where count = 4');
      expect(eq.corr).toMatchObject({ timespan: '1d', condition: { eq: 4 } });
      // An exact bound under a sliding window can go either way: no direction is claimed.
      expect(eq.diagnostics.find((d) => d.code === 'BE002')?.direction).toBeUndefined();
    });

    it('pipelines outside the idiom keep the per-stage lossy report and get no correlation', () => {
      for (const spl of [
        '| eval n=1 | stats count by host | where count > 5', // eval before stats
        '| stats count dc(user) as du by host | where count > 5 AND du > 1', // two measures
        '| stats count by host', // no threshold
        '| stats count by host | where count > 5 | eval x=1', // a stage that changes rows after
      ]) {
        const { docs, diagnostics } = sigmaOf(`${SYSMON} ${spl}`);
        expect(docs, spl).toHaveLength(1);
        expect(diagnostics.filter((d) => d.code === 'BE002').every((d) => d.direction === 'wider' && d.message.includes('no Sigma detection-rule equivalent')), spl).toBe(true);
      }
    });

    it('the Armory form: where before stats joins the base rule; values(*) collapse then eventstats dc', () => {
      const { base, corr, diagnostics } = correlationOf('| table _time host user process | where match(process, "-enc") | bin span=2m | stats values(*) as * by _time, host | eventstats dc(process) as dc_process by host, _time | where dc_process > 5');
      expect(corr).toMatchObject({ type: 'value_count', 'group-by': ['Computer'], timespan: '2m', condition: { field: 'CommandLine', gt: 5 } });
      const det = base['detection'] as Record<string, unknown>;
      expect(det['condition']).toBe('selection_1 and selection_2');
      expect(det['selection_2']).toEqual({ 'CommandLine|re': '-enc' });
      expect(diagnostics.some((d) => d.message.includes('`eventstats` keeps every row'))).toBe(true);
    });

    it('after a values(*) collapse only dc over part of its groups carries over', () => {
      for (const spl of [
        '| bin span=1m | stats values(*) as * by _time, host | stats count by _time, host | where count > 5', // count would count rows
        '| bin span=1m | stats values(*) as * by _time, host | eventstats dc(process) as d by user | where d > 5', // user is not a collapsed group
      ]) {
        expect(sigmaOf(`${SYSMON} ${spl}`).docs, spl).toHaveLength(1);
      }
      // Grouping by part of the collapse's groups: events the first stats dropped are counted.
      const { diagnostics } = correlationOf('| bin span=1m | stats values(*) as * by _time, host, user | stats dc(process) as d by _time, host | where d > 5');
      expect(diagnostics.find((d) => d.message.includes('drops events without user'))?.direction).toBe('wider');
    });

    it('is deterministic', () => {
      const spl = '| bin span=1h | stats count by _time, host | where count > 5';
      expect(correlationOf(spl).text).toBe(correlationOf(spl).text);
    });
  });
});

