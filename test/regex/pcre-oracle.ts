/**
 * PCRE2 oracle for tests: drives `pcre2test` (Debian package pcre2-utils) when it is
 * installed. Patterns are passed with the `hex` modifier so no delimiter or escaping
 * issue can arise; subjects are written with \x{hh} escapes (non-UTF mode, so
 * subjects must be Latin-1).
 */
import { execFileSync, spawnSync } from 'node:child_process';

let available: boolean | undefined;

export function pcre2Available(): boolean {
  if (available === undefined) {
    try {
      execFileSync('pcre2test', ['-version'], { stdio: 'pipe' });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

const hex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');
const encodeSubject = (s: string): string =>
  [...s].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\x{${(c.codePointAt(0) ?? 0).toString(16)}}`)).join('');

export interface OracleCase {
  pattern: string;
  subjects: string[];
}

/** For each case: null if the pattern failed to compile (with the message), else one verdict per subject. */
export function pcreRun(cases: OracleCase[]): ({ error: string } | { verdicts: boolean[] })[] {
  const input: string[] = [];
  for (const c of cases) {
    input.push(`/${hex(c.pattern)}/hex`);
    // An empty line ends the subject list; a lone backslash is pcre2test's empty subject.
    for (const s of c.subjects) input.push(`    ${s === '' ? '\\' : encodeSubject(s)}`);
    input.push('');
  }
  const res = spawnSync('pcre2test', ['-q'], { input: input.join('\n') + '\n', encoding: 'latin1', maxBuffer: 1 << 28 });
  const lines = res.stdout.split('\n');
  const out: ({ error: string } | { verdicts: boolean[] })[] = [];
  let current: { error: string } | { verdicts: boolean[] } | undefined;
  for (const line of lines) {
    if (line.startsWith('/')) {
      if (current) out.push(current);
      current = { verdicts: [] };
    } else if (!current) {
      continue;
    } else if (line.startsWith('Failed: error') && 'verdicts' in current && current.verdicts.length === 0 && !/error -/.test(line)) {
      current = { error: line };
    } else if ('verdicts' in current) {
      if (line === 'No match') current.verdicts.push(false);
      else if (line.startsWith(' 0:')) current.verdicts.push(true);
      else if (/^Failed: error -/.test(line)) current.verdicts.push(false);
    }
  }
  if (current) out.push(current);
  return out;
}
