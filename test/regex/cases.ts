/**
 * Verdict cases shared by the engine tests. `expect` holds PCRE2 10.42's verdict
 * (unanchored search, no UTF) for each subject, '1' = match, recorded with
 * pcre2test; verdict.test.ts re-checks them live whenever pcre2test is installed.
 */
import type { RegexFlavour } from '../../src/regex/index.js';

export const SEED_REGEX =
  '(?i)(\\-\\-dns)?((\\s+)|(\\=))?((server\\=)|(host\\=))?((\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\,port\\=\\d{1,5}.+)|(\\w+\\.((com)|(org)|(net)|(info)))$)|(\\w+\\.((com)|(org)|(net)|(info))\\:\\d{1,5})|(\\w+\\@(\\d{1,3}\\.){3}\\d{1,3}.+\\-(R|D|L).+(\\d{1,3}\\.){3}\\d{1,3}\\:\\d{1,5})|(\\-(R|D|L).+(\\d{1,3}\\.){3}\\d{1,3}\\:\\d{1,5}.+\\w+\\@(\\d{1,3}\\.){3}\\d{1,3})|(\\d{1,5}\\s+?(\\d{1,3}\\.){3}\\d{1,3}\\:\\d{1,5})';

export const SEED_SUBJECTS = [
  'plink.exe -ssh -R 4444:127.0.0.1:3389 user@10.1.1.1',
  'dnscat2 --dns server=8.8.8.8,port=53',
  'iodine -f t1.example.com',
  'ping 8.8.8.8',
  'notepad.exe C:\\x.txt',
  'IODINE -F T1.EXAMPLE.COM',
  'iodine -f t1.example.com\n',
  'iodine -f t1.example.com\nmore',
  'ssh -L 8080:10.0.0.1:80 admin@192.168.1.1',
  'connect evil.org:443',
  'nc 4444 10.1.2.3:5555',
  'nc 4444\t10.1.2.3:5555',
  'nc 4444\u00a010.1.2.3:5555',
  'host=x.info',
  'x.infos',
  '',
];

export const COMMON_SUBJECTS = [
  '', 'a', 'A', 'b', 'ab', 'aB', 'Ab', 'AB', 'ba', 'a\n', 'a\n\n', '\na', 'a\nb', 'a\rb', 'a b', 'a\tb', 'a\u000bb',
  'a\u00a0b', 'x', 'x\n', 'key', 'KEY', 'cmd', 'run cmd.exe', 'cmd_x', 'aab', 'aaab', 'a1', '1a', '.*', '-=@:,/',
  'k', 'K', 's', 'S', '\u00e9', '\u00c9', 'a.b', 'axb', '123', 'abc', 'ABC', '{a}', 'a{,3}', '\\',
];

export interface VerdictCase {
  pattern: string;
  subjects?: string[];
  /** PCRE2 verdicts, one char per subject. */
  expect: string;
  /** Flavours expected to report something unsupported (their engine check is skipped). */
  unsupportedIn?: RegexFlavour[];
}

