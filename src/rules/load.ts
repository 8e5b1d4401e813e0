import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import type { ValidateFunction } from 'ajv';
import { diag, type Diagnostic } from '../diagnostics.js';
import { validate as generatedValidate } from './rule-validator.generated.js';
import { mapScalar } from './scalar-map.js';
import { positionAt, type RuleSource } from './source.js';

// The schema is src/rules/rule-schema.json, compiled ahead of time by .ci/gen-validators.mjs.
const validateRule = generatedValidate as unknown as ValidateFunction;

export interface LoadResult {
  /** Absent when the file could not be turned into a rule at all. */
  readonly rule?: RuleSource;
  /** The text read, when it is not a rule (for code frames under YAML and schema errors). */
  readonly text?: string;
  readonly diagnostics: readonly Diagnostic[];
}

export function loadRuleFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { diagnostics: [diag('RP003', `cannot read ${file}: ${(err as Error).message}`, null, { at: { line: 1, column: 1 } })] };
  }
  return parseRuleText(file, text);
}

function asList(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (typeof v === 'string') return [v];
  // One Armory rule nests its technique list one level deep; flatten it.
  return (v as unknown[]).flat().filter((x): x is string => typeof x === 'string');
}

/** Parses rule text (already read); separated from I/O so tests and stdin can use it. */
export function parseRuleText(file: string, text: string): LoadResult {
  let data: unknown;
  try {
    data = yaml.load(text, { filename: file });
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number; column: number }; message: string };
    const at = e.mark ? { line: e.mark.line + 1, column: e.mark.column + 1 } : { line: 1, column: 1 };
    return { text, diagnostics: [diag('RP001', e.reason ?? e.message.split('\n')[0] ?? 'invalid YAML', null, { at })] };
  }
  // Rules in other languages are skipped before validation: their metadata is not our concern.
  const format = (data as { logic_format?: unknown } | null)?.logic_format;
  if (typeof format === 'string' && format.toLowerCase() !== 'splunk') {
    return { text, diagnostics: [diag('RP004', `logic_format is '${format}', only Splunk is read`, null, { at: keyPosition(text, 'logic_format') })] };
  }
  if (!validateRule(data)) {
    const diagnostics = (validateRule.errors ?? []).map((e) => {
      const key = e.instancePath.split('/')[1] ?? (e.params as { missingProperty?: string }).missingProperty;
      const at = key ? keyPosition(text, key) : { line: 1, column: 1 };
      const where = e.instancePath ? `${e.instancePath.slice(1).replace(/\//g, '.')} ` : '';
      return diag('RP002', `${where}${e.message ?? 'is invalid'}`.trim(), null, { at });
    });
    return { text, diagnostics };
  }
  const d = data as Record<string, unknown>;
  const spl = d['logic'] as string;
  const logicKey = /^logic[ \t]*:[ \t]*/m.exec(text);
  const splOffsets = logicKey ? mapScalar(text, logicKey.index + logicKey[0].length, spl) : new Array<number>(spl.length + 1).fill(0);
  const rule: RuleSource = {
    file,
    id: d['id'] as string,
    title: d['title'] as string,
    description: typeof d['description'] === 'string' ? d['description'] : '',
    techniques: asList(d['techniques']),
    techniqueIds: asList(d['technique_id']),
    dataCategories: asList(d['data_category']),
    references: asList(d['references']),
    spl,
    text,
    splOffsets,
  };
  return { rule, diagnostics: [] };
}

function keyPosition(text: string, key: string): { line: number; column: number } {
  const m = new RegExp(`^${key.replace(/[^\w]/g, '\\$&')}[ \\t]*:`, 'm').exec(text);
  const p = positionAt(text, m ? m.index : 0);
  return { line: p.line, column: p.column };
}
