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
  // streamstats options: only those differing from Splunk's defaults are printed; global only
  // means something with a window, so without one it is dropped.
  ['| streamstats window=2 range(_time) as d by host', 'eq(EventCode, "1") ; streamstats(range(_time) -> d; by host; window 2)'],
  ['| streamstats window=1 current=f values(_time) as last_time by user', 'eq(EventCode, "1") ; streamstats(values(_time) -> last_time; by user; window 1; current=f)'],
  ['| streamstats window=3 global=false count by user', 'eq(EventCode, "1") ; streamstats(count() -> count; by user; window 3 per group)'],
  ['| streamstats global=f current=false reset_on_change=true count', 'eq(EventCode, "1") ; streamstats(count() -> count; current=f; reset_on_change)'],
  ['| streamstats window=0 current=t count', 'eq(EventCode, "1") ; streamstats(count() -> count)'],
  // eval math used by the Armory's distance computations.
  ['| eval a=atan2(y, x), b=asin(1), c=acos(0), d=atan(1), e=pi()*2', 'eq(EventCode, "1") ; eval(a = atan2(y, x), b = asin(1), c = acos(0), d = atan(1), e = *(pi(), 2))'],
  ['| eval s=sqrt(exp(ln(x))) + pow(sin(x), 2) + cos(x) + tan(x) + log(x, 2) + abs(floor(ceil(x)))', 'eq(EventCode, "1") ; eval(s = +(+(+(+(+(sqrt(exp(ln(x))), pow(sin(x), 2)), cos(x)), tan(x)), log(x, 2)), abs(floor(ceiling(x)))))'],
  // foreach: the template once per field named earlier whose name matches, in name order.
  ['| eval loc_b=y, loc_a=lower(x), other=z | foreach loc_* [ eval <<FIELD>> = upper(<<FIELD>>) ]', 'eq(EventCode, "1") ; eval(loc_b = y, loc_a = lower(x), other = z) ; eval(loc_a = upper(loc_a)) ; eval(loc_b = upper(loc_b))'],
  ['| rex field=p "(?<k_one>\\w+)" | foreach k_* [ | eval v_<<MATCHSTR>> = <<FIELD>> ]', 'eq(EventCode, "1") ; rex(p, "(?<k_one>\\\\w+)" -> k_one) ; eval(v_one = k_one)'],
  ['| rex field=p "(?<old_a>\\w+),(?<old_b>\\w+)" | foreach old_* [ rex field=<<FIELD>> mode=sed "s/(\\,|\\])//g"]', 'eq(EventCode, "1") ; rex(p, "(?<old_a>\\\\w+),(?<old_b>\\\\w+)" -> old_a, old_b) ; rex_sed(old_a, "(\\\\,|\\\\])" -> "", g) ; rex_sed(old_b, "(\\\\,|\\\\])" -> "", g)'],
  // fieldstr= after the field list names another placeholder.
  ['| eval n_a=1 | foreach n_* fieldstr="#f#" [eval #f# = #f# + 1]', 'eq(EventCode, "1") ; eval(n_a = 1) ; eval(n_a = +(n_a, 1))'],
  // A field removed before the foreach is not iterated; a renamed one is, under its new name.
  ['| eval a_ip=1 | rename *_ip as *_addr | foreach *_addr [eval <<FIELD>>=2]', 'eq(EventCode, "1") ; eval(a_ip = 1) ; rename(*_ip -> *_addr) ; eval(a_addr = 2)'],
  ['| eval a_1=x, a_2=y | fields - a_1 | rename a_2 as a_3 | foreach a_* [eval <<FIELD>>=1]', 'eq(EventCode, "1") ; eval(a_1 = x, a_2 = y) ; project_remove(a_1) ; rename(a_2 -> a_3) ; eval(a_3 = 1)'],
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
  it('a streamstats option ruleport has no meaning for is reported, not guessed', () => {
    const r = splRule(SRC + '| streamstats time_window=1h count by host');
    expect(r.detection).toBeUndefined();
    expect(r.diagnostics.find((d) => d.code === 'SPL102')?.message).toContain('time_window=');
  });
  it.each([
    ['| streamstats window=x count', 'window=x'],
    ['| streamstats current=maybe count', 'current=maybe'],
  ])('a malformed streamstats option is a located SPL005: %s', (spl, text) => {
    const r = splRule(SRC + spl);
    expect(r.detection).toBeUndefined();
    const d = r.diagnostics.find((x) => x.code === 'SPL005');
    expect(d?.message).toContain(text);
    expect(d && (SRC + spl).slice(d.span?.start, d.span?.end)).toBe(text);
  });
});

describe('foreach', () => {
  it('expanded commands keep spans in the rule text: a substituted name points at its placeholder', () => {
    const spl = SRC + '| eval loc_a=x | foreach loc_* [ eval <<FIELD>> = upper(<<FIELD>>) ]';
    const r = splRule(spl);
    const st = r.detection?.stages[1];
    if (st?.kind !== 'eval') throw new Error('expected an eval stage');
    const a = st.assignments[0];
    expect(spl.slice(a?.field.span.start, a?.field.span.end)).toBe('<<FIELD>>');
    expect(a && spl.slice(a.expr.span.start, a.expr.span.end)).toBe('upper(<<FIELD>>)');
    expect(spl.slice(st.span.start, st.span.end)).toBe('eval <<FIELD>> = upper(<<FIELD>>)');
    const note = r.diagnostics.find((d) => d.code === 'SPL120');
    expect(note?.severity).toBe('info');
    expect(note?.message).toContain('expanded over loc_a');
    expect(note?.message).toContain('not known statically');
  });
  it('no field named before it matches: a warning, and nothing is expanded', () => {
    const r = splRule(SRC + '| foreach *location [ eval <<FIELD>> = 1 ]');
    expect(r.detection?.stages).toEqual([]);
    const d = r.diagnostics.find((x) => x.code === 'SPL120');
    expect(d?.severity).toBe('warning');
    expect(d?.message).toContain('no field named earlier');
  });
  it('an error inside the template is located in the template', () => {
    const spl = SRC + '| eval k_a=1 | foreach k_* [ eval <<FIELD>> = ]';
    const r = splRule(spl);
    expect(r.detection).toBeUndefined();
    const d = r.diagnostics.find((x) => x.severity === 'error');
    expect(d?.message).toContain('in foreach over k_a');
    expect(d?.span && d.span.start >= spl.indexOf('[')).toBe(true);
  });
  it.each([
    ['| eval a_x=1 | foreach mode=multivalue a_x [ eval <<ITEM>> = 1 ]', 'mode=multivalue'],
    ['| eval a_x_y=1 | foreach a_*_* [ eval b_<<MATCHSTR>> = 1 ]', 'exactly one'],
  ])('unsupported forms are located SPL102: %s', (spl, text) => {
    const r = splRule(SRC + spl);
    expect(r.detection).toBeUndefined();
    expect(r.diagnostics.find((d) => d.code === 'SPL102')?.message).toContain(text);
  });
});
