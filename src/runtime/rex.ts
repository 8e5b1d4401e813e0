/**
 * `rex`: named-group extraction (max_match) and `mode=sed` replacement, row by row. Pure
 * functions: input rows are never mutated; a row without a match is returned as is.
 */
import { compileReplacement } from './eval.js';
import type { Row } from './index.js';
import { hasValue, valuesOf } from './values.js';

function nonGlobal(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}

/**
 * `rex field=f "(?<name>...)"`: the first value of `field` that matches sets each named group that
 * took part in the match (an empty capture is an empty field, i.e. none).
 * A row whose field is absent or does not match keeps its fields unchanged.
 * With max_match=N (0: no limit) the regex is matched up to N times, each search starting where
 * the previous match ended, and a group that captured more than one value becomes a multivalue
 * field (in match order); one value stays a single value. [doc] "max_match: Controls the number of
 * times the regex is matched. If greater than 1, the resulting fields are multivalued fields."
 * https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/rex
 * Multivalue input: the first matching value is used. [assumption]
 * The regex must not match the empty string when maxMatch is not 1: after an empty match PCRE
 * retries at the same place for a non-empty one, which a JS RegExp cannot (the matcher and the
 * ts backend report such a rex as unsupported instead of calling this).
 */
export function rexExtract(rows: readonly Row[], field: string, jsRegex: RegExp, groups: readonly string[], maxMatch = 1): Row[] {
  return rexExtractStage(field, jsRegex, groups, maxMatch)(rows);
}

/** rexExtract with its regex prepared once, for a stage that runs row by row. */
export function rexExtractStage(field: string, jsRegex: RegExp, groups: readonly string[], maxMatch = 1): (rows: readonly Row[]) => Row[] {
  if (maxMatch === 1) {
    // The common case, on every row that reaches the stage: one exec, no intermediate objects.
    const re = nonGlobal(jsRegex);
    return onFirstValue(field, (row, s) => {
      const m = re.exec(s);
      if (!m) return undefined;
      const out: Row = { ...row };
      for (const g of groups) {
        const captured = m.groups?.[g];
        if (captured === undefined) continue; // group did not participate: field untouched [assumption]
        if (captured === '') delete out[g];
        else out[g] = captured;
      }
      return out;
    });
  }
  const re = new RegExp(jsRegex.source, jsRegex.flags.replace(/[gy]/g, '') + 'g');
  return onFirstValue(field, (row, s) => {
    const captured = everyMatch(re, s, groups, maxMatch);
    if (!captured) return undefined;
    const out: Row = { ...row };
    for (const [g, values] of captured) {
      if (values.length === 0) delete out[g];
      else out[g] = values.length === 1 ? values[0] : values;
    }
    return out;
  });
}

/** Each row as `extract` gives it for the first value of `field` it matches, or as it was. */
function onFirstValue(field: string, extract: (row: Row, value: string) => Row | undefined): (rows: readonly Row[]) => Row[] {
  return (rows) => rows.map((row) => {
    for (const v of valuesOf(row[field])) {
      const out = extract(row, String(v));
      if (out) return out;
    }
    return row;
  });
}

/**
 * The non-empty values each named group captured over up to `maxMatch` successive matches (0: all),
 * for the groups that took part in some match (one that captured only empty strings maps to []);
 * undefined when nothing matched.
 */
function everyMatch(re: RegExp, s: string, groups: readonly string[], maxMatch: number): Map<string, string[]> | undefined {
  re.lastIndex = 0;
  let captured: Map<string, string[]> | undefined;
  for (let n = 0; maxMatch === 0 || n < maxMatch; n++) {
    const m = re.exec(s);
    if (!m) break;
    captured ??= new Map();
    for (const g of groups) {
      const value = m.groups?.[g];
      if (value === undefined) continue; // group did not participate: field untouched [assumption]
      let values = captured.get(g);
      if (!values) captured.set(g, (values = []));
      if (value !== '') values.push(value);
    }
    // Never loop in place (callers pass regexes that cannot match the empty string).
    if (m[0] === '') re.lastIndex++;
  }
  return captured;
}

/**
 * `rex mode=sed field=f "s/regex/replacement/flags"`: replaces the first (or, with `g`, every) match
 * in each value of `field`. In the replacement `\1`..`\9` are groups and `\0` is the whole match;
 * `&` is literal (Splunk documents only `\n` backreferences, unlike sed's `&`) [assumption]; `$` is
 * literal. [doc] https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/rex
 */
export function rexSed(rows: readonly Row[], field: string, jsRegex: RegExp, replacement: string, global: boolean): Row[] {
  return rexSedStage(field, jsRegex, replacement, global)(rows);
}

/** rexSed with its regex and replacement prepared once, for a stage that runs row by row. */
export function rexSedStage(field: string, jsRegex: RegExp, replacement: string, global: boolean): (rows: readonly Row[]) => Row[] {
  const flags = jsRegex.flags.replace(/[gy]/g, '') + (global ? 'g' : '');
  const re = new RegExp(jsRegex.source, flags);
  const apply = compileReplacement(replacement);
  const sub = (s: string): string => {
    re.lastIndex = 0;
    return s.replace(re, (match: string, ...rest: unknown[]) => {
      const hasNamed = typeof rest[rest.length - 1] === 'object';
      return apply(match, rest.slice(0, rest.length - (hasNamed ? 3 : 2)) as (string | undefined)[]);
    });
  };
  return (rows) => rows.map((row) => {
    const v = row[field];
    if (!hasValue(v)) return row;
    const out: Row = { ...row };
    const replaced = valuesOf(v).map((x) => sub(String(x))).filter((x) => x !== '');
    if (replaced.length === 0) delete out[field];
    else out[field] = Array.isArray(v) ? replaced : (replaced[0] as string);
    return out;
  });
}
