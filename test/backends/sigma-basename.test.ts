/**
 * Sigma: a regex on a base-name field (process_name → Image) rewritten over the full path. The
 * rewrite must give the same verdict on the path as the original regex on the base name; checked
 * with the JS engine (both regexes through the `js` printer) on generated Windows paths.
 */
import * as yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { basenameRegex } from '../../src/backends/basename-regex.js';
import { translateRegex } from '../../src/regex/index.js';
import { renderBackend } from '../../src/pipeline.js';
import { splRule } from '../support/rules.js';

function jsRegex(pcre: string): RegExp {
  const t = translateRegex(pcre, 'js');
  if (!t.ok || t.result.unsupported.length) throw new Error(`no JS form for ${pcre}`);
  return new RegExp(t.result.pattern, t.result.caseInsensitive ? 'i' : '');
}

const PATTERNS = [
  '(?i)^[a-z]{8}\\.exe$', 'cmd.*\\.exe', '(?i)(psexe|paexe)c', '^a|b$', '[^a]+\\.dll', '\\bfoo', '\\Wz\\D', '^.{1,3}$', 'x\\s*y', '(?i)^(rundll32|regsvr32)\\.exe$',
  '\\.(bat|cmd|ps1)$', '^[^.]+$', '(?s)a.b', '[\\\\/]x', '(?i)svch[o0]st', '^\\d+\\.exe$', 'e$',
];

// Paths over a small alphabet so that directory names often look like the base names.
const PARTS = ['a', 'b', 'x', 'y', 'z', 'cmd', 'CMD', 'psexec', 'PAEXEC', '.exe', '.dll', '.bat', 'foo', ' ', '1', '23', 'win', 'svch0st', '\n', '.', '/', 'rundll32', 'ABCDEFGH'];

function* paths(seed: number, n: number): Generator<string> {
  let s = seed;
  const rnd = (k: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % k;
  };
  for (let i = 0; i < n; i++) {
    const comps = Array.from({ length: 1 + rnd(4) }, () => Array.from({ length: rnd(4) }, () => PARTS[rnd(PARTS.length)]).join(''));
    yield comps.join('\\');
  }
}

describe('sigma: regex over a base name, rewritten over the full path', () => {
  it.each(PATTERNS)('%s: path verdict == base-name verdict', (pattern) => {
    const b = basenameRegex(pattern);
    if (!b.ok) throw new Error(b.reason);
    expect(b.result.unsupported).toEqual([]);
    const onBase = jsRegex(pattern);
    const onPath = new RegExp(jsRegex(b.result.pattern).source, b.result.caseInsensitive ? 'i' : '');
    const wrong: string[] = [];
    for (const p of paths(pattern.length * 7919, 3000)) {
      const base = p.slice(p.lastIndexOf('\\') + 1);
      if (onBase.test(base) !== onPath.test(p)) wrong.push(p);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('refuses what it cannot rewrite exactly', () => {
    expect(basenameRegex('(?<!x)a').ok).toBe(false); // a look-behind could see the directory
    expect(basenameRegex('(?m)^a').ok).toBe(false);
    expect(basenameRegex('a\\\\b').ok).toBe(false); // a base name has no backslash
  });

  it('the Sigma rule uses Image|re with the rewritten pattern, and no BE005', () => {
    const r = splRule('`get_endpoint_data_sysmon` EventCode=1 | regex process_name="(?i)^[a-z]{8}\\.exe$"');
    if (!r.detection) throw new Error('no IR');
    const out = renderBackend(r.detection, 'sigma');
    expect(out.diagnostics.map((d) => d.code)).not.toContain('BE005');
    const doc = yaml.load(out.text ?? '') as { detection: Record<string, Record<string, string>> };
    expect(doc.detection['selection_1']).toEqual({ 'Image|re|i': '((^|\\\\)[A-Za-z]{8}\\.exe$)[^\\\\]*$' });
  });
});
