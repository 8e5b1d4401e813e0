import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { frontEnd } from '../../src/pipeline.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { runDetection } from '../../src/matcher/compile.js';

function ndjson(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

function run(ruleFile: string, eventsFile: string): unknown[] {
  const loaded = loadRuleFile(ruleFile);
  if (!loaded.rule) throw new Error('rule did not load');
  const fe = frontEnd(loaded.rule);
  if (!fe.detection) throw new Error(fe.diagnostics.map((d) => d.message).join('; '));
  return runDetection(fe.detection, resolveProfile('sysmon-raw'), ndjson(eventsFile));
}

describe('native matcher on fixture events (expected rows worked out by hand)', () => {
  it('the seed as written returns no rows: its by-field process was removed by table', () => {
    expect(run('rules/tunneling_process_created.yml', 'test/fixtures/tunneling.ndjson')).toEqual([]);
  });

  it('the corrected variant groups the positives by second, host and command line', () => {
    expect(run('rules/tunneling_process_created_fixed.yml', 'test/fixtures/tunneling.ndjson')).toEqual(ndjson('test/fixtures/tunneling_fixed.expected.ndjson'));
  });
});
