/** The data-source catalog (src/data/sources.yml): which CIM fields each source's events carry. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import type { ValidateFunction } from 'ajv';
import { validate as generatedValidate } from './sources-validator.generated.js';
import { DATA_DIR } from '../paths.js';

export interface SourceInfo {
  readonly title: string;
  readonly fields: readonly string[];
}

export type SourceCatalog = Readonly<Record<string, SourceInfo>>;

// The schema is src/ir/sources-schema.json, compiled ahead of time by .ci/gen-validators.mjs.
const validate = generatedValidate as unknown as ValidateFunction;

let catalog: SourceCatalog | null = null;

export function sourceCatalog(): SourceCatalog {
  if (catalog) return catalog;
  const file = join(DATA_DIR, 'sources.yml');
  const data = yaml.load(readFileSync(file, 'utf8'));
  if (!validate(data)) throw new Error(`${file}: ${validate.errors?.[0]?.message ?? 'invalid'}`);
  catalog = data as SourceCatalog;
  return catalog;
}
