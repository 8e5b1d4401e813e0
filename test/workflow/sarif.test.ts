import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { cli, REPO, rulesCopy } from './helpers.js';

/** The official SARIF 2.1.0 schema, when a package that ships it is installed (@microsoft/jest-sarif). */
const SCHEMA = join(REPO, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn?: number; endLine?: number; endColumn?: number } } }[];
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: { tool: { driver: { name: string; version: string; rules: { id: string; shortDescription: { text: string } }[] } }; results: SarifResult[] }[];
}

function checkRequired(log: SarifLog): void {
  // SARIF 2.1.0 §3.13: version and runs are required; §3.14: run.tool; §3.18: driver.name; §3.27: result.message
  expect(log.version).toBe('2.1.0');
  expect(log.$schema).toMatch(/sarif-2\.1\.0/);
  expect(Array.isArray(log.runs)).toBe(true);
  const run = log.runs[0];
  expect(run?.tool.driver.name).toBe('ruleport');
  const rules = run?.tool.driver.rules ?? [];
  for (const r of run?.results ?? []) {
    expect(typeof r.message.text).toBe('string');
    expect(['error', 'warning', 'note', 'none']).toContain(r.level);
    expect(rules[r.ruleIndex]?.id).toBe(r.ruleId);
    for (const l of r.locations) {
      expect(l.physicalLocation.artifactLocation.uri).not.toMatch(/^\//);
      expect(l.physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
      if (l.physicalLocation.region.startColumn !== undefined) expect(l.physicalLocation.region.startColumn).toBeGreaterThanOrEqual(1);
    }
  }
}

describe('ruleport check --format', { timeout: 180_000 }, () => {
  it('sarif: a SARIF 2.1.0 log with located results and the stale outputs', () => {
    const dir = rulesCopy('sarif');
    expect(cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir }).code).toBe(0);
    const ok = cli(['check', 'rules', '-o', 'out', '--format', 'sarif'], { cwd: dir });
    expect(ok.code).toBe(0);
    const log = JSON.parse(ok.stdout) as SarifLog;
    checkRequired(log);
    const lint = log.runs[0]?.results.find((r) => r.ruleId === 'LINT001');
    expect(lint?.level).toBe('error');
    expect(lint?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('rules/tunneling_process_created.yml');
    expect(lint?.locations[0]?.physicalLocation.region).toMatchObject({ startLine: 13, startColumn: 61, endLine: 13, endColumn: 68 });
    if (existsSync(SCHEMA)) {
      const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as Record<string, unknown>;
      // draft-04 ids for ajv 8; the schema's own language-tag pattern is not valid in unicode mode
      delete schema['$schema'];
      schema['$id'] = schema['id'];
      delete schema['id'];
      const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false }).compile(schema);
      expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    }
    const rule = join(dir, 'rules/whoami_by_non_system.yml');
    writeFileSync(rule, readFileSync(rule, 'utf8').replace('process_name=whoami.exe', 'process_name=who.exe'));
    const stale = cli(['check', 'rules', '-o', 'out', '--format', 'sarif'], { cwd: dir });
    expect(stale.code).toBe(1);
    const log2 = JSON.parse(stale.stdout) as SarifLog;
    checkRequired(log2);
    const s = log2.runs[0]?.results.find((r) => r.ruleId === 'stale-output' && r.message.text.includes('/kql/'));
    expect(s?.message.text).toContain('out/kql/whoami_by_non_system.kql');
    expect(s?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('rules/whoami_by_non_system.yml');
  });

  it('json: problems and flat diagnostics', () => {
    const dir = rulesCopy('json');
    const r = cli(['check', 'rules', '-o', 'out', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { ok: boolean; problems: { kind: string; output: string; rule?: string }[]; diagnostics: { code: string; file: string; line: number }[] };
    expect(j.ok).toBe(false);
    expect(j.problems).toContainEqual({ kind: 'missing', output: 'ts/whoami_by_non_system.ts', rule: 'rules/whoami_by_non_system.yml' });
    expect(j.diagnostics.some((d) => d.code === 'LINT001' && d.file === 'rules/tunneling_process_created.yml' && d.line === 13)).toBe(true);
  });

  it('text: code frames; colour only on a TTY (FORCE_COLOR stands in) and never with NO_COLOR', () => {
    const dir = rulesCopy('colour');
    const plain = cli(['build', 'rules', '-o', 'out', '--strict'], { cwd: dir });
    expect(plain.stderr).toMatch(/rules\/tunneling_process_created\.yml:13:61: error LINT001/);
    expect(plain.stderr).toMatch(/\n\s+13 \| {3}user \| bin span=1s/);
    expect(plain.stderr).not.toContain('\x1b[');
    const forced = cli(['build', 'rules', '-o', 'out'], { cwd: dir, env: { FORCE_COLOR: '1' } });
    expect(forced.stderr).toContain('\x1b[31m');
    const no = cli(['build', 'rules', '-o', 'out'], { cwd: dir, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(no.stderr).not.toContain('\x1b[');
  });
});
