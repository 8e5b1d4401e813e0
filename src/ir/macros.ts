/** Macro definitions (data in src/data/macros.yml, overridable with --macros). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import type { ValidateFunction } from 'ajv';
import { validate as generatedValidate } from './macros-validator.generated.js';
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

// The schema is src/ir/macros-schema.json, compiled ahead of time by .ci/gen-validators.mjs.
const validate = generatedValidate as unknown as ValidateFunction;

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
