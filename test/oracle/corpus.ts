/**
 * Every PCRE the rules hand to Splunk, read from the IR: `regex` filter nodes,
 * `match(field, "re")` calls in eval expressions (`where` conditions and `eval`
 * assignments), and `rex` patterns. Rules go through the real front end
 * (`loadRuleFile` + `frontEnd`), so what is tested is what the backends print.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { frontEnd } from '../../src/pipeline.js';
import { builtinMacros } from '../../src/ir/macros.js';
import { normalize } from '../../src/normalize/normalize.js';
import { parseSpl } from '../../src/spl/parse.js';
import { loadRuleFile } from '../../src/rules/load.js';
import type { Expr, ValueExpr } from '../../src/ir/types.js';

export type RegexOrigin = 'regex' | 'match' | 'rex' | 'rex-sed';

export interface CorpusRegex {
  pattern: string;
  /** Rule files and kinds it came from (the same pattern often appears in many rules). */
  origins: { file: string; kind: RegexOrigin; partial: boolean }[];
}

export interface CorpusScan {
  regexes: CorpusRegex[];
  files: number;
  /**
   * Rule files the front end rejects (an unsupported command, a syntax error...). Their regexes are
   * still collected from the partial IR the normalizer builds (origin `partial: true`).
   */
  withoutIr: number;
}

export function ruleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.yml') || p.endsWith('.yaml')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function fromValue(v: ValueExpr, add: (p: string, k: RegexOrigin) => void): void {
  if (v.kind === 'call' || v.kind === 'op') {
    const pattern = v.args[1];
    if (v.kind === 'call' && v.fn === 'match' && pattern?.kind === 'literal' && typeof pattern.value === 'string') {
      add(pattern.value, 'match');
    }
    for (const a of v.args) fromValue(a, add);
  }
}

function fromExpr(e: Expr, add: (p: string, k: RegexOrigin) => void): void {
  switch (e.kind) {
    case 'and':
    case 'or':
      for (const a of e.args) fromExpr(a, add);
      return;
    case 'not':
      fromExpr(e.arg, add);
      return;
    case 'regex':
      add(e.pattern, 'regex');
      return;
    case 'cond':
      fromValue(e.expr, add);
      return;
    default:
      return;
  }
}

export function scanRegexes(dirs: string[]): CorpusScan {
  const byPattern = new Map<string, CorpusRegex>();
  let files = 0;
  let withoutIr = 0;
  for (const dir of dirs) {
    for (const file of ruleFiles(dir)) {
      files++;
      let partial = false;
      const add = (pattern: string, kind: RegexOrigin): void => {
        const entry = byPattern.get(pattern) ?? { pattern, origins: [] };
        entry.origins.push({ file, kind, partial });
        byPattern.set(pattern, entry);
      };
      const loaded = loadRuleFile(file);
      if (!loaded.rule) continue;
      let detection = frontEnd(loaded.rule).detection;
      if (!detection) {
        withoutIr++;
        partial = true;
        try {
          detection = normalize(loaded.rule, parseSpl(loaded.rule.spl).pipeline.commands, builtinMacros()).detection;
        } catch {
          continue;
        }
      }
      fromExpr(detection.filter, add);
      for (const st of detection.stages) {
        if (st.kind === 'filter') fromExpr(st.expr, add);
        else if (st.kind === 'eval') for (const a of st.assignments) fromValue(a.expr, add);
        else if (st.kind === 'rex') add(st.pattern, st.mode === 'sed' ? 'rex-sed' : 'rex');
      }
    }
  }
  return { regexes: [...byPattern.values()], files, withoutIr };
}
