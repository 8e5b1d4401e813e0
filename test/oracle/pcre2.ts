/**
 * PCRE2 ground truth in bulk: drives `pcre2test` (Debian pcre2-utils, PCRE2 10.42) through one
 * or more long-lived processes, streaming the input and parsing the output as it arrives.
 *
 * Semantics = Splunk's `regex`/`match()`: unanchored search, PCRE2 defaults, no UTF mode (so
 * `(?i)` folds ASCII only, `\d \w \s \b` are ASCII). Subjects are written as single data lines
 * with escapes, so newlines, tabs and edge spaces survive (pcre2test strips unescaped edge
 * whitespace and would end the subject list on an empty line).
 *
 * Subjects with characters above U+00FF cannot be given to non-UTF PCRE2; they run in a second
 * block with the `utf` modifier. That differs from the non-UTF model only in case folding of
 * non-ASCII letters (UTF mode folds é/É, k/U+212A...), so such subjects get verdict `null`
 * (undecided) when the pattern has a case-insensitive part and the subject has a non-ASCII
 * character with a case variant. Match-time errors (match limit...) are `null` too.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface PcreJob {
  pattern: string;
  subjects: readonly string[];
  /** The pattern has a case-insensitive part (decides which UTF-mode subjects are undecided). */
  caseless?: boolean;
}

export type PcreJobResult = { error: string } | { verdicts: (boolean | null)[] };

let available: boolean | undefined;

export function pcre2testAvailable(): boolean {
  if (available === undefined) available = spawnSync('pcre2test', ['-version'], { stdio: 'pipe' }).status === 0;
  return available;
}

const WIDE = /[\u0100-\uffff]/;

/** Would UTF-mode case folding treat this character differently from ASCII-only folding? */
const foldsInUtf = (c: string): boolean => c > '\u007f' && (c.toLowerCase() !== c || c.toUpperCase() !== c);

function encodeSubject(s: string): string {
  if (s === '') return '\\';
  const chars = [...s];
  let first = 0;
  while (first < chars.length && chars[first] === ' ') first++;
  let last = chars.length - 1;
  while (last >= first && chars[last] === ' ') last--;
  let out = '';
  chars.forEach((c, i) => {
    const cp = c.codePointAt(0) ?? 0;
    if (c === '\\') out += '\\\\';
    else if (cp < 0x20 || cp > 0x7e || (c === ' ' && (i < first || i > last))) out += `\\x{${cp.toString(16)}}`;
    else out += c;
  });
  return out;
}

/**
 * Wrapping the pattern in a lookahead makes every match empty, so pcre2test prints ` 0: ` and
 * not the matched text (the verdict of an unanchored search is unchanged). Not done when the
 * pattern could swallow the closing parenthesis or needs to start the pattern.
 */
function wrap(pattern: string): string {
  return /\\Q|\(\*|\(\?[a-zA-Z^-]*x|\\$/.test(pattern) ? pattern : `(?=(?:${pattern}))`;
}

interface Block {
  job: number;
  /** Subject indices of the job, in order. */
  indices: number[];
}

/** Subjects repeat across jobs (the event sample is shared): encode each once. */
const encoded = new Map<string, string>();
function encodeCached(s: string): string {
  let e = encoded.get(s);
  if (e === undefined) {
    e = `    ${encodeSubject(s)}`;
    if (encoded.size < 200_000) encoded.set(s, e);
  }
  return e;
}

/** Runs one pcre2test process over some jobs, streaming job by job; fills `results`. */
async function runChunk(jobs: readonly PcreJob[], ids: number[], results: PcreJobResult[]): Promise<void> {
  const blocks: Block[] = [];
  const child = spawn('pcre2test', ['-q'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  let b = -1;
  let k = 0;
  const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (line.startsWith('/')) {
      b++;
      k = 0;
      return;
    }
    const block = blocks[b];
    if (!block) return;
    const res = results[block.job] as PcreJobResult;
    if (!('verdicts' in res)) return;
    let verdict: boolean | null;
    if (line === 'No match') verdict = false;
    else if (line.startsWith(' 0:')) verdict = true;
    else if (line.startsWith('Failed: error -')) verdict = null;
    else if (line.startsWith('Failed: error ') || line.startsWith('** ')) {
      if (k === 0) results[block.job] = { error: line };
      return;
    } else return;
    const idx = block.indices[k++];
    if (idx !== undefined) res.verdicts[idx] = verdict;
  });
  const input = child.stdin;
  const write = async (text: string): Promise<void> => {
    if (!input.write(text)) await new Promise<void>((resolve) => input.once('drain', () => resolve()));
  };
  await write('#subject ovector=1\n\n');
  for (const id of ids) {
    const job = jobs[id] as PcreJob;
    results[id] = { verdicts: job.subjects.map(() => null) };
    const p = wrap(job.pattern);
    const widePattern = WIDE.test(job.pattern);
    const narrow: number[] = [];
    const wide: number[] = [];
    job.subjects.forEach((s, i) => (widePattern || WIDE.test(s) ? wide : narrow).push(i));
    for (const [indices, utf] of [[narrow, false], [wide, true]] as const) {
      if (indices.length === 0) continue;
      blocks.push({ job: id, indices });
      const hex = Buffer.from(p, utf ? 'utf8' : 'latin1').toString('hex');
      const body = indices.map((i) => encodeCached(job.subjects[i] as string)).join('\n');
      await write(`/${hex}/hex${utf ? ',utf' : ''}\n${body}\n\n`);
    }
  }
  input.end();
  await exited;
  // Undecided UTF-mode subjects (see the file comment).
  for (const id of ids) {
    const job = jobs[id] as PcreJob;
    const res = results[id] as PcreJobResult;
    if (!job.caseless || !('verdicts' in res)) continue;
    job.subjects.forEach((s, i) => {
      if ((WIDE.test(s) || WIDE.test(job.pattern)) && [...s].some(foldsInUtf)) res.verdicts[i] = null;
    });
  }
}

/** Runs all jobs on `parallel` pcre2test processes; one result per job, in order. */
export async function pcre2Verdicts(jobs: readonly PcreJob[], parallel = 2): Promise<PcreJobResult[]> {
  const results: PcreJobResult[] = new Array(jobs.length);
  const chunks: number[][] = Array.from({ length: Math.max(1, parallel) }, () => []);
  // Balance by subject volume.
  const load = chunks.map(() => 0);
  jobs
    .map((j, i) => ({ i, w: j.subjects.reduce((n, s) => n + s.length + 8, 0) }))
    .sort((a, b) => b.w - a.w)
    .forEach(({ i, w }) => {
      const c = load.indexOf(Math.min(...load));
      (chunks[c] as number[]).push(i);
      load[c] = (load[c] ?? 0) + w;
    });
  await Promise.all(chunks.filter((c) => c.length).map((c) => runChunk(jobs, c.sort((a, b) => a - b), results)));
  return results;
}
