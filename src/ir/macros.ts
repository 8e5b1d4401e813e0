/** Macro definitions (data in src/data/macros.yml, overridable with --macros). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { Ajv } from 'ajv';
import { DATA_DIR } from '../paths.js';

export type MacroDef =
  /** `source`, when given, is the data source to assume if no source macro follows. */
  | { readonly kind: 'scope'; readonly scope: string; readonly source?: string }
  | { readonly kind: 'source'; readonly source: string }
  | { readonly kind: 'output' }
  /** Used inside a field list (`table \`m\` a, b`): stands for these field names. */
  | { readonly kind: 'fields'; readonly fields: readonly string[] }
  /** Replaced by `body` (SPL, after a pipe) with `$arg$` placeholders filled from the call. */
  | { readonly kind: 'expand'; readonly args: readonly string[]; readonly body: string }
  /**
   * A filter the catalog calls but whose definition its authors do not publish. It stays in the
   * IR as an `undisclosed` filter; outputs drop it (wider) and say so. No body is invented:
   * a --macros file with the real definition replaces it.
   */
  | { readonly kind: 'undisclosed' };

export type MacroTable = Readonly<Record<string, MacroDef>>;

const schema = {
  type: 'object',
  additionalProperties: {
    oneOf: [
      {
        type: 'object',
        required: ['kind', 'scope'],
        properties: { kind: { const: 'scope' }, scope: { type: 'string' }, source: { type: 'string' } },
        additionalProperties: false,
      },
      { type: 'object', required: ['kind', 'source'], properties: { kind: { const: 'source' }, source: { type: 'string' } }, additionalProperties: false },
      { type: 'object', required: ['kind'], properties: { kind: { const: 'output' } }, additionalProperties: false },
      {
        type: 'object',
        required: ['kind', 'fields'],
        properties: { kind: { const: 'fields' }, fields: { type: 'array', items: { type: 'string' } } },
        additionalProperties: false,
      },
      {
        type: 'object',
        required: ['kind', 'args', 'body'],
        properties: { kind: { const: 'expand' }, args: { type: 'array', items: { type: 'string' } }, body: { type: 'string' } },
        additionalProperties: false,
      },
      { type: 'object', required: ['kind'], properties: { kind: { const: 'undisclosed' } }, additionalProperties: false },
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
