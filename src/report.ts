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

export function formatDiagnostic(file: string, d: Diagnostic, rule?: RuleSource, text?: string): string {
  const at = locate(file, d, rule);
  const where = d.backend ? ` [${d.backend}]` : '';
  const dir = d.direction ? ` (${d.direction})` : '';
  const lines = [`${at.file}:${at.line}:${at.column}: ${d.severity} ${d.code}${where}: ${d.message}${dir}`];
  const source = rule?.text ?? text;
  if (d.span && rule) {
    const r = fileRange(rule, d.span);
    lines.push(indent(codeFrame(rule.text, r.start, r.end)));
  } else if (source && d.at) {
    const starts = source.split('\n').slice(0, d.at.line - 1).reduce((n, l) => n + l.length + 1, 0);
    lines.push(indent(codeFrame(source, starts + d.at.column - 1, starts + d.at.column)));
  }
  if (d.related && rule) {
    const r = fileRange(rule, d.related.span);
    const p = positionAt(rule.text, r.start);
    lines.push(`  ${at.file}:${p.line}:${p.column}: note: ${d.related.message}`);
    lines.push(indent(codeFrame(rule.text, r.start, r.end)));
  }
  return lines.join('\n');
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
