import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffLines, unifiedDiff } from '../../src/workflow/unified-diff.js';
import { cli, REPO, rulesCopy, scratch } from './helpers.js';

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('unified diff', { timeout: 180_000 }, () => {
  it('is a minimal edit script that rebuilds both sides', () => {
    const r = rand(7);
    for (let i = 0; i < 300; i++) {
      const a = Array.from({ length: Math.floor(r() * 12) }, () => 'abcd'[Math.floor(r() * 4)] as string);
      const b = Array.from({ length: Math.floor(r() * 12) }, () => 'abcd'[Math.floor(r() * 4)] as string);
      const e = diffLines(a, b);
      expect(e.filter((x) => x.op !== '+').map((x) => x.line)).toEqual(a);
      expect(e.filter((x) => x.op !== '-').map((x) => x.line)).toEqual(b);
      // minimal: the number of unchanged lines is the LCS length
      const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
      for (let x = a.length - 1; x >= 0; x--) for (let y = b.length - 1; y >= 0; y--) (lcs[x] as number[])[y] = a[x] === b[y] ? (lcs[x + 1]?.[y + 1] ?? 0) + 1 : Math.max(lcs[x + 1]?.[y] ?? 0, lcs[x]?.[y + 1] ?? 0);
      expect(e.filter((x) => x.op === ' ').length).toBe(lcs[0]?.[0]);
    }
  });

  it('hunks are what `patch` applies', () => {
    const r = rand(11);
    const dir = scratch('patch');
    for (let i = 0; i < 25; i++) {
      const a = Array.from({ length: 5 + Math.floor(r() * 30) }, (_, k) => `line ${k % 7}`);
      const b = a.filter(() => r() > 0.15).flatMap((l) => (r() > 0.9 ? [l, `new ${Math.floor(r() * 100)}`] : [l]));
      const oldText = `${a.join('\n')}\n`;
      const newText = `${b.join('\n')}\n`;
      writeFileSync(join(dir, 'f.txt'), oldText);
      writeFileSync(join(dir, 'f.patch'), unifiedDiff('a/f.txt', 'b/f.txt', oldText, newText));
      const p = spawnSync('patch', ['-s', '-p1', '-i', 'f.patch', 'f.txt'], { cwd: dir, encoding: 'utf8' });
      if (p.error) return; // no patch(1) here
      expect(p.status, p.stderr).toBe(0);
      expect(readFileSync(join(dir, 'f.txt'), 'utf8')).toBe(newText);
    }
  });

  it('formats like diff -u', () => {
    expect(unifiedDiff('a/x', 'b/x', 'a\nb\nc\n', 'a\nB\nc\n')).toBe('--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
    expect(unifiedDiff('a/x', 'b/x', null, 'n\n')).toBe('--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+n\n');
    expect(unifiedDiff('a/x', 'b/x', 'same\n', 'same\n')).toBe('');
  });
});

function whoamiToHostname(dir: string): void {
  const rule = join(dir, 'rules/tunneling_process_created_fixed.yml');
  writeFileSync(rule, readFileSync(rule, 'utf8').replace('EventCode=1 ', 'EventCode=3 '));
}

describe('ruleport diff', { timeout: 180_000 }, () => {
  it('two output trees: a unified diff per changed file, status changes; exit 1, or 0 when equal', () => {
    const dir = rulesCopy('difftree');
    expect(cli(['build', 'rules', '-o', 'old', '-q'], { cwd: dir }).code).toBe(0);
    expect(cli(['diff', 'old', 'old'], { cwd: dir })).toMatchObject({ code: 0, stdout: '' });
    whoamiToHostname(dir);
    expect(cli(['build', 'rules', '-o', 'new', '-q'], { cwd: dir }).code).toBe(0);
    const r = cli(['diff', 'old', 'new'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('--- a/kql/tunneling_process_created_fixed.kql\n+++ b/kql/tunneling_process_created_fixed.kql\n@@ ');
    expect(r.stdout).toMatch(/^-.*EventID == 1/m);
    expect(r.stdout).toMatch(/^\+.*EventID == 3/m);
    expect(r.stdout).not.toContain('whoami_by_non_system');
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('two rule folders with --events: the events whose verdict changed', () => {
    const dir = rulesCopy('diffevents');
    const old = join(dir, 'old');
    spawnSync('cp', ['-r', join(dir, 'rules'), old]);
    whoamiToHostname(dir);
    const r = cli(['diff', 'old', 'rules', '--events', join(REPO, 'test/fixtures/tunneling.ndjson')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('events whose verdict changed:\ntunneling_process_created_fixed:\n');
    expect(r.stdout).toMatch(/tunneling\.ndjson:1: match -> no match/);
    expect(r.stdout).not.toMatch(/^whoami_by_non_system:/m);
    expect(cli(['diff', 'old', 'old', '--events', join(REPO, 'test/fixtures/tunneling.ndjson')], { cwd: dir }).code).toBe(0);
  });

  it('--git rev1..rev2 path: two revisions of a rules folder, read-only', () => {
    const dir = rulesCopy('diffgit');
    const git = (...a: string[]): string => {
      const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    git('init', '-q');
    git('add', 'rules');
    git('commit', '-qm', 'one');
    whoamiToHostname(dir);
    git('commit', '-qam', 'two');
    const status = git('status', '--porcelain');
    const r = cli(['diff', '--git', 'HEAD~1..HEAD', 'rules', '-t', 'kql', '--events', join(REPO, 'test/fixtures/tunneling.ndjson')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('+++ b/kql/tunneling_process_created_fixed.kql');
    expect(r.stdout).not.toContain('sigma/');
    expect(r.stdout).toMatch(/tunneling\.ndjson:\d+: match -> no match/);
    expect(git('status', '--porcelain')).toBe(status);
    expect(cli(['diff', '--git', 'HEAD..HEAD', 'rules'], { cwd: dir })).toMatchObject({ code: 0, stdout: '' });
    expect(cli(['diff', '--git', 'nosuchrev..HEAD', 'rules'], { cwd: dir }).code).toBe(2);
  });
});
