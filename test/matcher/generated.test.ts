import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOutputs, findRuleFiles } from '../../src/build.js';
import { frontEnd } from '../../src/pipeline.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { runDetection } from '../../src/matcher/compile.js';

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
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function ndjson(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('generated TypeScript matchers', () => {
  it('type-check under tsc --strict (with noUncheckedIndexedAccess)', { timeout: 120_000 }, () => {
    const files = [...modules.keys()].map((s) => join(dir, `${s}.ts`));
    expect(files.length).toBeGreaterThan(0);
    const program = ts.createProgram(files, {
      strict: true,
      noUncheckedIndexedAccess: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      types: [],
    });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
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
});
