import { it, vi } from 'vitest';
vi.mock('js-yaml', async (orig) => { const m = await orig<Record<string, unknown>>(); return { ...m, default: m }; });
import { readdirSync } from 'node:fs';
import { loadRuleFile } from '../../src/rules/load.js';
import { frontEnd } from '../../src/pipeline.js';
it('dump', () => {
  for (const f of readdirSync('rules')) {
    const r = loadRuleFile('rules/' + f);
    const fe = frontEnd(r.rule!);
    console.log(f, JSON.stringify(fe.detection, (k, v) => (k === 'span' || k === 'description' || k === 'spl' ? undefined : v)));
    console.log(fe.diagnostics.map((d) => d.code + ' ' + d.message).join('\n'));
  }
});
