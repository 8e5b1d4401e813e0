import { describe, expect, it } from 'vitest';
import { buildOutputs, findRuleFiles } from '../../src/build.js';
import { readTree } from '../../src/workflow/tree.js';

describe('out/ is what `npm start` writes', () => {
  const { outputs } = buildOutputs(findRuleFiles(['rules']));
  const committed = readTree('out');

  it('has exactly the files a build produces', () => {
    expect([...committed.keys()].sort()).toEqual([...outputs.keys()].sort());
  });

  it.each([...outputs.keys()].sort())('%s is up to date (run `npm start` to refresh)', (rel) => {
    expect(committed.get(rel)).toBe(outputs.get(rel));
  });

  it('writes every backend for the seed and its variant', () => {
    for (const stem of ['tunneling_process_created', 'tunneling_process_created_fixed']) {
      for (const f of [`sigma/${stem}.yml`, `kql/${stem}.kql`, `eql/${stem}.eql`, `esql/${stem}.esql`, `ts/${stem}.ts`]) {
        expect(outputs.has(f), f).toBe(true);
      }
    }
  });

  it('is deterministic: a second build is byte-identical', () => {
    const again = buildOutputs(findRuleFiles(['rules'])).outputs;
    expect([...again.entries()]).toEqual([...outputs.entries()]);
  });
});
