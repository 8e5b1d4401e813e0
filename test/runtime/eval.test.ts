import { describe, expect, it } from 'vitest';
import type { ValueExpr, ValueOp } from '../../src/ir/types.js';
import {
  cidrTester,
  compileCondition,
  compileValueExpr,
  EVAL_FUNCTIONS,
  relativeTime,
  strftime,
  strptime,
  type EvalValue,
} from '../../src/runtime/eval.js';
import type { Row } from '../../src/runtime/index.js';

const span = { start: 0, end: 0 };
type Arg = ValueExpr | string | number | boolean | null;
const wrap = (a: Arg): ValueExpr => (a !== null && typeof a === 'object' ? a : { kind: 'literal', value: a, span });
const f = (name: string): ValueExpr => ({ kind: 'field', name, span });
const call = (fn: string, ...args: Arg[]): ValueExpr => ({ kind: 'call', fn, args: args.map(wrap), span });
const op = (o: ValueOp, ...args: Arg[]): ValueExpr => ({ kind: 'op', op: o, args: args.map(wrap), span });

/** Fixed clock: 2023-11-14T22:13:20.250Z. */
const CLOCK = 1700000000.25;
const run = (e: ValueExpr, row: Row = {}): EvalValue => compileValueExpr(e, { clock: () => CLOCK })(row);

type Case = readonly [label: string, expr: ValueExpr, row: Row, expected: EvalValue];

function table(cases: readonly Case[]): void {
  it.each(cases.map((c) => ({ label: c[0], expr: c[1], row: c[2], expected: c[3] })))('$label', ({ expr, row, expected }) => {
    const got = run(expr, row);
    if (typeof expected === 'number' && !Number.isInteger(expected)) expect(got).toBeCloseTo(expected, 10);
    else expect(got).toEqual(expected);
  });
}

const ROW: Row = {
  s: 'Hello World',
  n: '42',
  x: 7,
  neg: -3.5,
  mv: ['b', 'a', 'c', 'a'],
  ip: '10.1.2.3',
  ip6: '2001:db8::1',
  url: 'http%3A%2F%2Fwww.splunk.com%2Fdownload%3Fr%3Dheader',
  path: 'C:\\Windows\\System32\\cmd.exe',
  one: ['only'],
};

describe('operators', () => {
  table([
    ['+ adds numbers', op('+', 1, 2), {}, 3],
    ['+ adds numeric-looking field strings', op('+', f('n'), 1), ROW, 43],
    ['+ concatenates two strings', op('+', 'a', 'b'), {}, 'ab'],
    ['+ of number and word is null', op('+', 'a', 1), {}, null],
    ['- subtracts', op('-', f('x'), 10), ROW, -3],
    ['* multiplies', op('*', f('x'), f('n')), ROW, 294],
    ['/ divides to a fraction', op('/', 7, 2), {}, 3.5],
    ['/ by zero is null', op('/', 7, 0), {}, null],
    ['% is the remainder', op('%', 7, 3), {}, 1],
    ['neg', op('neg', f('neg')), ROW, 3.5],
    ['. concatenates with numbers', op('.', f('s'), '-', f('x')), ROW, 'Hello World-7'],
    ['. with a null operand is null', op('.', f('s'), f('missing')), ROW, null],
    ['= is case-sensitive', op('=', f('s'), 'hello world'), ROW, false],
    ['= exact', op('=', f('s'), 'Hello World'), ROW, true],
    ['= numeric when both sides are numeric', op('=', f('n'), 42.0), ROW, true],
    ['= numeric: "42" vs "42.0"', op('=', f('n'), '42.0'), ROW, true],
    ['= strings are not wildcards', op('=', f('s'), 'Hello*'), ROW, false],
    ['!=', op('!=', f('x'), 8), ROW, true],
    ['< numeric (9 < 10)', op('<', 9, f('ten')), { ten: '10' }, true],
    ['< lexicographic when not both numeric', op('<', 'B', 'a'), {}, true],
    ['>= numeric field', op('>=', f('x'), 7), ROW, true],
    ['LIKE % and _', op('LIKE', f('s'), 'H_llo%'), ROW, true],
    ['LIKE is case-sensitive', op('LIKE', f('s'), 'hello%'), ROW, false],
    ['LIKE whole value', op('LIKE', f('s'), 'World'), ROW, false],
  ]);
});

