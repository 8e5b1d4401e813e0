/**
 * Consistency of the data files: macros -> sources -> profiles -> KQL table schemas.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR } from '../../src/paths.js';
import { loadMacros } from '../../src/ir/macros.js';
import { sourceCatalog } from '../../src/ir/sources.js';
import { fieldMappingOf, loadProfile, type Profile } from '../../src/profiles/profile.js';
import { kustoErrors } from '../support/kusto.js';

const PROFILE_DIR = join(DATA_DIR, 'profiles');
const profiles: Profile[] = readdirSync(PROFILE_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort()
  .map((f) => loadProfile(join(PROFILE_DIR, f)));
const macros = loadMacros(join(DATA_DIR, 'macros.yml'));
const catalog = sourceCatalog();

/** Sources a profile leaves out on purpose, with the reason. */
const INTENTIONALLY_MISSING: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'kql-mde': Object.fromEntries(
    ['aws_cloudtrail', 'azure_activity', 'cloud_iam', 'cloud_storage', 'o365', 'gcp_audit', 'gsuite', 'web_waf', 'web_proxy', 'auth0', 'okta', 'kubernetes_audit', 'network_firewall'].map(
      (id) => [id, 'Defender XDR advanced hunting has no Device* table for non-endpoint sources; kql-sysmon (Sentinel) covers them'],
    ),
  ),
  'sysmon-raw': Object.fromEntries(
    ['edr', 'unix', 'aws_cloudtrail', 'azure_activity', 'cloud_iam', 'cloud_storage', 'o365', 'gcp_audit', 'gsuite', 'web_waf', 'web_proxy', 'auth0', 'okta', 'kubernetes_audit', 'network_firewall'].map(
      (id) => [id, 'the native matcher input is raw Windows event JSON (shared/events has no other data)'],
    ),
  ),
};

describe('data files', () => {
  it('every built-in profile loads', () => {
    expect(profiles.map((p) => p.name).sort()).toEqual(['ecs', 'kql-mde', 'kql-sysmon', 'sigma-windows', 'sysmon-raw']);
  });

  it('every source macro names a catalogued source', () => {
    const missing = Object.entries(macros)
      .filter(([, def]) => def.kind === 'source' && !(def.source in catalog))
      .map(([name, def]) => `${name} -> ${def.kind === 'source' ? def.source : ''}`);
    expect(missing).toEqual([]);
  });

  it('every catalogued source lists fields without duplicates', () => {
    for (const [id, info] of Object.entries(catalog)) {
      expect(info.fields.length, id).toBeGreaterThan(0);
      expect(new Set(info.fields).size, id).toBe(info.fields.length);
    }
  });

  it('every source has a variant in every profile, unless listed as intentionally missing', () => {
    const problems: string[] = [];
    for (const profile of profiles) {
      const skip = INTENTIONALLY_MISSING[profile.name] ?? {};
      for (const id of Object.keys(catalog)) {
        const has = (profile.sources[id]?.length ?? 0) > 0;
        if (!has && !(id in skip)) problems.push(`${profile.name}: no variant for '${id}'`);
        if (has && id in skip) problems.push(`${profile.name}: '${id}' is listed as missing but has a variant`);
      }
      for (const id of Object.keys(profile.sources)) {
        if (!(id in catalog)) problems.push(`${profile.name}: variant for unknown source '${id}'`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('variants carry what their backend needs', () => {
    const problems: string[] = [];
    for (const profile of profiles) {
      for (const [id, variants] of Object.entries(profile.sources)) {
        variants.forEach((v, i) => {
          const where = `${profile.name} ${id}[${i}]`;
          if (profile.backends.includes('sigma') && !v.logsource) problems.push(`${where}: no logsource`);
          if (profile.backends.includes('kql') && !v.table) problems.push(`${where}: no table`);
          if ((profile.backends.includes('eql') || profile.backends.includes('esql')) && (!v.indices?.length || !v.category)) problems.push(`${where}: no indices/category`);
          for (const field of Object.keys(v.when ?? {})) {
            if (!catalog[id]?.fields.includes(field)) problems.push(`${where}: 'when' field '${field}' is not in the source's catalog`);
          }
        });
        // Only the last variant may be unconditional, or later ones are unreachable.
        variants.slice(0, -1).forEach((v, i) => {
          if (Object.keys(v.when ?? {}).length === 0) problems.push(`${profile.name} ${id}[${i}]: unconditional variant before the last`);
        });
      }
    }
    expect(problems).toEqual([]);
  });

  it('KQL variants use declared tables, and every mapped source field is a column of that table', () => {
    const problems: string[] = [];
    for (const profile of profiles.filter((p) => p.backends.includes('kql'))) {
      for (const [id, variants] of Object.entries(profile.sources)) {
        for (const v of variants) {
          const table = v.table ?? '';
          const schema = profile.tables?.[table];
          if (!schema) {
            problems.push(`${profile.name} ${id}: table '${table}' is not declared under tables`);
            continue;
          }
          // The fields this variant can be asked for: the source's catalog and its own overrides.
          const names = new Set([...(catalog[id]?.fields ?? []), ...Object.keys(v.fields ?? {})]);
          for (const name of names) {
            const own = v.fields?.[name] ?? profile.fields[name];
            if (own === undefined) continue; // unmapped: kept as is, reported by the backend
            const column = fieldMappingOf(own).name;
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) problems.push(`${profile.name} ${id}: '${name}' maps to '${column}', not a plain column`);
            else if (schema[column] === undefined) problems.push(`${profile.name} ${id}: '${name}' maps to '${column}', not a column of ${table}`);
          }
        }
      }
      for (const [table, columns] of Object.entries(profile.tables ?? {})) {
        for (const [column, type] of Object.entries(columns)) {
          if (!['string', 'int', 'long', 'real', 'bool', 'datetime', 'dynamic', 'guid', 'timespan', 'decimal'].includes(type)) {
            problems.push(`${profile.name} ${table}.${column}: unknown Kusto type '${type}'`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every declared KQL table schema is accepted by the Kusto parser', () => {
    for (const profile of profiles.filter((p) => p.backends.includes('kql'))) {
      const tables = profile.tables ?? {};
      for (const [table, columns] of Object.entries(tables)) {
        const query = `${table} | project ${Object.keys(columns).join(', ')} | take 1`;
        expect(kustoErrors(query, tables), `${profile.name} ${table}`).toEqual([]);
      }
    }
  });
});