export const VERDICT_CASES: VerdictCase[] = [
  { pattern: SEED_REGEX, subjects: SEED_SUBJECTS, expect: '1110011011110100' },
  { pattern: 'a', expect: '010011001111111111000000011110000000011010110' },
  { pattern: '^a$', expect: '010000000100000000000000000000000000000000000' },
  { pattern: 'a$', expect: '010000001101000000000000000010000000000000000' },
  { pattern: 'a\\z', expect: '010000001001000000000000000010000000000000000', unsupportedIn: ['pcre'] },
  { pattern: 'a\\Z', expect: '010000001101000000000000000010000000000000000' },
  { pattern: '\\Aa', expect: '010011000110111111000000011100000000011010010' },
  { pattern: '^$', expect: '100000000000000000000000000000000000000000000' },
  { pattern: '(?i)KeY', expect: '000000000000000000001100000000000000000000000' },
  { pattern: 'a(?i)b', expect: '000011000000000000000000011000000000000010000' },
  { pattern: '(?i:a)b', expect: '000010100000000000000000011000000000000010000' },
  { pattern: '(?i)a(?-i)b', expect: '000010100000000000000000011000000000000010000' },
  { pattern: '(?i)[^k]', expect: '011111111111111111111111111111100111111111111' },
  { pattern: '(?i)s|k', expect: '000000000000000000001100000000011110000000000' },
  { pattern: '(?i)[k-m]', expect: '000000000000000000001111100000011000000000000' },
  { pattern: '[^\\W\\d]', expect: '011111111111111111111111111110011110011011110' },
  { pattern: '\\bcmd\\b', expect: '000000000000000000000011000000000000000000000', unsupportedIn: ['lucene'] },
  { pattern: '\\Bmd', expect: '000000000000000000000011100000000000000000000', unsupportedIn: ['lucene', 'rust'] },
  { pattern: 'a\\sb', expect: '000000000000111110000000000000000000000000000' },
  { pattern: 'a\\Sb', expect: '000000000000000001000000011000000000011000000' },
  { pattern: 'a[\\s]b', expect: '000000000000111110000000000000000000000000000' },
  { pattern: 'a.b', expect: '000000000000011111000000011000000000011000000' },
  { pattern: '(?s)a.b', expect: '000000000000111111000000011000000000011000000' },
  { pattern: 'a\\Nb', expect: '000000000000011111000000011000000000011000000' },
  { pattern: '\\w\\W', expect: '000000000110111111010001000000000000010000110' },
  { pattern: '[[:alpha:]][[:digit:]]', expect: '000000000000000000000000000100000000000000000' },
  { pattern: '[[:^alpha:]]a', expect: '000000000001000000000000000010000000000000100' },
  { pattern: 'a{2,3}?b', expect: '000000000000000000000000011000000000000000000' },
  { pattern: 'a+?$', expect: '010000001101000000000000000010000000000000000' },
  { pattern: '\\x41\\x{42}|\\101', expect: '001000110000000000000000000000000000000001000' },
  // Rust's (?m)^ also matches after a final newline: exact only when something must be consumed after it.
  { pattern: '(?m)^b', expect: '000100001000100000000000000000000000000000000', unsupportedIn: ['pcre', 'lucene'] },
  { pattern: '(?m)(?:^|x)b', expect: '000100001000100000000000000000000000001000000', unsupportedIn: ['pcre', 'lucene'] },
  { pattern: '(?m)\\n^(a+)', expect: '000000000001000000000000000000000000000000000', unsupportedIn: ['pcre', 'lucene'] },
  { pattern: '(?m)a\\n^', expect: '000000000010100000000000000000000000000000000', unsupportedIn: ['pcre', 'rust', 'lucene'] },
  { pattern: '(?m)^(?:b|c)?$', expect: '100100000011100000000000000000000000000000000', unsupportedIn: ['pcre', 'rust', 'lucene'] },
  { pattern: '(?m)a$', expect: '010000001111100000000000000010000000000000000', unsupportedIn: ['pcre', 'lucene'] },
  { pattern: '[\\d-]', expect: '000000000000000000000000000110100000000100010' },
  { pattern: '\\Q.*\\E', expect: '000000000000000000000000000001000000000000000' },
  { pattern: '\\-\\=\\@\\:\\,\\/', expect: '000000000000000000000000000000100000000000000' },
  { pattern: '(?x) a b # comment', expect: '000010000000000000000000011000000000000010000' },
  { pattern: '\\{a\\}|a{,3}', expect: '000000000000000000000000000000000000000000110' },
  { pattern: '\\\\', expect: '000000000000000000000000000000000000000000001' },
  { pattern: '(a|b)\\1', expect: '000000000000000000000000011000000000000000000', unsupportedIn: ['pcre', 'rust', 'lucene'] },
  { pattern: '(?<=a)b', expect: '000010000000000000000000011000000000000010000', unsupportedIn: ['pcre', 'rust', 'lucene'] },
  { pattern: 'a(?!b)', expect: '010001001111111111000000011110000000011000110', unsupportedIn: ['pcre', 'rust', 'lucene'] },
  { pattern: '(?>a+)b', expect: '000010000000000000000000011000000000000010000', unsupportedIn: ['pcre', 'rust', 'js', 'lucene'] },
  { pattern: 'a++b', expect: '000010000000000000000000011000000000000010000', unsupportedIn: ['pcre', 'rust', 'js', 'lucene'] },
  { pattern: 'a|^b|c$', expect: '010111001111111111000000011110000000011010110' },
  { pattern: '(a$|b)c', expect: '000000000000000000000000000000000000000010000', unsupportedIn: ['rust', 'lucene'] },
  { pattern: '(?i)\\w+\\.COM$', expect: '000000000000000000000000000000000000000000000' },
  { pattern: '', expect: '111111111111111111111111111111111111111111111' },
  { pattern: 'x*', expect: '111111111111111111111111111111111111111111111' },
];
