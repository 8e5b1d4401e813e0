import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBackend } from '../../src/pipeline.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { runDetection } from '../../src/matcher/compile.js';
import { splRule } from '../support/rules.js';
import { strictTypeCheck } from '../support/tsc.js';

// As in generated.test.ts (sysmon-raw keeps unmapped fields such as dest_ip by name): a temp project whose node_modules/ruleport is this package (its dist/,
// so run `npm run build` first).
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ruleport-ts-join-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(resolve('.'), join(dir, 'node_modules', 'ruleport'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const RULES: [string, string][] = [
  [
    'join',
    '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=3 | stats values(dest_ip) as ips by host | join type=left host [ search `get_endpoint_data_sysmon` EventCode=1 | stats count as launches by host, process_name ] | where isnotnull(launches)',
  ],
  ['ut_shannon', '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 | `ut_shannon(process)` | where ut_shannon > 2.5 | table host, process, ut_shannon'],
];

const EVENTS = [
  { EventID: 3, Computer: 'h1', dest_ip: '10.0.0.1' },
  { EventID: 3, Computer: 'h1', dest_ip: '10.0.0.2' },
  { EventID: 3, Computer: 'h2', dest_ip: '10.0.0.3' },
  { EventID: 1, Computer: 'h1', Image: 'C:\\w\\b.exe', CommandLine: 'b.exe -x' },
  { EventID: 1, Computer: 'h1', Image: 'C:\\w\\a.exe', CommandLine: 'aaaa' },
  { EventID: 1, Computer: 'h3', Image: 'C:\\w\\c.exe', CommandLine: 'powershell -enc SQBFAFgA' },
];

describe('generated TypeScript modules: join and computed lookups', () => {
  it.each(RULES)('%s: type-checks and gives the reference matcher\'s rows', { timeout: 60_000 }, async (name, spl) => {
    const r = splRule(spl);
    if (!r.detection) throw new Error(JSON.stringify(r.diagnostics));
    const out = renderBackend(r.detection, 'ts');
    expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const text = out.text ?? '';
    const tsFile = join(dir, `${name}.ts`);
    writeFileSync(tsFile, text);
    expect(strictTypeCheck([tsFile]).map((d) => d.message)).toEqual([]);
    const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const file = join(dir, `${name}.mjs`);
    writeFileSync(file, js);
    const mod = (await import(pathToFileURL(file).href)) as { run: (e: Iterable<Record<string, unknown>>) => unknown[] };
    const reference = runDetection(r.detection, resolveProfile('sysmon-raw'), EVENTS);
    expect(reference.length).toBeGreaterThan(0);
    // A generator: the module must keep the events for the subsearch, not read them twice.
    function* once() {
      yield* EVENTS;
    }
    expect(mod.run(once())).toEqual(reference);
  });

  it('join rows, worked by hand', () => {
    const r = splRule(RULES[0]?.[1] ?? '');
    if (!r.detection) throw new Error('no detection');
    // h1: launches of a.exe and b.exe; stats sorts by host, process_name, so a.exe comes first.
    // h2: no process launches, dropped by the where.
    expect(runDetection(r.detection, resolveProfile('sysmon-raw'), EVENTS)).toEqual([{ host: 'h1', ips: ['10.0.0.1', '10.0.0.2'], process_name: 'a.exe', launches: 1 }]);
  });
});
