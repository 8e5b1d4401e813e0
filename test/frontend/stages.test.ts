import { describe, expect, it } from 'vitest';
import { printExpr, printStage } from '../../src/ir/print.js';
import { splRule } from '../support/rules.js';

const SRC = '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 ';

// SPL pipeline -> canonical printed IR (filter ; stages), one row per construct.
const CASES: [string, string][] = [
  ['| eval x=lower(process), y=x."!"', 'eq(EventCode, "1") ; eval(x = lower(process), y = .(x, "!"))'],
  ['| eval mb=bytes/1024/1024', 'eq(EventCode, "1") ; eval(mb = /(/(bytes, 1024), 1024))'],
  ['| eval u=\'target{}.alternateId\'', 'eq(EventCode, "1") ; eval(u = target{}.alternateId)'],
  ['| eval d=if(match(t, "\\d+"), t, null())', 'eq(EventCode, "1") ; eval(d = if(match(t, "\\\\d+"), t, null))'],
  ['| rex field=process "(?<user>\\w+)@(?<host>\\S+)"', 'eq(EventCode, "1") ; rex(process, "(?<user>\\\\w+)@(?<host>\\\\S+)" -> user, host)'],
  ['| rex field=_raw (?<s>"(?i)abc")', 'eq(EventCode, "1") ; rex(_raw, "(?<s>(?i)abc)" -> s)'],
  ['| rex field=process "(?i)x=(?<p>.+?\\.exe")', 'eq(EventCode, "1") ; rex(process, "(?i)x=(?<p>.+?\\\\.exe)" -> p)'],
  ['| rex field=process max_match=0 "(?<a>\\d)"', 'eq(EventCode, "1") ; rex(process, "(?<a>\\\\d)" -> a; max 0)'],
  ['| rex field=process mode=sed "s/\\s+/ /g"', 'eq(EventCode, "1") ; rex_sed(process, "\\\\s+" -> " ", g)'],
  ['| lookup dnslookup clientip as src_ip OUTPUT clienthost as src_dns', 'eq(EventCode, "1") ; lookup(dnslookup; src_ip=clientip -> clienthost as src_dns)'],
  ['| lookup t k OUTPUTNEW v', 'eq(EventCode, "1") ; lookup(t; k=k -> v; new only)'],
  ['| iplocation prefix="src_" src_ip', 'eq(EventCode, "1") ; iplocation(geoip; src_ip=ip -> City as src_City, Country as src_Country, Region as src_Region, lat as src_lat, lon as src_lon)'],
  ['| sort - count', 'eq(EventCode, "1") ; sort(-count; limit 10000)'],
  ['| sort 0 user, -_time', 'eq(EventCode, "1") ; sort(+user, -_time; limit 0)'],
  ['| sort num(x) desc', 'eq(EventCode, "1") ; sort(-num:x; limit 10000)'],
  ['| fillnull value=- a b', 'eq(EventCode, "1") ; fillnull("-"; a, b)'],
  ['| fillnull', 'eq(EventCode, "1") ; fillnull("0")'],
  ['| streamstats dc(process) as n by host', 'eq(EventCode, "1") ; streamstats(dc(process) -> n; by host)'],
  ['| eventstats c(process) as c_process by process', 'eq(EventCode, "1") ; eventstats(count(process) -> c_process; by process)'],
  // where is three-valued: a test on a missing field is null, NOT null is null, the row is dropped.
  ['| where match(a, "x") and !match(b, "y")', 'and(eq(EventCode, "1"), regex(a, "x"), exists(b), not(regex(b, "y")))'],
  ['| where NOT (a="x" OR b="y")', 'and(eq(EventCode, "1"), exists(a), not(eq_cs(a, "x")), exists(b), not(eq_cs(b, "y")))'],
  ['| where NOT isnull(b)', 'and(eq(EventCode, "1"), exists(b))'],
  ['| where NOT (len(x) > 100)', 'and(eq(EventCode, "1"), cond(NOT(>(len(x), 100))))'],
  ['| where NOT NOT a="x"', 'and(eq(EventCode, "1"), eq_cs(a, "x"))'],
  ['| where match (a, "x") or isnotnull(b)', 'and(eq(EventCode, "1"), or(regex(a, "x"), exists(b)))'],
  ['| where a=b', 'and(eq(EventCode, "1"), cond(=(a, b)))'],
  ['| where len(process) > 100', 'and(eq(EventCode, "1"), cond(>(len(process), 100)))'],
  ['| where cidrmatch("10.0.0.0/8", src_ip)', 'and(eq(EventCode, "1"), cidr(src_ip, 10.0.0.0/8))'],
  ['src_ip IN (10.0.0.0/8, 192.168.1.1)', 'and(eq(EventCode, "1"), or(cidr(src_ip, 10.0.0.0/8), eq(src_ip, "192.168.1.1")))'],
  ['"userIdentity.type"=IAMUser', 'and(eq(EventCode, "1"), eq(userIdentity.type, "IAMUser"))'],
  ['| search count>5', 'and(eq(EventCode, "1"), cmp(count > 5))'],
  ['| stats count by host | search count>5', 'eq(EventCode, "1") ; stats(count() -> count; by host) ; filter(cmp(count > 5))'],
];

function printed(spl: string): string {
  const r = splRule(SRC + spl);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (!r.detection) return `ERROR ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`;
  return [printExpr(r.detection.filter), ...r.detection.stages.map(printStage)].join(' ; ');
}

describe('normalizer: commands to IR stages', () => {
  it.each(CASES)('%s', (spl, expected) => {
    expect(printed(spl)).toBe(expected);
  });
});

describe('macros with arguments expand in place', () => {
  it('a streamstats with options is reported, not guessed', () => {
    const r = splRule(SRC + '| streamstats window=2 range(_time) as d by host');
    expect(r.detection).toBeUndefined();
    expect(r.diagnostics.find((d) => d.code === 'SPL102')?.message).toContain('window=');
  });
});
