import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOutputs, findRuleFiles } from '../../src/build.js';
import { frontEnd } from '../../src/pipeline.js';
import { loadRuleFile, parseRuleText } from '../../src/rules/load.js';
import { renderBackend } from '../../src/pipeline.js';
import type { Detection } from '../../src/ir/types.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { runDetection } from '../../src/matcher/compile.js';
import { strictTypeCheck } from '../support/tsc.js';

// The generated modules import `ruleport/runtime`; a temp folder with node_modules/ruleport
// pointing at this package lets tsc and Node resolve it exactly as a user's project would.
let dir = '';
const modules = new Map<string, string>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ruleport-ts-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(resolve('.'), join(dir, 'node_modules', 'ruleport'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const { outputs } = buildOutputs(findRuleFiles(['rules']), { backends: ['ts'] });
  for (const [rel, text] of outputs) {
    if (!rel.startsWith('ts/')) continue;
    const stem = rel.slice(3, -3);
    writeFileSync(join(dir, `${stem}.ts`), text);
    modules.set(stem, text);
  }
  // Inline rules with the constructs the rules/ folder does not use: their modules join the tsc
  // check and the runs below.
  for (const stem of Object.keys(INLINE_SPL)) {
    const ts = renderBackend(inlineDetection(stem), 'ts');
    if (ts.text === null || ts.diagnostics.some((d) => d.severity === 'error')) throw new Error(ts.diagnostics.map((d) => d.message).join('; '));
    writeFileSync(join(dir, `${stem}.ts`), ts.text);
    modules.set(stem, ts.text);
  }
});

const INLINE_SPL: Readonly<Record<string, string>> = {
  // streamstats options, foreach, trigonometry
  inline_window:
    '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 | sort 0 host, _time' +
    ' | streamstats window=1 current=f values(_time) as last_time by host' +
    ' | eval gap_a=_time-last_time, gap_b=atan2(1, 1)*4 | foreach gap_* [ eval <<FIELD>>=round(<<FIELD>>, 2) ]' +
    ' | table host, _time, last_time, gap_a, gap_b',
  // rex max_match: multivalue extraction, then a test on the number of values
  inline_rex: '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 | rex field=process max_match=0 "(?<dll>\\S+\\.dll)" | where mvcount(dll) > 1 | table host, dll',
};

function inlineDetection(stem: string): Detection {
  const loaded = parseRuleText(`${stem}.yml`, `id: inline\ntitle: inline\nlogic_format: Splunk\nlogic: ${JSON.stringify(INLINE_SPL[stem])}\n`);
  const d = loaded.rule && frontEnd(loaded.rule).detection;
  if (!d) throw new Error(`inline rule ${stem} did not normalize`);
  return d;
}

