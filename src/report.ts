/** Diagnostics as text for people (file:line:col, code frame, caret) and as JSON for machines. */
import type { BackendId, Diagnostic, DiagnosticCode, DiagnosticKind, Direction, Severity } from './diagnostics.js';
import { codeFrame, fileRange, lineStarts, positionAt, type RuleSource } from './rules/source.js';

/**
 * A diagnostic resolved against its file: line and column, 1-based, and for SPL spans where it
 * ends (the end column exclusive). Plain data: report.json lists it (less the backend, which is
 * the entry's), and code frames need only it and the file text, not the rule's offset tables.
 */
export interface LocatedDiagnostic {
  readonly code: DiagnosticCode;
  readonly kind: DiagnosticKind;
  readonly severity: Severity;
  readonly backend: BackendId | null;
  readonly message: string;
  readonly direction?: Direction;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly related?: { readonly line: number; readonly column: number; readonly endLine: number; readonly endColumn: number; readonly message: string };
}

/** Where a diagnostic is: SPL spans through the rule's offset map, file-level problems (YAML, schema) at `at`. */
export function locateDiagnostic(d: Diagnostic, rule?: RuleSource): LocatedDiagnostic {
  // One object literal per shape (no spreads): a batch locates tens of thousands of these.
  const { code, kind, severity, backend, message, direction } = d;
  if (d.span && rule) {
    const s = fileRange(rule, d.span);
    const start = positionAt(rule.text, s.start);
    const end = positionAt(rule.text, s.end - 1);
    const related = d.related ? relatedAt(rule, d.related) : undefined;
    return { code, kind, severity, backend, message, direction, line: start.line, column: start.column, endLine: end.line, endColumn: end.column + 1, related };
  }
  // A file position (YAML, schema errors) covers one character; a diagnostic about the backend as
  // a whole has no end, and no code frame.
  if (d.at) return { code, kind, severity, backend, message, direction, line: d.at.line, column: d.at.column, endLine: d.at.line, endColumn: d.at.column + 1 };
  return { code, kind, severity, backend, message, direction, line: 1, column: 1 };
}

function relatedAt(rule: RuleSource, related: NonNullable<Diagnostic['related']>): LocatedDiagnostic['related'] {
  const r = fileRange(rule, related.span);
  const s = positionAt(rule.text, r.start);
  const e = positionAt(rule.text, r.end - 1);
  return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column + 1, message: related.message };
}

/** The file offset of a 1-based line and column (clamped to the text). */
function offsetAt(text: string, line: number, column: number): number {
  const starts = lineStarts(text);
  const start = starts[Math.min(line, starts.length) - 1] ?? 0;
  return Math.min(start + column - 1, text.length);
}

interface Range {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** Located in the file: only a diagnostic about a backend as a whole has no end (and no frame). */
function hasRange(d: LocatedDiagnostic): d is LocatedDiagnostic & Range {
  return d.endLine !== undefined && d.endColumn !== undefined;
}

/** A code frame under [line:column, endLine:endColumn). */
function frameOf(text: string, at: Range): string {
  const from = offsetAt(text, at.line, at.column);
  return indent(codeFrame(text, from, Math.max(offsetAt(text, at.endLine, at.endColumn), from + 1)));
}

/** ANSI styling, applied only when the caller decided colour is wanted (a TTY without NO_COLOR). */
export interface Style {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly green: (s: string) => string;
}

const id = (s: string): string => s;
export const PLAIN: Style = { bold: id, dim: id, red: id, yellow: id, cyan: id, green: id };
const sgr =
  (open: number, close: number) =>
  (s: string): string =>
    `\x1b[${open}m${s}\x1b[${close}m`;
export const ANSI: Style = { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), cyan: sgr(36, 39), green: sgr(32, 39) };

/** Colour for a stream: only on a TTY, never with NO_COLOR set (https://no-color.org), FORCE_COLOR forces it. */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return PLAIN;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return ANSI;
  return stream.isTTY ? ANSI : PLAIN;
}

export function formatDiagnostic(file: string, d: Diagnostic, rule?: RuleSource, text?: string, style: Style = PLAIN): string {
  return formatLocated(file, locateDiagnostic(d, rule), rule?.text ?? text, style);
}

/** `file:line:col: severity CODE [backend]: message (direction)`, then the code frame(s) from `text`. */
export function formatLocated(file: string, d: LocatedDiagnostic, text: string | undefined, style: Style = PLAIN): string {
  const where = d.backend ? ` [${d.backend}]` : '';
  const dir = d.direction ? ` (${d.direction})` : '';
  const sev = d.severity === 'error' ? style.red(style.bold(d.severity)) : d.severity === 'warning' ? style.yellow(style.bold(d.severity)) : style.cyan(d.severity);
  const lines = [`${style.bold(`${file}:${d.line}:${d.column}:`)} ${sev} ${style.dim(d.code)}${where}: ${d.message}${dir}`];
  if (text !== undefined && hasRange(d)) lines.push(colourFrame(frameOf(text, d), style, d.severity));
  if (d.related && text !== undefined) {
    lines.push(`  ${style.bold(`${file}:${d.related.line}:${d.related.column}:`)} ${style.cyan('note')}: ${d.related.message}`);
    lines.push(colourFrame(frameOf(text, d.related), style, 'info'));
  }
  return lines.join('\n');
}

function colourFrame(frame: string, style: Style, severity: Severity): string {
  if (style === PLAIN) return frame;
  const paint = severity === 'error' ? style.red : severity === 'warning' ? style.yellow : style.cyan;
  return frame
    .split('\n')
    .map((l) => {
      const m = /^(\s*\d*\s*\|)(.*)$/.exec(l);
      if (!m) return l;
      const [, gutter = '', rest = ''] = m;
      return `${style.dim(gutter)}${/^\s*\^+$/.test(rest) ? paint(rest) : rest}`;
    })
    .join('\n');
}

function indent(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n');
}

/** A located diagnostic as JSON, with the file it is in (`ruleport check --format json`). */
export function diagnosticJson(file: string, d: LocatedDiagnostic): object {
  return {
    code: d.code,
    kind: d.kind,
    severity: d.severity,
    backend: d.backend,
    message: d.message,
    ...(d.direction ? { direction: d.direction } : {}),
    file,
    line: d.line,
    column: d.column,
    ...(d.related ? { related: { file, line: d.related.line, column: d.related.column, message: d.related.message } } : {}),
  };
}

/** With --strict a lossy or unmapped translation is an error. */
export function escalate<D extends { readonly kind: DiagnosticKind; readonly severity: Severity }>(d: D): D {
  return escalates(d) ? { ...d, severity: 'error' } : d;
}

/** The severity `escalate` gives, without the copy (counting a batch's diagnostics needs only this). */
export function strictSeverity(d: { readonly kind: DiagnosticKind; readonly severity: Severity }): Severity {
  return escalates(d) ? 'error' : d.severity;
}

function escalates(d: { readonly kind: DiagnosticKind }): boolean {
  return d.kind === 'lossy' || d.kind === 'unmapped';
}
