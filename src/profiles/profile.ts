/**
 * Mapping profiles: data (YAML, validated by ajv) that tells a backend how the rule's CIM field
 * names and data source look in the target. Built-ins live in src/data/profiles; users pass their
 * own file with --profile.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as yaml from 'js-yaml';
import type { ValidateFunction } from 'ajv';
import { validate as generatedValidate } from './profile-validator.generated.js';
import type { BackendId } from '../diagnostics.js';
import { DATA_DIR } from '../paths.js';

export type FieldType = 'string' | 'number' | 'time';

export interface FieldMapping {
  readonly name: string;
  /** `basename`: the target holds a full path and the CIM field is its last component. */
  readonly derive?: 'basename';
  readonly type?: FieldType;
}

export interface SourceVariant {
  /** Chosen only when the rule's filter requires these field values (then they are implied). */
  readonly when?: Readonly<Record<string, string>>;
  /** Sigma logsource. */
  readonly logsource?: Readonly<Record<string, string>>;
  /** KQL table or ES|QL index pattern(s). */
  readonly table?: string;
  readonly indices?: readonly string[];
  /** EQL event category. */
  readonly category?: string;
  readonly fields?: Readonly<Record<string, string | FieldMapping>>;
}

export interface Profile {
  readonly name: string;
  /** Backends this profile serves (EQL and ES|QL share ECS). */
  readonly backends: readonly BackendId[];
  readonly description: string;
  /** What to do with a CIM field the profile does not map: keep its name (warning) or fail. */
  readonly unmapped: 'keep' | 'error';
  readonly fields: Readonly<Record<string, string | FieldMapping>>;
  readonly sources: Readonly<Record<string, readonly SourceVariant[]>>;
  /** KQL: declared table schemas, column -> Kusto type, used for typing and validation. */
  readonly tables?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Which profile file this came from (not in the YAML). */
  readonly file: string;
}

// The schema is src/profiles/profile-schema.json, compiled ahead of time by .ci/gen-validators.mjs.
const validate = generatedValidate as unknown as ValidateFunction;

export function loadProfile(file: string): Profile {
  const data = yaml.load(readFileSync(file, 'utf8'));
  if (!validate(data)) {
    const e = validate.errors?.[0];
    throw new Error(`${file}: invalid profile at ${e?.instancePath || '/'}: ${e?.message ?? 'invalid'}`);
  }
  return { ...(data as Omit<Profile, 'file'>), file };
}

const PROFILE_DIR = join(DATA_DIR, 'profiles');
const cache = new Map<string, Profile>();

/** A built-in profile by name (`kql-sysmon`) or a path to a user's profile file. */
export function resolveProfile(nameOrFile: string): Profile {
  const cached = cache.get(nameOrFile);
  if (cached) return cached;
  const builtin = join(PROFILE_DIR, `${nameOrFile}.yml`);
  const file = existsSync(builtin) ? builtin : nameOrFile;
  if (!existsSync(file)) throw new Error(`unknown profile '${nameOrFile}' (built-in: ${builtinProfileNames().join(', ')})`);
  const profile = loadProfile(file);
  cache.set(nameOrFile, profile);
  return profile;
}

export function builtinProfileNames(): string[] {
  return readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.yml')).map((f) => basename(f, '.yml')).sort();
}

export function fieldMappingOf(m: string | FieldMapping): FieldMapping {
  return typeof m === 'string' ? { name: m } : m;
}
