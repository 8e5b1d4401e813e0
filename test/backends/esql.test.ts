import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { esqlField, esqlString } from '../../src/backends/elastic-common.js';
import type { Detection } from '../../src/ir/types.js';
import { frontEnd, renderBackend } from '../../src/pipeline.js';
import { loadRuleFile, parseRuleText } from '../../src/rules/load.js';
import { checkEsql } from '../support/esql-grammar.js';
import { checkLucenePortable } from '../support/lucene-grammar.js';

const RULES = 'rules';

function detectionOf(file: string): Detection {
  const loaded = loadRuleFile(file);
  if (!loaded.rule) throw new Error(`${file}: ${JSON.stringify(loaded.diagnostics)}`);
  const fe = frontEnd(loaded.rule);
  if (!fe.detection) throw new Error(`${file}: ${JSON.stringify(fe.diagnostics)}`);
  return fe.detection;
}

function detectionFromSpl(spl: string): Detection {
  const yaml = `id: 'test.1'\ntitle: Test rule\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`;
  const loaded = parseRuleText('test.yml', yaml);
  if (!loaded.rule) throw new Error(JSON.stringify(loaded.diagnostics));
  const fe = frontEnd(loaded.rule);
  if (!fe.detection) throw new Error(JSON.stringify(fe.diagnostics));
  return fe.detection;
}

/** The query lines without comments, header and the closing LIMIT. */
function body(text: string): string[] {
  return text.split('\n').filter((l) => l && !l.startsWith('//') && !l.startsWith('FROM ') && l !== '| LIMIT 10000');
}

function rlikePatterns(text: string): string[] {
  return checkEsql(text).commands.filter((c) => c.name === 'WHERE').flatMap((c) => c.strings).filter((s) => s.startsWith('.*') || s.startsWith('(.*'));
}

