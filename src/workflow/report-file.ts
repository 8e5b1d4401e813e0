/**
 * report.json: per backend how many rules are exact / lossy / unsupported / error, how often each
 * diagnostic code occurs, and per rule its status and located diagnostics (one line each, so a
 * `git diff` of two builds shows what changed). No timestamps, paths relative: byte-identical
 * across builds of the same rules.
 */
import type { BackendId, Status } from '../diagnostics.js';
import type { RuleResult } from './rule-result.js';

/** Per backend how many rules have each status, and how often each code occurs (sorted by code). */
export function summarize(results: readonly RuleResult[]): { summary: Partial<Record<BackendId, Record<Status, number>>>; codes: Record<string, number> } {
  const summary: Partial<Record<BackendId, Record<Status, number>>> = {};
  const codes: Record<string, number> = {};
  for (const r of results) {
    for (const o of r.outputs) (summary[o.backend] ??= { exact: 0, lossy: 0, unsupported: 0, error: 0 })[o.status]++;
    for (const [code, n] of Object.entries(r.tally.codes)) codes[code] = (codes[code] ?? 0) + (n ?? 0);
  }
  return { summary, codes: Object.fromEntries(Object.entries(codes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

export function reportFile(results: readonly RuleResult[], skipped: number): string {
  const { summary, codes } = summarize(results);
  const head = JSON.stringify({ skipped, rules: results.length, summary, codes }, null, 2);
  const entries = results.length ? `\n${results.map((r) => r.reportEntry).join(',\n')}\n  ` : '';
  // The head ends with "\n}": the results array goes before that brace.
  return `${head.slice(0, -2)},\n  "results": [${entries}]\n}\n`;
}
