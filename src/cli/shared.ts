/** What every CLI command shares: options, diagnostics printing, exit codes. */
import { BACKEND_IDS, atLeast, worstSeverity, type Diagnostic } from '../diagnostics.js';
import type { RuleReport } from '../build.js';
import { builtinMacros, loadMacros, type MacroTable } from '../ir/macros.js';
import { formatDiagnostic } from '../report.js';

/** Options every command accepts. */
export interface GlobalArgs {
  macros?: string;
}

/** Sets the process exit code once the command finishes. */
export type SetExit = (code: number) => void;

export const backendOption = { alias: 't', type: 'string', choices: BACKEND_IDS as unknown as string[], describe: 'target backend' } as const;

export function macrosFrom(file: string | undefined): MacroTable {
  return file ? { ...builtinMacros(), ...loadMacros(file) } : builtinMacros();
}

export function printDiagnostics(report: RuleReport, diags: readonly Diagnostic[]): void {
  for (const d of diags) process.stderr.write(`${formatDiagnostic(report.file, d, report.rule, report.rule?.text)}\n`);
}

export function allDiagnostics(r: RuleReport): Diagnostic[] {
  return [...r.diagnostics, ...r.backends.flatMap((b) => b.diagnostics)];
}

/** 1 when a diagnostic reaches error severity (with --strict, lossy and unmapped ones count too). */
export function exitFor(diags: readonly Diagnostic[], strict: boolean): number {
  const worst = worstSeverity(strict ? diags.map((d) => (d.kind === 'lossy' || d.kind === 'unmapped' ? { ...d, severity: 'error' as const } : d)) : diags);
  return worst && atLeast(worst, 'error') ? 1 : 0;
}
