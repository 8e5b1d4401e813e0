import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// js-yaml 5 ships no default export for ESM, while src/ (not owned by this suite) uses
// `import yaml from 'js-yaml'`. Supply the default so the front end loads under vitest; this is a
// no-op once the imports are fixed.
vi.mock('js-yaml', async (importOriginal) => {
  const m = await importOriginal<Record<string, unknown>>();
  return { ...m, default: m['default'] ?? m };
});

import { kqlColumn, kqlComment, kqlRegexLiteral, kqlString, kqlVerbatim } from '../../src/backends/kql.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import type { Detection } from '../../src/ir/types.js';
import { frontEnd, renderBackend } from '../../src/pipeline.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { loadRuleFile, parseRuleText } from '../../src/rules/load.js';
import { kustoErrors } from '../support/kusto.js';

const PROFILES = ['kql-sysmon', 'kql-mde'] as const;
const RULES_DIR = join(import.meta.dirname, '..', '..', 'rules');
const SLOW = 60_000; // the Kusto parser takes ~1 s to warm up

function tables(profile: string): Record<string, Record<string, string>> {
  return (resolveProfile(profile).tables ?? {}) as Record<string, Record<string, string>>;
}

function detectionOf(file: string): Detection {
  const loaded = loadRuleFile(join(RULES_DIR, file));
  if (!loaded.rule) throw new Error(`${file}: ${JSON.stringify(loaded.diagnostics)}`);
  const fe = frontEnd(loaded.rule);
  if (!fe.detection) throw new Error(`${file}: ${JSON.stringify(fe.diagnostics)}`);
  return fe.detection;
}

/** A rule built in memory from an SPL fragment after the Sysmon macros and `EventCode=1`. */
function detectionFromSpl(fragment: string): Detection {
  const spl = `\`get_endpoint_data\` \`get_endpoint_data_sysmon\` EventCode=1 ${fragment}`;
  const loaded = parseRuleText('inline.yml', `id: inline\ntitle: inline\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`);
  if (!loaded.rule) throw new Error(`${fragment}: ${JSON.stringify(loaded.diagnostics)}`);
  const fe = frontEnd(loaded.rule);
  if (!fe.detection) throw new Error(`${fragment}: ${JSON.stringify(fe.diagnostics.map((d) => d.message))}`);
  return fe.detection;
}

function render(d: Detection, profile: string): { text: string; diagnostics: readonly Diagnostic[] } {
  const out = renderBackend(d, 'kql', profile);
  const internal = out.diagnostics.filter((x) => x.code === 'INT001');
  expect(internal, JSON.stringify(internal)).toEqual([]);
  expect(out.text).not.toBeNull();
  return { text: out.text as string, diagnostics: out.diagnostics };
}

function expectValid(text: string, profile: string): void {
  const errors = kustoErrors(text, tables(profile));
  expect(errors, `${text}\n${JSON.stringify(errors, null, 2)}`).toEqual([]);
}

/** The query without the `//` header and comment lines. */
function body(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('//') && l !== '')
    .join('\n');
}

function firstWhere(text: string): string | undefined {
  return text.split('\n').find((l) => l.startsWith('| where '));
}

describe('kql backend: every rule in rules/ parses with the official Kusto parser', () => {
  const files = readdirSync(RULES_DIR).filter((f) => f.endsWith('.yml')).sort();
  for (const profile of PROFILES) {
    for (const file of files) {
      it(`${profile}: ${file}`, { timeout: SLOW }, () => {
        const d = detectionOf(file);
        const { text } = render(d, profile);
        expectValid(text, profile);
        // Deterministic: a second render gives the same text.
        expect(render(d, profile).text).toBe(text);
      });
    }
  }
});

