/**
 * The two matchers check each other: the reference (src/matcher/compile.ts, IR compiled to
 * closures over mapped rows, regex prefilters off) and the generated module (src/backends/ts.ts,
 * the filter spelled out as TypeScript over raw events, prefilters on), on every corpus rule they
 * can both run and on every event of shared/events. A third path, the CLI's line pipeline
 * (byte prefilter + raw filter, compileDetection().test), is held to the same rows.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { findRuleFiles } from '../../src/build.js';
import { frontEnd } from '../../src/pipeline.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { renderBackend } from '../../src/pipeline.js';
import { compileDetection, MatcherUnsupported, type CompiledRule } from '../../src/matcher/compile.js';
import { mapEvent, runStages, type Row, type RuntimeStage } from '../../src/runtime/index.js';
import { compileLinePrefilter } from '../../src/runtime/lines.js';
import type { Detection } from '../../src/ir/types.js';

const SHARED = process.env['RULEPORT_SHARED'] ?? resolve('..', 'shared');
const CORPUS = join(SHARED, 'corpus', 'armory');
const EVENTS = join(SHARED, 'events');

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const ready = isDir(CORPUS) && isDir(EVENTS);
if (!ready) console.warn(`differential test SKIPPED: ${CORPUS} or ${EVENTS} is missing`);

let dir = '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface GeneratedModule {
  readonly input: CompiledRule['input'];
  test(e: Readonly<Record<string, unknown>>, line: string, contains?: (lowerKeyword: string) => boolean): boolean;
  stages(): RuntimeStage[];
}

describe.skipIf(!ready)('differential: reference matcher vs generated modules on shared/events', () => {
  it('gives identical rows for every corpus rule both can run', { timeout: 1_800_000 }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'ruleport-diff-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(resolve('.'), join(dir, 'node_modules', 'ruleport'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');

    // Events, read once; `_raw` is the line, as `ruleport match` gives it.
    const lines: string[] = [];
    for (const f of readdirSync(EVENTS).filter((x) => x.endsWith('.ndjson')).sort()) {
      for (const l of readFileSync(join(EVENTS, f), 'utf8').split('\n')) if (l.trim() !== '') lines.push(l);
    }
    const events = lines.map((l) => {
      const e = JSON.parse(l) as Record<string, unknown>;
      e['_raw'] = l;
      return e;
    });
    const bytes = lines.map((l) => Buffer.from(l));

    const profile = resolveProfile('sysmon-raw');
    const rules: { file: string; d: Detection; ref: CompiledRule; mod: GeneratedModule }[] = [];
    let unsupported = 0;
    let normalized = 0;
    const files = findRuleFiles([CORPUS]).slice(0, Number(process.env['RULEPORT_DIFF_LIMIT'] ?? Infinity));
    for (const [i, file] of files.entries()) {
      const loaded = loadRuleFile(file);
      const d = loaded.rule ? frontEnd(loaded.rule).detection : undefined;
      if (!d) continue;
      normalized++;
      let ref: CompiledRule;
      try {
        ref = compileDetection(d, profile, { prefilter: false });
      } catch (err) {
        if (err instanceof MatcherUnsupported) {
          unsupported++;
          continue;
        }
        throw err;
      }
      const out = renderBackend(d, 'ts');
      expect(out.text, `${file}: no TypeScript output`).not.toBeNull();
      const js = ts.transpileModule(out.text ?? '', { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      const path = join(dir, `r${i}.mjs`);
      writeFileSync(path, js);
      const mod = (await import(pathToFileURL(path).href)) as GeneratedModule;
      rules.push({ file, d, ref, mod });
    }

    process.stderr.write(`differential: ${rules.length} rules compiled\n`);
    // One pass over the events, every rule on each (as `ruleport match rules/` does).
    const mappings = new Map<string, { input: CompiledRule['input']; row: Row | null }>();
    const fast = rules.map((r) => {
      const c = compileDetection(r.d, profile);
      const key = JSON.stringify(r.ref.input);
      if (!mappings.has(key)) mappings.set(key, { input: r.ref.input, row: null });
      return { c, pre: compileLinePrefilter(c.prefilter), key };
    });
    const kept = rules.map(() => ({ ref: [] as Row[], gen: [] as Row[], line: [] as Row[] }));
    const errors = rules.map(() => ({ ref: null as string | null, gen: null as string | null, line: null as string | null }));
    events.forEach((e, k) => {
      const line = lines[k] as string;
      const lower = line.toLowerCase();
      const memo = new Map<string, boolean>();
      const contains = (k: string): boolean => {
        let hit = memo.get(k);
        if (hit === undefined) memo.set(k, (hit = lower.includes(k)));
        return hit;
      };
      const b = bytes[k] as Buffer;
      for (const m of mappings.values()) m.row = null;
      rules.forEach((r, i) => {
        const out = kept[i] as (typeof kept)[number];
        const err = errors[i] as (typeof errors)[number];
        const f = fast[i] as (typeof fast)[number];
        const m = mappings.get(f.key) as { input: CompiledRule['input']; row: Row | null };
        m.row ??= mapEvent(e, m.input);
        try {
          if (!err.ref && r.ref.filter(m.row)) out.ref.push(m.row);
        } catch (x) {
          err.ref = String(x);
        }
        try {
          if (!err.gen && r.mod.test(e, line, contains)) out.gen.push(mapEvent(e, r.mod.input));
        } catch (x) {
          err.gen = String(x);
        }
        try {
          if (!err.line && (!f.pre || f.pre(b, 0, b.length)) && f.c.test(e, line)) out.line.push(m.row);
        } catch (x) {
          err.line = String(x);
        }
      });
    });
    const disagreements: string[] = [];
    let rowsCompared = 0;
    let matchedEvents = 0;
    let runtimeErrors = 0;
    const result = (rows: Row[], error: string | null, stages: () => RuntimeStage[]): string => {
      if (error) return `error: ${error}`;
      try {
        return JSON.stringify(runStages(rows, stages()));
      } catch (x) {
        return `error: ${String(x)}`;
      }
    };
    rules.forEach((r, i) => {
      const out = kept[i] as (typeof kept)[number];
      const err = errors[i] as (typeof errors)[number];
      matchedEvents += out.ref.length;
      const a = result(out.ref, err.ref, () => [...r.ref.stages]);
      const b = result(out.gen, err.gen, () => r.mod.stages());
      const c = result(out.line, err.line, () => [...r.ref.stages]);
      if (a.startsWith('error') && b.startsWith('error') && c.startsWith('error')) {
        runtimeErrors++;
        return;
      }
      if (a !== b) disagreements.push(`${r.file}: reference ${a.slice(0, 300)} vs generated ${b.slice(0, 300)}`);
      if (a !== c) disagreements.push(`${r.file}: reference ${a.slice(0, 300)} vs line pipeline ${c.slice(0, 300)}`);
      if (!a.startsWith('error')) rowsCompared += (JSON.parse(a) as unknown[]).length;
    });
    console.log(
      `differential: ${files.length} corpus files, ${normalized} normalize, ${rules.length} rules run (${unsupported} need lookup tables or unsupported stages, ${runtimeErrors} fail at run time in all three), ` +
        `${events.length} events, ${matchedEvents} filter hits, ${rowsCompared} result rows compared, ${disagreements.length} disagreements`,
    );
    expect(disagreements.slice(0, 10)).toEqual([]);
    if (!process.env['RULEPORT_DIFF_LIMIT']) expect(rules.length).toBeGreaterThan(100);
  });
});
