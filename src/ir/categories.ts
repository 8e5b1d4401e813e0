/**
 * The data source a rule's `data_category` list names (table in src/data/categories.yml), for
 * rules whose search names none. The logic stays the authority: this is only a fallback.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import type { ValidateFunction } from 'ajv';
import { validate as generatedValidate } from './categories-validator.generated.js';
import { DATA_DIR } from '../paths.js';

export interface CategoryEntry {
  readonly source: string;
  /** The macro scope (macros.yml) the source belongs to. */
  readonly scope: string;
}

export type CategoryTable = Readonly<Record<string, CategoryEntry>>;

export type CategoryResolution =
  /** Exactly one source: `from` lists the category values that named it. */
  | { readonly kind: 'resolved'; readonly source: string; readonly from: readonly string[] }
  /** Several sources remain; none is chosen. */
  | { readonly kind: 'ambiguous'; readonly sources: readonly string[] }
  /** No category names a known source (or there are none). */
  | { readonly kind: 'none' };

// The schema is src/ir/categories-schema.json, compiled ahead of time by .ci/gen-validators.mjs.
const validate = generatedValidate as unknown as ValidateFunction;

export function loadCategories(file: string): CategoryTable {
  const data = yaml.load(readFileSync(file, 'utf8'));
  if (!validate(data)) throw new Error(`${file}: ${validate.errors?.[0]?.message ?? 'invalid'}`);
  return data as CategoryTable;
}

let builtin: Map<string, CategoryEntry> | null = null;

/** The built-in table, keyed by lower-cased category. */
function builtinTable(): Map<string, CategoryEntry> {
  builtin ??= keyed(loadCategories(join(DATA_DIR, 'categories.yml')));
  return builtin;
}

function keyed(table: CategoryTable): Map<string, CategoryEntry> {
  return new Map(Object.entries(table).map(([k, v]) => [k.trim().toLowerCase(), v]));
}

/**
 * The one source the categories name, after keeping only sources of `scope` when the search used
 * a scope macro. Categories the table does not know are facets, not sources, and are ignored.
 */
export function sourceFromCategories(categories: readonly string[], scope: string | null, table?: CategoryTable): CategoryResolution {
  const byKey = table ? keyed(table) : builtinTable();
  const found = new Map<string, string[]>();
  for (const category of categories) {
    const entry = byKey.get(category.trim().toLowerCase());
    if (!entry || (scope !== null && entry.scope !== scope)) continue;
    found.set(entry.source, [...(found.get(entry.source) ?? []), category]);
  }
  const sources = [...found.keys()];
  if (sources.length === 0) return { kind: 'none' };
  const [only] = sources;
  if (sources.length === 1 && only !== undefined) return { kind: 'resolved', source: only, from: found.get(only) ?? [] };
  return { kind: 'ambiguous', sources: sources.sort() };
}