describe('null propagation', () => {
  table([
    ['missing field is null', f('missing'), {}, null],
    ['arithmetic', op('+', f('missing'), 1), {}, null],
    ['comparison', op('=', f('missing'), 'x'), {}, null],
    ['!= with null', op('!=', f('missing'), 'x'), {}, null],
    ['< with null', op('<', f('missing'), 5), {}, null],
    ['lower(null)', call('lower', f('missing')), {}, null],
    ['len(null)', call('len', f('missing')), {}, null],
    ['match(null, re)', call('match', f('missing'), 'a'), {}, null],
    ['NOT null', op('NOT', op('=', f('missing'), 1)), {}, null],
    ['empty multivalue is null', f('e'), { e: [] }, null],
    ['one-element multivalue reads as scalar', op('=', f('one'), 'only'), ROW, true],
  ]);

  it('where keeps a row only on exactly true', () => {
    const cond = compileCondition(op('NOT', op('=', f('a'), 'x')));
    expect(cond({ a: 'y' })).toBe(true);
    expect(cond({ a: 'x' })).toBe(false);
    expect(cond({})).toBe(false); // NOT null is null -> dropped
  });
});

describe('three-valued logic', () => {
  const T = op('=', 1, 1);
  const F = op('=', 1, 2);
  const N = op('=', f('missing'), 1);
  table([
    ['T AND N = N', op('AND', T, N), {}, null],
    ['F AND N = F', op('AND', F, N), {}, false],
    ['N AND F = F', op('AND', N, F), {}, false],
    ['T AND T = T', op('AND', T, T), {}, true],
    ['T OR N = T', op('OR', T, N), {}, true],
    ['N OR T = T', op('OR', N, T), {}, true],
    ['F OR N = N', op('OR', F, N), {}, null],
    ['F OR F = F', op('OR', F, F), {}, false],
    ['T XOR F = T', op('XOR', T, F), {}, true],
    ['T XOR T = F', op('XOR', T, T), {}, false],
    ['T XOR N = N', op('XOR', T, N), {}, null],
    ['NOT T = F', op('NOT', T), {}, false],
    ['NOT F = T', op('NOT', F), {}, true],
    ['AND on a non-boolean is null', op('AND', T, 'x'), {}, null],
  ]);
});

describe('multivalue comparisons (any value)', () => {
  table([
    ['= true if any value matches', op('=', f('mv'), 'c'), ROW, true],
    ['= false if none matches', op('=', f('mv'), 'z'), ROW, false],
    ['!= true if any value differs', op('!=', f('mv'), 'a'), ROW, true],
    ['!= false when all equal', op('!=', f('m2'), 'a'), { m2: ['a', 'a'] }, false],
    ['> any', op('>', f('nums'), 5), { nums: ['1', '9'] }, true],
    ['match any value', call('match', f('mv'), '^c$'), ROW, true],
    ['like any value', call('like', f('mv'), 'b%'), ROW, true],
    ['arithmetic on multivalue is null', op('+', f('mv'), 1), ROW, null],
    ['lower on multivalue is null', call('lower', f('mv')), ROW, null],
  ]);
});

