/**
 * Streaming stages against the all-rows runtime they replaced, on real events: a deterministic
 * sample of the corpus rules that aggregate (every 8th, in file order), each filtered over every
 * event of shared/events through the line path `ruleport match` runs, then the stages run both
 * ways. The streamed rows must be byte-identical (JSON) to the all-rows ones.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRuleFiles } from '../../src/build.js';
import { frontEnd } from '../../src/pipeline.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { compileDetection, MatcherUnsupported, type CompiledRule } from '../../src/matcher/compile.js';
import { mapEvent, streamStages, type Row } from '../../src/runtime/index.js';
import { compileLinePrefilter } from '../../src/runtime/lines.js';
import { runStagesAllRows } from '../support/stats-all-rows.js';

const SHARED = process.env['RULEPORT_SHARED'] ?? resolve('..', 'shared');
const CORPUS = join(SHARED, 'corpus', 'armory');
const EVENTS = join(SHARED, 'events');
const ready = [CORPUS, EVENTS].every((p) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
});

describe.skipIf(!ready)('streaming stages vs the all-rows runtime on shared/events', () => {
  it('a sample of aggregating corpus rules gives identical rows', { timeout: 300_000 }, () => {
    const profile = resolveProfile('sysmon-raw');
    const rules: { file: string; c: CompiledRule; pre: ReturnType<typeof compileLinePrefilter>; kept: Row[] }[] = [];
    let aggregating = 0;
    for (const file of findRuleFiles([CORPUS])) {
      const loaded = loadRuleFile(file);
      const d = loaded.rule ? frontEnd(loaded.rule).detection : undefined;
      if (!d || !d.stages.some((s) => s.kind === 'aggregate')) continue;
      if (aggregating++ % 8 !== 0) continue;
      try {
        const c = compileDetection(d, profile);
        rules.push({ file, c, pre: compileLinePrefilter(c.prefilter), kept: [] });
      } catch (err) {
        if (!(err instanceof MatcherUnsupported)) throw err;
      }
    }
    for (const f of readdirSync(EVENTS).filter((x) => x.endsWith('.ndjson')).sort()) {
      for (const line of readFileSync(join(EVENTS, f), 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const b = Buffer.from(line);
        let e: Record<string, unknown> | null = null;
        for (const r of rules) {
          if (r.pre && !r.pre(b, 0, b.length)) continue;
          e ??= JSON.parse(line) as Record<string, unknown>;
          if (r.c.test(e, line)) r.kept.push(mapEvent({ ...e, _raw: line }, r.c.input));
        }
      }
    }
    const outcome = (f: () => Row[]): string => {
      try {
        return JSON.stringify(f());
      } catch (x) {
        return `error: ${String(x)}`;
      }
    };
    const disagreements: string[] = [];
    let withHits = 0;
    let rowsCompared = 0;
    for (const r of rules) {
      if (r.kept.length) withHits++;
      const all = outcome(() => runStagesAllRows([...r.kept], r.c.stages));
      const streamed = outcome(() => {
        const out: Row[] = [];
        const s = streamStages(r.c.stages, (row) => out.push(row));
        for (const row of r.kept) s.push(row);
        s.end();
        return out;
      });
      if (all !== streamed) disagreements.push(`${r.file}: all rows ${all.slice(0, 300)} vs streamed ${streamed.slice(0, 300)}`);
      else if (!all.startsWith('error')) rowsCompared += (JSON.parse(all) as unknown[]).length;
    }
    console.log(`streaming vs all rows: ${aggregating} aggregating rules, ${rules.length} sampled and run, ${withHits} with filter hits, ${rowsCompared} result rows compared, ${disagreements.length} disagreements`);
    expect(disagreements).toEqual([]);
    expect(withHits).toBeGreaterThan(0);
    expect(rowsCompared).toBeGreaterThan(0);
  });
});
