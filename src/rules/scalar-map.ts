/**
 * Maps each character of a YAML scalar's *value* back to its offset in the file, so diagnostics
 * found in the SPL text point at the right line and column of the rule file even when the
 * `logic:` scalar is quoted, folded over several lines or uses `''` escapes.
 *
 * js-yaml does not expose per-character positions, so we re-scan the scalar ourselves and check the
 * reconstruction against the value js-yaml produced; on any mismatch we fall back to pointing every
 * character at the start of the scalar (still the right line, never a wrong one).
 */

export type OffsetMap = readonly number[];

/** Scans the scalar starting at `start` in `text`; returns the offset map if it reproduces `expected`. */
export function mapScalar(text: string, start: number, expected: string): OffsetMap {
  const first = text[start];
  let scanned: { value: string; map: number[] } | null;
  if (first === "'") scanned = scanQuoted(text, start, "'");
  else if (first === '"') scanned = scanQuoted(text, start, '"');
  else if (first === '|' || first === '>') scanned = scanBlock(text, start);
  else scanned = scanPlain(text, start);
  if (scanned && scanned.value === expected) return scanned.map;
  // Fallback: everything points at the start of the scalar; one extra entry for end-of-text.
  return new Array<number>(expected.length + 1).fill(start);
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/**
 * Flow scalars fold line breaks: one break becomes a space, n>1 breaks become n-1 newlines, and
 * surrounding blanks are trimmed. `value`/`map` are appended in place.
 */
function foldBreak(text: string, i: number, out: { value: string; map: number[] }): number {
  // i points at '\n' (or '\r'). Trim trailing blanks already emitted.
  while (out.value.length > 0 && isBlank(out.value[out.value.length - 1])) {
    out.value = out.value.slice(0, -1);
    out.map.pop();
  }
  let breaks = 0;
  let j = i;
  let firstBreak = i;
  for (;;) {
    if (text[j] === '\r') j++;
    if (text[j] !== '\n') break;
    if (breaks === 0) firstBreak = j;
    breaks++;
    j++;
    while (isBlank(text[j])) j++;
  }
  if (breaks === 1) {
    out.value += ' ';
    out.map.push(firstBreak);
  } else {
    for (let k = 1; k < breaks; k++) {
      out.value += '\n';
      out.map.push(firstBreak);
    }
  }
  return j;
}

function scanQuoted(text: string, start: number, quote: "'" | '"'): { value: string; map: number[] } | null {
  const out = { value: '', map: [] as number[] };
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") {
        out.value += "'";
        out.map.push(i);
        i += 2;
        continue;
      }
      out.map.push(i); // end-of-text position points at the closing quote
      return out;
    }
    if (c === '\n' || c === '\r') {
      i = foldBreak(text, i, out);
      continue;
    }
    if (quote === '"' && c === '\\') {
      const decoded = decodeDoubleQuotedEscape(text, i);
      if (!decoded) return null;
      if (decoded.lineContinuation) {
        i = decoded.next;
        while (isBlank(text[i])) i++;
        continue;
      }
      out.value += decoded.value;
      for (let k = 0; k < decoded.value.length; k++) out.map.push(i);
      i = decoded.next;
      continue;
    }
    // A run of ordinary characters is copied in one piece (the value is built by appending, and
    // one append per character makes a long chain of tiny strings).
    const run = quote === "'" ? SINGLE_QUOTED_RUN : DOUBLE_QUOTED_RUN;
    run.lastIndex = i;
    run.test(text);
    out.value += text.slice(i, run.lastIndex);
    for (; i < run.lastIndex; i++) out.map.push(i);
  }
  return null;
}

// Characters a quoted scalar copies as they are: all but its quote, line breaks and (in double
// quotes) the backslash. Sticky, and at least one: scanQuoted has checked the first one.
const SINGLE_QUOTED_RUN = /[^'\n\r]+/y;
const DOUBLE_QUOTED_RUN = /[^"\n\r\\]+/y;

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};

function decodeDoubleQuotedEscape(text: string, i: number): { value: string; next: number; lineContinuation?: boolean } | null {
  const e = text[i + 1];
  if (e === undefined) return null;
  if (e === '\n' || e === '\r') {
    let next = i + 2;
    if (e === '\r' && text[next] === '\n') next++;
    return { value: '', next, lineContinuation: true };
  }
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return { value: simple, next: i + 2 };
  const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  if (width === 0) return null;
  const hex = text.slice(i + 2, i + 2 + width);
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return null;
  return { value: String.fromCodePoint(parseInt(hex, 16)), next: i + 2 + width };
}

function scanPlain(text: string, start: number): { value: string; map: number[] } | null {
  // Plain scalars in a block mapping end at a line that is not more indented than the key (column 0
  // for our flat rule files), or at ` #` comments.
  const out = { value: '', map: [] as number[] };
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n' || c === '\r') {
      // Look ahead: is the next non-empty line a continuation (indented)?
      let j = i;
      while (text[j] === '\n' || text[j] === '\r' || isBlank(text[j])) {
        if ((text[j] === '\n') && !isBlank(text[j + 1]) && text[j + 1] !== '\n' && text[j + 1] !== '\r') {
          trimTrailing(out);
          out.map.push(j);
          return out;
        }
        j++;
      }
      if (j >= text.length) break;
      i = foldBreak(text, i, out);
      continue;
    }
    if (c === '#' && isBlank(text[i - 1])) break;
    out.value += c;
    out.map.push(i);
    i++;
  }
  trimTrailing(out);
  out.map.push(i);
  return out;
}

function trimTrailing(out: { value: string; map: number[] }): void {
  while (out.value.length > 0 && isBlank(out.value[out.value.length - 1])) {
    out.value = out.value.slice(0, -1);
    out.map.pop();
  }
}

function scanBlock(text: string, start: number): { value: string; map: number[] } | null {
  // Literal (|) and folded (>) block scalars: only the literal style is mapped exactly; folded
  // blocks are rare in rule files and fall back (the caller detects the mismatch).
  if (text[start] !== '|') return null;
  const header = /^\|([+-]?)([1-9]?)([+-]?)[ \t]*(#.*)?\r?\n/.exec(text.slice(start));
  if (!header) return null;
  let i = start + header[0].length;
  const chomp = header[1] || header[3] || '';
  let indent = header[2] ? Number(header[2]) : 0;
  if (indent === 0) {
    let j = i;
    while (text[j] === ' ') j++;
    indent = j - i;
    if (indent === 0) return null;
  }
  const out = { value: '', map: [] as number[] };
  while (i < text.length) {
    let j = i;
    while (j - i < indent && text[j] === ' ') j++;
    const lineEnd = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    const blankLine = text.slice(i, lineEnd).trim() === '';
    if (j - i < indent && !blankLine) break;
    for (let k = Math.min(j, lineEnd); k < lineEnd; k++) {
      if (text[k] === '\r' && k === lineEnd - 1) continue;
      out.value += text[k];
      out.map.push(k);
    }
    if (lineEnd < text.length) {
      out.value += '\n';
      out.map.push(lineEnd);
    }
    i = lineEnd + 1;
  }
  if (chomp !== '+') {
    while (out.value.endsWith('\n')) {
      out.value = out.value.slice(0, -1);
      out.map.pop();
    }
    if (chomp === '') {
      out.value += '\n';
      out.map.push(i - 1);
    }
  }
  out.map.push(Math.min(i, text.length));
  return out;
}