// Function reference: https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/evaluation-functions
describe('conditional functions', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/comparison-and-conditional-functions
  table([
    ['if true', call('if', op('=', f('x'), 7), 'yes', 'no'), ROW, 'yes'],
    ['if false', call('if', op('=', f('x'), 8), 'yes', 'no'), ROW, 'no'],
    ['if null condition takes the else branch', call('if', op('=', f('missing'), 8), 'yes', 'no'), ROW, 'no'],
    ['case first true pair', call('case', op('<', f('x'), 5), 'low', op('<', f('x'), 10), 'mid', call('true'), 'high'), ROW, 'mid'],
    ['case no match is null', call('case', op('<', f('x'), 5), 'low'), ROW, null],
    ['coalesce skips nulls', call('coalesce', f('missing'), f('s'), 'z'), ROW, 'Hello World'],
    ['coalesce all null', call('coalesce', f('missing'), call('null')), ROW, null],
    ['isnull(missing)', call('isnull', f('missing')), ROW, true],
    ['isnull(present)', call('isnull', f('s')), ROW, false],
    ['isnotnull(present)', call('isnotnull', f('s')), ROW, true],
    ['isnotnull(missing)', call('isnotnull', f('missing')), ROW, false],
    ['isnum(field "42")', call('isnum', f('n')), ROW, true],
    ['isnum(word)', call('isnum', f('s')), ROW, false],
    ['isstr(word)', call('isstr', f('s')), ROW, true],
    ['isstr(number)', call('isstr', f('x')), ROW, false],
    ['in exact value', call('in', f('s'), 'x', 'Hello World'), ROW, true],
    ['in is case-sensitive and has no wildcards', call('in', f('s'), 'hello world', 'Hello*'), ROW, false],
    ['in numeric', call('in', f('n'), 41, 42), ROW, true],
    ['in with a multivalue subject', call('in', f('mv'), 'c'), ROW, true],
    ['in(null)', call('in', f('missing'), 'a'), ROW, null],
    ['match unanchored', call('match', f('s'), 'lo W'), ROW, true],
    ['match is case-sensitive by default', call('match', f('s'), 'hello'), ROW, false],
    ['match (?i)', call('match', f('s'), '(?i)hello'), ROW, true],
    ['match anchors', call('match', f('path'), '(?i)\\\\cmd\\.exe$'), ROW, true],
    ['like %', call('like', f('path'), '%System32%'), ROW, true],
    ['like _', call('like', 'abc', 'a_c'), {}, true],
    ['cidrmatch v4 in', call('cidrmatch', '10.0.0.0/8', f('ip')), ROW, true],
    ['cidrmatch v4 out', call('cidrmatch', '192.168.0.0/16', f('ip')), ROW, false],
    ['cidrmatch /32', call('cidrmatch', '10.1.2.3/32', f('ip')), ROW, true],
    ['cidrmatch v6 in', call('cidrmatch', '2001:db8::/32', f('ip6')), ROW, true],
    ['cidrmatch v6 out', call('cidrmatch', '2001:db9::/32', f('ip6')), ROW, false],
    ['cidrmatch v4 cidr vs v6 ip', call('cidrmatch', '10.0.0.0/8', f('ip6')), ROW, false],
    ['cidrmatch non-ip', call('cidrmatch', '10.0.0.0/8', f('s')), ROW, false],
    ['cidrmatch(null)', call('cidrmatch', '10.0.0.0/8', f('missing')), ROW, null],
    ['null()', call('null'), {}, null],
    ['true()', call('true'), {}, true],
    ['false()', call('false'), {}, false],
  ]);
});

describe('text functions', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/text-functions
  table([
    ['len', call('len', f('s')), ROW, 11],
    ['len of a number', call('len', f('x')), ROW, 1],
    ['lower', call('lower', f('s')), ROW, 'hello world'],
    ['upper', call('upper', f('s')), ROW, 'HELLO WORLD'],
    ['substr 1-based', call('substr', 'splunk', 1, 3), {}, 'spl'],
    ['substr negative start (doc example)', call('substr', 'splunk', -3), {}, 'unk'],
    ['substr no length', call('substr', 'splunk', 3), {}, 'lunk'],
    ['trim default spaces and tabs', call('trim', '  \tpad \t'), {}, 'pad'],
    ['trim chars (doc example)', call('trim', '   ZZZZabcZZ ', ' Z'), {}, 'abc'],
    ['ltrim chars (doc example)', call('ltrim', '   ZZZZabcZZ ', ' Z'), {}, 'abcZZ '],
    ['rtrim chars (doc example)', call('rtrim', '   ZZZZabcZZ ', ' Z'), {}, '   ZZZZabc'],
    ['replace with backrefs (doc example)', call('replace', '1/14/2017', '^(\\d{1,2})/(\\d{1,2})/', '\\2/\\1/'), {}, '14/1/2017'],
    ['replace is global', call('replace', 'a-b-c', '-', '+'), {}, 'a+b+c'],
    ['replace $ is literal', call('replace', 'ab', 'b', '$1'), {}, 'a$1'],
    ['split', call('split', 'a,b,c', ','), {}, ['a', 'b', 'c']],
    ['split without a delimiter hit is a scalar', call('split', 'abc', ','), {}, 'abc'],
    ['urldecode (doc example)', call('urldecode', f('url')), ROW, 'http://www.splunk.com/download?r=header'],
    ['urldecode malformed sequence kept', call('urldecode', '100%zz'), {}, '100%zz'],
  ]);
});

