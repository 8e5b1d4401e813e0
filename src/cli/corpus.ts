/** `ruleport corpus`. */
import type { Argv } from 'yargs';
import { writeFileSync } from 'node:fs';
import { buildOutputs, corpusSummary, findRuleFiles } from '../build.js';

import { macrosFrom, type GlobalArgs, type SetExit } from './shared.js';

export function corpusCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'corpus <paths..>',
    'run every rule under the paths through every backend and summarize (writes only --report)',
    (y) =>
      y
        .positional('paths', { type: 'string', array: true, demandOption: true })
        .option('report', { type: 'string', describe: 'write the full JSON report here' }),
    (a) => {
      const files = findRuleFiles(a.paths);
      const built = buildOutputs(files, { macros: macrosFrom(a.macros) });
      if (a.report) writeFileSync(a.report, built.outputs.get('report.json') ?? '');
      process.stdout.write(corpusSummary(built));
      setExit(0);
    },
  );
}
