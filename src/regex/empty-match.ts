/**
 * Regexes that can match the empty string. Two places care:
 * - a test on a field: a target that reads a missing field as "" would match it there, where
 *   Splunk drops the event (the KQL backend guards such tests);
 * - matching again and again along a string (rex max_match): after an empty match PCRE tries
 *   once more at the same place for a non-empty match (PCRE2_NOTEMPTY_ATSTART), while a JS
 *   RegExp, Rust's find_iter and KQL's extract_all move one character on, so they can find other
 *   matches than Splunk.
 */
import { minLength } from './analyze.js';
import { parseRegex } from './parse.js';

/**
 * Whether a match of the PCRE `pattern` can be the empty string; over-approximated (an assertion
 * such as `\b` counts as possibly empty), and true for a pattern that does not parse.
 */
export function canMatchEmpty(pattern: string): boolean {
  const parsed = parseRegex(pattern);
  return !parsed.ok || minLength(parsed.regex.ast) === 0;
}

/** Why repeating the PCRE `pattern` on `engine` may find other matches than Splunk's, if it may. */
export function repeatedMatchProblem(pattern: string, engine: string): string | undefined {
  if (!canMatchEmpty(pattern)) return undefined;
  return `a regex that can match the empty string: after an empty match PCRE retries at the same place for a non-empty one, which ${engine} cannot`;
}
