import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRuleFiles } from '../../src/build.js';
import { scratch } from './helpers.js';

describe('findRuleFiles', () => {
  it('walks folders in name order, follows symbolic links, skips hidden folders and nested config files', () => {
    const root = scratch('find-rules');
    const rules = join(root, 'rules');
    const linked = join(root, 'elsewhere');
    for (const d of [join(rules, 'b'), join(rules, '.git'), join(rules, '.out.staging-1'), linked]) mkdirSync(d, { recursive: true });
    const files = ['a.yml', 'b/c.YAML', 'b/notes.txt', '.git/x.yml', '.out.staging-1/y.yml', 'ruleport.config.yml'];
    for (const f of files) writeFileSync(join(rules, f), 'id: x\n');
    writeFileSync(join(linked, 'z.yml'), 'id: z\n');
    symlinkSync(linked, join(rules, 'link'));
    symlinkSync(join(rules, 'a.yml'), join(rules, 'a-alias.yml'));
    expect(findRuleFiles([rules]).map((f) => f.slice(rules.length + 1))).toEqual(['a-alias.yml', 'a.yml', 'b/c.YAML', 'link/z.yml']);
    // A config file named on the command line is taken as given; the same file twice is listed once.
    const config = join(rules, 'ruleport.config.yml');
    expect(findRuleFiles([config, join(rules, 'a.yml'), rules])).toContain(config);
    expect(findRuleFiles([rules, rules]).length).toBe(4);
  });
});
