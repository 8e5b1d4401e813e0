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
import { compileLinePrefilter, mapEvent, runStages, type Row } from '../../src/runtime/index.js';
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
  run(events: Iterable<Readonly<Record<string, unknown>>>): Row[];
}

describe.skipIf(!ready)('differential: reference matcher vs generated modules on shared/events', () => {
  it('gives identical rows for every corpus rule both can run', { timeout: 240_000 }, async () => {
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
    const files = findRuleFiles([CORPUS]);
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

    // Mapped rows for the reference, one array per distinct input mapping.
    const byMapping = new Map<string, typeof rules>();
    for (const r of rules) {
      const k = JSON.stringify(r.ref.input);
      byMapping.set(k, [...(byMapping.get(k) ?? []), r]);
    }
    const disagreements: string[] = [];
    let rowsCompared = 0;
    let matchedEvents = 0;
    let runtimeErrors = 0;
    for (const group of byMapping.values()) {
      const input = group[0]?.ref.input ?? {};
      const rows = events.map((e) => mapEvent(e, input));
      for (const r of group) {
        let refRows: Row[] | Error;
        let genRows: Row[] | Error;
        let lineRows: Row[] | Error;
        try {
          refRows = runStages(rows.filter((row) => r.ref.filter(row)), r.ref.stages);
        } catch (err) {
          refRows = err as Error;
        }
        try {
          genRows = r.mod.run(events);
        } catch (err) {
          genRows = err as Error;
        }
        // The CLI's path: byte prefilter on the line, then the raw-event filter.
        const fast = compileDetection(r.d, profile);
        const pre = compileLinePrefilter(fast.prefilter);
        try {
          const kept: Row[] = [];
          events.forEach((e, k) => {
            const b = bytes[k] as Buffer;
            if (pre && !pre(b, 0, b.length)) return;
            if (fast.test(e, lines[k] as string)) kept.push(mapEvent(e, fast.input));
          });
          matchedEvents += kept.length;
          lineRows = runStages(kept, fast.stages);
        } catch (err) {
          lineRows = err as Error;
        }
        if (refRows instanceof Error && genRows instanceof Error && lineRows instanceof Error) {
          runtimeErrors++;
          continue;
        }
        const a = refRows instanceof Error ? `error: ${refRows.message}` : JSON.stringify(refRows);
        const b = genRows instanceof Error ? `error: ${genRows.message}` : JSON.stringify(genRows);
        const c = lineRows instanceof Error ? `error: ${lineRows.message}` : JSON.stringify(lineRows);
        if (a !== b) disagreements.push(`${r.file}: reference ${a.slice(0, 300)} vs generated ${b.slice(0, 300)}`);
        if (a !== c) disagreements.push(`${r.file}: reference ${a.slice(0, 300)} vs line pipeline ${c.slice(0, 300)}`);
        if (!(refRows instanceof Error)) rowsCompared += refRows.length;
      }
    }
    console.log(
      `differential: ${files.length} corpus files, ${normalized} normalize, ${rules.length} rules run (${unsupported} need lookup tables or unsupported stages, ${runtimeErrors} fail at run time in all three), ` +
        `${events.length} events, ${matchedEvents} filter hits, ${rowsCompared} result rows compared, ${disagreements.length} disagreements`,
    );
    expect(disagreements.slice(0, 10)).toEqual([]);
    expect(rules.length).toBeGreaterThan(100);
  });
});