describe('conversion functions', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/conversion-functions
  table([
    ['tonumber decimal', call('tonumber', '12.5'), {}, 12.5],
    ['tonumber base 16 (doc example "0A4")', call('tonumber', '0A4', 16), {}, 164],
    ['tonumber base 2', call('tonumber', '101', 2), {}, 5],
    ['tonumber 0x prefix base 16', call('tonumber', '0xFF', 16), {}, 255],
    ['tonumber not a number', call('tonumber', 'abc'), {}, null],
    ['tonumber bad digit for base', call('tonumber', '102', 2), {}, null],
    ['tostring number', call('tostring', 1.5), {}, '1.5'],
    ['tostring true', call('tostring', call('true')), {}, 'True'],
    ['tostring hex (doc: 15 -> 0xF)', call('tostring', 15, 'hex'), {}, '0xF'],
    ['tostring commas rounds to 2 decimals', call('tostring', 12345.6789, 'commas'), {}, '12,345.68'],
    ['tostring duration', call('tostring', 615, 'duration'), {}, '00:10:15'],
    ['tostring duration with days', call('tostring', 90061, 'duration'), {}, '1+01:01:01'],
  ]);
});

describe('math functions', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/mathematical-functions
  table([
    ['round', call('round', 2.5), {}, 3],
    ['round negative half away from zero', call('round', -2.5), {}, -3],
    ['round digits (doc example)', call('round', 3.14159, 2), {}, 3.14],
    ['round float artefact', call('round', 1.005, 2), {}, 1.01],
    ['floor', call('floor', 1.9), {}, 1],
    ['ceiling', call('ceiling', 1.1), {}, 2],
    ['ceil', call('ceil', -1.1), {}, -1],
    ['abs', call('abs', f('neg')), ROW, 3.5],
    ['sqrt', call('sqrt', 9), {}, 3],
    ['sqrt negative is null', call('sqrt', -1), {}, null],
    ['pow', call('pow', 2, 10), {}, 1024],
    ['exp', call('exp', 1), {}, Math.E],
    ['ln', call('ln', Math.E), {}, 1],
    ['ln 0 is null', call('ln', 0), {}, null],
    ['log default base 10', call('log', 100), {}, 2],
    ['log base 2', call('log', 8, 2), {}, 3],
    ['pi', call('pi'), {}, Math.PI],
    ['sin', call('sin', 0), {}, 0],
    ['cos', call('cos', 0), {}, 1],
    ['tan', call('tan', 0), {}, 0],
    ['asin', call('asin', 1), {}, Math.PI / 2],
    ['asin outside [-1, 1] is null', call('asin', 2), {}, null],
    ['acos', call('acos', 0), {}, Math.PI / 2],
    ['acos 1', call('acos', 1), {}, 0],
    ['atan', call('atan', 1), {}, Math.PI / 4],
    // atan2(Y, X): Y first; the point (x=-1, y=1) is in the second quadrant.
    ['atan2 first quadrant', call('atan2', 1, 1), {}, Math.PI / 4],
    ['atan2 Y first', call('atan2', 1, -1), {}, (3 * Math.PI) / 4],
    ['atan2 negative y axis', call('atan2', -1, 0), {}, -Math.PI / 2],
    ['atan2 with a null argument is null', call('atan2', f('missing'), 1), {}, null],
    ['min numbers', call('min', 3, 1, 2), {}, 1],
    ['max numbers numerically (10 > 9)', call('max', 9, '10'), {}, '10'],
    ['max: strings above numbers (doc example)', call('max', 1, 3, 6, 7, 'foo'), {}, 'foo'],
    ['min: numbers below strings (doc example)', call('min', 3, 6, 7, 'maria'), {}, 3],
    ['min over a multivalue field', call('min', f('nums')), { nums: ['5', '3', '8'] }, '3'],
    ['min ignores nulls', call('min', f('missing'), 4), {}, 4],
  ]);
});

