import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, rulesCopy, snapshot } from './helpers.js';

describe('ruleport.config.yml', { timeout: 180_000 }, () => {
  it('is found upward from the working directory; its paths are relative to it; the command line wins', () => {
    const dir = rulesCopy('config');
    writeFileSync(join(dir, 'ruleport.config.yml'), 'paths: [rules]\nout: generated\ntargets: [kql, ts]\nprofiles:\n  kql: kql-mde\n');
    mkdirSync(join(dir, 'deep/er'), { recursive: true });
    const b = cli(['build', '-q'], { cwd: join(dir, 'deep/er') });
    expect(b.code, b.stderr).toBe(0);
    const files = [...snapshot(join(dir, 'generated')).keys()];
    expect(files).toContain('kql/whoami_by_non_system.kql');
    expect(files.some((f) => f.startsWith('sigma/'))).toBe(false);
    expect(readFileSync(join(dir, 'generated/kql/whoami_by_non_system.kql'), 'utf8')).toContain('DeviceProcessEvents');
    // report paths are relative to the config file's folder, wherever the command runs
    expect(readFileSync(join(dir, 'generated/report.json'), 'utf8')).toContain('"file": "rules/whoami_by_non_system.yml"');
    expect(cli(['check'], { cwd: dir }).code).toBe(0);
    expect(cli(['check', '-t', 'kql'], { cwd: dir }).code).toBe(1);
    expect(cli(['check', '--no-config', 'rules', '-o', 'generated'], { cwd: dir }).code).toBe(1);
  });

  it('strict: true in the config sets the threshold', () => {
    const dir = rulesCopy('configstrict');
    writeFileSync(join(dir, 'ruleport.config.yml'), 'paths: [rules]\nout: out\nstrict: true\n');
    expect(cli(['build', '-q'], { cwd: dir }).code).toBe(1);
    expect(cli(['build', '-q', '--no-strict'], { cwd: dir }).code).toBe(0);
  });

  it('an invalid config is a usage error naming the problem', () => {
    const dir = rulesCopy('configbad');
    writeFileSync(join(dir, 'ruleport.config.yml'), 'paths: [rules]\nout: out\ntargets: [splunk]\nverbose: yes\n');
    const r = cli(['build'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ruleport\.config\.yml: invalid config: .*targets/);
    expect(r.stderr).toMatch(/additional properties/);
  });
});
