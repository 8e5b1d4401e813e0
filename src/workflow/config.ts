/**
 * `ruleport.config.yml`: the options a repository always passes (paths, out, targets, profiles,
 * macros, strict), found by searching upward from the working directory. Paths in it are relative
 * to the file's own directory. Validated with ajv; a bad file is a usage error (exit 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass } from 'ajv';
import * as yaml from 'js-yaml';
import { BACKEND_IDS, type BackendId } from '../diagnostics.js';

export const CONFIG_FILE = 'ruleport.config.yml';

export interface RuleportConfig {
  /** Rule files or folders, resolved to absolute paths. */
  readonly paths?: readonly string[];
  readonly out?: string;
  readonly targets?: readonly BackendId[];
  readonly profiles?: Partial<Record<BackendId, string>>;
  readonly macros?: string;
  readonly strict?: boolean;
  /** Where the file was found; report paths are relative to its directory. */
  readonly file: string;
  readonly dir: string;
}

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    paths: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    out: { type: 'string', minLength: 1 },
    targets: { type: 'array', items: { enum: [...BACKEND_IDS] }, minItems: 1, uniqueItems: true },
    profiles: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(BACKEND_IDS.map((b) => [b, { type: 'string', minLength: 1 }])),
    },
    macros: { type: 'string', minLength: 1 },
    strict: { type: 'boolean' },
  },
} as const;

export class ConfigError extends Error {}

let validator: ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null } | undefined;

/** The nearest `ruleport.config.yml` at or above `from`, or null. */
export function findConfig(from: string = process.cwd()): string | null {
  let dir = resolve(from);
  for (;;) {
    const f = join(dir, CONFIG_FILE);
    if (existsSync(f)) return f;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export function loadConfig(file: string): RuleportConfig {
  let data: unknown;
  try {
    data = yaml.load(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
  // Ajv is loaded only when a config file exists: importing it costs every other start-up ~0.2 s.
  if (!validator) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
    validator = new Ajv({ allErrors: true }).compile(CONFIG_SCHEMA);
  }
  if (!validator(data)) {
    const why = (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
    throw new ConfigError(`${file}: invalid config: ${why}`);
  }
  const raw = data as { paths?: string[]; out?: string; targets?: BackendId[]; profiles?: Partial<Record<BackendId, string>>; macros?: string; strict?: boolean };
  const dir = dirname(resolve(file));
  const at = (p: string): string => resolve(dir, p);
  return {
    file,
    dir,
    ...(raw.paths ? { paths: raw.paths.map(at) } : {}),
    ...(raw.out ? { out: at(raw.out) } : {}),
    ...(raw.targets ? { targets: raw.targets } : {}),
    ...(raw.profiles ? { profiles: Object.fromEntries(Object.entries(raw.profiles).map(([b, p]) => [b, profilePath(dir, p)])) } : {}),
    ...(raw.macros ? { macros: at(raw.macros) } : {}),
    ...(raw.strict !== undefined ? { strict: raw.strict } : {}),
  };
}

/** A profile is a built-in name or a YAML file; only file names are resolved against the config's folder. */
function profilePath(dir: string, p: string): string {
  return /\.ya?ml$/i.test(p) || p.includes('/') ? resolve(dir, p) : p;
}
