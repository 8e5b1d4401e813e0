/** Shared helpers for the workflow tests: run the built CLI, make scratch folders. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
/** The compiled CLI (`npm test` builds first); RULEPORT_CLI points elsewhere. */
export const CLI = process.env['RULEPORT_CLI'] ?? join(REPO, 'dist/bundle/cli.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env['FORCE_COLOR'];
  delete env['NO_COLOR'];
  Object.assign(env, opts.env);
  const r = spawnSync('node', [CLI, ...args], { cwd: opts.cwd ?? REPO, encoding: 'utf8', env, input: opts.input ?? '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function scratch(name: string): string {
  return mkdtempSync(join(tmpdir(), `ruleport-${name}-`));
}

/** A copy of the repository's rules/ in a fresh folder: `<dir>/rules`. */
export function rulesCopy(name: string): string {
  const dir = scratch(name);
  cpSync(join(REPO, 'rules'), join(dir, 'rules'), { recursive: true });
  return dir;
}

/** Every file under dir as relative path -> bytes (as latin1 text, for exact comparisons). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  walk(dir);
  return out;
}
