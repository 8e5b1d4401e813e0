import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildOutputs, findRuleFiles } from '../../src/build.js';
import { renderBackend } from '../../src/pipeline.js';
import { splRule } from '../support/rules.js';

// Both packages are CommonJS with `exports.default` (see shared/notes/target-sigma.md §1).
const Ajv2020 = (Ajv2020Module as unknown as { default: typeof Ajv2020Module }).default;
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule }).default;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const SCHEMA_DIR = '../shared/schemas/sigma';
const validate = ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}/sigma-detection-rule-schema.json`, 'utf8')) as object);

function sigmaOf(spl: string): { text: string | null; doc: Record<string, unknown> } {
  const r = splRule(spl);
  if (!r.detection) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  const out = renderBackend(r.detection, 'sigma');
  return { text: out.text, doc: (out.text ? yaml.load(out.text) : {}) as Record<string, unknown> };
}

describe('sigma backend', () => {
  const { outputs } = buildOutputs(findRuleFiles(['rules']), { backends: ['sigma'] });

  it.each([...outputs.keys()].filter((k) => k.startsWith('sigma/')))('%s is valid against the official Sigma schema', (rel) => {
    const doc = yaml.load(outputs.get(rel) ?? '');
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the seed: process_creation logsource, CommandLine|re|i, EventCode absorbed', () => {
    const doc = yaml.load(outputs.get('sigma/tunneling_process_created.yml') ?? '') as Record<string, Record<string, unknown>>;
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
});
