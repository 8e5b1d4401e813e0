/** Run printed patterns on the real target engines (JS RegExp, Rust regex via rregex). */
import { RRegex } from 'rregex';
import type { PrintResult } from '../../src/regex/index.js';

export function jsVerdicts(result: PrintResult, subjects: string[]): string {
  const re = new RegExp(result.pattern, result.caseInsensitive ? 'i' : '');
  return subjects.map((s) => (re.test(s) ? '1' : '0')).join('');
}

export function rustVerdicts(result: PrintResult, subjects: string[]): string {
  // Case-insensitivity is inline for rust; the flag must never be set.
  if (result.caseInsensitive) throw new Error('rust flavour returned caseInsensitive=true');
  const re = new RRegex(result.pattern);
  try {
    return subjects.map((s) => (re.isMatch(s) ? '1' : '0')).join('');
  } finally {
    re.free();
  }
}

/**
 * Stand-in for Lucene until a real Lucene oracle exists: the printed subset
 * (`.` `[...]` `[^...]` `\\x` escapes, groups, `|`, greedy quantifiers, raw
 * control characters) means the same in a JS RegExp with flag `s` (Lucene `.`
 * matches newlines) when anchored to the whole value.
 */
export function luceneViaJsVerdicts(result: PrintResult, subjects: string[]): string {
  if (result.caseInsensitive) throw new Error('lucene flavour returned caseInsensitive=true');
  const re = new RegExp(`^(?:${result.pattern})$`, 's');
  return subjects.map((s) => (re.test(s) ? '1' : '0')).join('');
}
