/**
 * One rule through the front end (parse, normalize, lint) and then through each backend, every
 * backend isolated so one failing never blocks the others.
 */
import { diag, type BackendId, type Diagnostic } from './diagnostics.js';
import type { Detection } from './ir/types.js';
import { builtinMacros, type MacroTable } from './ir/macros.js';
import { lintLineage } from './lint/lineage.js';
import { normalize } from './normalize/normalize.js';
import type { RuleSource } from './rules/source.js';
import { parseSpl } from './spl/parse.js';
import { BACKENDS } from './backends/registry.js';
import { resolveProfile } from './profiles/profile.js';

export interface FrontEndResult {
  /** Absent when the SPL has errors that leave no sound IR. */
  readonly detection?: Detection;
  readonly diagnostics: readonly Diagnostic[];
}

export function frontEnd(rule: RuleSource, macros: MacroTable = builtinMacros()): FrontEndResult {
  try {
    const parsed = parseSpl(rule.spl);
    const normalized = normalize(rule, parsed.pipeline.commands, macros);
    const diagnostics = [...parsed.diagnostics, ...normalized.diagnostics, ...lintLineage(normalized.detection)];
    const broken = diagnostics.some((d) => d.severity === 'error' && (d.kind === 'syntax' || d.kind === 'unsupported'));
    return broken ? { diagnostics } : { detection: normalized.detection, diagnostics };
  } catch (err) {
    return { diagnostics: [diag('INT001', `internal error in the front end: ${(err as Error).stack ?? String(err)}`, null)] };
  }
}

export interface BackendResult {
  readonly backend: BackendId;
  readonly text: string | null;
  readonly diagnostics: readonly Diagnostic[];
}

export function renderBackend(detection: Detection, backend: BackendId, profileName?: string): BackendResult {
  const b = BACKENDS[backend];
  try {
    const profile = resolveProfile(profileName ?? b.defaultProfile);
    const out = b.render(detection, profile);
    return { backend, text: out.text, diagnostics: out.diagnostics };
  } catch (err) {
    return { backend, text: null, diagnostics: [diag('INT001', `internal error in the ${backend} backend: ${(err as Error).message}`, null, { backend })] };
  }
}
