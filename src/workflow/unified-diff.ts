/**
 * Line diffs in the unified format (`diff -u` / `git diff`), from Myers' O(ND) algorithm. Small on
 * purpose: the outputs ruleport compares are a few dozen lines each.
 */

export type Edit = { readonly op: ' ' | '-' | '+'; readonly line: string };

/** Splits text into lines; a missing final newline is kept as a marker like diff does. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

/** The shortest edit script turning `a` into `b` (Myers 1986, greedy forward search with trace). */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0))) x = v[offset + k + 1] ?? 0;
      else x = (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace backwards to recover the edits.
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d] as Int32Array;
    const k = x - y;
    let prevK: number;
    if (d === 0) prevK = 0;
    else if (k === -d || (k !== d && (vd[offset + k - 1] ?? 0) < (vd[offset + k + 1] ?? 0))) prevK = k + 1;
    else prevK = k - 1;
    const prevX = d === 0 ? 0 : (vd[offset + prevK] ?? 0);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      edits.push({ op: ' ', line: a[x] as string });
    }
    if (d > 0) {
      if (x === prevX) edits.push({ op: '+', line: b[--y] as string });
      else edits.push({ op: '-', line: a[--x] as string });
    }
  }
  return edits.reverse();
}

/**
 * A unified diff of two texts with `context` lines around each change, headed `--- oldName` /
 * `+++ newName`; '' when the texts are equal. `null` stands for a file that does not exist.
 */
export function unifiedDiff(oldName: string, newName: string, oldText: string | null, newText: string | null, context = 3): string {
  if (oldText === newText) return '';
  const edits = diffLines(splitLines(oldText ?? ''), splitLines(newText ?? ''));
  const out = [`--- ${oldText === null ? '/dev/null' : oldName}`, `+++ ${newText === null ? '/dev/null' : newName}`];
  // Positions (in old and new) before each edit.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let i = 0;
  let j = 0;
  for (const e of edits) {
    oldAt.push(i);
    newAt.push(j);
    if (e.op !== '+') i++;
    if (e.op !== '-') j++;
  }
  let k = 0;
  while (k < edits.length) {
    while (k < edits.length && edits[k]?.op === ' ') k++;
    if (k >= edits.length) break;
    const start = Math.max(0, k - context);
    // Extend the hunk while the next change is within 2*context unchanged lines.
    let end = k;
    for (;;) {
      while (end < edits.length && edits[end]?.op !== ' ') end++;
      let run = end;
      while (run < edits.length && edits[run]?.op === ' ') run++;
      if (run < edits.length && run - end <= 2 * context) end = run;
      else {
        end = Math.min(end + context, edits.length);
        break;
      }
    }
    const hunk = edits.slice(start, end);
    const oldLen = hunk.filter((e) => e.op !== '+').length;
    const newLen = hunk.filter((e) => e.op !== '-').length;
    const oldStart = oldLen === 0 ? (oldAt[start] ?? 0) : (oldAt[start] ?? 0) + 1;
    const newStart = newLen === 0 ? (newAt[start] ?? 0) : (newAt[start] ?? 0) + 1;
    out.push(`@@ -${range(oldStart, oldLen)} +${range(newStart, newLen)} @@`);
    for (const e of hunk) out.push(`${e.op}${e.line}`);
    k = end;
  }
  return `${out.join('\n')}\n`;
}

function range(start: number, len: number): string {
  return len === 1 ? String(start) : `${start},${len}`;
}
