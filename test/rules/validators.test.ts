/**
 * The Ajv validators are compiled ahead of time (.ci/gen-validators.mjs) from the JSON schemas;
 * each generated module must be what the generator makes of its schema today, and must reject
 * what the schema rejects with Ajv's own error.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { VALIDATORS, generatedValidator } from '../../.ci/gen-validators.mjs';
import { validate as ruleValidator } from '../../src/rules/rule-validator.generated.js';

interface Entry {
  readonly schema: string;
  readonly out: string;
  readonly options: object;
}

describe('ahead-of-time Ajv validators', () => {
  it.each((VALIDATORS as Entry[]).map((e) => [e.out, e] as const))('%s is fresh (run `node .ci/gen-validators.mjs`)', (_out, entry) => {
    expect(readFileSync(entry.out, 'utf8')).toBe((generatedValidator as (e: Entry) => string)(entry));
  });

  it('the rule validator reports what an Ajv compiled at run time reports', () => {
    const live = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync('src/rules/rule-schema.json', 'utf8')) as object);
    const pre = ruleValidator as unknown as typeof live;
    const samples: unknown[] = [
      { id: 'x', title: 't', logic_format: 'Splunk', logic: 'index=a' },
      { id: '', title: 't', logic_format: 'Splunk', logic: 'index=a' },
      { title: 't', logic: 7 },
      'not an object',
    ];
    for (const s of samples) {
      expect(pre(s)).toBe(live(s));
      expect(pre.errors ?? null).toEqual(live.errors ?? null);
    }
  });
});
