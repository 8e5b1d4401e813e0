/**
 * The templates are precompiled ahead of time (.ci/gen-templates.mjs): the generated module must
 * be what the generator makes of templates/ today, and every backend must find its entry (same
 * template text, same helpers) instead of compiling at run time; and a precompiled template must
 * render what the same template compiled at run time renders.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { OUT, generatedTemplates } from '../../.ci/gen-templates.mjs';
import { BACKEND_IDS } from '../../src/diagnostics.js';
import { frontEnd, renderBackend } from '../../src/pipeline.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { templateOptions, templatesCompiledAtRunTime } from '../../src/backends/templates.js';
import { PRECOMPILED } from '../../src/backends/templates.generated.js';

// A rule that reaches every backend's template (Sigma needs a logsource, KQL a table, ...).
const RULE = 'rules/recon_burst_per_host.yml';

describe('ahead-of-time Handlebars templates', () => {
  it(`${OUT as string} is fresh (run \`node .ci/gen-templates.mjs\`)`, () => {
    expect(readFileSync(OUT as string, 'utf8')).toBe((generatedTemplates as () => string)());
  });

  it('every backend renders from its precompiled template', () => {
    const loaded = loadRuleFile(RULE);
    const detection = loaded.rule && frontEnd(loaded.rule).detection;
    expect(detection).toBeDefined();
    for (const b of BACKEND_IDS) expect(renderBackend(detection!, b).text).not.toBeNull();
    expect(templatesCompiledAtRunTime()).toEqual([]);
  });

  it('a precompiled template renders what the template compiled at run time renders', () => {
    const view = { title: 'a & <b>', id: 'x"y', profile: 'p', notes: ['n1', 'n2'], lines: ['FROM a', '| WHERE b < 1'] };
    const entry = (PRECOMPILED as Record<string, { source: string; helpers: string[]; spec: TemplateSpecification }>)['esql/query'];
    expect(entry).toBeDefined();
    const env = (): typeof Handlebars => {
      const hb = Handlebars.create();
      hb.registerHelper('comment', (v: unknown) => new hb.SafeString(String(v).toUpperCase()));
      return hb;
    };
    const pre = env().template(entry!.spec)(view);
    const live = env().compile(entry!.source, templateOptions(entry!.helpers))(view);
    expect(pre).toBe(live);
    expect(pre.startsWith('// A & <B>\n')).toBe(true);
  });
});
