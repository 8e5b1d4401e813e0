import { it } from 'vitest';
import { translateRegex } from '../../src/regex/index.js';
it('probe', () => {
  const pats = process.env.PATS!.split('\u0001');
  for (const p of pats) {
    for (const f of ['pcre', 'rust', 'js', 'lucene'] as const) {
      const r = translateRegex(p, f);
      console.log(JSON.stringify(p), f, r.ok ? JSON.stringify(r.result) : 'ERR ' + JSON.stringify(r.error));
    }
  }
});
