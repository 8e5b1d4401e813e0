/**
 * KQL for the stages beyond filters and stats: eval (the ValueExpr translator), where-conditions,
 * rex, iplocation/lookup, sort, fillnull, streamstats, and tests on multivalue columns. Each case
 * checks the spelling, the diagnostics, the official Kusto parser and that every regex compiles
 * in Rust regex (KQL's engine).
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('js-yaml', async (importOriginal) => {
  const m = await importOriginal<Record<string, unknown>>();
  return { ...m, default: m['default'] ?? m };
});

import { RRegex } from 'rregex';
import type { Diagnostic } from '../../src/diagnostics.js';
import type { Detection } from '../../src/ir/types.js';
import { frontEnd, renderBackend } from '../../src/pipeline.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { parseRuleText } from '../../src/rules/load.js';
import { likeRegex, strftimeFormat } from '../../src/backends/kql/value.js';
import { rustCapturing } from '../../src/backends/kql/regex.js';
import { kustoErrors, verbatimLiterals } from '../support/kusto.js';

const SLOW = 60_000;

function detectionFromSpl(fragment: string): Detection {
  const spl = `\`get_endpoint_data\` \`get_endpoint_data_sysmon\` EventCode=1 ${fragment}`;
  const loaded = parseRuleText('inline.yml', `id: inline\ntitle: inline\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`);
  if (!loaded.rule) throw new Error(`${fragment}: ${JSON.stringify(loaded.diagnostics)}`);
  const fe = frontEnd(loaded.rule);
  if (!fe.detection) throw new Error(`${fragment}: ${JSON.stringify(fe.diagnostics.map((d) => d.message))}`);
  return fe.detection;
}

function render(fragment: string, profile = 'kql-sysmon'): { text: string; diagnostics: readonly Diagnostic[] } {
  const out = renderBackend(detectionFromSpl(fragment), 'kql', profile);
  expect(out.diagnostics.filter((d) => d.code === 'INT001')).toEqual([]);
  expect(out.text).not.toBeNull();
  const text = out.text as string;
  const tables = (resolveProfile(profile).tables ?? {}) as Record<string, Record<string, string>>;
  const errors = kustoErrors(text, tables);
  expect(errors, `${text}\n${JSON.stringify(errors, null, 2)}`).toEqual([]);
  for (const p of verbatimLiterals(text)) new RRegex(p).free();
  return { text, diagnostics: out.diagnostics.filter((d) => d.backend === 'kql') };
}

const codes = (ds: readonly Diagnostic[]): string[] => ds.map((d) => d.code);

describe('kql: eval', () => {
  const CASES: [string, string[]][] = [
    ['| eval a=if(match(process, "x+"), "yes", null())', ['| extend a = iff(isnotempty(process) and process matches regex @"x+", "yes", "")']],
    ['| eval b=len(process)+1', ['| extend b = iff(isempty(process), long(null), strlen(process)) + 1']],
    // Splunk's substr counts from 1.
    ['| eval c=substr(process, 2, 3)', ['substring(process, 1, max_of(tolong(3), 0))']],
    ['| eval c=substr(process, -3)', ['| extend c = iff(isempty(process), "", substring(process, max_of(strlen(process) - 3, 0)))']],
    ['| eval d=coalesce(user, "none")', ['| extend d = coalesce(user, "none")']],
    ['| eval e=mvappend(user, host), n=mvcount(e)', ['array_concat(iff(isempty(user), dynamic([]), pack_array(user))', '| extend n = iff(array_length(e) > 0, array_length(e), long(null))']],
    // `.` is null when an operand is null.
    ['| eval f=process."-".host', ['| extend f = iff(isnotempty(process) and isnotempty(host), strcat(process, "-", host), "")']],
    // Division is real and x/0 is null.
    ['| eval r=process_id/2', ['| extend r = iff(2 == 0, real(null), toreal(toreal(process_id)) / 2)']],
    ['| eval g=case(user="a", 1, user="b", 2)', ['| extend g = case(isnotempty(user) and user == "a", 1, isnotempty(user) and user == "b", 2, long(null))']],
    ['| eval h=replace(process, "(a+)b", "\\\\1c")', ['replace_regex(process, @"(a+)b", "\\\\1c")']],
    ['| eval j=tonumber(process_id), k=round(j, 2), l=floor(j)', ['j = toreal(trim(@"\\s+", process_id))', 'round(j, 2)', 'floor(j, 1)']],
    ['| eval m=mvjoin(split(process, " "), ",")', ['| extend m = strcat_array(iff(isempty(process), dynamic([]), split(process, " ")), ",")']],
    ['| eval s=urldecode(process), u=upper(user)', ['url_decode(process)', 'toupper(user)']],
    ['| eval t=strftime(_time, "%Y-%m-%d %H:%M:%S")', ['format_datetime(TimeGenerated, "yyyy-MM-dd HH:mm:ss")'.replace('TimeGenerated', '_time')]],
    ['| eval x=min(1, 2), y=max(process_id, 3)', ['min_of(1, 2)', 'max_of(toreal(process_id), 3)']],
    // Trigonometry: KQL's functions take radians like Splunk's; asin/acos give null outside [-1, 1] in both.
    ['| eval a=asin(process_id), b=acos(process_id), c=atan(process_id)', ['a = asin(toreal(process_id))', 'b = acos(toreal(process_id))', 'c = atan(toreal(process_id))']],
    ['| eval d=atan2(process_id, 2), e=sin(process_id) + cos(process_id) + tan(process_id), f=pi()', ['d = atan2(toreal(process_id), 2)', 'sin(toreal(process_id))', 'cos(toreal(process_id))', 'tan(toreal(process_id))', 'f = pi()']],
  ];
  for (const [spl, fragments] of CASES) {
    it(spl, { timeout: SLOW }, () => {
      const { text } = render(spl);
      for (const f of fragments) expect(text).toContain(f);
    });
  }

  it('reports lossy and unsupported functions with their spans', { timeout: SLOW }, () => {
    const now = render('| eval n=now()');
    expect(now.diagnostics.find((d) => d.code === 'BE002')?.message).toContain('now()');
    expect(now.text).toContain('// note: BE002 lossy: now()');
    const un = render('| eval n=relative_time(_time, "-1d@d")');
    const d = un.diagnostics.find((x) => x.code === 'BE001');
    expect(d?.message).toContain('relative_time()');
    expect(d?.span).not.toBeNull();
  });

  it('maps strftime formats KQL can write and refuses the others', () => {
    expect(strftimeFormat('%F %T')).toBe('yyyy-MM-dd HH:mm:ss');
    expect(strftimeFormat('%d/%m/%y %I:%M %p')).toBe('dd/MM/yy hh:mm tt');
    expect(strftimeFormat('%b %d')).toBeNull();
    expect(strftimeFormat('at %H')).toBeNull();
  });

  it('like() is a whole-value, case-sensitive regex', () => {
    expect(likeRegex('%a_b.c%')).toBe('(?s)^.*a.b\\.c.*$');
  });
});

describe('kql: where conditions (cond) with three-valued logic', () => {
  it('NOT of a comparison keeps rows only where the comparison is false, not null', { timeout: SLOW }, () => {
    const { text } = render('| where NOT (process_id > 5 OR len(user) < 3)');
    // len(user) < 3 stays an eval condition; under NOT it is its "is false" form: len() present
    // and not less than 3 (a missing user gives null, which NOT keeps null, so the row is dropped).
    expect(text).toContain('isnotnull(iff(isempty(User), long(null), strlen(User))) and not((iff(isempty(User), long(null), strlen(User)) < 3))');
    expect(text).not.toContain('BE005');
  });

  it('cidrmatch, in, isnum, like', { timeout: SLOW }, () => {
    const { text, diagnostics } = render('| eval ip=src_ip | where cidrmatch("10.0.0.0/8", ip) OR in(user, "a", "b") OR isnum(process_id) OR like(user, "adm%")');
    expect(text).toContain('ipv4_is_in_range(ip, "10.0.0.0/8")');
    expect(text).toContain('user in ("a", "b")');
    expect(text).toContain('isnotnull(toreal(process_id))');
    expect(codes(diagnostics)).not.toContain('BE001');
  });
});

describe('kql: multivalue columns (values() after stats)', () => {
  it('tests run per value through mv-apply (any value passes)', { timeout: SLOW }, () => {
    const { text, diagnostics } = render('| table host process | stats values(process) as process by host | where match(process, "(?i)cmd") | regex process!="x" | search process=*ps*');
    expect(text).toContain('| mv-apply ruleport_v = array_concat(process, dynamic([])) to typeof(string) on (summarize ruleport_mv_0 = countif(ruleport_v matches regex @"(?i)cmd"))');
    expect(text).toContain('| where ruleport_mv_0 > 0\n| project-away ruleport_mv_0');
    expect(text).toContain('countif(ruleport_v matches regex @"x")');
    expect(text).toContain('countif(ruleport_v contains "ps")');
    expect(codes(diagnostics)).not.toContain('BE005');
  });

  it('case-sensitive equality is set_has_element; presence is a non-empty array', { timeout: SLOW }, () => {
    const { text } = render('| table host process | stats values(process) as process by host | where process="a" AND isnotnull(process)');
    expect(text).toContain('set_has_element(process, "a")');
  });

  it('two multivalues: = shares a value, != has two distinct values (lossy: text comparison)', { timeout: SLOW }, () => {
    const { text, diagnostics } = render('| table host process parent_process | stats values(*) as * by host | where process!=parent_process');
    expect(text).toContain('array_length(set_union(process, parent_process)) > 1');
    expect(codes(diagnostics)).toContain('BE002');
  });

  it('eventstats by a multivalue field joins on its text (lossy), never on a dynamic column', { timeout: SLOW }, () => {
    const { text, diagnostics } = render('| table host user process | stats values(*) as * by host | eventstats dc(process) as n by user | where n > 1');
    expect(text).toContain('ruleport_lk_user = tostring(user)');
    expect(text).toContain('dc');
    expect(codes(diagnostics)).toContain('BE002');
  });

  it('stats by a multivalue field expands it first', { timeout: SLOW }, () => {
    const { text } = render('| table host user | stats values(user) as user by host | stats count by user');
    expect(text).toContain('| mv-expand user to typeof(string)\n// Splunk drops events whose by-field is missing; KQL would group them under ""\n| where isnotempty(user)\n| summarize count = count() by user');
  });

  it('an explicit output wins over values(*) (no column assigned twice), earliest(x) via arg_min', { timeout: SLOW }, () => {
    const { text, diagnostics } = render('| table _time host user | stats values(*) as *, earliest(_time) as _time, earliest(user) as first_user by host');
    expect(text).toContain('_time = min(_time)');
    expect(text).toContain('(ruleport_t_2, first_user) = arg_min(iff(isnotempty(user), _time, datetime(null)), user)');
    expect(codes(diagnostics)).not.toContain('BE001');
  });
});

describe('kql: rex', () => {
  it('named groups are extracted with capturing groups in the Rust pattern', { timeout: SLOW }, () => {
    const { text } = render('| rex field=process "(?i)-enc(oded)? (?<payload>[A-Za-z0-9+/=]+)(?<tail>.*)" | table payload tail');
    expect(text).toContain('payload = extract(@"(?i)-enc(?:oded)? ((?-i:[+/-9=A-Za-z])+)(.*)", 1, process)');
    expect(text).toContain('tail = extract(@"(?i)-enc(?:oded)? ((?-i:[+/-9=A-Za-z])+)(.*)", 2, process)');
  });

  it('an existing field keeps its value when the regex does not match', { timeout: SLOW }, () => {
    const { text } = render('| rex field=process "u=(?<user>\\w+)" | table user');
    expect(text).toContain('user = iff(process matches regex @"u=(?:[0-9A-Z_a-z]+)", extract(@"u=([0-9A-Z_a-z]+)", 1, process), user)');
  });

  it('max_match=0 collects every match with extract_all', { timeout: SLOW }, () => {
    const { text } = render('| rex field=process max_match=0 "x(?<xs>\\d+)" | table xs');
    expect(text).toContain('xs = coalesce(extract_all(@"x([0-9]+)", process), dynamic([]))');
  });

  it('max_match with a regex that can match the empty string is BE001 (extract_all moves on after an empty match, PCRE retries)', { timeout: SLOW }, () => {
    const { text, diagnostics } = render('| rex field=process max_match=0 "(?<xs>\\d*)" | table process, xs');
    expect(diagnostics.filter((d) => d.code === 'BE001').map((d) => d.message)).toEqual([
      "rex max_match=0 with a regex that can match the empty string: after an empty match PCRE retries at the same place for a non-empty one, which KQL's extract_all cannot",
    ]);
    expect(text).not.toMatch(/xs = /);
  });

  it('mode=sed without g replaces the first match only', { timeout: SLOW }, () => {
    const first = render('| rex field=process mode=sed "s/(a)b/\\1c/" | table process');
    expect(first.text).toContain('replace_regex(process, @"^(?s:(.*?))(?:(a)b)", "\\\\1\\\\2c")');
    const all = render('| rex field=process mode=sed "s/a/b/g" | table process');
    expect(all.text).toContain('replace_regex(process, @"a", "b")');
  });

  it('rustCapturing keeps only the selected groups, numbered in order', () => {
    const c = rustCapturing('(a)(?<x>b)(?<y>c(?<z>d))', (g) => g.name === 'y' || g.name === 'z');
    expect(c?.pattern).toBe('(?:a)(?:b)(c(d))');
    expect([...(c?.index ?? [])]).toEqual([['y', 1], ['z', 2]]);
  });
});

describe('kql: enrich, sort, fillnull, streamstats', () => {
  it('iplocation is geo_info_from_ip_address (lossy: different geo data)', { timeout: SLOW }, () => {
    const { text, diagnostics } = render('| iplocation prefix=src_ src_ip | table src_City src_Country src_lat');
    expect(text).toContain('| extend ruleport_geo = geo_info_from_ip_address(src_ip)');
    expect(text).toContain('src_City = tostring(ruleport_geo.city)');
    expect(text).toContain('src_lat = toreal(ruleport_geo.latitude)');
    expect(codes(diagnostics)).toContain('BE002');
  });

  it('lookup dnslookup leaves its outputs empty: narrower when a later test reads them', { timeout: SLOW }, () => {
    const shown = render('| lookup dnslookup clientip as src_ip OUTPUT clienthost as src_dns | table src_dns');
    expect(shown.text).toContain('| extend src_dns = ""');
    expect(shown.diagnostics.find((d) => d.code === 'BE002')?.direction).toBeUndefined();
    const tested = render('| lookup dnslookup clientip as src_ip OUTPUT clienthost as src_dns | where isnotnull(src_dns)');
    expect(tested.diagnostics.find((d) => d.code === 'BE002')?.direction).toBe('narrower');
  });

  it('other lookup tables are unsupported, naming the table', { timeout: SLOW }, () => {
    const { diagnostics } = render('| lookup my_allowlist host OUTPUT allowed');
    expect(diagnostics.find((d) => d.code === 'BE001')?.message).toContain("'my_allowlist'");
  });

  it('sort spells asc/desc, missing values last, and a limit', { timeout: SLOW }, () => {
    const { text } = render('| sort 5 - process_id, + user');
    expect(text).toContain('| sort by ');
    expect(text).toContain('isempty(user) asc');
    expect(text).toContain('desc');
    expect(text).toContain('| take 5');
  });

  it('fillnull of listed fields', { timeout: SLOW }, () => {
    const { text } = render('| table user host | fillnull value=NA user other');
    expect(text).toContain('user = iff(isempty(user), "NA", user)');
    expect(text).toContain('other = "NA"');
  });

  it('streamstats is unsupported with its span', { timeout: SLOW }, () => {
    const { diagnostics } = render('| streamstats dc(process) as n by host');
    const d = diagnostics.find((x) => x.code === 'BE001');
    expect(d?.message).toContain('streamstats');
    expect(d?.span).not.toBeNull();
  });

  it('streamstats with a window is unsupported too, and says which window', { timeout: SLOW }, () => {
    const { diagnostics } = render('| sort 0 user, _time | streamstats window=1 current=f values(_time) as last_time by user');
    const d = diagnostics.find((x) => x.code === 'BE001');
    expect(d?.message).toContain('streamstats window=1 current=f values(_time) as last_time by user');
  });

  it('a streamstats whose by-field an earlier stage removed adds nothing, exactly (no row has a group)', { timeout: SLOW }, () => {
    const { text, diagnostics } = render('| table _time, host | streamstats window=2 range(_time) as d by user | where isnotnull(d)');
    expect(codes(diagnostics)).not.toContain('BE001');
    // d is never set, so isnotnull(d) keeps no row.
    expect(text.trimEnd().split('\n').slice(-2)).toEqual(['| project _time = TimeGenerated, host = Computer', '| where false']);
  });

  it('two wildcards naming the same stats output assign it once (KQL rejects a column declared twice)', { timeout: SLOW }, () => {
    const { text } = render('| eval last_src_ip=src_ip | table host, src_ip, last_src_ip | stats values(*) as * values(*src_ip) as *src_ip by host');
    const summarize = text.split('\n').find((l) => l.startsWith('| summarize')) ?? '';
    expect(summarize.match(/ src_ip = /g)).toHaveLength(1);
    expect(summarize.match(/ last_src_ip = /g)).toHaveLength(1);
  });

  it('current=f is not the "each row is its own group" shape after stats', { timeout: SLOW }, () => {
    const own = render('| stats count by host | streamstats count as n by host');
    expect(codes(own.diagnostics)).not.toContain('BE001');
    const before = render('| stats count by host | streamstats current=f count as n by host');
    expect(codes(before.diagnostics)).toContain('BE001');
  });
});