describe('math: the Armory great-circle distance (o365_impossible_travels)', () => {
  // a = sin(dlat/2)^2 + cos(lat1) cos(lat2) sin(dlon/2)^2; c = 2 atan2(sqrt(a), sqrt(1-a)).
  // From (0, 0) to (0, 90 degrees) on the equator: a = 0 + 1 * 1 * sin(pi/4)^2 = 1/2, so
  // c = 2 atan2(sqrt(1/2), sqrt(1/2)) = 2 * pi/4 = pi/2, a quarter of the circumference.
  it('a quarter of the equator', () => {
    const rad = (deg: string): ValueExpr => op('/', op('*', call('pi'), f(deg)), 180);
    const half = (x: ValueExpr): ValueExpr => call('sin', op('/', x, 2));
    const dlat = op('-', rad('lat2'), rad('lat1'));
    const dlon = op('-', rad('lon2'), rad('lon1'));
    const a = op('+', op('*', half(dlat), half(dlat)), op('*', op('*', op('*', call('cos', rad('lat1')), call('cos', rad('lat2'))), half(dlon)), half(dlon)));
    const row = { lat1: '0', lon1: '0', lat2: '0', lon2: '90' };
    expect(run(a, row)).toBeCloseTo(0.5, 12);
    const c = op('*', 2, call('atan2', call('sqrt', a), call('sqrt', op('-', 1, a))));
    expect(run(c, row)).toBeCloseTo(Math.PI / 2, 12);
    expect(run(op('*', 6371, c), row)).toBeCloseTo((6371 * Math.PI) / 2, 9);
  });
});

describe('multivalue functions', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/multivalue-eval-functions
  table([
    ['mvcount', call('mvcount', f('mv')), ROW, 4],
    ['mvcount scalar', call('mvcount', f('s')), ROW, 1],
    ['mvcount null', call('mvcount', f('missing')), ROW, null],
    ['mvindex 0', call('mvindex', f('mv'), 0), ROW, 'b'],
    ['mvindex -1', call('mvindex', f('mv'), -1), ROW, 'a'],
    ['mvindex range inclusive', call('mvindex', f('mv'), 1, 2), ROW, ['a', 'c']],
    ['mvindex negative range', call('mvindex', f('mv'), -2, -1), ROW, ['c', 'a']],
    ['mvindex out of range', call('mvindex', f('mv'), 9), ROW, null],
    ['mvappend', call('mvappend', f('s'), f('missing'), f('mv')), ROW, ['Hello World', 'b', 'a', 'c', 'a']],
    ['mvappend single value is scalar', call('mvappend', 'x'), {}, 'x'],
    ['mvjoin', call('mvjoin', f('mv'), ';'), ROW, 'b;a;c;a'],
    ['mvdedup', call('mvdedup', f('mv')), ROW, ['b', 'a', 'c']],
    ['mvsort lexicographic', call('mvsort', f('nums')), { nums: ['9', '10', 'B', 'a', '100'] }, ['10', '100', '9', 'B', 'a']],
    ['mvfilter per value', call('mvfilter', op('!=', f('mv'), 'a')), ROW, ['b', 'c']],
    ['mvfilter with match (doc example)', call('mvfilter', call('match', f('email'), '\\.net$')), { email: ['a@x.net', 'b@y.org', 'c@z.net'] }, ['a@x.net', 'c@z.net']],
    ['mvfilter nothing left is null', call('mvfilter', op('=', f('mv'), 'z')), ROW, null],
  ]);
});

