import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { findRuleFiles } from '../../src/build.js';
import { frontEnd } from '../../src/pipeline.js';
import { loadRuleFile } from '../../src/rules/load.js';

const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync('src/ir/ir-schema.json', 'utf8')) as object);

describe('the IR matches its JSON schema', () => {
  it.each(findRuleFiles(['rules']))('%s', (file) => {
    const loaded = loadRuleFile(file);
    const d = loaded.rule && frontEnd(loaded.rule).detection;
    expect(d).toBeDefined();
    const ok = validate(JSON.parse(JSON.stringify(d)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('`ruleport explain --ir` prints that IR', () => {
    const out = execFileSync('node', ['dist/src/cli.js', 'explain', 'rules/tunneling_process_created_fixed.yml', '--ir'], { encoding: 'utf8' });
    const ir = JSON.parse(out) as { id: string; stages: { kind: string }[] };
    expect(validate(ir)).toBe(true);
    expect(ir.id).toBe('1139.1235');
    expect(ir.stages.map((s) => s.kind)).toEqual(['project', 'bucket', 'aggregate']);
  });
});
