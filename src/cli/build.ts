/** `ruleport build`. */
import type { Argv } from 'yargs';
import { assemble, findRuleFiles, type BuildResult } from '../build.js';
import { convertBatch } from '../workflow/batch.js';
import { progressBar } from '../workflow/progress.js';
import { assertSafeOutDir, Stager, TreeWriter, UnsafeOutputDir, type StagedCount, type StagingTarget } from '../workflow/tree.js';
import { batchOptions, diagnosticsExit, printBatchDiagnostics, resolveSettings, UsageError, type GlobalArgs, type SetExit, type Settings } from './shared.js';

/** Converts a batch with the settings (shared by build and check); with `stage`, each thread stages its rules' files. */
export async function runBatch(s: Settings, label: string, stage?: StagingTarget): Promise<{ files: string[]; result: BuildResult; staged?: StagedCount }> {
  const files = findRuleFiles(s.paths);
  const onProgress = progressBar(label);
  const batch = await convertBatch(files, { backends: s.targets, profiles: s.profiles, macros: s.macros, root: s.root, ...(onProgress ? { onProgress } : {}), ...(stage ? { stage } : {}) });
  return { files, result: assemble(batch.results, batch.capabilities), ...(batch.staged ? { staged: batch.staged } : {}) };
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
      // Every thread stages its rules' files as it converts them; report.json and capabilities.md
      // follow once all are done. A write error leaves the previous tree as it was.
      const writer = new TreeWriter(out);
      let batch: Awaited<ReturnType<typeof runBatch>>;
      try {
        batch = await runBatch(s, 'build', writer.target);
      } catch (err) {
        await writer.abort();
        throw err;
      }
      const { files, result } = batch;
      const count = { ...(batch.staged ?? { written: 0, unchanged: 0 }) };
      if (!a.quiet) printBatchDiagnostics(result.results, s, 'warning', a.verbose);
      if (result.collisions.length) {
        await writer.abort();
        printCollisions(result);
        process.stderr.write(`ruleport: nothing written to ${out}\n`);
        setExit(1);
        return;
      }
      try {
        const stager = new Stager(writer.target);
        for (const rel of ['report.json', 'capabilities.md']) stager.place(rel, result.outputs.get(rel) ?? '');
        const last = await stager.settled();
        count.written += last.written;
        count.unchanged += last.unchanged;
        await writer.commit();
      } catch (err) {
        await writer.abort();
        throw err;
      }
      const skipped = files.length - result.results.length;
      const other = skipped ? ` (${skipped} other files skipped: not Splunk SPL)` : '';
      process.stderr.write(`ruleport: ${result.results.length} rules${other}, ${result.outputs.size} files in ${out} (${count.written} written, ${count.unchanged} unchanged)\n`);
      setExit(diagnosticsExit(result.results, s));
    },
  );
}
