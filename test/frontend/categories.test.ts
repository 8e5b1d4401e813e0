import { describe, expect, it } from 'vitest';
import { frontEnd, renderBackend } from '../../src/pipeline.js';
import { parseRuleText } from '../../src/rules/load.js';
import { sourceFromCategories } from '../../src/ir/categories.js';
import { sourceCatalog } from '../../src/ir/sources.js';
import { builtinMacros } from '../../src/ir/macros.js';
import { loadCategories } from '../../src/ir/categories.js';
import { join } from 'node:path';
import { DATA_DIR } from '../../src/paths.js';

/** A rule file with a data_category list (YAML block sequence, as the Armory writes it). */
function ruleWith(spl: string, categories: readonly string[]) {
  const list = categories.map((c) => `- ${c}\n`).join('');
  const text = `id: 't.1'\ntitle: t\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\ndata_category:\n${list}`;
  const loaded = parseRuleText('t.yml', text);
  if (!loaded.rule) throw new Error(loaded.diagnostics.map((d) => d.message).join('; '));
  return frontEnd(loaded.rule);
}

describe('data source from data_category', () => {
  it('every table entry names a source the catalog or a macro knows', () => {
    const known = new Set([...Object.keys(sourceCatalog()), ...Object.values(builtinMacros()).flatMap((m) => ('source' in m && m.source ? [m.source] : []))]);
    const scopes = new Set(Object.values(builtinMacros()).flatMap((m) => (m.kind === 'scope' ? [m.scope] : [])));
    for (const [category, entry] of Object.entries(loadCategories(join(DATA_DIR, 'categories.yml')))) {
      expect(known.has(entry.source), `${category} -> ${entry.source}`).toBe(true);
      expect(scopes.has(entry.scope), `${category} scope ${entry.scope}`).toBe(true);
    }
  });

  it('resolves case-insensitively and ignores facet categories', () => {
    expect(sourceFromCategories(['Azure Activity Logs', 'Process command-line parameters'], null)).toEqual({ kind: 'resolved', source: 'azure_activity', from: ['Azure Activity Logs'] });
    expect(sourceFromCategories(['Authentication logs'], null)).toEqual({ kind: 'none' });
    expect(sourceFromCategories([], null)).toEqual({ kind: 'none' });
  });

  it('a scope macro narrows the categories to its family', () => {
    expect(sourceFromCategories(['Azure activity logs', 'PowerShell logs'], null)).toEqual({ kind: 'ambiguous', sources: ['azure_activity', 'windows_powershell'] });
    expect(sourceFromCategories(['Azure activity logs', 'PowerShell logs'], 'cloud')).toEqual({ kind: 'resolved', source: 'azure_activity', from: ['Azure activity logs'] });
    expect(sourceFromCategories(['PowerShell logs'], 'cloud')).toEqual({ kind: 'none' });
  });

  it('a search with no source macro takes the source from data_category, with an info', () => {
    const r = ruleWith('`get_cloud_data` eventName="RunInstances"', ['AWS CloudTrail logs']);
    expect(r.detection?.source.id).toBe('aws_cloudtrail');
    const info = r.diagnostics.find((d) => d.code === 'SPL113');
    expect(info?.severity).toBe('info');
    expect(info?.message).toBe("the search names no data source; data source 'aws_cloudtrail' taken from data_category 'AWS CloudTrail logs'");
    expect(info?.at).toEqual({ line: 5, column: 1 });
    // The ES|QL backend now reads the profile's CloudTrail indices instead of reporting BE004.
    const esql = renderBackend(r.detection!, 'esql');
    expect(esql.diagnostics.map((d) => d.code)).not.toContain('BE004');
    expect(esql.text).toContain('FROM logs-aws.cloudtrail-*\n| WHERE TO_LOWER(event.action) == "runinstances"\n');
  });

  it('a source macro wins over data_category', () => {
    const r = ruleWith('`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1', ['EDR Logs']);
    expect(r.detection?.source.id).toBe('sysmon');
    expect(r.diagnostics.map((d) => d.code)).not.toContain('SPL113');
  });

  it('ambiguous categories assume nothing and say so; the backends keep BE004', () => {
    const r = ruleWith('EventCode=1', ['Windows Sysmon', 'EDR Logs']);
    expect(r.detection?.source.id).toBeNull();
    expect(r.diagnostics.find((d) => d.code === 'SPL114')?.message).toBe('the search names no data source and data_category names several (edr, sysmon); none is assumed');
    expect(renderBackend(r.detection!, 'esql').diagnostics.map((d) => d.code)).toContain('BE004');
  });
});
