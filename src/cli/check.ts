/** `ruleport check`. */
import type { Argv } from 'yargs';
import { buildOutputs, findRuleFiles, readTree } from '../build.js';

import { macrosFrom, type GlobalArgs, type SetExit } from './shared.js';

export function checkCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'check <paths..>',
    'exit 1 if the output tree is stale (writes nothing)',
    (y) => y.positional('paths', { type: 'string', array: true, demandOption: true }).option('out', { alias: 'o', type: 'string', demandOption: true }),
    (a) => {
      const { outputs } = buildOutputs(findRuleFiles(a.paths), { macros: macrosFrom(a.macros) });
      const current = readTree(a.out);
      const problems: string[] = [];
      for (const [rel, content] of outputs) {
        const have = current.get(rel);
        if (have === undefined) problems.push(`missing: ${rel}`);
        else if (have !== content) problems.push(`stale: ${rel}`);
      }
      for (const rel of current.keys()) if (!outputs.has(rel)) problems.push(`extra: ${rel}`);
      for (const p of problems) process.stdout.write(`${p}\n`);
      setExit(problems.length ? 1 : 0);
    },
  );
}
