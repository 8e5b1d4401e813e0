/** ES|QL: eval expressions, `cond` filters and the stages added for issue 5, one table each. */
import { describe, expect, it } from 'vitest';
import { strftimeToJava, javaReplacement } from '../../src/backends/elastic-esql-eval.js';
import { renderBackend } from '../../src/pipeline.js';
import { checkEsql } from '../support/esql-grammar.js';
import { splRule } from '../support/rules.js';

const PREFIX = '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 ';

function esql(spl: string): { text: string; codes: string[]; directions: (string | undefined)[] } {
  const r = splRule(PREFIX + spl);
  if (!r.detection) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  const out = renderBackend(r.detection, 'esql');
  if (out.text === null) throw new Error('no text');
  checkEsql(out.text);
  return { text: out.text, codes: out.diagnostics.map((d) => d.code), directions: out.diagnostics.map((d) => d.direction) };
}

describe('esql: eval expressions (Splunk semantics)', () => {
  it.each([
    ['eval x=if(len(process)>100, "long", "short")', '| EVAL x = CASE(LENGTH(process.command_line) > 100, "long", "short")'],
    ['eval x=coalesce(user, "none")', '| EVAL x = COALESCE(user.name, "none")'],
    ['eval x=lower(process_name)', '| EVAL x = TO_LOWER(process.name)'],
    ['eval x=upper(process_name)', '| EVAL x = TO_UPPER(process.name)'],
    ['eval x=process_name."-".process_id', '| EVAL x = CONCAT(CONCAT(process.name, "-"), TO_STRING(process.pid))'],
    // Splunk divides as real numbers; ES|QL would truncate integer division.
    ['eval x=process_id/2', '| EVAL x = TO_DOUBLE(process.pid) / 2'],
    ['eval x=round(process_id/3, 2)', '| EVAL x = ROUND(TO_DOUBLE(process.pid) / 3, 2)'],
    ['eval x=floor(process_id), y=ceiling(process_id), z=abs(process_id)', '| EVAL x = FLOOR(process.pid), y = CEIL(process.pid), z = ABS(process.pid)'],
    ['eval x=mvcount(process), y=mvindex(process, 0, 1)', '| EVAL x = MV_COUNT(process.command_line), y = MV_SLICE(process.command_line, 0, 1)'],
    ['eval x=mvappend(process, parent_process, "z")', '| EVAL x = MV_APPEND(MV_APPEND(process.command_line, process.parent.command_line), "z")'],
    ['eval x=substr(process, 1, 5)', '| EVAL x = SUBSTRING(process.command_line, 1, 5)'],
    ['eval x=split(process, " ")', '| EVAL x = SPLIT(process.command_line, " ")'],
    ['eval x=strftime(_time, "%Y-%m-%d %H:%M:%S")', `| EVAL x = DATE_FORMAT("yyyy-MM-dd HH:mm:ss", @timestamp)`],
    ['eval x=now()', '| EVAL x = TO_LONG(NOW()) / 1000'],
    ['eval a=process_id, b=a+1', '| EVAL a = process.pid, b = a + 1'],
    ['eval x=asin(process_id), y=acos(process_id), z=atan(process_id)', '| EVAL x = ASIN(process.pid), y = ACOS(process.pid), z = ATAN(process.pid)'],
    // Splunk's atan2(Y, X) and ES|QL's ATAN2(y, x) both take Y first.
    ['eval x=atan2(process_id, 2), y=exp(process_id), z=sin(process_id)', '| EVAL x = ATAN2(process.pid, 2), y = EXP(process.pid), z = SIN(process.pid)'],
  ])('%s', (spl, line) => {
    expect(esql(`| ${spl}`).text.split('\n')).toContain(line);
  });

  it.each([
    ['eval x=mvfilter(match(process, "a") OR match(user, "b"))', 'BE001'],
    ['eval x=relative_time(now(), "-1d")', 'BE001'],
    ['eval x=substr(process, 0, 5)', 'BE001'],
  ])('%s is unsupported, located', (spl, code) => {
    const out = esql(`| ${spl}`);
    expect(out.codes).toContain(code);
    expect(out.text).toContain('// note: not expressed: eval x');
  });

  it('mvfilter: CASE over the one field it tests (narrower: a multivalue field becomes null)', () => {
    const out = esql('| eval x=mvfilter(match(process, "a"))');
    expect(out.text).toContain('| EVAL x = CASE(process.command_line RLIKE ".*a.*", process.command_line, null)\n');
    expect(out.codes).toEqual(['BE002']);
    expect(out.directions).toEqual(['narrower']);
  });

  it('strftime formats and sed replacements convert to Java', () => {
    expect(strftimeToJava('%d/%b/%Y:%T')).toBe('dd/MMM/yyyy:HH:mm:ss');
    expect(strftimeToJava("at %H o'clock")).toBe("'at' HH 'o''clock'");
    expect(strftimeToJava('%s')).toBeNull();
    expect(javaReplacement('\\1-$x')).toBe('$1-\\$x');
  });
});

