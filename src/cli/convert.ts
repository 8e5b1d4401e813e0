/** `ruleport convert`. */
import type { Argv } from 'yargs';
import { type BackendId } from '../diagnostics.js';
import { convertFile } from '../build.js';

import { allDiagnostics, backendOption, exitFor, macrosFrom, printDiagnostics, type GlobalArgs, type SetExit } from './shared.js';

export function convertCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'convert <rule>',
    'print one rule converted for one backend',
    (y) =>
      y
        .positional('rule', { type: 'string', demandOption: true })
        .option('target', { ...backendOption, demandOption: true })
        .option('profile', { alias: 'p', type: 'string', describe: 'mapping profile (built-in name or file)' })
        .option('strict', { type: 'boolean', default: false, describe: 'treat lossy translations as errors' }),
    (a) => {
      const target = a.target as BackendId;
      const report = convertFile(a.rule, { backends: [target], profiles: a.profile ? { [target]: a.profile } : {}, macros: macrosFrom(a.macros) });
      const out = report.backends[0];
      if (out?.text) process.stdout.write(out.text);
      printDiagnostics(report, allDiagnostics(report));
      setExit(out?.text ? exitFor(allDiagnostics(report), a.strict) : 1);
    },
  );
}