describe('date and time functions', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/date-and-time-functions
  table([
    ['now() is the injected clock, whole seconds', call('now'), {}, 1700000000],
    ['time() keeps subseconds', call('time'), {}, 1700000000.25],
    ['strftime', call('strftime', 1700000000, '%Y-%m-%dT%H:%M:%S'), {}, '2023-11-14T22:13:20'],
    ['strptime', call('strptime', '2023-11-14 22:13:20', '%Y-%m-%d %H:%M:%S'), {}, 1700000000],
    ['strptime mismatch is null', call('strptime', 'garbage', '%Y-%m-%d'), {}, null],
    ['relative_time -1d@d', call('relative_time', 1700000000, '-1d@d'), {}, 1699833600],
    ['strftime(null)', call('strftime', f('missing'), '%Y'), {}, null],
  ]);
});

describe('strftime formats (UTC)', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/time-format-variables-and-modifiers/date-and-time-format-variables
  const T = 1700000000.25; // Tue 2023-11-14 22:13:20.250 UTC, day 318
  const J = 1704067200; // Mon 2024-01-01 00:00:00 UTC
  it.each([
    [T, '%Y', '2023'],
    [T, '%y', '23'],
    [T, '%m', '11'],
    [T, '%d', '14'],
    [J, '%d', '01'],
    [J, '%e', ' 1'],
    [T, '%H', '22'],
    [T, '%I %p', '10 PM'],
    [J, '%I %p', '12 AM'],
    [T, '%M', '13'],
    [T, '%S', '20'],
    [T, '%s', '1700000000'],
    [T, '%b %B', 'Nov November'],
    [T, '%a %A', 'Tue Tuesday'],
    [T, '%j', '318'],
    [J, '%j', '001'],
    [T, '%z %Z', '+0000 UTC'],
    [T, '%%', '%'],
    [T, '%T', '22:13:20'],
    [T, '%F', '2023-11-14'],
    [T, '%3N', '250'],
    [T, '%6N', '250000'],
    [T, '%Q', '250'],
    [T, '%q', '%q'],
  ] as const)('strftime(%s, %j)', (t, fmt, expected) => {
    expect(strftime(t, fmt)).toBe(expected);
  });

  it.each([
    ['2023-11-14 22:13:20', '%Y-%m-%d %H:%M:%S', 1700000000],
    ['14/Nov/2023:22:13:20 +0000', '%d/%b/%Y:%H:%M:%S %z', 1700000000],
    ['14/Nov/2023:23:13:20 +0100', '%d/%b/%Y:%H:%M:%S %z', 1700000000],
    ['Tue Nov 14 22:13:20 2023', '%a %b %d %H:%M:%S %Y', 1700000000],
    ['11/14/23 10:13:20 PM', '%m/%d/%y %I:%M:%S %p', 1700000000],
    ['2023-11-14T22:13:20.250Z', '%Y-%m-%dT%H:%M:%S.%3N%z', 1700000000.25],
    ['1700000000', '%s', 1700000000],
    ['2024 001', '%Y %j', 1704067200],
    ['2023-02-31', '%Y-%m-%d', null],
    ['2023-13-01', '%Y-%m-%d', null],
  ] as const)('strptime(%s, %s)', (text, fmt, expected) => {
    const got = strptime(text, fmt);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 6);
  });

  it('strftime and strptime round-trip', () => {
    const fmt = '%Y-%m-%d %H:%M:%S';
    for (const t of [0, 951782400, 1700000000, 4102444799]) expect(strptime(strftime(t, fmt), fmt)).toBe(t);
  });
});

