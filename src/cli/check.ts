/** `ruleport check`: build in memory, compare with the output tree, write nothing. */
import type { Argv } from 'yargs';
import { displayPath, type BuildResult } from '../build.js';
import { diagnosticJson, escalate } from '../report.js';
import { locatedDiagnostics } from '../workflow/rule-result.js';
import { posix, readTree } from '../workflow/tree.js';
import { sarifLog, type TreeProblem } from '../workflow/sarif.js';
import { runBatch, printCollisions } from './build.js';
import { packageVersion } from '../paths.js';
import {
  batchOptions,
  diagnosticsExit,
  printBatchDiagnostics,
  resolveSettings,
  type GlobalArgs,
  type SetExit,
} from './shared.js';

/** What differs between the build and the tree on disk, sorted by output path. */
export function treeProblems(result: BuildResult, current: ReadonlyMap<string, string>, display: (file: string) => string): TreeProblem[] {
  const problems: TreeProblem[] = [];
  for (const [rel, content] of result.outputs) {
    const have = current.get(rel);
    const src = result.sources.get(rel);
    const rule = src === undefined ? {} : { rule: display(src) };
    if (have === undefined) problems.push({ kind: 'missing', output: rel, ...rule });
    else if (have !== content) problems.push({ kind: 'stale', output: rel, ...rule });
  }
  for (const rel of current.keys()) if (!result.outputs.has(rel)) problems.push({ kind: 'extra', output: rel });
  return problems.sort((a, b) => (a.output < b.output ? -1 : a.output > b.output ? 1 : 0));
}

export function checkCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'check [paths..]',
    'exit 1 and list what is stale, missing or extra in the output tree (writes nothing)',
    (y) =>
      batchOptions(y)
        .option('format', { alias: 'f', type: 'string', choices: ['text', 'json', 'sarif'], default: 'text', describe: 'text: problems on stdout, diagnostics with code frames on stderr; json or sarif: one document on stdout' })
        .example('$0 check rules -o out', 'in CI: fail when out/ was not rebuilt')
        .example('$0 check --format sarif > ruleport.sarif', 'for code scanning (paths and out from ruleport.config.yml)'),
    async (a) => {
      const s = resolveSettings(a);
      const out = s.out as string;
      const { result } = await runBatch(s, 'check');
      const current = readTree(out);
      const rootDisplay = (f: string): string => displayPath(f, s.root);
      const problems = treeProblems(result, current, rootDisplay);
      const outShown = displayPath(out, s.root);
      const format = a.format as 'text' | 'json' | 'sarif';
      if (format === 'text') {
        // Only what fails or would fail a --strict run: the full list is in --format sarif/json and in build.
        if (!a.quiet) printBatchDiagnostics(result.results, s, s.failOn ?? 'error', a.verbose);
        printCollisions(result);
        for (const p of problems) process.stdout.write(`${p.kind}: ${posix(out)}/${p.output}${p.rule ? ` (from ${displayPath(result.sources.get(p.output) ?? p.rule)})` : ''}\n`);
        if (problems.length) process.stderr.write(`ruleport: ${problems.length} output file(s) out of date in ${out}: run \`ruleport build\`\n`);
      } else if (format === 'json') {
        const diagnostics = result.results.flatMap((r) => locatedDiagnostics(r).map((d) => diagnosticJson(r.display, s.strict ? escalate(d) : d)));
        const doc = { out: outShown, ok: problems.length === 0 && result.collisions.length === 0, problems, collisions: result.collisions, diagnostics };
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      } else {
        printCollisions(result);
        const log = sarifLog(result.results, { version: packageVersion(), problems, outDir: outShown, strict: s.strict });
        process.stdout.write(`${JSON.stringify(log, null, 2)}\n`);
      }
      setExit(problems.length || result.collisions.length ? 1 : diagnosticsExit(result.results, s));
    },
  );
}
