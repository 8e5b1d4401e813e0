import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

function cli(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', ['dist/bundle/cli.js', ...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SEED = 'rules/tunneling_process_created.yml';
const FIXED = 'rules/tunneling_process_created_fixed.yml';

describe('ruleport CLI', { timeout: 60_000 }, () => {
  it('lint reports the dead process field with line and column, and exits 1', () => {
    const r = cli(['lint', SEED]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tunneling_process_created\.yml:13:61: error LINT001: field 'process' \(stats by-field\) was removed by the earlier `table`/);
    expect(r.stderr).toMatch(/\^{7}/);
    expect(r.stderr).toMatch(/tunneling_process_created\.yml:12:5: note: `table` keeps only/);
  });

  it('lint passes the corrected variant (warnings only)', () => {
    expect(cli(['lint', FIXED]).code).toBe(0);
  });

  it.each(['sigma', 'kql', 'eql', 'esql', 'ts'])('convert -t %s prints the same text build writes to out/', (t) => {
    const r = cli(['convert', FIXED, '-t', t]);
    const ext = { sigma: 'yml', kql: 'kql', eql: 'eql', esql: 'esql', ts: 'ts' }[t];
    expect(r.stdout).toBe(readFileSync(`out/${t}/tunneling_process_created_fixed.${ext}`, 'utf8'));
  });

  it('match prints the grouped rows for the variant, from a file or stdin', () => {
    const expected = readFileSync('test/fixtures/tunneling_fixed.expected.ndjson', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    const fromFile = cli(['match', FIXED, 'test/fixtures/tunneling.ndjson']);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(expected);
    const fromStdin = cli(['match', FIXED, '-'], readFileSync('test/fixtures/tunneling.ndjson', 'utf8'));
    expect(fromStdin.stdout).toBe(fromFile.stdout);
  });

  it('match prints nothing for the seed as written', () => {
    const r = cli(['match', SEED, 'test/fixtures/tunneling.ndjson']);
    expect(r.stdout).toBe('');
  });

  it('usage errors exit 2', () => {
    expect(cli(['convert', FIXED, '-t', 'splunk']).code).toBe(2);
    expect(cli(['frobnicate']).code).toBe(2);
  });

  it('check exits 0 on the committed out/', () => {
    const r = cli(['check', 'rules', '-o', 'out']);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});
