/** `ruleport build`. */
import type { Argv } from 'yargs';
import { assemble, findRuleFiles, ruleOutputs, type BuildResult } from '../build.js';
import { convertBatch, type BatchOptions } from '../workflow/batch.js';
import type { RuleResult } from '../workflow/rule-result.js';
import { progressBar } from '../workflow/progress.js';
import { assertSafeOutDir, TreeWriter, UnsafeOutputDir } from '../workflow/tree.js';
import { batchOptions, diagnosticsExit, printBatchDiagnostics, resolveSettings, UsageError, type GlobalArgs, type SetExit, type Settings } from './shared.js';

/** Converts a batch with the settings (shared by build and check); `onResult` sees each rule as it is done. */
export async function runBatch(s: Settings, label: string, onResult?: BatchOptions['onResult']): Promise<{ files: string[]; result: BuildResult }> {
  const files = findRuleFiles(s.paths);
  const onProgress = progressBar(label);
  const results = await convertBatch(files, { backends: s.targets, profiles: s.profiles, macros: s.macros, root: s.root, ...(onProgress ? { onProgress } : {}), ...(onResult ? { onResult } : {}) });
  return { files, result: assemble(results) };
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
      // Files are staged as their rules finish, while the others still convert. The first write
      // error stops staging; it is raised once the batch is done (the previous tree stays).
      const writer = new TreeWriter(out);
      let failure: unknown;
      const stage = (r: RuleResult): void => {
        if (r.skipped || failure !== undefined) return;
        try {
          for (const [rel, text] of ruleOutputs(r)) writer.place(rel, text);
        } catch (err) {
          failure = err;
        }
      };
      const { files, result } = await runBatch(s, 'build', stage).catch((err: unknown) => {
        writer.abort();
        throw err;
      });
      if (failure !== undefined) {
        writer.abort();
        throw failure;
      }
      if (!a.quiet) printBatchDiagnostics(result.results, s, 'warning', a.verbose);
      if (result.collisions.length) {
        writer.abort();
        printCollisions(result);
        process.stderr.write(`ruleport: nothing written to ${out}\n`);
        setExit(1);
        return;
      }
      try {
        for (const rel of ['report.json', 'capabilities.md']) writer.place(rel, result.outputs.get(rel) ?? '');
      } catch (err) {
        writer.abort();
        throw err;
      }
      const w = writer.commit();
      const skipped = files.length - result.results.length;
      const other = skipped ? ` (${skipped} other files skipped: not Splunk SPL)` : '';
      process.stderr.write(`ruleport: ${result.results.length} rules${other}, ${result.outputs.size} files in ${out} (${w.written} written, ${w.unchanged} unchanged)\n`);
      setExit(diagnosticsExit(result.results, s));
    },
  );
}