describe('kql backend: the seed rule and its fixed variant', () => {
  it('seed (kql-sysmon): process removed by table, so no groups: `where false`, process not in by', { timeout: SLOW }, () => {
    const { text } = render(detectionOf('tunneling_process_created.yml'), 'kql-sysmon');
    const q = body(text);
    expect(q.startsWith('SysmonEvent\n| where EventID == 1 and CommandLine matches regex @"(?i)')).toBe(true);
    expect(text).toContain("// 'process' (stats by-field) was removed by the earlier `table`, so Splunk forms no groups and the rule returns no rows\n| where false\n");
    expect(q).toContain('| summarize user = array_sort_asc(make_set_if(user, isnotempty(user))), ');
    expect(q).toContain(' by _time = bin(_time, 1s), host\n');
    expect(q).not.toMatch(/by .*\bprocess\b/);
    // `table ... process_*` keeps process_name etc. but not process itself.
    expect(q).toContain('| project _time = TimeGenerated, host = Computer, user = User, signature_id = EventID, process_name = extract(@"[^\\\\]+$", 0, Image), process_path = Image,');
    expect(q).not.toContain('process = CommandLine');
    // The regex is the Rust translation, with `$` kept as PCRE's end-or-before-final-newline.
    expect(q).toContain('(?:\\n?\\z)');
    expectValid(text, 'kql-sysmon');
  });

  it('fixed variant (kql-sysmon): groups by process with the null guard', { timeout: SLOW }, () => {
    const { text } = render(detectionOf('tunneling_process_created_fixed.yml'), 'kql-sysmon');
    const q = body(text);
    expect(q).not.toContain('where false');
    expect(q).toContain('process = CommandLine, process_name = extract(@"[^\\\\]+$", 0, Image)');
    expect(q).toContain('| where isnotempty(_time) and isnotempty(host) and isnotempty(process)\n');
    expect(q).toContain('signature_id = array_sort_asc(make_set_if(tostring(signature_id), isnotnull(signature_id)))');
    expect(q).toMatch(/\| summarize .* by _time = bin\(_time, 1s\), host, process\n\| sort by _time asc, host asc, process asc$/);
    expect(q).toContain('matches regex @"(?i)');
    expectValid(text, 'kql-sysmon');
  });

  it('kql-mde: EventCode=1 is implied by DeviceProcessEvents; columns MDE lacks are left out and reported', { timeout: SLOW }, () => {
    const { text, diagnostics } = render(detectionOf('tunneling_process_created_fixed.yml'), 'kql-mde');
    expect(text).toContain('// note: EventCode=1 is implied by table DeviceProcessEvents');
    expect(body(text)).toMatch(/^DeviceProcessEvents\n\| where ProcessCommandLine matches regex @"\(\?i\)/);
    expect(text).not.toContain('signature_id =');
    expect(diagnostics.some((d) => d.code === 'BE002' && d.message.includes("'signature_id'"))).toBe(true);
    expect(text).toContain('process_id = array_sort_asc(make_set_if(tostring(process_id), isnotnull(process_id)))');
    expectValid(text, 'kql-mde');
  });
});

/** SPL fragment -> the first `| where` line, per profile. */
const FILTERS: readonly { spl: string; sysmon: string; mde: string }[] = [
  { spl: 'process_name=cmd.exe', sysmon: 'EventID == 1 and extract(@"[^\\\\]+$", 0, Image) =~ "cmd.exe"', mde: 'FileName =~ "cmd.exe"' },
  { spl: 'process=*whoami*', sysmon: 'EventID == 1 and CommandLine contains "whoami"', mde: 'ProcessCommandLine contains "whoami"' },
  { spl: 'process=whoami*', sysmon: 'EventID == 1 and CommandLine startswith "whoami"', mde: 'ProcessCommandLine startswith "whoami"' },
  { spl: 'process=*whoami', sysmon: 'EventID == 1 and CommandLine endswith "whoami"', mde: 'ProcessCommandLine endswith "whoami"' },
  { spl: 'process="a*b"', sysmon: 'EventID == 1 and CommandLine matches regex @"(?is)^a.*b$"', mde: 'ProcessCommandLine matches regex @"(?is)^a.*b$"' },
  { spl: 'process="*a.b*c(d*"', sysmon: 'EventID == 1 and CommandLine matches regex @"(?is)^.*a\\.b.*c\\(d.*$"', mde: 'ProcessCommandLine matches regex @"(?is)^.*a\\.b.*c\\(d.*$"' },
  { spl: 'process=CASE(Foo)', sysmon: 'EventID == 1 and CommandLine == "Foo"', mde: 'ProcessCommandLine == "Foo"' },
  { spl: 'process=CASE(*Foo*)', sysmon: 'EventID == 1 and CommandLine contains_cs "Foo"', mde: 'ProcessCommandLine contains_cs "Foo"' },
  { spl: 'process_id=42', sysmon: 'EventID == 1 and ProcessId =~ "42"', mde: 'ProcessId == 42' },
  { spl: 'process_id=4*', sysmon: 'EventID == 1 and ProcessId startswith "4"', mde: 'tostring(ProcessId) startswith "4"' },
  { spl: 'user!=x', sysmon: 'EventID == 1 and isnotempty(User) and not(User =~ "x")', mde: 'isnotempty(AccountName) and not(AccountName =~ "x")' },
  { spl: 'NOT user=x', sysmon: 'EventID == 1 and not(User =~ "x")', mde: 'not(AccountName =~ "x")' },
  { spl: 'user=*', sysmon: 'EventID == 1 and isnotempty(User)', mde: 'isnotempty(AccountName)' },
  { spl: 'process IN (a, b, "c d")', sysmon: 'EventID == 1 and CommandLine in~ ("a", "b", "c d")', mde: 'ProcessCommandLine in~ ("a", "b", "c d")' },
  { spl: 'process_name IN (a.exe, b*)', sysmon: 'EventID == 1 and (extract(@"[^\\\\]+$", 0, Image) =~ "a.exe" or extract(@"[^\\\\]+$", 0, Image) startswith "b")', mde: 'FileName =~ "a.exe" or FileName startswith "b"' },
  { spl: 'signature_id=4688', sysmon: 'EventID == 1 and EventID == 4688', mde: 'false' },
  { spl: '| regex process="a\\"b"', sysmon: 'EventID == 1 and CommandLine matches regex @"a""b"', mde: 'ProcessCommandLine matches regex @"a""b"' },
  { spl: '| regex process="^x?$"', sysmon: 'EventID == 1 and (isnotempty(CommandLine) and CommandLine matches regex @"^x?(?:\\n?\\z)")', mde: 'isnotempty(ProcessCommandLine) and ProcessCommandLine matches regex @"^x?(?:\\n?\\z)"' },
  { spl: '| regex process!="x+"', sysmon: 'EventID == 1 and not(CommandLine matches regex @"x+")', mde: 'not(ProcessCommandLine matches regex @"x+")' },
  { spl: '| where process_id > 5', sysmon: 'EventID == 1 and toreal(ProcessId) > 5', mde: 'ProcessId > 5' },
  { spl: '| where process < "m"', sysmon: 'EventID == 1 and (isnotempty(CommandLine) and strcmp(CommandLine, "m") < 0)', mde: 'isnotempty(ProcessCommandLine) and strcmp(ProcessCommandLine, "m") < 0' },
  { spl: '| where process=="x"', sysmon: 'EventID == 1 and CommandLine == "x"', mde: 'ProcessCommandLine == "x"' },
  { spl: 'original_file_name=*\\\\*', sysmon: 'EventID == 1 and OriginalFileName contains "\\\\"', mde: 'ProcessVersionInfoOriginalFileName contains "\\\\"' },
];

describe('kql backend: filter translation', () => {
  for (const row of FILTERS) {
    for (const profile of PROFILES) {
      it(`${profile}: ${row.spl}`, { timeout: SLOW }, () => {
        const { text } = render(detectionFromSpl(row.spl), profile);
        expect(firstWhere(text)).toBe(`| where ${profile === 'kql-sysmon' ? row.sysmon : row.mde}`);
        expectValid(text, profile);
      });
    }
  }

  it('reports a field the target table lacks as narrower (BE006) and tests it as false', { timeout: SLOW }, () => {
    const { diagnostics } = render(detectionFromSpl('signature_id=4688'), 'kql-mde');
    expect(diagnostics.find((d) => d.code === 'BE006')).toMatchObject({ direction: 'narrower', backend: 'kql' });
  });

  it('relaxes raw-event searches to true, reported as wider (BE006), never as a column search', { timeout: SLOW }, () => {
    for (const spl of ['foo', '"two words"', 'TERM(x.exe)']) {
      const { text, diagnostics } = render(detectionFromSpl(spl), 'kql-sysmon');
      expect(diagnostics.find((d) => d.code === 'BE006')).toMatchObject({ direction: 'wider', backend: 'kql' });
      expect(diagnostics.map((d) => d.code)).not.toContain('BE005');
      expect(firstWhere(text)).toBe('| where EventID == 1');
      expect(text).not.toContain('* contains');
      expect(text).toContain('// note: BE006 lossy (wider)');
      expectValid(text, 'kql-sysmon');
    }
    // Under NOT the relaxed leaf is false, so NOT(foo OR x) keeps only NOT x.
    const { text } = render(detectionFromSpl('NOT (foo OR process=x)'), 'kql-sysmon');
    expect(firstWhere(text)).toBe('| where EventID == 1 and not(CommandLine =~ "x")');
  });

  it('reports regex constructs Rust regex cannot express (RX101)', { timeout: SLOW }, () => {
    const { text, diagnostics } = render(detectionFromSpl('| regex process="(?<=a)b"'), 'kql-sysmon');
    expect(diagnostics.map((d) => d.code)).toContain('RX101');
    expectValid(text, 'kql-sysmon');
  });
});

describe('kql backend: stages', () => {
  const STAGES: readonly { spl: string; expect: string[] }[] = [
    {
      spl: '| table host, process | eventstats dc(process) as dc_process by host | where dc_process > 2',
      expect: ['| as ruleport_rows_1\n| join kind=leftouter (ruleport_rows_1 | where isnotempty(host) | summarize ruleport_agg_0 = count_distinctif(process, isnotempty(process)) by ruleport_by_host = host) on $left.host == $right.ruleport_by_host', '| where dc_process > 2'],
    },
    { spl: '| rename process as cmd | stats count, dc(user) as users by cmd', expect: ['| project-rename cmd = process', '| summarize count = count(), users = count_distinctif(user, isnotempty(user)) by cmd'] },
    { spl: '| fields - process | stats values(*) as * by host', expect: ['| project-away process', ' by host\n| sort by host asc'] },
    { spl: '| bin span=7s | stats count by _time', expect: ['| summarize count = count() by _time = bin_at(_time, 7s, datetime(1970-01-01))'] },
    { spl: '| table _time, host, process | bin span=5m | stats values(process) as p, max(_time) as last by _time, host', expect: ['| extend _time = bin(_time, 5m)\n', '| summarize p = array_sort_asc(make_set_if(process, isnotempty(process))), ["last"] = max(_time) by _time, host\n'] },
    { spl: '| table host, process | rename host as "odd name" | eventstats count as n by "odd name"', expect: ['| project-rename ["odd name"] = host', '$left.["odd name"] == $right.ruleport_by_odd_name'] },
    { spl: '| table host, process | rename host as last | stats count as where by last', expect: ['| summarize ["where"] = count() by ["last"]'] },
    { spl: '| table host, user | stats count by host, process', expect: ['| where false', '| summarize count = count() by host\n'] },
  ];
  for (const row of STAGES) {
    for (const profile of PROFILES) {
      it(`${profile}: ${row.spl}`, { timeout: SLOW }, () => {
        const { text } = render(detectionFromSpl(row.spl), profile);
        for (const fragment of row.expect) expect(text).toContain(fragment);
        expectValid(text, profile);
      });
    }
  }
});

describe('kql backend: escaping', () => {
  const NASTY = ['plain', 'a"b', 'back\\slash', 'C:\\Windows\\', 'line\nbreak', 'cr\rlf\r\n', 'tab\there', "single'quote", 'ctl\u0001\u007f', 'uni é \u2028 end', '""', '\\"'];

  it('string literals round-trip (JSON-compatible escapes) and parse', { timeout: SLOW }, () => {
    for (const v of NASTY) {
      const lit = kqlString(v);
      expect(lit).not.toMatch(/[\r\n]/);
      expect(JSON.parse(lit)).toBe(v);
      expectValid(`print r = ${lit}`, 'kql-sysmon');
      expectValid(`print r = ${kqlVerbatim(v)}`, 'kql-sysmon');
    }
  });

  it('regex literals are verbatim with doubled quotes and no raw line breaks', { timeout: SLOW }, () => {
    expect(kqlRegexLiteral('a"b\\d')).toBe('@"a""b\\d"');
    expect(kqlRegexLiteral('x\ny\\\nz')).toBe('@"x\\ny\\nz"');
    expectValid(`SysmonEvent | where Image matches regex ${kqlRegexLiteral('x\ny"\\\\z')}`, 'kql-sysmon');
  });

  it('column names needing quotes are bracketed and parse', { timeout: SLOW }, () => {
    expect(kqlColumn('Image')).toBe('Image');
    expect(kqlColumn('_time')).toBe('_time');
    expect(kqlColumn('odd name')).toBe('["odd name"]');
    expect(kqlColumn('where')).toBe('["where"]');
    const cols = ['odd name', 'dot.ted', "quo'te", 'back\\slash', 'where'];
    const schema = { T: Object.fromEntries(cols.map((c) => [c, 'string'])) };
    const q = `T | where ${cols.map((c) => `${kqlColumn(c)} == "x"`).join(' and ')} | project ${cols.map(kqlColumn).join(', ')}`;
    expect(kustoErrors(q, schema)).toEqual([]);
  });

  it('comments never contain line breaks', () => {
    expect(kqlComment('a\nb\r\nc\u2028d')).toBe('a b c d');
  });

  it('values with quotes, backslashes and newlines render to queries that parse', { timeout: SLOW }, () => {
    const cases: [string, string][] = [
      ['process="a\\"b\\\\c"', 'CommandLine =~ "a\\"b\\\\c"'],
      ['process="x\ny"', 'CommandLine =~ "x\\ny"'],
      ['process="*\\"quoted\\" \\\\path*"', 'CommandLine contains "\\"quoted\\" \\\\path"'],
      ['process="a*\\"*b"', 'CommandLine matches regex @"(?is)^a.*"".*b$"'],
      ['| regex process="\\\\\\"x"', 'CommandLine matches regex @"""x"'],
      ['| regex process="a\\\\\\\\b"', 'CommandLine matches regex @"a\\\\b"'],
    ];
    for (const [spl, where] of cases) {
      for (const profile of PROFILES) {
        const { text } = render(detectionFromSpl(spl), profile);
        expectValid(text, profile);
        if (profile === 'kql-sysmon') expect(firstWhere(text)).toBe(`| where EventID == 1 and ${where}`);
      }
    }
  });

  it('a title and SPL with line breaks stay inside // comments', { timeout: SLOW }, () => {
    const d = { ...detectionFromSpl('process=x'), title: 'two\nlines "quoted"', spl: 'a\nb' };
    const { text } = render(d, 'kql-sysmon');
    expect(text.split('\n').slice(0, 4)).toEqual(['// two lines "quoted"', '// rule id: inline', '// profile: kql-sysmon', '// generated by ruleport from Splunk SPL: a b']);
    expectValid(text, 'kql-sysmon');
  });
});
