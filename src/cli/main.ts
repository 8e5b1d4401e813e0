/**
 * The ruleport commands. Exit codes: 0 ok, 1 findings at or above the threshold or stale outputs
 * (diff: differences), 2 usage or I/O error. One module per command in this folder.
 */
import yargs, { type Argv } from 'yargs';
import { buildCommand } from './build.js';
import { checkCommand } from './check.js';
import { convertCommand } from './convert.js';
import { corpusCommand } from './corpus.js';
import { explainCommand } from './explain.js';
import { lintCommand } from './lint.js';
import { diffCommand } from './diff.js';
import { matchCommand } from './match.js';
import { packageVersion } from '../paths.js';
import { EXIT_CODES_EPILOG, UsageError, type GlobalArgs } from './shared.js';

/** Every command's --help ends with the exit codes (diff documents its own, as diff(1)). */
function withExitCodes(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  return new Proxy(y, {
    get(target, prop, receiver) {
      if (prop !== 'command') {
        const v: unknown = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      return (cmd: string, desc: string, builder: (y: Argv<GlobalArgs>) => Argv<GlobalArgs>, handler: (a: unknown) => void) =>
        target.command(cmd, desc, (yy: Argv<GlobalArgs>) => (cmd.startsWith('diff') ? builder(yy) : builder(yy).epilog(EXIT_CODES_EPILOG)), handler);
    },
  });
}

/** Runs the command line (without node and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const setExit = (c: number): void => {
    code = c;
  };
  let y = yargs(argv)
    .scriptName('ruleport')
    .usage('$0 <command> [options]\n\nTranspile Splunk SPL detection rules to Sigma, KQL, EQL, ES|QL and TypeScript.')
    .option('macros', { type: 'string', describe: 'YAML file of macro definitions (merged over the built-in ones)' }) as unknown as Argv<GlobalArgs>;
  for (const add of [convertCommand, lintCommand, explainCommand, buildCommand, checkCommand, diffCommand, corpusCommand, matchCommand]) y = add(withExitCodes(y), setExit);
  await y
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    .fail((msg: string, err: Error | undefined) => {
      if (err) throw err;
      throw new UsageError(msg);
    })
    .epilog(EXIT_CODES_EPILOG)
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    // yargs lays out every command's help before running it; only lay it out to a width when shown.
    .wrap(argv.includes('--help') || argv.includes('-h') ? Math.min(110, process.stdout.columns || 100) : null)
    .parseAsync();
  return code;
}