describe('esql: every rule in rules/', () => {
  for (const file of readdirSync(RULES).filter((f) => f.endsWith('.yml'))) {
    it(`${file} renders valid ES|QL`, () => {
      const out = renderBackend(detectionOf(join(RULES, file)), 'esql');
      expect(out.text).not.toBeNull();
      const q = checkEsql(out.text as string);
      expect(q.sources).toEqual(['logs-windows.sysmon_operational-*']);
      expect(q.commands.at(-1)?.name).toBe('LIMIT');
      expect(q.commands.some((c) => c.name === 'STATS')).toBe(true);
      for (const p of rlikePatterns(out.text as string)) checkLucenePortable(p);
      expect(out.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    });
  }
});

describe('esql: the tunneling seed and its fix', () => {
  const seed = renderBackend(detectionOf('rules/tunneling_process_created.yml'), 'esql').text as string;
  const fixed = renderBackend(detectionOf('rules/tunneling_process_created_fixed.yml'), 'esql').text as string;

  it('filters Sysmon EID 1 with a Lucene RLIKE', () => {
    expect(seed).toContain('\nFROM logs-windows.sysmon_operational-*\n| WHERE event.code == "1"\n| WHERE process.command_line RLIKE ');
    const [pattern] = rlikePatterns(seed);
    expect(pattern).toBeDefined();
    expect(pattern).not.toMatch(/\\[dws]/);
    expect(pattern).not.toContain('(?i)');
    expect(pattern).toMatch(/\.\*\(/);
    checkLucenePortable(pattern as string);
    expect(rlikePatterns(fixed)).toEqual(rlikePatterns(seed));
  });

  it('seed: WHERE false with the reason, and no reference to the removed column', () => {
    const lines = seed.split('\n');
    const wf = lines.indexOf('| WHERE false');
    expect(wf).toBeGreaterThan(0);
    expect(lines[wf - 1]).toMatch(/^\/\/ Splunk: the by-field process was removed by the earlier `table .*returns no rows/);
    const stats = lines.find((l) => l.startsWith('| STATS ')) as string;
    expect(stats).toContain('BY _time = BUCKET(@timestamp, 1 second), host\n'.trim());
    expect(stats).not.toMatch(/\bprocess\b(?!_)/);
    expect(stats).toContain('process_name = MV_SORT(VALUES(process_name))');
    expect(stats).toContain('parent_process = MV_SORT(VALUES(parent_process))');
    expect(stats).not.toContain('host = MV_SORT'); // by-fields are not aggregated
    expect(seed).toContain('| KEEP @timestamp, host, user, signature_id, process_name,');
    expect(seed).toContain('| EVAL host = host.name, user = user.name, signature_id = event.code, process_name = process.name,');
  });

  it('fixed: groups by process after dropping null by-keys', () => {
    expect(fixed).not.toContain('WHERE false');
    expect(fixed).toContain('| WHERE host IS NOT NULL AND process IS NOT NULL\n');
    expect(fixed).toMatch(/\| STATS user = MV_SORT\(VALUES\(user\)\), .* BY _time = BUCKET\(@timestamp, 1 second\), host, process\n/);
    expect(fixed).toContain('process = process.command_line');
    const q = checkEsql(fixed);
    expect(q.columns).toEqual(expect.arrayContaining(['_time', 'host', 'process', 'user', 'process_name', 'parent_process_guid']));
  });

  it('other stats shapes: count, explicit values, minute buckets', () => {
    const rundll = renderBackend(detectionOf('rules/rundll32_without_arguments.yml'), 'esql').text as string;
    expect(rundll).toContain('| STATS process = MV_SORT(VALUES(process)), parent_process = MV_SORT(VALUES(parent_process)), count = COUNT(*) BY _time = BUCKET(@timestamp, 5 seconds), host\n');
    const ps = renderBackend(detectionOf('rules/encoded_powershell.yml'), 'esql').text as string;
    expect(ps).toContain('BY _time = BUCKET(@timestamp, 1 minute), host\n');
    const whoami = renderBackend(detectionOf('rules/whoami_by_non_system.yml'), 'esql').text as string;
    expect(whoami).toContain('| WHERE host IS NOT NULL AND user IS NOT NULL\n| STATS count = COUNT(*) BY host, user\n');
  });
});

const PREFIX = '`get_endpoint_data` `get_endpoint_data_sysmon` ';

/** SPL filter → the ES|QL lines after FROM (one WHERE per top-level conjunct). */
const FILTERS: readonly [string, string[]][] = [
  ['process_name=cmd.exe', ['| WHERE TO_LOWER(process.name) == "cmd.exe"']],
  ['process_name=CASE(cmd.exe)', ['| WHERE process.name == "cmd.exe"']],
  ['process_name=cmd*', ['| WHERE TO_LOWER(process.name) LIKE "cmd*"']],
  ['process_name=CASE(Cmd*)', ['| WHERE process.name LIKE "Cmd*"']],
  ['process_name IN ("A.exe", "b.exe")', ['| WHERE TO_LOWER(process.name) IN ("a.exe", "b.exe")']],
  ['process_name IN ("a*", "b.exe")', ['| WHERE TO_LOWER(process.name) LIKE "a*" OR TO_LOWER(process.name) == "b.exe"']],
  ['process_name!=cmd.exe', ['| WHERE process.name IS NOT NULL', '| WHERE TO_LOWER(process.name) != "cmd.exe"']],
  ['NOT process_name=cmd.exe', ['| WHERE process.name IS NULL OR TO_LOWER(process.name) != "cmd.exe"']],
  ['NOT (process_name=a.exe OR process_name=b.exe)', ['| WHERE process.name IS NULL OR TO_LOWER(process.name) NOT IN ("a.exe", "b.exe")']],
  [
    'NOT (process_name=a.exe parent_process_name=b*)',
    ['| WHERE process.name IS NULL OR TO_LOWER(process.name) != "a.exe" OR process.parent.name IS NULL OR TO_LOWER(process.parent.name) NOT LIKE "b*"'],
  ],
  ['process_name=a.exe OR parent_process_name=b.exe', ['| WHERE TO_LOWER(process.name) == "a.exe" OR TO_LOWER(process.parent.name) == "b.exe"']],
  ['process_id=4', ['| WHERE process.pid == 4']],
  ['NOT process_id=4', ['| WHERE process.pid IS NULL OR process.pid != 4']],
  ['process_id IN (4, 8)', ['| WHERE process.pid IN (4, 8)']],
  ['signature_id=1', ['| WHERE event.code == "1"']],
  ['process_name="what?.exe"', ['| WHERE TO_LOWER(process.name) == "what?.exe"']],
  ['process_name="wh?t*.exe"', ['| WHERE TO_LOWER(process.name) LIKE """wh\\?t*.exe"""']],
  ['process="*C:\\\\Windows\\\\*"', ['| WHERE TO_LOWER(process.command_line) LIKE """*c:\\\\windows\\\\*"""']],
  ['process_name=*', ['| WHERE process.name IS NOT NULL']],
  ['NOT process_name=*', ['| WHERE process.name IS NULL']],
];

describe('esql: SPL filter table', () => {
  for (const [spl, expected] of FILTERS) {
    it(spl, () => {
      const out = renderBackend(detectionFromSpl(PREFIX + spl), 'esql');
      checkEsql(out.text as string);
      expect(body(out.text as string)).toEqual(expected);
    });
  }

  it('regex and NOT regex: RLIKE with null handling', () => {
    const pos = renderBackend(detectionFromSpl(`${PREFIX}process_name=x.exe | regex process="foo\\d+bar"`), 'esql').text as string;
    expect(body(pos)).toEqual(['| WHERE TO_LOWER(process.name) == "x.exe"', '| WHERE process.command_line RLIKE ".*foo[0-9]+bar.*"']);
    const neg = renderBackend(detectionFromSpl(`${PREFIX}process_name=x.exe | regex process!="a\\.b"`), 'esql').text as string;
    expect(body(neg)[1]).toBe('| WHERE process.command_line IS NULL OR process.command_line NOT RLIKE """.*a\\.b.*"""');
    checkEsql(neg);
  });

  it('table then where: CIM column names, removed fields read as absent', () => {
    const out = renderBackend(detectionFromSpl(`${PREFIX}process_name=a.exe | table _time, host, process | search process=x* | search NOT user=bob`), 'esql');
    const text = out.text as string;
    checkEsql(text);
    expect(body(text)).toEqual([
      '| WHERE TO_LOWER(process.name) == "a.exe"',
      '| EVAL host = host.name, process = process.command_line',
      '| KEEP @timestamp, host, process',
      '| WHERE TO_LOWER(process) LIKE "x*"',
      '| WHERE true',
    ]);
  });

  it('stats without table: Splunk names as BY aliases, dc/min/max', () => {
    const text = renderBackend(detectionFromSpl(`${PREFIX}process_name=a.exe | stats dc(process) as n, max(process_id) as top by host`), 'esql').text as string;
    checkEsql(text);
    expect(body(text)).toEqual([
      '| WHERE TO_LOWER(process.name) == "a.exe"',
      '| WHERE host.name IS NOT NULL',
      '| STATS n = COUNT_DISTINCT(process.command_line), top = MAX(process.pid) BY host = host.name',
    ]);
  });
});

describe('esql: escaping', () => {
  it('string literals round-trip through the ES|QL lexer', () => {
    const samples = ['plain', 'quote " inside', 'back\\slash', 'C:\\Windows\\', 'new\nline\r\ttab', "single ' quote", 'unicode é 𝄞', '\\d \\. \\u'];
    for (const s of samples) {
      const q = checkEsql(`FROM x | WHERE f == ${esqlString(s)}`);
      expect(q.commands[0]?.strings).toEqual([s]);
    }
  });

  it('quotes column names that are not plain identifiers', () => {
    expect(esqlField('process.command_line')).toBe('process.command_line');
    expect(esqlField('@timestamp')).toBe('@timestamp');
    expect(esqlField('_time')).toBe('_time');
    expect(esqlField('my-field')).toBe('`my-field`');
    expect(esqlField('a`b')).toBe('`a``b`');
    expect(esqlField('by')).toBe('`by`');
    checkEsql(`FROM x | WHERE ${esqlField('we`ird name')} == "x"`);
  });

  it('values with quotes and backslashes', () => {
    const text = renderBackend(detectionFromSpl(`${PREFIX}process="a\\"B\\\\c"`), 'esql').text as string;
    expect(body(text)).toEqual(['| WHERE TO_LOWER(process.command_line) == "a\\"b\\\\c"']);
    expect(checkEsql(text).commands[0]?.strings).toEqual(['a"b\\c']);
  });

  it('the checker rejects what ES|QL rejects', () => {
    for (const bad of [
      'FROM x | WHERE f == "\\d"',
      "FROM x | WHERE f == 'x'",
      'FROM x | WHERE f == "a\nb"',
      'FROM x | KEEP a | WHERE b == 1',
      'FROM x | STATS a = MV_SORT(VALUES(x)) BY h | WHERE x == 1',
      'FROM x | WHERE VALUES(a) == 1',
      'FROM x | STATS n = COUNT(*) BY h = BUCKET(@timestamp)',
      'FROM x | WHERE f RLIKE """a\nb"""',
    ]) {
      expect(() => checkEsql(bad), bad).toThrow();
    }
  });
});
