import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTree, writeTree } from '../../src/workflow/tree.js';
import { progressBar } from '../../src/workflow/progress.js';
import { cli, REPO, rulesCopy, scratch, snapshot } from './helpers.js';

describe('ruleport build / check', { timeout: 180_000 }, () => {
  it('build then check exits 0; two builds are byte-identical; report.json is relative and has no timestamps', () => {
    const dir = rulesCopy('bc');
    const b1 = cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir });
    expect(b1.code).toBe(0);
    const first = snapshot(join(dir, 'out'));
    expect([...first.keys()]).toContain('kql/whoami_by_non_system.kql');
    expect([...first.keys()]).toContain('report.json');
    expect(cli(['check', 'rules', '-o', 'out'], { cwd: dir })).toMatchObject({ code: 0, stdout: '' });
    expect(cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir }).code).toBe(0);
    expect(snapshot(join(dir, 'out'))).toEqual(first);
    // the same rules built from another absolute location give the same bytes
    const other = rulesCopy('bc2');
    expect(cli(['build', 'rules', '-o', 'out', '-q'], { cwd: other }).code).toBe(0);
    expect(snapshot(join(other, 'out'))).toEqual(first);
    const report = first.get('report.json') ?? '';
    expect(report).not.toContain(dir);
    expect(report).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    const j = JSON.parse(report) as { results: { file: string; backends: Record<string, { status: string; diagnostics: { code: string; line: number; column: number }[] }> }[] };
    const seed = j.results.find((r) => r.file === 'rules/tunneling_process_created.yml');
    expect(seed).toBeDefined();
    for (const b of ['sigma', 'kql', 'eql', 'esql', 'ts']) expect(['exact', 'lossy', 'unsupported', 'error']).toContain(seed?.backends[b]?.status);
    const d = seed?.backends['sigma']?.diagnostics[0];
    expect(d?.code).toMatch(/^[A-Z]+\d+$/);
    expect(d?.line).toBeGreaterThan(0);
  });

  it('prints every error and the first 20 warnings, then counts the rest; --verbose prints all; report.json has them all, one per line', () => {
    const dir = rulesCopy('cap');
    const r = cli(['build', 'rules', '-o', 'out'], { cwd: dir });
    expect(r.code).toBe(0);
    const report = readFileSync(join(dir, 'out/report.json'), 'utf8');
    const diagLines = report.split('\n').filter((l) => /^\s*\{"code":/.test(l));
    const j = JSON.parse(report) as { results: { diagnostics: { severity: string }[]; backends: Record<string, { diagnostics: { severity: string }[] }> }[] };
    const all = j.results.flatMap((x) => [...x.diagnostics, ...Object.values(x.backends).flatMap((b) => b.diagnostics)]);
    expect(diagLines.length).toBe(all.length);
    const warnings = all.filter((d) => d.severity === 'warning').length;
    const errors = all.filter((d) => d.severity === 'error').length;
    expect(warnings).toBeGreaterThan(20);
    const shown = (stderr: string, sev: string): number => stderr.split('\n').filter((l) => new RegExp(`^rules/\\S+:\\d+:\\d+: ${sev} `).test(l)).length;
    expect(shown(r.stderr, 'warning')).toBe(20);
    expect(shown(r.stderr, 'error')).toBe(errors);
    expect(r.stderr).toContain(`ruleport: ${warnings - 20} more warnings not shown (all are in report.json; --verbose prints them)`);
    const v = cli(['build', 'rules', '-o', 'out', '--verbose'], { cwd: dir });
    expect(shown(v.stderr, 'warning')).toBe(warnings);
    expect(v.stderr).not.toContain('not shown');
  });

  it('touching a rule makes check exit 1 and name it; missing and extra outputs are listed', () => {
    const dir = rulesCopy('touch');
    expect(cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir }).code).toBe(0);
    const rule = join(dir, 'rules/whoami_by_non_system.yml');
    writeFileSync(rule, readFileSync(rule, 'utf8').replace('process_name=whoami.exe', 'process_name=hostname.exe'));
    writeFileSync(join(dir, 'out/kql/leftover.kql'), 'x\n');
    const r = cli(['check', 'rules', '-o', 'out'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^stale: out\/kql\/whoami_by_non_system\.kql \(from rules\/whoami_by_non_system\.yml\)$/m);
    expect(r.stdout).toMatch(/^extra: out\/kql\/leftover\.kql$/m);
    expect(r.stdout).toMatch(/^stale: out\/report\.json$/m);
    writeFileSync(join(dir, 'rules/copy_of_whoami.yml'), readFileSync(rule, 'utf8'));
    expect(cli(['check', 'rules', '-o', 'out'], { cwd: dir }).stdout).toMatch(/^missing: out\/sigma\/copy_of_whoami\.yml \(from rules\/copy_of_whoami\.yml\)$/m);
    // check wrote nothing
    expect(existsSync(join(dir, 'out/sigma/copy_of_whoami.yml'))).toBe(false);
    expect(cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir }).code).toBe(0);
    expect(cli(['check', 'rules', '-o', 'out'], { cwd: dir }).code).toBe(0);
  });

  it('a rebuild writes only what changed or is new and links the rest to the previous tree', () => {
    const dir = rulesCopy('relink');
    expect(cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir }).code).toBe(0);
    const before = snapshot(join(dir, 'out'));
    const kept = join(dir, 'out/kql/encoded_powershell.kql');
    const keptInode = statSync(kept).ino;
    const rule = join(dir, 'rules/whoami_by_non_system.yml');
    writeFileSync(rule, readFileSync(rule, 'utf8').replace('process_name=whoami.exe', 'process_name=hostname.exe'));
    writeFileSync(join(dir, 'rules/copy_of_whoami.yml'), readFileSync(rule, 'utf8'));
    const r = cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir });
    expect(r.code).toBe(0);
    const after = snapshot(join(dir, 'out'));
    const same = [...after].filter(([f, text]) => before.get(f) === text).length;
    expect(same).toBeGreaterThan(0);
    expect(after.size - same).toBeGreaterThan(5);
    expect(r.stderr).toContain(`${after.size} files in out (${after.size - same} written, ${same} unchanged)`);
    expect(statSync(join(dir, 'out/kql/encoded_powershell.kql')).ino).toBe(keptInode);
  });

  it('-t and --profile select backends and profiles', () => {
    const dir = rulesCopy('targets');
    expect(cli(['build', 'rules', '-o', 'out', '-q', '-t', 'kql,sigma', '--profile', 'kql=kql-mde'], { cwd: dir }).code).toBe(0);
    const files = [...snapshot(join(dir, 'out')).keys()];
    expect(files.filter((f) => f !== 'report.json' && f !== 'capabilities.md').every((f) => f.startsWith('kql/') || f.startsWith('sigma/'))).toBe(true);
    expect(readFileSync(join(dir, 'out/kql/whoami_by_non_system.kql'), 'utf8')).toContain('DeviceProcessEvents');
    expect(cli(['check', 'rules', '-o', 'out', '-t', 'kql', '-t', 'sigma', '-p', 'kql=kql-mde'], { cwd: dir }).code).toBe(0);
    expect(cli(['check', 'rules', '-o', 'out', '-t', 'kql,sigma'], { cwd: dir }).code).toBe(1);
  });

  it('two rules with the same file stem in different folders: exit 1, both named, nothing written', () => {
    const dir = rulesCopy('collide');
    expect(cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir }).code).toBe(0);
    const before = snapshot(join(dir, 'out'));
    mkdirSync(join(dir, 'rules/sub'));
    writeFileSync(join(dir, 'rules/sub/whoami_by_non_system.yml'), readFileSync(join(dir, 'rules/whoami_by_non_system.yml')));
    const r = cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("rules share the file name 'whoami_by_non_system'");
    expect(r.stderr).toContain('rules/sub/whoami_by_non_system.yml');
    expect(snapshot(join(dir, 'out'))).toEqual(before);
    expect(cli(['check', 'rules', '-o', 'out'], { cwd: dir }).code).toBe(1);
    // The copy (staged first, unchanged: hard-linked to the previous tree) and a changed original
    // (staged second, written): the write must not go through the link into the previous tree.
    const original = join(dir, 'rules/whoami_by_non_system.yml');
    writeFileSync(original, readFileSync(original, 'utf8').replace('process_name=whoami.exe', 'process_name=who.exe'));
    expect(cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir }).code).toBe(1);
    expect(snapshot(join(dir, 'out'))).toEqual(before);
  });

  it('never replaces a folder that is not a ruleport output tree, nor one holding the rules', () => {
    const dir = rulesCopy('unsafe');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/keep.txt'), 'mine\n');
    const r = cli(['build', 'rules', '-o', 'src'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a ruleport output tree/);
    expect(readFileSync(join(dir, 'src/keep.txt'), 'utf8')).toBe('mine\n');
    expect(cli(['build', 'rules', '-o', '.'], { cwd: dir }).code).toBe(2);
    expect(cli(['build', 'rules/whoami_by_non_system.yml', '-o', 'rules'], { cwd: dir }).code).toBe(2);
    expect(existsSync(join(dir, 'rules/whoami_by_non_system.yml'))).toBe(true);
  });

  it('touches nothing outside the output folder', () => {
    const dir = rulesCopy('outside');
    writeFileSync(join(dir, 'neighbour.txt'), 'n\n');
    cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir });
    const before = snapshot(dir);
    writeFileSync(join(dir, 'rules/whoami_by_non_system.yml'), readFileSync(join(dir, 'rules/whoami_by_non_system.yml'), 'utf8').replace('process_name=whoami.exe', 'process_name=who.exe'));
    expect(cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir }).code).toBe(0);
    const after = snapshot(dir);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
    expect(changed.every((k) => k.startsWith('out/') || k === 'rules/whoami_by_non_system.yml')).toBe(true);
    expect(changed).toContain('out/kql/whoami_by_non_system.kql');
  });

  it('a build that fails while writing leaves the previous tree intact and no staging folder behind', async () => {
    const dir = scratch('atomic');
    const out = join(dir, 'out');
    await writeTree(out, new Map([['report.json', '{}\n'], ['kql/a.kql', 'old a\n']]));
    const before = snapshot(out);
    // `x` as a file and as a folder: the second write fails half-way through the staging tree
    await expect(writeTree(out, new Map([['kql/a.kql', 'new a\n'], ['kql/x', 'file'], ['kql/x/y', 'under a file'], ['report.json', '{"new":1}\n']]))).rejects.toThrow();
    expect(snapshot(out)).toEqual(before);
    expect(snapshot(dir).size).toBe(before.size);
    // a build killed between its two renames: the next one restores the old tree first
    renameSync(out, join(dir, '.out.old-12345'));
    await writeTree(out, new Map([['report.json', '{}\n'], ['kql/a.kql', 'old a\n'], ['kql/b.kql', 'b\n']]));
    expect([...readTree(out).keys()]).toEqual(['kql/a.kql', 'kql/b.kql', 'report.json']);
    expect(existsSync(join(dir, '.out.old-12345'))).toBe(false);
  });

  it('a file that cannot be written, on any thread, fails the build (exit 2) and leaves the previous tree and no staging folder', () => {
    const dir = scratch('write-error');
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    const seed = readFileSync(join(REPO, 'rules', 'whoami_by_non_system.yml'), 'utf8');
    // Enough rules for a worker thread; one whose stem fits a 255-byte name as `.yml` but not as `.esql`.
    for (let i = 0; i < 80; i++) writeFileSync(join(rules, `r${String(i).padStart(2, '0')}.yml`), seed.replace(/^id: .*$/m, `id: r${i}`));
    expect(cli(['build', 'rules', '-o', 'out', '-q', '-t', 'esql'], { cwd: dir }).code).toBe(0);
    const before = snapshot(join(dir, 'out'));
    // First in file order: in the first chunk, which goes to the worker when there is one.
    const long = 'a'.repeat(255 - '.yml'.length);
    writeFileSync(join(rules, `${long}.yml`), seed);
    for (const threads of ['1', 'default']) {
      const r = cli(['build', 'rules', '-o', 'out', '-q', '-t', 'esql'], { cwd: dir, env: threads === '1' ? { RULEPORT_THREADS: '1' } : {} });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot write the outputs: ENAMETOOLONG/);
      expect(snapshot(join(dir, 'out'))).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(['out', 'rules']);
    }
    // A missing input is an input error, not a write failure.
    const missing = cli(['build', 'no-such-rules', '-o', 'out', '-q'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-rules/);
    expect(missing.stderr).not.toMatch(/cannot write/);
  });

  it('--strict and --fail-on set the diagnostics threshold', () => {
    const dir = rulesCopy('strict');
    expect(cli(['build', 'rules', '-o', 'out', '-q'], { cwd: dir }).code).toBe(0);
    expect(cli(['build', 'rules', '-o', 'out', '-q', '--strict'], { cwd: dir }).code).toBe(1);
    expect(cli(['build', 'rules', '-o', 'out', '-q', '--fail-on', 'error'], { cwd: dir }).code).toBe(1);
    expect(cli(['build', 'rules/whoami_by_non_system.yml', '-o', 'out', '-q', '--fail-on', 'error', '-t', 'ts'], { cwd: dir }).code).toBe(0);
  });

  it('usage errors exit 2', () => {
    const dir = rulesCopy('usage');
    expect(cli(['build', 'rules', '--no-config'], { cwd: dir }).code).toBe(2);
    expect(cli(['build', 'rules', '-o', 'out', '-t', 'splunk'], { cwd: dir }).code).toBe(2);
    expect(cli(['build', 'rules', '-o', 'out', '-p', 'kql=no-such-profile'], { cwd: dir }).code).toBe(2);
    expect(cli(['build', 'nowhere', '-o', 'out'], { cwd: dir }).code).toBe(2);
    expect(cli(['check', 'rules', '-o', 'out', '--format', 'xml'], { cwd: dir }).code).toBe(2);
  });

  it.each(['build', 'check', 'diff', 'convert', 'lint', 'explain', 'corpus', 'match'])('%s --help exits 0 and documents the exit codes', (cmd) => {
    const r = cli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit\s+codes:\s+0/);
  });

  it('--version prints the version in package.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(cli(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('progress bar: only on a TTY', () => {
    const written: string[] = [];
    const tty = { isTTY: true, columns: 80, write: (s: string) => written.push(s) > 0 };
    expect(progressBar('build', { isTTY: false, write: () => true })).toBeUndefined();
    const p = progressBar('build', tty);
    p?.(1, 10);
    p?.(10, 10);
    expect(written[0]).toMatch(/build \[#+-+\] 1\/10/);
    expect(written[written.length - 1]).toBe('\r\x1b[2K');
  });
});
