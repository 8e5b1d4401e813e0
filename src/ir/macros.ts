/** Macro definitions (data in src/data/macros.yml, overridable with --macros). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { Ajv } from 'ajv';
import { DATA_DIR } from '../paths.js';

export type MacroDef =
  | { readonly kind: 'scope'; readonly scope: string }
  | { readonly kind: 'source'; readonly source: string }
  | { readonly kind: 'output' };

export type MacroTable = Readonly<Record<string, MacroDef>>;

const schema = {
  type: 'object',
  additionalProperties: {
    oneOf: [
      { type: 'object', required: ['kind', 'scope'], properties: { kind: { const: 'scope' }, scope: { type: 'string' } }, additionalProperties: false },
      { type: 'object', required: ['kind', 'source'], properties: { kind: { const: 'source' }, source: { type: 'string' } }, additionalProperties: false },
      { type: 'object', required: ['kind'], properties: { kind: { const: 'output' } }, additionalProperties: false },
    ],
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(schema);

export function loadMacros(file: string): MacroTable {
  const data = yaml.load(readFileSync(file, 'utf8'));
  if (!validate(data)) {
    const first = validate.errors?.[0];
    throw new Error(`${file}: invalid macro table at ${first?.instancePath || '/'}: ${first?.message ?? 'invalid'}`);
  }
  return data as MacroTable;
}

let builtin: MacroTable | null = null;

export function builtinMacros(): MacroTable {
  builtin ??= loadMacros(join(DATA_DIR, 'macros.yml'));
  return builtin;
}
