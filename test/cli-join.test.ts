import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function cli(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', ['dist/bundle/cli.js', ...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ruleText(id: string, spl: string): string {
  return `id: '${id}'\ntitle: ${id}\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'ruleport-cli-join-'));
const rules = join(dir, 'rules');
mkdirSync(rules);
// bob logs in from France and Germany; the subsearch's first row for bob (stats sorts by user,
// Country) is France, which is among his locations. The second rule keeps only France logins.
writeFileSync(
  join(rules, 'join.yml'),
  ruleText('j', 'action=login | stats values(Country) as locations by user | join type=left user [ search action=login | stats count by user, Country ] | where isnotnull(mvfind(locations, Country))'),
);
writeFileSync(join(rules, 'france.yml'), ruleText('f', 'action=login Country=Germany | table user, Country'));
const events = join(dir, 'events.ndjson');
writeFileSync(
  events,
  [
    { action: 'login', user: 'bob', Country: 'France' },
    { action: 'login', user: 'bob', Country: 'Germany' },
    { action: 'logout', user: 'amy', Country: 'Spain' },
  ]
    .map((e) => JSON.stringify(e))
    .join('\n') + '\n',
);

describe('ruleport CLI: join and undisclosed filters', { timeout: 60_000 }, () => {
  it('match runs a join rule: the subsearch reads the same input', () => {
    const r = cli(['match', join(rules, 'join.yml'), events]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([{ user: 'bob', locations: ['France', 'Germany'], Country: 'France', count: 1 }]);
  });

  it('in a one-pass run with another rule, whose line prefilter must not hide events from the subsearch', () => {
    const r = cli(['match', rules, '-'], readFileSync(events, 'utf8'));
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toContainEqual({ _rule: 'j', user: 'bob', locations: ['France', 'Germany'], Country: 'France', count: 1 });
    expect(rows).toContainEqual({ _rule: 'f', user: 'bob', Country: 'Germany' });
    expect(rows).toHaveLength(2);
  });

  it('match says, located, that an undisclosed filter was dropped (wider); --macros replaces it', () => {
    const file = join(dir, 'c2.yml');
    writeFileSync(file, ruleText('c', 'action=login `fltr_bl_ip_address` | table user'));
    const r = cli(['match', file, events]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/c2\.yml:4:\d+: warning BE006 \[ts\]: filter macro `fltr_bl_ip_address` has no published definition/);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    const macros = join(dir, 'macros.yml');
    writeFileSync(macros, "fltr_bl_ip_address: { kind: expand, args: [], body: 'search Country=France' }\n");
    const fixed = cli(['match', file, events, '--macros', macros]);
    expect(fixed.stderr).not.toMatch(/BE006/);
    expect(fixed.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([{ user: 'bob' }]);
  });
});
