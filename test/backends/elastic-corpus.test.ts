/**
 * Every corpus rule through the EQL, ES|QL and Sigma backends: each produced text must pass the
 * grammar checkers (test/support) or the official Sigma schema, whatever its status. The corpus
 * lives outside the repository; without it the suite is skipped, loudly.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { BackendId } from '../../src/diagnostics.js';
import { frontEnd, renderBackend } from '../../src/pipeline.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { checkEql } from '../support/eql-grammar.js';
import { checkEsql } from '../support/esql-grammar.js';

const CORPUS = '/work/shared/corpus/armory';
const SCHEMA_DIR = '../shared/schemas/sigma';
const present = existsSync(CORPUS);
if (!present) console.warn(`\n*** elastic-corpus.test.ts SKIPPED: ${CORPUS} is missing ***\n`);

const Ajv2020 = (Ajv2020Module as unknown as { default: typeof Ajv2020Module }).default;
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule }).default;

function ymlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? ymlFiles(p) : p.endsWith('.yml') ? [p] : [];
  });
}

describe.skipIf(!present)('elastic + sigma backends over the Armory corpus', () => {
  // Rendered once; each check below is one test so a failure names its backend.
  const outputs = new Map<BackendId, { file: string; text: string }[]>([['eql', []], ['esql', []], ['sigma', []]]);
  if (present) {
    for (const file of ymlFiles(CORPUS)) {
      const loaded = loadRuleFile(file);
      if (!loaded.rule) continue;
      const detection = frontEnd(loaded.rule).detection;
      if (!detection) continue;
      for (const [backend, list] of outputs) {
        const out = renderBackend(detection, backend);
        expect(out.diagnostics.filter((d) => d.code === 'INT001'), file).toEqual([]);
        if (out.text !== null) list.push({ file, text: out.text });
      }
    }
  }

  const failures = (backend: BackendId, check: (text: string) => void): string[] =>
    (outputs.get(backend) ?? []).flatMap(({ file, text }) => {
      try {
        check(text);
        return [];
      } catch (err) {
        return [`${file}: ${(err as Error).message}`];
      }
    });

  it('every EQL query passes the EQL grammar checker', () => {
    expect((outputs.get('eql') ?? []).length).toBeGreaterThan(700);
    expect(failures('eql', (t) => void checkEql(t))).toEqual([]);
  });

  it('every ES|QL query passes the ES|QL grammar checker', () => {
    expect((outputs.get('esql') ?? []).length).toBeGreaterThan(700);
    expect(failures('esql', (t) => void checkEsql(t))).toEqual([]);
  });

  it('every Sigma document is valid against the official schemas', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const rule = ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}/sigma-detection-rule-schema.json`, 'utf8')) as object);
    const correlation = ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}/sigma-correlation-rules-schema.json`, 'utf8')) as object);
    expect((outputs.get('sigma') ?? []).length).toBeGreaterThan(700);
    expect(
      failures('sigma', (t) => {
        for (const doc of yaml.loadAll(t)) {
          const v = doc && typeof doc === 'object' && 'correlation' in doc ? correlation : rule;
          if (!v(doc)) throw new Error(JSON.stringify(v.errors));
        }
      }),
    ).toEqual([]);
  });
});
