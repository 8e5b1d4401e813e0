/**
 * The whole Armory corpus through `ruleport build` and `ruleport check`: the batch spread over
 * worker threads gives the same tree, byte for byte, as one thread; check on the fresh tree exits
 * 0; a touched rule makes it exit 1 naming that rule.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, REPO, scratch, snapshot } from './helpers.js';

const CORPUS = join(REPO, '../shared/corpus/armory');

describe.skipIf(!existsSync(CORPUS))('ruleport build / check on the corpus', { timeout: 300_000 }, () => {
  it('threads or not, the same tree; check exits 0, then 1 naming a touched rule', () => {
    const dir = scratch('corpus');
    cpSync(CORPUS, join(dir, 'armory'), { recursive: true });
    const parallel = cli(['build', 'armory', '-o', 'out', '-q'], { cwd: dir });
    expect(parallel.code).toBe(0);
    const single = cli(['build', 'armory', '-o', 'out1', '-q'], { cwd: dir, env: { RULEPORT_THREADS: '1' } });
    expect(single.code).toBe(0);
    const tree = snapshot(join(dir, 'out'));
    expect(tree.size).toBeGreaterThan(4 * 800);
    expect(snapshot(join(dir, 'out1'))).toEqual(tree);
    expect(cli(['check', 'armory', '-o', 'out', '-q'], { cwd: dir }).code).toBe(0);
    const rule = join(dir, 'armory/detections/endpoint/certutil_file_download/certutil_file_download-splunk-sysmon.yml');
    const text = readFileSync(rule, 'utf8');
    expect(text).toContain('EventCode=1 TERM("certutil")');
    writeFileSync(rule, text.replace('EventCode=1 TERM("certutil")', 'EventCode=1 TERM("certutil2")'));
    const r = cli(['check', 'armory', '-o', 'out', '-q'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^stale: out\/kql\/certutil_file_download-splunk-sysmon\.kql \(from armory\/detections\/endpoint\/certutil_file_download\/certutil_file_download-splunk-sysmon\.yml\)$/m);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('stale: out/') && !l.startsWith('stale: out/report.json')).every((l) => l.includes('certutil_file_download-splunk-sysmon'))).toBe(true);
  });
});
