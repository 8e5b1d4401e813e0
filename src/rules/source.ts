import type { Span } from '../diagnostics.js';
import type { OffsetMap } from './scalar-map.js';

/** A loaded rule: its metadata, its SPL text, and how to locate SPL offsets in the file. */
export interface RuleSource {
  readonly file: string;
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly techniques: readonly string[];
  readonly techniqueIds: readonly string[];
  readonly dataCategories: readonly string[];
  readonly references: readonly string[];
  readonly spl: string;
  /** The whole file text, for code frames. */
  readonly text: string;
  /** SPL offset -> file offset (length spl.length + 1). */
  readonly splOffsets: OffsetMap;
}

export interface FilePosition {
  readonly line: number; // 1-based
  readonly column: number; // 1-based
  readonly offset: number;
}

/** Line starts per text, computed once: a rule's diagnostics are located against the same text. */
const lineStartCache = new Map<string, Int32Array>();

export function lineStarts(text: string): Int32Array {
  let starts = lineStartCache.get(text);
  if (starts) return starts;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  starts = new Int32Array(n);
  let k = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  if (lineStartCache.size > 64) lineStartCache.clear();
  lineStartCache.set(text, starts);
  return starts;
}

export function positionAt(text: string, offset: number): FilePosition {
  const starts = lineStarts(text);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1, offset };
}

/** File offsets of a span of the SPL text. */
export function fileRange(rule: RuleSource, span: Span): { start: number; end: number } {
  const at = (i: number): number => rule.splOffsets[Math.min(Math.max(i, 0), rule.splOffsets.length - 1)] ?? 0;
  const start = at(span.start);
  const end = span.end > span.start ? at(span.end - 1) + 1 : start + 1;
  return { start, end: Math.max(end, start + 1) };
}

export function splPosition(rule: RuleSource, span: Span): FilePosition {
  return positionAt(rule.text, fileRange(rule, span).start);
}

/**
 * A code frame: the file line(s) around a position with a caret line under the span. The caret
 * covers the span on its first line only, which is what a reader needs to find it.
 */
export function codeFrame(text: string, start: number, end: number): string {
  const pos = positionAt(text, start);
  const starts = lineStarts(text);
  const lineStart = starts[pos.line - 1] ?? 0;
  const nextStart = starts[pos.line] ?? text.length + 1;
  const lineText = text.slice(lineStart, nextStart - 1).replace(/\r$/, '');
  const width = Math.max(1, Math.min(end, lineStart + lineText.length) - start);
  const gutter = String(pos.line);
  const pad = ' '.repeat(gutter.length);
  const lines: string[] = [];
  if (pos.line > 1) {
    const prevStart = starts[pos.line - 2] ?? 0;
    lines.push(`${pad} | ${text.slice(prevStart, lineStart - 1).replace(/\r$/, '')}`.trimEnd());
  }
  lines.push(`${gutter} | ${lineText}`.trimEnd());
  // Keep tabs in the caret line so the caret lines up under tabbed text.
  const lead = lineText.slice(0, pos.column - 1).replace(/[^\t]/g, ' ');
  lines.push(`${pad} | ${lead}${'^'.repeat(width)}`);
  return lines.join('\n');
}
