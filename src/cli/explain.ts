/** `ruleport explain`. */
import type { Argv } from 'yargs';
import { frontEnd } from '../pipeline.js';
import { loadRuleFile } from '../rules/load.js';
import { formatDiagnostic } from '../report.js';

import { macrosFrom, type GlobalArgs, type SetExit } from './shared.js';

export function explainCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'explain <rule>',
    'show how ruleport reads a rule',
    (y) => y.positional('rule', { type: 'string', demandOption: true }).option('ir', { type: 'boolean', default: true, describe: 'print the IR as JSON' }),
    (a) => {
      const loaded = loadRuleFile(a.rule);
      if (!loaded.rule) {
        for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(a.rule, d)}\n`);
        setExit(1);
        return;
      }
      const fe = frontEnd(loaded.rule, macrosFrom(a.macros));
      for (const d of fe.diagnostics) process.stderr.write(`${formatDiagnostic(a.rule, d, loaded.rule)}\n`);
      if (fe.detection) process.stdout.write(`${JSON.stringify(fe.detection, null, 2)}\n`);
      setExit(fe.detection ? 0 : 1);
    },
  );
}
