#!/usr/bin/env node
/**
 * ruleport's entry point: sets V8 flags and starts the batch workers before anything else loads,
 * then runs the commands (src/cli/main.ts), which load behind a dynamic import so that the
 * workers start while the main thread is still reading its modules.
 */
import { setFlagsFromString } from 'node:v8';
import { prestartWorkers } from './workflow/workers.js';
import { isOutputTree } from './workflow/output-tree.js';

/**
 * A CLI run is short: V8's default eagerness to optimize makes its optimizing compiler, on a
 * background thread, cost about half as much CPU as the conversion itself, and on two cores that
 * thread competes with the build worker. Optimizing only code that stays hot keeps the speed and
 * saves that CPU (measured on the corpus build: see README, Speed). Applies to worker threads too.
 */
const INTERRUPT_BUDGET = process.env['RULEPORT_V8_INTERRUPT_BUDGET'] ?? '1000000';
if (INTERRUPT_BUDGET !== 'default') setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);

/** Commands that convert batches of rule files on worker threads (not when only asking for help). */
const BATCH_COMMANDS = new Set(['build', 'check', 'diff']);
const args = process.argv.slice(2);
if (convertsBatches(args)) prestartWorkers();

/** `diff` of two output trees converts nothing, so it would leave its workers unused. */
function convertsBatches(argv: readonly string[]): boolean {
  if (!BATCH_COMMANDS.has(argv[0] ?? '') || argv.some((a) => a === '--help' || a === '-h')) return false;
  if (argv[0] !== 'diff' || argv.some((a) => a.startsWith('--git'))) return true;
  // An option's value may pass for a positional here: then workers start, as before.
  const positionals = argv.slice(1).filter((a) => !a.startsWith('-'));
  return !(positionals.length === 2 && positionals.every(isOutputTree));
}

const { main } = await import('./cli/main.js');
main(args).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ruleport: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