describe('esql: where conditions (IR cond)', () => {
  it.each([
    ['where len(process) > 100', '| WHERE LENGTH(process.command_line) > 100'],
    ['where mvcount(process) > 2', '| WHERE MV_COUNT(process.command_line) > 2'],
    ['where like(lower(process), "%-enc%")', '| WHERE TO_LOWER(process.command_line) LIKE "*-enc*"'],
    ['where coalesce(user, "x") = "x"', '| WHERE COALESCE(user.name, "x") == "x"'],
  ])('%s', (spl, line) => {
    expect(esql(`| ${spl}`).text.split('\n')).toContain(line);
  });

  it('where NOT keeps Splunk\'s three-valued logic: a null test stays null and the row is dropped', () => {
    // The normalizer keeps the NOT inside the eval expression (cond(NOT ...)); ES|QL's NOT of a
    // null comparison is null too, so WHERE drops rows without the field, as Splunk does.
    expect(esql('| where NOT (len(process) > 100)').text).toContain('| WHERE NOT (LENGTH(process.command_line) > 100)\n');
  });

  it('relaxes raw-event searches (wider) instead of failing', () => {
    const out = esql('mimikatz process_name=a.exe');
    expect(out.codes).toContain('BE006');
    expect(out.codes).not.toContain('BE005');
    expect(out.directions).toContain('wider');
    expect(out.text).toContain('// note: lossy (wider): raw-event search mimikatz');
  });
});

