/** The data-source catalog (src/data/sources.yml): which CIM fields each source's events carry. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { Ajv } from 'ajv';
import { DATA_DIR } from '../paths.js';

export interface SourceInfo {
  readonly title: string;
  readonly fields: readonly string[];
}

export type SourceCatalog = Readonly<Record<string, SourceInfo>>;

const validate = new Ajv({ allErrors: true }).compile({
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['title', 'fields'],
    properties: { title: { type: 'string' }, fields: { type: 'array', items: { type: 'string' } } },
    additionalProperties: false,
  },
});

let catalog: SourceCatalog | null = null;

export function sourceCatalog(): SourceCatalog {
  if (catalog) return catalog;
  const file = join(DATA_DIR, 'sources.yml');
  const data = yaml.load(readFileSync(file, 'utf8'));
  if (!validate(data)) throw new Error(`${file}: ${validate.errors?.[0]?.message ?? 'invalid'}`);
  catalog = data as SourceCatalog;
  return catalog;
}
