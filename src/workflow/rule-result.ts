/**
 * What a batch (`build`, `check`) keeps of one converted rule: the output texts, its entry of
 * report.json already serialized (its located diagnostics, read back when printed), and counts.
 * Strings and numbers only, because worker threads post these to the main thread: cloning a
 * RuleReport's thousands of small diagnostic objects and per-character offset tables cost more
 * than converting the rule did.
 */
import { extname, basename } from 'node:path';
import type { BackendId, DiagnosticCode, Severity, Status } from '../diagnostics.js';
import { displayPath, type RuleReport } from '../build.js';
import { locateDiagnostic, strictSeverity, type LocatedDiagnostic } from '../report.js';

/** Diagnostic counts of a rule by severity, as reported and as --strict sees them; and by code. */
export interface Tally {
  readonly plain: Readonly<Record<Severity, number>>;
  readonly strict: Readonly<Record<Severity, number>>;
  readonly codes: Readonly<Partial<Record<DiagnosticCode, number>>>;
}

export interface RuleResult {
  /** The rule file as found. */
  readonly file: string;
  /** The file as reports name it: posix, relative to the batch root. */
  readonly display: string;
  /** The file name without extension: outputs are `<backend>/<stem>.<ext>`. */
  readonly stem: string;
  /** Not a Splunk rule (RP004): counted as skipped, produces nothing. */
  readonly skipped: boolean;
  /** The file text, for code frames (undefined when it could not be read). */
  readonly text: string | undefined;
  readonly outputs: readonly { readonly backend: BackendId; readonly status: Status; readonly text: string | null }[];
  /** This rule's element of report.json `results`, serialized at its indentation there. */
  readonly reportEntry: string;
  readonly tally: Tally;
}

export function ruleResult(report: RuleReport, root: string): RuleResult {
  const text = report.rule?.text ?? report.text;
  const locate = (ds: RuleReport['diagnostics']): LocatedDiagnostic[] => ds.map((d) => locateDiagnostic(d, report.rule));
  const own = locate(report.diagnostics);
  const perBackend = report.backends.map((b) => ({ backend: b.backend, status: b.status, diagnostics: locate(b.diagnostics) }));
  const display = displayPath(report.file, root);
  return {
    file: report.file,
    display,
    stem: basename(report.file, extname(report.file)),
    skipped: report.diagnostics.some((d) => d.code === 'RP004'),
    text,
    outputs: report.backends.map((b) => ({ backend: b.backend, status: b.status, text: b.text })),
    reportEntry: reportEntry(display, report.rule?.id ?? null, report.normalized, own, perBackend),
    tally: tally([own, ...perBackend.map((b) => b.diagnostics)]),
  };
}

/** Counts over lists of diagnostics (a rule's own and each backend's). */
function tally(lists: readonly (readonly LocatedDiagnostic[])[]): Tally {
  const plain = { error: 0, warning: 0, info: 0 };
  const strict = { error: 0, warning: 0, info: 0 };
  const codes: Partial<Record<DiagnosticCode, number>> = {};
  for (const ds of lists) {
    for (const d of ds) {
      plain[d.severity]++;
      strict[strictSeverity(d)]++;
      codes[d.code] = (codes[d.code] ?? 0) + 1;
    }
  }
  return { plain, strict, codes };
}

/** A rule's located diagnostics (its own, then each backend's), read back from its report entry. */
export function locatedDiagnostics(r: Pick<RuleResult, 'reportEntry'>): LocatedDiagnostic[] {
  const entry = JSON.parse(r.reportEntry) as { diagnostics: LocatedDiagnostic[]; backends: Record<BackendId, { diagnostics: LocatedDiagnostic[] }> };
  const out: LocatedDiagnostic[] = entry.diagnostics.map((d) => ({ ...d, backend: null }));
  for (const [backend, b] of Object.entries(entry.backends)) for (const d of b.diagnostics) out.push({ ...d, backend: backend as BackendId });
  return out;
}

/** Counts by severity as the settings see them (--strict: lossy and unmapped are errors). */
export function severities(t: Tally, strict: boolean): Readonly<Record<Severity, number>> {
  return strict ? t.strict : t.plain;
}

/**
 * One element of report.json `results`, indented as it sits there, with each diagnostic on one
 * line: a rule's change shows in `git diff` as the lines of the diagnostics that changed.
 */
function reportEntry(
  file: string,
  id: string | null,
  normalized: boolean,
  own: readonly LocatedDiagnostic[],
  backends: readonly { backend: BackendId; status: Status; diagnostics: readonly LocatedDiagnostic[] }[],
): string {
  const list = (ds: readonly LocatedDiagnostic[], pad: string): string =>
    ds.length === 0 ? '[]' : `[\n${ds.map((d) => `${pad}  ${reportDiagnostic(d)}`).join(',\n')}\n${pad}]`;
  const rows = backends.map((b) => `        ${JSON.stringify(b.backend)}: { "status": ${JSON.stringify(b.status)}, "diagnostics": ${list(b.diagnostics, '        ')} }`);
  return [
    '    {',
    `      "file": ${JSON.stringify(file)},`,
    `      "id": ${JSON.stringify(id)},`,
    `      "normalized": ${normalized},`,
    `      "diagnostics": ${list(own, '      ')},`,
    `      "backends": {${rows.length ? `\n${rows.join(',\n')}\n      ` : ''}}`,
    '    }',
  ].join('\n');
}

/**
 * A diagnostic as report.json lists it, as JSON: the file and backend are those of the entry it
 * is in (`locatedDiagnostics` reads it back). Written out by hand, the fields in a fixed order:
 * codes, kinds, severities and directions are identifiers, only messages need escaping, and a
 * corpus has ~30,000 of these.
 */
function reportDiagnostic(d: LocatedDiagnostic): string {
  const direction = d.direction ? `,"direction":"${d.direction}"` : '';
  const end = d.endLine !== undefined ? `,"endLine":${d.endLine},"endColumn":${d.endColumn ?? d.column}` : '';
  const r = d.related;
  const related = r ? `,"related":{"line":${r.line},"column":${r.column},"endLine":${r.endLine},"endColumn":${r.endColumn},"message":${JSON.stringify(r.message)}}` : '';
  return `{"code":"${d.code}","kind":"${d.kind}","severity":"${d.severity}","message":${JSON.stringify(d.message)}${direction},"line":${d.line},"column":${d.column}${end}${related}}`;
}