describe('relative_time', () => {
  // https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.4/specify-time-ranges/specify-time-modifiers-in-your-search
  const T = 1700000000; // Tue 2023-11-14 22:13:20 UTC
  it.each([
    ['now', T],
    ['-1h', T - 3600],
    ['+30m', T + 1800],
    ['-60s', T - 60],
    ['@d', Date.UTC(2023, 10, 14) / 1000],
    ['-1d@d', Date.UTC(2023, 10, 13) / 1000],
    ['@h', Date.UTC(2023, 10, 14, 22) / 1000],
    ['@w0', Date.UTC(2023, 10, 12) / 1000],
    ['@w1', Date.UTC(2023, 10, 13) / 1000],
    ['@mon', Date.UTC(2023, 10, 1) / 1000],
    ['-1mon@mon', Date.UTC(2023, 9, 1) / 1000],
    ['@q', Date.UTC(2023, 9, 1) / 1000],
    ['@y', Date.UTC(2023, 0, 1) / 1000],
    ['-2d@d+1h', Date.UTC(2023, 10, 12, 1) / 1000],
    ['bogus', null],
  ] as const)('%s', (spec, expected) => {
    expect(relativeTime(T, spec)).toBe(expected);
  });
});

describe('cidrTester', () => {
  it.each([
    ['0.0.0.0/0', '8.8.8.8', true],
    ['192.168.1.0/24', '192.168.1.255', true],
    ['192.168.1.0/24', '192.168.2.1', false],
    ['fe80::/10', 'fe80::1%eth0', true],
    ['::ffff:0:0/96', '::ffff:10.0.0.1', true],
    ['2001:db8::/32', '2001:0db8:0000:0000:0000:0000:0000:0001', true],
    ['::1/128', '::1', true],
    ['::1/128', '::2', false],
  ] as const)('%s contains %s: %s', (cidr, ip, expected) => {
    expect(cidrTester(cidr)?.(ip)).toBe(expected);
  });
  it('rejects malformed networks', () => {
    expect(cidrTester('10.0.0.0/33')).toBeNull();
    expect(cidrTester('300.0.0.0/8')).toBeNull();
    expect(cidrTester('1:2:3:4:5:6:7:8:9/64')).toBeNull();
  });
});

describe('compile-time checks', () => {
  it('lists the supported functions', () => {
    for (const fn of ['if', 'case', 'coalesce', 'match', 'cidrmatch', 'mvfilter', 'strftime', 'relative_time', 'ceiling', 'ceil']) {
      expect(EVAL_FUNCTIONS.has(fn)).toBe(true);
    }
    expect(EVAL_FUNCTIONS.has('searchmatch')).toBe(false);
  });
  it('throws on an unknown function at compile time, naming it', () => {
    expect(() => compileValueExpr(call('searchmatch', 'x'))).toThrow(/searchmatch/);
    expect(() => compileValueExpr(call('nosuchfn'))).toThrow(/nosuchfn/);
    expect(() => compileValueExpr(call('toString', 1))).toThrow(/toString/);
    expect(() => compileValueExpr(call('constructor'))).toThrow(/constructor/);
  });
  it('throws on a wrong argument count', () => {
    expect(() => compileValueExpr(call('if', 1, 2))).toThrow(/if\(\)/);
    expect(() => compileValueExpr(call('case', op('=', 1, 1)))).toThrow(/case\(\)/);
  });
  it('throws on a literal regex that does not compile', () => {
    expect(() => compileValueExpr(call('match', f('a'), '(unclosed'))).toThrow(/regex/);
  });
  it('a bad dynamic regex is null at run time, not a crash', () => {
    const e = compileValueExpr(call('match', f('a'), f('re')));
    expect(e({ a: 'x', re: '(' })).toBeNull();
    expect(e({ a: 'x', re: 'x' })).toBe(true);
  });
  it('compiles once: the closure does not re-read the tree', () => {
    const expr = { kind: 'op', op: '+', args: [f('a'), { kind: 'literal', value: 1, span }], span } as { kind: 'op'; op: ValueOp; args: ValueExpr[]; span: typeof span };
    const fn = compileValueExpr(expr);
    expr.args = []; // mutating the tree after compilation must not matter
    expect(fn({ a: 2 })).toBe(3);
  });
});
