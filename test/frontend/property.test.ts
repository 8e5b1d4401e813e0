import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { frontEnd } from '../../src/pipeline.js';
import { parseRuleText } from '../../src/rules/load.js';

// Real SPL from the corpus (read at test time from ../shared, never copied) plus the repo's rules,
// as seeds for mutation.
function seeds(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.yml')) {
        try {
          const doc = yaml.load(readFileSync(p, 'utf8')) as { logic?: unknown; logic_format?: unknown } | null;
          if (typeof doc?.logic === 'string' && doc.logic_format === 'Splunk') out.push(doc.logic);
        } catch {
          // one corpus file is not valid YAML; the loader tests cover it
        }
      }
    }
  };
  for (const d of ['rules', '../shared/corpus/armory/detections']) {
    try {
      walk(d);
    } catch {
      // the corpus is optional outside CI
    }
  }
  return out.slice(0, 400);
}

const SEEDS = seeds();
const ALPHABET = ['|', '(', ')', '"', "'", '`', '=', '!=', ' ', '\\', '*', '[', ']', ',', 'NOT ', ' OR ', 'AND', 'where ', 'stats ', 'regex ', 'rex ', 'eval ', 'x', '1', '(?i)', '(?<', '$', '\n'];

/** Runs the front end on SPL text; returns the diagnostics or the IR, never throws. */
function check(spl: string): void {
  const text = `id: 'p.1'\ntitle: p\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`;
  const loaded = parseRuleText('p.yml', text);
  if (!loaded.rule) return;
  const started = performance.now();
  const r = frontEnd(loaded.rule);
  const ms = performance.now() - started;
  // Well under a second per rule, however broken.
  expect(ms).toBeLessThan(1000);
  expect(r.diagnostics.some((d) => d.code === 'INT001'), JSON.stringify(r.diagnostics.filter((d) => d.code === 'INT001'))).toBe(false);
  if (!r.detection) {
    const located = r.diagnostics.filter((d) => d.severity === 'error' && d.span !== null);
    expect(located.length, `no located error for: ${spl}`).toBeGreaterThan(0);
    for (const d of located) {
      expect(d.span!.start).toBeGreaterThanOrEqual(0);
      expect(d.span!.end).toBeLessThanOrEqual(spl.length + 1);
    }
  }
}

describe('front end on random and mutated SPL', () => {
  it('never throws, never hangs, always yields an IR or a located error (random text)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 40 }).map((a) => a.join('')), (spl) => check(spl)), { numRuns: 400 });
  });

  it('the same on corpus rules with random edits', () => {
    expect(SEEDS.length).toBeGreaterThan(0);
    const mutated = fc
      .tuple(fc.integer({ min: 0, max: Math.max(0, SEEDS.length - 1) }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 5 }), fc.constantFrom(...ALPHABET)), { minLength: 1, maxLength: 4 }))
      .map(([i, edits]) => {
        let s = SEEDS[i] ?? '';
        for (const [at, del, ins] of edits) {
          const p = s.length ? at % s.length : 0;
          s = s.slice(0, p) + ins + s.slice(p + del);
        }
        return s;
      });
    fc.assert(fc.property(mutated, (spl) => check(spl)), { numRuns: 400 });
  });
});
