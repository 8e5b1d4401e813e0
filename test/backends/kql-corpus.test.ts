/**
 * Every Armory rule that normalizes, rendered with both KQL profiles, must parse with zero errors
 * in the official Kusto parser, and every regex in it (each `@"..."` literal: the backend writes
 * verbatim literals only for regexes) must compile in the Rust regex engine KQL uses.
 * The corpus lives outside the repository (../shared); without it the suite is skipped loudly.
 * Speed: the parser's semantic analysis takes ~70 ms CPU for these 2-4 KB queries, so each
 * profile is a test of its own (vitest may run them side by side); ~60 s CPU for kql-sysmon.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Same js-yaml ESM default-export shim as kql.test.ts.
vi.mock('js-yaml', async (importOriginal) => {
  const m = await importOriginal<Record<string, unknown>>();
  return { ...m, default: m['default'] ?? m };
});

import { RRegex } from 'rregex';
import { findRuleFiles } from '../../src/build.js';
import type { Detection } from '../../src/ir/types.js';
import { frontEnd, renderBackend } from '../../src/pipeline.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { kustoErrors, verbatimLiterals } from '../support/kusto.js';

const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'armory');
const PROFILES = ['kql-sysmon', 'kql-mde'] as const;

function detections(): { file: string; detection: Detection }[] {
  const out: { file: string; detection: Detection }[] = [];
  for (const file of findRuleFiles([CORPUS])) {
    const loaded = loadRuleFile(file);
    if (!loaded.rule || loaded.diagnostics.some((d) => d.code === 'RP004')) continue;
    const fe = frontEnd(loaded.rule);
    if (fe.detection) out.push({ file, detection: fe.detection });
  }
  return out;
}

const present = existsSync(CORPUS);
if (!present) console.warn(`\n*** kql-corpus: ${CORPUS} is missing; the corpus checks are SKIPPED ***\n`);

describe.skipIf(!present)('kql backend over the Armory corpus', () => {
  for (const profile of PROFILES) {
    it(`${profile}: every query parses and every regex compiles in Rust regex`, { timeout: 600_000 }, () => {
      const tables = (resolveProfile(profile).tables ?? {}) as Record<string, Record<string, string>>;
      const failures: string[] = [];
      let rendered = 0;
      for (const { file, detection } of detections()) {
        const out = renderBackend(detection, 'kql', profile);
        const internal = out.diagnostics.filter((d) => d.code === 'INT001');
        if (internal.length) failures.push(`${file}: ${internal.map((d) => d.message).join('; ')}`);
        if (out.text === null) continue; // no table for this data source (BE004)
        rendered++;
        const errors = kustoErrors(out.text, tables);
        if (errors.length) {
          failures.push(`${file}: ${errors.map((e) => `${e.code} ${e.message}`).join('; ')}`);
        }
        for (const p of verbatimLiterals(out.text)) {
          try {
            new RRegex(p).free();
          } catch (e) {
            failures.push(`${file}: regex ${JSON.stringify(p)} does not compile: ${String(e)}`);
          }
        }
      }
      expect(rendered).toBeGreaterThan(400);
      expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
    });
  }
});
