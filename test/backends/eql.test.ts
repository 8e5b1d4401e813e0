import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eqlField, eqlString, commentText, rawString } from '../../src/backends/elastic-common.js';
import type { Detection } from '../../src/ir/types.js';
import { frontEnd, renderBackend } from '../../src/pipeline.js';
import { loadRuleFile, parseRuleText } from '../../src/rules/load.js';
import { checkEql } from '../support/eql-grammar.js';
import { checkLucenePortable } from '../support/lucene-grammar.js';

const RULES = 'rules';

function detectionOf(file: string): Detection {
  const loaded = loadRuleFile(file);
  if (!loaded.rule) throw new Error(`${file}: ${JSON.stringify(loaded.diagnostics)}`);
  const fe = frontEnd(loaded.rule);
  if (!fe.detection) throw new Error(`${file}: ${JSON.stringify(fe.diagnostics)}`);
  return fe.detection;
}

function detectionFromSpl(spl: string, title = 'Test rule'): Detection {
  const yaml = `id: 'test.1'\ntitle: ${JSON.stringify(title)}\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`;
  const loaded = parseRuleText('test.yml', yaml);
  if (!loaded.rule) throw new Error(JSON.stringify(loaded.diagnostics));
  const fe = frontEnd(loaded.rule);
  if (!fe.detection) throw new Error(JSON.stringify(fe.diagnostics));
  return fe.detection;
}

/** The condition after `where`, with the layout's line breaks folded. */
function condition(text: string): string {
  const body = text.split('\n').filter((l) => !l.startsWith('//')).join('\n');
  return body.replace(/^\S+ where /, '').replace(/\n\s+/g, ' ').trim();
}

