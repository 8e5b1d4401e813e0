/** Diagnostics as text for people (file:line:col, code frame, caret) and as JSON for machines. */
import type { Diagnostic } from './diagnostics.js';
import { codeFrame, fileRange, positionAt, type RuleSource } from './rules/source.js';

export interface Located {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function locate(file: string, d: Diagnostic, rule?: RuleSource): Located {
  if (d.span && rule) {
    const p = positionAt(rule.text, fileRange(rule, d.span).start);
    return { file, line: p.line, column: p.column };
  }
  return { file, line: d.at?.line ?? 1, column: d.at?.column ?? 1 };
}

/** Start and (for SPL spans) end of a diagnostic in the file; the end column is exclusive. */
export function locateRange(d: Pick<Diagnostic, 'span' | 'at'>, rule?: RuleSource): { line: number; column: number; endLine?: number; endColumn?: number } {
  if (d.span && rule) {
    const r = fileRange(rule, d.span);
    const s = positionAt(rule.text, r.start);
    const e = positionAt(rule.text, r.end - 1);
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column + 1 };
  }
  return { line: d.at?.line ?? 1, column: d.at?.column ?? 1 };
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
  const at = locate(file, d, rule);
  const where = d.backend ? ` [${d.backend}]` : '';
  const dir = d.direction ? ` (${d.direction})` : '';
  const sev = d.severity === 'error' ? style.red(style.bold(d.severity)) : d.severity === 'warning' ? style.yellow(style.bold(d.severity)) : style.cyan(d.severity);
  const lines = [`${style.bold(`${at.file}:${at.line}:${at.column}:`)} ${sev} ${style.dim(d.code)}${where}: ${d.message}${dir}`];
  const source = rule?.text ?? text;
  const frame = (t: string, s: number, e: number): string => colourFrame(indent(codeFrame(t, s, e)), style, d.severity);
  if (d.span && rule) {
    const r = fileRange(rule, d.span);
    lines.push(frame(rule.text, r.start, r.end));
  } else if (source && d.at) {
    const starts = source.split('\n').slice(0, d.at.line - 1).reduce((n, l) => n + l.length + 1, 0);
    lines.push(frame(source, starts + d.at.column - 1, starts + d.at.column));
  }
  if (d.related && rule) {
    const r = fileRange(rule, d.related.span);
    const p = positionAt(rule.text, r.start);
    lines.push(`  ${style.bold(`${at.file}:${p.line}:${p.column}:`)} ${style.cyan('note')}: ${d.related.message}`);
    lines.push(colourFrame(indent(codeFrame(rule.text, r.start, r.end)), style, 'info'));
  }
  return lines.join('\n');
}

function colourFrame(frame: string, style: Style, severity: Diagnostic['severity']): string {
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

export function diagnosticJson(file: string, d: Diagnostic, rule?: RuleSource): object {
  const at = locate(file, d, rule);
  const related = d.related && rule ? { ...locate(file, { ...d, span: d.related.span }, rule), message: d.related.message } : undefined;
  return {
    code: d.code,
    kind: d.kind,
    severity: d.severity,
    backend: d.backend,
    message: d.message,
    ...(d.direction ? { direction: d.direction } : {}),
    file: at.file,
    line: at.line,
    column: at.column,
    ...(related ? { related } : {}),
  };
}
