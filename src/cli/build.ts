/** `ruleport build`. */
import type { Argv } from 'yargs';
import { BACKEND_IDS, type BackendId } from '../diagnostics.js';
import { buildOutputs, findRuleFiles, writeTree } from '../build.js';

import { allDiagnostics, backendOption, macrosFrom, printDiagnostics, type GlobalArgs, type SetExit } from './shared.js';

export function buildCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'build <paths..>',
    'convert every rule under the paths into an output tree',
    (y) =>
      y
        .positional('paths', { type: 'string', array: true, demandOption: true })
        .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output directory' })
        .option('target', { ...backendOption, array: true, describe: 'backends (default: all)' })
        .option('strict', { type: 'boolean', default: false })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary' }),
    (a) => {
      const files = findRuleFiles(a.paths);
      const { outputs, reports } = buildOutputs(files, { backends: (a.target as BackendId[] | undefined) ?? BACKEND_IDS, macros: macrosFrom(a.macros) });
      writeTree(a.out, outputs);
      if (!a.quiet)
        for (const r of reports)
          printDiagnostics(
            r,
            allDiagnostics(r).filter((d) => d.severity !== 'info'),
          );
      const written = [...outputs.keys()].length;
      process.stderr.write(`ruleport: ${files.length} rules, ${written} files written to ${a.out}\n`);
      setExit(0);
    },
  );
}