describe('eql: every rule in rules/', () => {
  for (const file of readdirSync(RULES).filter((f) => f.endsWith('.yml'))) {
    it(`${file} renders valid EQL`, () => {
      const d = detectionOf(join(RULES, file));
      const out = renderBackend(d, 'eql');
      expect(out.text).not.toBeNull();
      const q = checkEql(out.text as string);
      expect(q.category).toBe('process');
      for (const p of q.predicates) if (p.op.startsWith('regex')) p.values.forEach((v) => checkLucenePortable(String(v)));
      // Every stage is reported lossy-wider at its own span; nothing is silently dropped.
      const be002 = out.diagnostics.filter((x) => x.code === 'BE002');
      expect(be002.map((x) => x.span)).toEqual(d.stages.map((s) => s.span));
      expect(be002.every((x) => x.direction === 'wider' && x.kind === 'lossy' && x.backend === 'eql')).toBe(true);
      expect(out.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    });
  }
});

describe('eql: the tunneling seed and its fix', () => {
  const seed = renderBackend(detectionOf('rules/tunneling_process_created.yml'), 'eql');
  const fixed = renderBackend(detectionOf('rules/tunneling_process_created_fixed.yml'), 'eql');

  it('is a process query on Sysmon EID 1 with a Lucene regex', () => {
    const text = seed.text as string;
    expect(text).toMatch(/^\/\/ Tunneling Process Created\n/);
    expect(text).toContain('\nprocess where event.code : "1"\n  and process.command_line regex ');
    const q = checkEql(text);
    const re = q.predicates.find((p) => p.op === 'regex');
    const pattern = String(re?.values[0]);
    expect(pattern).not.toMatch(/\\[dws]/);
    expect(pattern).not.toContain('(?i)');
    expect(pattern).toContain('[0-9]{1,3}');
    expect(pattern).toContain('[Cc][Oo][Mm]');
    expect(pattern).toMatch(/\.\*\(/); // unanchored PCRE becomes .*( … ).*
    checkLucenePortable(pattern);
  });

  it('reports the stats stage, and that Splunk returns no rows for the seed', () => {
    const stats = seed.diagnostics.find((x) => x.code === 'BE002' && x.message.startsWith('`stats'));
    expect(stats?.message).toContain("'process' was removed by the earlier `table");
    expect(stats?.message).toContain('returns no rows');
    expect(seed.text).toContain('// note: not expressed: stats values(*) by _time, host, process; in Splunk');
    expect(fixed.diagnostics.find((x) => x.code === 'BE002' && x.message.startsWith('`stats'))?.message).not.toContain('no rows');
  });

  it('has the same filter for the seed and the fixed variant', () => {
    expect(condition(seed.text as string)).toBe(condition(fixed.text as string));
  });
});

const PREFIX = '`get_endpoint_data` `get_endpoint_data_sysmon` ';

/** SPL filter → EQL condition (category `any`: no EventCode=1, so the generic Sysmon variant). */
const FILTERS: readonly [string, string][] = [
  ['process_name=cmd.exe', 'process.name : "cmd.exe"'],
  ['process_name=CASE(cmd.exe)', 'process.name == "cmd.exe"'],
  ['process_name=cmd*', 'process.name : "cmd*"'],
  ['process_name=CASE(Cmd*)', 'process.name like "Cmd*"'],
  ['process_name IN ("a.exe", "b.exe")', 'process.name in~ ("a.exe", "b.exe")'],
  ['process_name IN ("a*", "b.exe")', 'process.name : ("a*", "b.exe")'],
  ['process_name!=cmd.exe', '?process.name != null and not process.name : "cmd.exe"'],
  ['NOT process_name=cmd.exe', 'not process.name : "cmd.exe"'],
  ['NOT (process_name=a.exe OR process_name=b.exe)', 'not process.name in~ ("a.exe", "b.exe")'],
  ['process_name=a.exe OR parent_process_name=b.exe', 'process.name : "a.exe" or process.parent.name : "b.exe"'],
  ['(process_name=a.exe OR process_name=b*) parent_process_name=c.exe', 'process.name : ("a.exe", "b*") and process.parent.name : "c.exe"'],
  ['process_id=4', 'process.pid == 4'],
  ['process_id IN (4, 8)', 'process.pid in (4, 8)'],
  ['process_name="what?.exe"', 'process.name in~ ("what?.exe")'],
  ['process_name="wh?t*.exe"', 'process.name regex """[Ww][Hh]\\?[Tt].*\\.[Ee][Xx][Ee]"""'],
  ['process="*C:\\\\Windows\\\\*"', 'process.command_line : "*C:\\\\Windows\\\\*"'],
  ['process_name=*', '?process.name != null'],
  ['unmapped_field=x', '?unmapped_field : "x"'],
];

describe('eql: SPL filter table', () => {
  for (const [spl, expected] of FILTERS) {
    it(spl, () => {
      const out = renderBackend(detectionFromSpl(PREFIX + spl), 'eql');
      expect(out.text).not.toBeNull();
      checkEql(out.text as string);
      expect(out.text).toContain('\nany where ');
      expect(condition(out.text as string)).toBe(expected);
    });
  }

  it('translates `regex` to a whole-string Lucene regex', () => {
    const out = renderBackend(detectionFromSpl(`${PREFIX}process_name=x.exe | regex process="foo\\d+bar"`), 'eql');
    const q = checkEql(out.text as string);
    const p = q.predicates.find((x) => x.op === 'regex');
    expect(p?.field).toBe('process.command_line');
    expect(p?.values).toEqual(['.*foo[0-9]+bar.*']);
  });

  it('regex != keeps events without the field (EQL not = must_not)', () => {
    const out = renderBackend(detectionFromSpl(`${PREFIX}process_name=x.exe | regex process!="a|b"`), 'eql');
    expect(condition(out.text as string)).toMatch(/^process\.name : "x\.exe" and not process\.command_line regex /);
  });

  it('relaxes a raw keyword search (wider), keeping the query valid', () => {
    const out = renderBackend(detectionFromSpl(`${PREFIX}process_name=a.exe mimikatz`), 'eql');
    checkEql(out.text as string);
    expect(condition(out.text as string)).toBe('process.name : "a.exe"');
    const relaxed = out.diagnostics.filter((x) => x.code === 'BE006');
    expect(relaxed).toHaveLength(1);
    expect(relaxed[0]?.direction).toBe('wider');
    expect(out.text).toContain('// note: lossy (wider): raw-event search mimikatz');
  });

  it('folds a where after table into the filter; removed fields are absent', () => {
    const out = renderBackend(detectionFromSpl(`${PREFIX}process_name=a.exe | table host, process | search process=x* | search user=bob`), 'eql');
    expect(condition(out.text as string)).toBe('process.name : "a.exe" and process.command_line : "x*" and false');
    expect(out.diagnostics.filter((x) => x.code === 'BE002')).toHaveLength(1);
  });
});

describe('eql: escaping', () => {
  it('string literals round-trip through the EQL lexer', () => {
    const samples = ['plain', 'quote " inside', 'back\\slash', 'C:\\Windows\\', 'new\nline\r\ttab', '\u0000\u0001\u000b\u007f', "single ' quote", 'unicode é 𝄞', '\\d \\. \\u'];
    for (const s of samples) {
      const q = checkEql(`any where f == ${eqlString(s)}`);
      expect(q.predicates[0]?.values[0]).toBe(s);
    }
  });

  it('raw strings refuse line breaks, """ and a trailing quote', () => {
    expect(rawString('a\\d"b')).toBe('"""a\\d"b"""');
    expect(rawString('a\nb')).toBeNull();
    expect(rawString('a"""b')).toBeNull();
    expect(rawString('ab"')).toBeNull();
  });

  it('quotes field names that are not plain identifiers', () => {
    expect(eqlField('process.command_line')).toBe('process.command_line');
    expect(eqlField('@timestamp')).toBe('@timestamp');
    expect(eqlField('my-field')).toBe('`my-field`');
    expect(eqlField('a`b')).toBe('`a``b`');
    expect(eqlField('1field')).toBe('`1field`');
    expect(eqlField('x.where')).toBe('`x.where`');
    const q = checkEql(`any where ${eqlField('we`ird name')} : "x"`);
    expect(q.predicates[0]?.field).toBe('we`ird name');
  });

  it('keeps comments on one line', () => {
    expect(commentText('a\nb\r\nc')).toBe('a b c');
    const out = renderBackend(detectionFromSpl(`${PREFIX}process="a\\"b\\\\c"`, 'Title with\nnewline and "quotes"'), 'eql');
    const text = out.text as string;
    expect(text.split('\n')[0]).toBe('// Title with newline and "quotes"');
    const q = checkEql(text);
    expect(q.predicates[0]?.values[0]).toBe('a"b\\c');
  });

  it('the checker rejects what EQL rejects', () => {
    for (const bad of ['any where f == "\\d"', "any where f == 'x'", 'any where f = "x"', 'any where f == "a\nb"', 'any where f regex """a\nb"""', 'any where f : ?"x"', 'any where f : "x" | count']) {
      expect(() => checkEql(bad), bad).toThrow();
    }
  });
});
