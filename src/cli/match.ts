/** `ruleport match`. */
import type { Argv } from 'yargs';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { diag } from '../diagnostics.js';
import { frontEnd } from '../pipeline.js';
import { loadRuleFile } from '../rules/load.js';
import { formatDiagnostic } from '../report.js';
import { resolveProfile } from '../profiles/profile.js';
import { compileDetection, MatcherUnsupported, type CompiledRule } from '../matcher/compile.js';
import { mapEvent, runStages, type Row } from '../runtime/index.js';

import { macrosFrom, type GlobalArgs, type SetExit } from './shared.js';

export function matchCommand(y: Argv<GlobalArgs>, setExit: SetExit): Argv<GlobalArgs> {
  return y.command(
    'match <rule> [events..]',
    'run the native matcher on NDJSON events (files, or - for stdin); prints result rows as NDJSON',
    (y) =>
      y
        .positional('rule', { type: 'string', demandOption: true })
        .positional('events', { type: 'string', array: true, default: ['-'] })
        .option('profile', { alias: 'p', type: 'string', default: 'sysmon-raw', describe: 'input mapping profile' }),
    async (a) => {
      const loaded = loadRuleFile(a.rule);
      if (!loaded.rule) {
        for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(a.rule, d)}\n`);
        setExit(1);
        return;
      }
      const fe = frontEnd(loaded.rule, macrosFrom(a.macros));
      for (const d of fe.diagnostics) process.stderr.write(`${formatDiagnostic(a.rule, d, loaded.rule)}\n`);
      if (!fe.detection) {
        setExit(1);
        return;
      }
      let rule: CompiledRule;
      try {
        rule = compileDetection(fe.detection, resolveProfile(a.profile));
      } catch (err) {
        if (!(err instanceof MatcherUnsupported)) throw err;
        process.stderr.write(`${formatDiagnostic(a.rule, diag('BE001', err.message, err.span, { backend: 'ts' }), loaded.rule)}\n`);
        setExit(1);
        return;
      }
      const kept: Row[] = [];
      for (const src of a.events as string[]) {
        const lines = createInterface({ input: src === '-' ? process.stdin : createReadStream(src), crlfDelay: Infinity });
        let n = 0;
        for await (const line of lines) {
          n++;
          if (line.trim() === '') continue;
          let raw: Record<string, unknown>;
          try {
            raw = JSON.parse(line) as Record<string, unknown>;
          } catch {
            process.stderr.write(`${src}:${n}: skipped: not a JSON object\n`);
            continue;
          }
          const row = mapEvent({ ...raw, _raw: line }, rule.input);
          if (rule.filter(row)) kept.push(row);
        }
      }
      for (const row of runStages(kept, rule.stages)) {
        const { _raw, ...rest } = row;
        void _raw;
        process.stdout.write(`${JSON.stringify(rest)}\n`);
      }
      setExit(0);
    },
  );
}