/** The inline rule's module, transpiled to JS and imported. */
async function inlineModule(stem: string): Promise<{ run: (e: Iterable<Record<string, unknown>>) => Record<string, unknown>[] }> {
  const js = ts.transpileModule(modules.get(stem) ?? '', { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = join(dir, `${stem}.mjs`);
  writeFileSync(file, js);
  return (await import(pathToFileURL(file).href)) as { run: (e: Iterable<Record<string, unknown>>) => Record<string, unknown>[] };
}

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function ndjson(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('generated TypeScript matchers', () => {
  // tsc over the modules takes several seconds on a loaded machine; the limit is not the subject.
  it('type-check under tsc --strict (with noUncheckedIndexedAccess)', { timeout: 120_000 }, () => {
    const files = [...modules.keys()].map((s) => join(dir, `${s}.ts`));
    expect(files.length).toBeGreaterThan(0);
    const diags = strictTypeCheck(files).map((d) => `${d.file}: ${d.message}`);
    expect(diags).toEqual([]);
  });

  it.each(['tunneling_process_created', 'tunneling_process_created_fixed'])('%s: the module and the reference matcher give the same rows', async (stem) => {
    const js = ts.transpileModule(modules.get(stem) ?? '', { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const file = join(dir, `${stem}.mjs`);
    writeFileSync(file, js);
    const mod = (await import(pathToFileURL(file).href)) as { run: (e: Iterable<Record<string, unknown>>) => unknown[] };
    const events = ndjson('test/fixtures/tunneling.ndjson');
    const loaded = loadRuleFile(`rules/${stem}.yml`);
    const fe = loaded.rule ? frontEnd(loaded.rule) : undefined;
    if (!fe?.detection) throw new Error('rule did not normalize');
    const reference = runDetection(fe.detection, resolveProfile('sysmon-raw'), events);
    expect(mod.run(events)).toEqual(reference);
    if (stem.endsWith('_fixed')) expect(reference).toEqual(ndjson('test/fixtures/tunneling_fixed.expected.ndjson'));
  });

  it('streamstats window=1 current=f, foreach and atan2: the module and the reference matcher agree with the hand-worked rows', async () => {
    const mod = await inlineModule('inline_window');
    const ev = (computer: string, time: string): Record<string, unknown> => ({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: computer, UtcTime: `2026-11-20 ${time}`, Image: 'C:\\x.exe' });
    const events = [ev('A', '10:00:00.000'), ev('B', '10:00:05.000'), ev('A', '10:00:02.500'), ev('A', '10:00:10.000')];
    const reference = runDetection(inlineDetection('inline_window'), resolveProfile('sysmon-raw'), events) as Record<string, unknown>[];
    expect(mod.run(events)).toEqual(reference);
    // Sorted by host then time: A@0, A@2.5, A@10, B@5. The previous row of the stream counts
    // only when it has the same host: none, A@0, A@2.5, none (A@10 is another host's).
    expect(reference.map((r) => r['host'])).toEqual(['A', 'A', 'A', 'B']);
    expect(reference.map((r) => r['gap_a'])).toEqual([undefined, 2.5, 7.5, undefined]);
    // atan2(1, 1) * 4 = pi, rounded to 2 places by the foreach copy for gap_b.
    expect(reference.map((r) => r['gap_b'])).toEqual([3.14, 3.14, 3.14, 3.14]);
  });

  it('rex max_match=0: the module and the reference matcher collect every match into a multivalue field', async () => {
    const mod = await inlineModule('inline_rex');
    const ev = (computer: string, commandLine: string): Record<string, unknown> => ({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: computer, CommandLine: commandLine, Image: 'C:\\x.exe' });
    const events = [ev('A', 'rundll32 a.dll,Run b.DLL x.dll'), ev('B', 'rundll32 one.dll'), ev('C', 'cmd /c dir'), ev('D', 'regsvr32 /s c:\\p\\q.dll r.dll')];
    const reference = runDetection(inlineDetection('inline_rex'), resolveProfile('sysmon-raw'), events) as Record<string, unknown>[];
    expect(mod.run(events)).toEqual(reference);
    // Case-sensitive `\.dll` leaves b.DLL out; B's single value is not more than one.
    expect(reference).toEqual([
      { host: 'A', dll: ['a.dll', 'x.dll'] },
      { host: 'D', dll: ['c:\\p\\q.dll', 'r.dll'] },
    ]);
  });

  it('median() is unsupported in the native matcher and the ts backend (Splunk does not say which value an even count gives)', () => {
    const spl = '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 | stats median(ProcessId) as m, stdev(ProcessId) as s by host';
    const loaded = parseRuleText('median.yml', `id: m\ntitle: m\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`);
    const d = loaded.rule && frontEnd(loaded.rule).detection;
    if (!d) throw new Error('did not normalize');
    const be001 = renderBackend(d, 'ts').diagnostics.filter((x) => x.code === 'BE001');
    expect(be001.map((x) => x.message)).toEqual(['median() in stats is not in the native matcher: Splunk does not document which value an even number of values gives']);
    expect(spl.slice(be001[0]?.span?.start, be001[0]?.span?.end)).toBe('median(ProcessId) as m');
    expect(() => runDetection(d, resolveProfile('sysmon-raw'), [])).toThrow(/median\(\) in stats/);
  });

  it('rex max_match with a regex that can match the empty string is unsupported (PCRE and JS find other matches)', () => {
    const spl = '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 | rex field=process max_match=0 "(?<x>a*)" | table x';
    const loaded = parseRuleText('empty.yml', `id: e\ntitle: e\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`);
    const d = loaded.rule && frontEnd(loaded.rule).detection;
    if (!d) throw new Error('did not normalize');
    const out = renderBackend(d, 'ts');
    expect(out.diagnostics.filter((x) => x.code === 'BE001').map((x) => x.message)).toEqual([
      'rex max_match=0 with a regex that can match the empty string: after an empty match PCRE retries at the same place for a non-empty one, which a JS RegExp cannot',
    ]);
    expect(() => runDetection(d, resolveProfile('sysmon-raw'), [])).toThrow(/can match the empty string/);
  });
});
