import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

  it('holds for every corpus rule that normalizes (what `explain --ir` prints)', () => {
    const dir = '../shared/corpus/armory';
    if (!existsSync(dir)) {
      console.warn('SKIPPED: ../shared/corpus/armory not found; the corpus IR check did not run');
      return;
    }
    let checked = 0;
    for (const file of findRuleFiles([dir])) {
      const loaded = loadRuleFile(file);
      if (!loaded.rule) continue;
      const d = frontEnd(loaded.rule).detection;
      if (!d) continue;
      const ok = validate(JSON.parse(JSON.stringify(d)));
      expect(validate.errors ?? [], file).toEqual([]);
      expect(ok).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(800);
  }, 120_000);

  it('`ruleport explain --ir` prints that IR', () => {
    const out = execFileSync('node', ['dist/bundle/cli.js', 'explain', 'rules/tunneling_process_created_fixed.yml', '--ir'], { encoding: 'utf8' });
    const ir = JSON.parse(out) as { id: string; stages: { kind: string }[] };
    expect(validate(ir)).toBe(true);
    expect(ir.id).toBe('ruleport.0004');
    expect(ir.stages.map((s) => s.kind)).toEqual(['project', 'bucket', 'aggregate']);
  });
});
