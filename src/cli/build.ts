/** `ruleport build`. */
import type { Argv } from 'yargs';
import { assertSafeOutDir, buildOutputsParallel, findRuleFiles, UnsafeOutputDir, writeTree, type BuildResult } from '../build.js';
import { progressBar } from '../workflow/progress.js';
import { batchOptions, diagnosticsExit, printBatchDiagnostics, resolveSettings, UsageError, type GlobalArgs, type SetExit, type Settings } from './shared.js';

/** Runs the conversion of a batch with the settings (shared by build and check). */
export async function runBatch(s: Settings, label: string): Promise<{ files: string[]; result: BuildResult }> {
  const files = findRuleFiles(s.paths);
  const onProgress = progressBar(label);
  const result = await buildOutputsParallel(files, { backends: s.targets, profiles: s.profiles, macros: s.macros, root: s.root, ...(onProgress ? { onProgress } : {}) });
  return { files, result };
}

export function printCollisions(result: BuildResult): void {
  for (const c of result.collisions)
    process.stderr.write(`ruleport: error: rules share the file name '${c.stem}' and would overwrite each other's outputs: ${c.files.join(', ')} (rename one)\n`);
}

export function buildCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'build [paths..]',
    'convert every rule under the paths into an output tree: <out>/<backend>/<rule>.<ext> and <out>/report.json',
    (y) =>
      batchOptions(y)
        .example('$0 build rules -o out', 'every backend, default profiles')
        .example('$0 build rules -o out -t kql,sigma -p kql=kql-mde --strict', 'two backends, Defender tables, fail on lossy output')
        .epilog('The tree is built beside <out> and swapped in whole; files outside <out> are never touched.'),
    async (a) => {
      const s = resolveSettings(a);
      const out = s.out as string;
      try {
        assertSafeOutDir(out, s.paths);
      } catch (err) {
        if (err instanceof UnsafeOutputDir) throw new UsageError(err.message);
        throw err;
      }
      const { files, result } = await runBatch(s, 'build');
      if (!a.quiet) printBatchDiagnostics(result.reports, s);
      if (result.collisions.length) {
        printCollisions(result);
        process.stderr.write(`ruleport: nothing written to ${out}\n`);
        setExit(1);
        return;
      }
      const w = writeTree(out, result.outputs);
      process.stderr.write(`ruleport: ${files.length} rules, ${result.outputs.size} files in ${out} (${w.written} written, ${w.unchanged} unchanged)\n`);
      setExit(diagnosticsExit(result.reports, s));
    },
  );
}
