/** `ruleport lint`. */
import type { Argv } from 'yargs';
import { convertFile, findRuleFiles } from '../build.js';

import { exitFor, macrosFrom, printDiagnostics, type GlobalArgs, type SetExit } from './shared.js';

export function lintCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'lint <rules..>',
    'report problems in rules (syntax, unsupported constructs, dead fields)',
    (y) => y.positional('rules', { type: 'string', array: true, demandOption: true }),
    (a) => {
      const macros = macrosFrom(a.macros);
      let worst = 0;
      for (const file of findRuleFiles(a.rules)) {
        const report = convertFile(file, { backends: [], macros });
        printDiagnostics(report, report.diagnostics);
        worst = Math.max(worst, exitFor(report.diagnostics, false));
      }
      setExit(worst);
    },
  );
}
