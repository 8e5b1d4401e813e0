import { test } from 'vitest';
import { vi } from 'vitest';
vi.mock('js-yaml', async (importOriginal) => { const m = await importOriginal<Record<string, unknown>>(); return { ...m, default: m['default'] ?? m }; });
import { loadRuleFile } from '../../src/rules/load.ts';
import { frontEnd } from '../../src/pipeline.ts';
import { readdirSync } from 'node:fs';
test('probe', () => {
  for (const f of readdirSync('/work/main/rules')) {
    const r = loadRuleFile('/work/main/rules/' + f);
    const fe = frontEnd(r.rule!);
    console.log(f, JSON.stringify({ filter: fe.detection?.filter, stages: fe.detection?.stages, source: fe.detection?.source }, (k, v) => (k === 'span' ? undefined : v)));
    console.log(fe.diagnostics.map((d) => d.code + ' ' + d.message));
  }
});
