/**
 * SARIF 2.1.0 (OASIS) for code-scanning services: one run, one result per diagnostic, located in
 * the rule file (paths relative to the repository root, `%SRCROOT%`), plus one result per stale,
 * missing or extra output file.
 */
import { CODES, type Severity } from '../diagnostics.js';
import { escalate } from '../report.js';
import { locatedDiagnostics, type RuleResult } from './rule-result.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface TreeProblem {
  readonly kind: 'stale' | 'missing' | 'extra';
  /** Output path relative to the output directory. */
  readonly output: string;
  /** The rule file that produces it (posix, relative to the root), when known. */
  readonly rule?: string;
}

const TREE_RULES = {
  'stale-output': 'output file differs from what the rules build to; run `ruleport build`',
  'missing-output': 'output file is missing; run `ruleport build`',
  'extra-output': 'output file is produced by no rule; run `ruleport build`',
} as const;

type Level = 'error' | 'warning' | 'note';

function level(severity: Severity): Level {
  return severity === 'info' ? 'note' : severity;
}

/** `outDir` is the output directory as shown (posix, relative), for locating extra outputs. */
export function sarifLog(
  converted: readonly Pick<RuleResult, 'display' | 'reportEntry'>[],
  opts: { version: string; problems?: readonly TreeProblem[]; outDir?: string; strict?: boolean },
): object {
  const used = new Set<string>();
  const results: object[] = [];
  for (const r of converted) {
    const file = r.display;
    for (const d of locatedDiagnostics(r)) {
      used.add(d.code);
      const sev = opts.strict ? escalate(d).severity : d.severity;
      results.push({
        ruleId: d.code,
        level: level(sev),
        message: { text: `${d.backend ? `[${d.backend}] ` : ''}${d.message}${d.direction ? ` (${d.direction})` : ''}` },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: encodeUri(file), uriBaseId: '%SRCROOT%' },
              region: regionOf(d),
            },
          },
        ],
        ...(d.related
          ? {
              relatedLocations: [
                {
                  id: 1,
                  message: { text: d.related.message },
                  physicalLocation: {
                    artifactLocation: { uri: encodeUri(file), uriBaseId: '%SRCROOT%' },
                    region: regionOf(d.related),
                  },
                },
              ],
            }
          : {}),
        ...(d.backend ? { properties: { backend: d.backend, kind: d.kind } } : { properties: { kind: d.kind } }),
      });
    }
  }
  for (const p of opts.problems ?? []) {
    const id = `${p.kind}-output` as keyof typeof TREE_RULES;
    used.add(id);
    const at = p.kind === 'extra' || !p.rule ? `${opts.outDir ?? '.'}/${p.output}` : p.rule;
    results.push({
      ruleId: id,
      level: 'error',
      message: { text: `${opts.outDir ?? '.'}/${p.output}: ${TREE_RULES[id]}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: encodeUri(at), uriBaseId: '%SRCROOT%' }, region: { startLine: 1 } } }],
    });
  }
  const ids = [...used].sort();
  const rules = ids.map((id) => {
    const info = (CODES as Record<string, { summary: string; severity: string; kind: string } | undefined>)[id];
    const text = info ? info.summary : TREE_RULES[id as keyof typeof TREE_RULES];
    return {
      id,
      shortDescription: { text },
      defaultConfiguration: { level: info ? level(info.severity as Severity) : 'error' },
      ...(info ? { properties: { kind: info.kind } } : {}),
    };
  });
  const index = new Map(ids.map((id, i) => [id, i]));
  for (const res of results as { ruleId: string; ruleIndex?: number }[]) res.ruleIndex = index.get(res.ruleId) ?? 0;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'ruleport', version: opts.version, rules } },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'the directory report paths are relative to (the repository root)' } } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function regionOf(r: { line: number; column: number; endLine?: number; endColumn?: number }): object {
  return { startLine: r.line, startColumn: r.column, ...(r.endLine ? { endLine: r.endLine, endColumn: r.endColumn } : {}) };
}

/** Relative posix path as a URI reference (spaces and the like percent-encoded, slashes kept). */
function encodeUri(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