describe('esql: stages', () => {
  it('sort: SORT … NULLS LAST plus the sort limit', () => {
    const out = esql('| sort 20 - process_id, process_name');
    expect(out.text).toContain('| SORT process.pid DESC NULLS LAST, process.name ASC NULLS LAST\n| LIMIT 20\n');
    expect(out.codes).toContain('BE002'); // process_name: Splunk's auto order differs on keywords
  });

  it('fillnull: COALESCE per field; all fields once the columns are known', () => {
    expect(esql('| fillnull value=NA user').text).toContain('| EVAL user = COALESCE(user.name, "NA")');
    expect(esql('| fillnull').codes).toContain('BE001');
    expect(esql('| table user, process_id | fillnull value=0').text).toContain('| EVAL user = COALESCE(user, "0"), process_id = COALESCE(process_id, 0)');
  });

  it('rex: GROK in Oniguruma syntax with PCRE meaning, sed: REPLACE (lossy), _raw: event.original', () => {
    // \w is ASCII in PCRE but Unicode-aware in joni over UTF-8: spelled as an ASCII class. flag is
    // no field of Sysmon, so a non-matching row has nothing to keep: exact.
    const grok = esql('| rex field=process "(?<flag>-\\w+)" | table flag');
    expect(grok.text).toContain('| GROK process.command_line "(?<flag>-[0-9A-Z_a-z]+)"\n| KEEP flag\n');
    expect(grok.codes).toEqual([]);
    // process_name is a Sysmon field: where the regex misses, GROK nulls it, Splunk keeps it.
    const over = esql('| rex field=process "(?<process_name>\\S+)"');
    expect(over.text).toContain('| GROK process.command_line """(?<process_name>[^\\t\\n\\x{0B}\\f\\r ]+)"""');
    expect(over.codes).toEqual(['BE002']);
    expect(over.directions).toEqual(['narrower']);
    // max_match=0 collects every match; GROK takes the first.
    const all = esql('| rex field=process max_match=0 "(?<flag>-[a-z]+)"');
    expect(all.codes).toEqual(['BE002']);
    expect(all.directions).toEqual(['narrower']);
    // Anchors: PCRE's ^ and $ are Ruby's \A and \Z; (?i) becomes explicit ASCII sets.
    expect(esql('| rex field=process "(?i)^(?<x>ab)$"').text).toContain('| GROK process.command_line """\\A(?<x>[Aa][Bb])\\Z"""');
    // `\\R` is an escaped backslash and an R, not PCRE's \R newline escape.
    // (SPL unescapes `\\\\` to `\\`, so the regex is `Run\\Run`.)
    expect(esql('| rex field=process "(?<k>Run\\\\\\\\Run)"').text).toContain('| GROK process.command_line """(?<k>Run\\\\Run)"""');
    // A numbered backreference cannot work: with named groups Ruby's plain groups do not capture.
    expect(esql('| rex field=process "(?<x>(a)\\1)"').codes).toContain('BE001');
    const sed = esql('| rex field=process mode=sed "s/\\s+/ /g"');
    // (?d): Java's UNIX_LINES, so only \n ends a line for `.`, `^` and `$`, as in PCRE. Exact.
    expect(sed.text).toContain('| EVAL process = REPLACE(process.command_line, """(?d)\\s+""", " ")');
    expect(sed.codes).toEqual([]);
    // Java's \b follows Unicode letters before JDK 19: PCRE's ASCII boundary is spelled out.
    expect(esql('| rex field=process mode=sed "s/\\bx//g"').text).toContain(
      '| EVAL process = REPLACE(process.command_line, "(?d)(?:(?<=[0-9A-Z_a-z])(?![0-9A-Z_a-z])|(?<![0-9A-Z_a-z])(?=[0-9A-Z_a-z]))x", "")',
    );
    // Java group names have no `_`; (?x) and (?U) mean other things in Java.
    expect(esql('| rex field=process mode=sed "s/(?x) a b/c/g"').codes).toContain('BE001');
    expect(esql('| rex field=process mode=sed "s/a/b/"').codes).toContain('BE001');
    expect(esql('| rex "(?<x>\\d+)"').text).toContain('| GROK event.original');
  });

  it('stats earliest(_time)/latest(_time): the smallest/largest time (MIN/MAX); other fields stay BE001', () => {
    const out = esql('| stats earliest(_time) as t0, latest(_time) as t1 by host');
    expect(out.text).toContain('| STATS t0 = MIN(@timestamp), t1 = MAX(@timestamp) BY host = host.name\n');
    expect(out.codes).toEqual([]);
    expect(esql('| stats earliest(user) as u by host').codes).toContain('BE001');
    // An explicit aggregation wins over the wildcard's column of the same name (no duplicate).
    const both = esql('| table _time, host, user | stats values(*) as *, earliest(_time) as _time by host');
    expect(both.text).toContain('| STATS user = MV_SORT(VALUES(user)), _time = MIN(@timestamp) BY host\n');
  });

  it('table: a name the source lacks and the rule creates later is not in KEEP (ES|QL rejects unknown columns)', () => {
    const later = esql('| table host, src_ip, src_dns | lookup dnslookup clientip as src_ip OUTPUT clienthost as src_dns');
    expect(later.text).toContain('| EVAL host = host.name, src_ip = source.ip\n| KEEP host, src_ip\n');
    expect(later.text).toContain('// note: src_dns is not kept: the data source has no such field and the rule creates it later');
    // Read before it is made (coalesce): the rule expects it may exist, so it stays (kept as is, BE003).
    const read = esql('| table host, src_dns | eval src_dns=coalesce(src_dns, "x")');
    expect(read.text).toContain('| KEEP host, src_dns\n');
    expect(read.codes).toContain('BE003');
  });

  it('iplocation reads the ECS geo fields beside the address, also after stats', () => {
    const before = esql('| iplocation src_ip');
    expect(before.text).toContain('| EVAL City = source.geo.city_name, Country = source.geo.country_name, Region = source.geo.region_name, lat = ST_Y(source.geo.location), lon = ST_X(source.geo.location)');
    const after = esql('| table _time, host, src_ip | bin span=1s | stats values(*) as * by _time, host | iplocation prefix=src_ src_ip');
    expect(after.text).toContain('_geo_src_ip_Country = MV_SORT(VALUES(_geo_src_ip_Country))');
    expect(after.text).toContain('| EVAL src_City = _geo_src_ip_City');
    expect(after.codes).toContain('BE002');
    expect(after.codes).not.toContain('BE001');
  });

  it('lookup: LOOKUP JOIN on the key column, outputs renamed', () => {
    const out = esql('| lookup assets ip as src_ip OUTPUT owner as asset_owner');
    expect(out.text).toContain('| EVAL ip = source.ip\n| LOOKUP JOIN assets ON ip\n| EVAL asset_owner = owner\n');
    expect(out.codes).toContain('BE002');
    // Several matching rows give several result rows where Splunk builds one multivalue row.
    expect(out.directions[out.codes.indexOf('BE002')]).toBe('wider');
  });

  it('eventstats: INLINE STATS, by-key nulls kept out; streamstats: BE001', () => {
    const out = esql('| eventstats dc(process) as n by host | where n > 3');
    expect(out.text).toContain('| INLINE STATS n = COUNT_DISTINCT(process.command_line) BY host.name\n| EVAL n = CASE(host.name IS NULL, null, n)\n| WHERE n > 3');
    // A technical preview: older versions reject the query, which then finds nothing.
    expect(out.directions).toEqual(['narrower']);
    expect(esql('| streamstats count by host').codes).toContain('BE001');
    expect(esql('| streamstats window=2 current=f count by host').codes).toContain('BE001');
    // A by-field removed earlier: no row has a group, so nothing is added and nothing is lost.
    const none = esql('| table _time, host | streamstats window=2 count as n by user');
    expect(none.codes).not.toContain('BE001');
    expect(none.text).toContain('// note: streamstats window=2 count() as n by user: by-field user does not exist here, so nothing is added');
    // After a stats by the same fields every row is its own group: the running value is the row's.
    const single = esql('| table _time, host, process | stats values(process) as process by host | streamstats dc(process) as n, count by host');
    expect(single.text).toContain('BY host\n// `streamstats dc(process) as n, count() as count by host`: each row is its own group after the stats by the same fields, so the running value is the row\'s own\n| EVAL n = COALESCE(MV_COUNT(MV_DEDUPE(process)), 0), count = 1\n');
    expect(single.codes).toEqual([]);
    // Grouped differently from the stats, or other functions: running values, BE001.
    expect(esql('| stats values(process) as process by host, user | streamstats dc(process) as n by host').codes).toContain('BE001');
    expect(esql('| stats values(process) as process, values(user) as user by host | streamstats dc(process) as n by host, user').codes).toContain('BE001');
    expect(esql('| stats values(process_id) as p by host | streamstats max(p) as n by host').codes).toContain('BE001');
    // current=f: the row is left out, so its single-row group has nothing to aggregate.
    expect(esql('| stats values(process) as process by host | streamstats current=f dc(process) as n by host').codes).toContain('BE001');
  });
});
