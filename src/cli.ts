#!/usr/bin/env node
/**
 * ruleport CLI. Exit codes: 0 ok, 1 findings at or above the threshold (errors by default),
 * 2 usage or I/O error.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { BACKEND_IDS, atLeast, diag, worstSeverity, type BackendId, type Diagnostic } from './diagnostics.js';
import { buildOutputs, convertFile, corpusSummary, findRuleFiles, readTree, writeTree, type RuleReport } from './build.js';
import { loadMacros, builtinMacros, type MacroTable } from './ir/macros.js';
import { frontEnd } from './pipeline.js';
import { loadRuleFile } from './rules/load.js';
import { formatDiagnostic } from './report.js';
import { resolveProfile } from './profiles/profile.js';
import { compileDetection, MatcherUnsupported, type CompiledRule } from './matcher/compile.js';
import { mapEvent, runStages, type Row } from './runtime/index.js';

class UsageError extends Error {}

function macrosFrom(file: string | undefined): MacroTable {
  return file ? { ...builtinMacros(), ...loadMacros(file) } : builtinMacros();
}

function printDiagnostics(report: RuleReport, diags: readonly Diagnostic[]): void {
  for (const d of diags) process.stderr.write(`${formatDiagnostic(report.file, d, report.rule, report.rule?.text)}\n`);
}

function allDiagnostics(r: RuleReport): Diagnostic[] {
  return [...r.diagnostics, ...r.backends.flatMap((b) => b.diagnostics)];
}

function exitFor(diags: readonly Diagnostic[], strict: boolean): number {
  const worst = worstSeverity(strict ? diags.map((d) => (d.kind === 'lossy' || d.kind === 'unmapped' ? { ...d, severity: 'error' as const } : d)) : diags);
  return worst && atLeast(worst, 'error') ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const backendOpt = { alias: 't', type: 'string', choices: BACKEND_IDS as unknown as string[], describe: 'target backend' } as const;
  await yargs(argv)
    .scriptName('ruleport')
    .usage('$0 <command> [options]\n\nTranspile Splunk SPL detection rules to Sigma, KQL, EQL, ES|QL and TypeScript.')
    .option('macros', { type: 'string', describe: 'YAML file of macro definitions (merged over the built-in ones)' })
    .command(
      'convert <rule>',
      'print one rule converted for one backend',
      (y) => y.positional('rule', { type: 'string', demandOption: true }).option('target', { ...backendOpt, demandOption: true }).option('profile', { alias: 'p', type: 'string', describe: 'mapping profile (built-in name or file)' }).option('strict', { type: 'boolean', default: false, describe: 'treat lossy translations as errors' }),
      (a) => {
        const target = a.target as BackendId;
        const report = convertFile(a.rule, { backends: [target], profiles: a.profile ? { [target]: a.profile } : {}, macros: macrosFrom(a.macros) });
        const out = report.backends[0];
        if (out?.text) process.stdout.write(out.text);
        printDiagnostics(report, allDiagnostics(report));
        code = out?.text ? exitFor(allDiagnostics(report), a.strict) : 1;
      },
    )
    .command(
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
        code = worst;
      },
    )
    .command(
      'explain <rule>',
      'show how ruleport reads a rule',
      (y) => y.positional('rule', { type: 'string', demandOption: true }).option('ir', { type: 'boolean', default: true, describe: 'print the IR as JSON' }),
      (a) => {
        const loaded = loadRuleFile(a.rule);
        if (!loaded.rule) {
          for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(a.rule, d)}\n`);
          code = 1;
          return;
        }
        const fe = frontEnd(loaded.rule, macrosFrom(a.macros));
        for (const d of fe.diagnostics) process.stderr.write(`${formatDiagnostic(a.rule, d, loaded.rule)}\n`);
        if (fe.detection) process.stdout.write(`${JSON.stringify(fe.detection, null, 2)}\n`);
        code = fe.detection ? 0 : 1;
      },
    )
    .command(
      'build <paths..>',
      'convert every rule under the paths into an output tree',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, demandOption: true })
          .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output directory' })
          .option('target', { ...backendOpt, array: true, describe: 'backends (default: all)' })
          .option('strict', { type: 'boolean', default: false })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary' }),
      (a) => {
        const files = findRuleFiles(a.paths);
        const { outputs, reports } = buildOutputs(files, { backends: (a.target as BackendId[] | undefined) ?? BACKEND_IDS, macros: macrosFrom(a.macros) });
        writeTree(a.out, outputs);
        if (!a.quiet) for (const r of reports) printDiagnostics(r, allDiagnostics(r).filter((d) => d.severity !== 'info'));
        const written = [...outputs.keys()].length;
        process.stderr.write(`ruleport: ${files.length} rules, ${written} files written to ${a.out}\n`);
        code = 0;
      },
    )
    .command(
      'corpus <paths..>',
      'run every rule under the paths through every backend and summarize (writes only --report)',
      (y) => y.positional('paths', { type: 'string', array: true, demandOption: true }).option('report', { type: 'string', describe: 'write the full JSON report here' }),
      (a) => {
        const files = findRuleFiles(a.paths);
        const { outputs, reports } = buildOutputs(files, { macros: macrosFrom(a.macros) });
        if (a.report) writeFileSync(a.report, outputs.get('report.json') ?? '');
        process.stdout.write(corpusSummary(reports));
        code = 0;
      },
    )
    .command(
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
        code = problems.length ? 1 : 0;
      },
    )
    .command(
      'match <rule> [events..]',
      'run the native matcher on NDJSON events (files, or - for stdin); prints result rows as NDJSON',
      (y) => y.positional('rule', { type: 'string', demandOption: true }).positional('events', { type: 'string', array: true, default: ['-'] }).option('profile', { alias: 'p', type: 'string', default: 'sysmon-raw', describe: 'input mapping profile' }),
      async (a) => {
        const loaded = loadRuleFile(a.rule);
        if (!loaded.rule) {
          for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(a.rule, d)}\n`);
          code = 1;
          return;
        }
        const fe = frontEnd(loaded.rule, macrosFrom(a.macros));
        for (const d of fe.diagnostics) process.stderr.write(`${formatDiagnostic(a.rule, d, loaded.rule)}\n`);
        if (!fe.detection) {
          code = 1;
          return;
        }
        let rule: CompiledRule;
        try {
          rule = compileDetection(fe.detection, resolveProfile(a.profile));
        } catch (err) {
          if (!(err instanceof MatcherUnsupported)) throw err;
          process.stderr.write(`${formatDiagnostic(a.rule, diag('BE001', err.message, err.span, { backend: 'ts' }), loaded.rule)}\n`);
          code = 1;
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
        code = 0;
      },
    )
    .demandCommand(1, 'name a command (see --help)')
    .strict()
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    })
    .help()
    .parseAsync();
  return code;
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ruleport: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
