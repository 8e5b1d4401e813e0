/**
 * Node client for the Lucene oracle (LuceneOracle.java beside this file).
 *
 * `startLuceneOracle()` compiles the Java file once into a temp dir (`javac -cp <lucene-core jar>`)
 * and starts one JVM that serves every request of the test run over a line protocol (see the
 * Java file). Requests are pipelined; answers come back in order.
 *
 * The jar: $LUCENE_CORE_JAR, else what Debian's liblucene8-java installs
 * (/usr/share/java/lucene-core-*.jar; bookworm ships 8.8.1 under a jar named 8.7.0).
 * When Java or the jar is missing the result says why, and callers must skip LOUDLY.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type LuceneAnswer = { ok: true; bits: boolean[] } | { ok: false; error: string };

export interface LuceneRunOptions {
  /** ASCII_CASE_INSENSITIVE (`regex~`). */
  caseInsensitive?: boolean;
  /** Syntax flags NONE instead of ALL. */
  noOperators?: boolean;
  /** Reject longer patterns, like Elasticsearch's index.max_regex_length (default 1000). */
  maxLength?: number;
}

export interface LuceneOracle {
  /** Lucene's Version.LATEST as reported by the JVM. */
  readonly version: string;
  readonly jar: string;
  run(pattern: string, inputs: readonly string[], options?: LuceneRunOptions): Promise<LuceneAnswer>;
  close(): Promise<void>;
}

export type LuceneStart = { ok: true; oracle: LuceneOracle } | { ok: false; reason: string };

const JAVA_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'LuceneOracle.java');

export function findLuceneJar(): string | undefined {
  const env = process.env.LUCENE_CORE_JAR;
  if (env) return existsSync(env) ? env : undefined;
  const dir = '/usr/share/java';
  if (existsSync(dir)) {
    const jar = readdirSync(dir)
      .filter((f) => /^lucene-core(-[\d.]+)?\.jar$/.test(f))
      .sort()
      .pop();
    if (jar) return join(dir, jar);
  }
  const maven = '/usr/share/maven-repo/org/apache/lucene/lucene-core/8.x/lucene-core-8.x.jar';
  return existsSync(maven) ? maven : undefined;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export async function startLuceneOracle(): Promise<LuceneStart> {
  const problem = luceneOracleProblem();
  const jar = findLuceneJar();
  if (problem !== undefined || jar === undefined) return { ok: false, reason: problem ?? 'no lucene-core jar' };
  const dir = mkdtempSync(join(tmpdir(), 'ruleport-lucene-'));
  const javac = spawnSync('javac', ['-nowarn', '-cp', jar, '-d', dir, JAVA_SOURCE], { encoding: 'utf8' });
  if (javac.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { ok: false, reason: `javac failed: ${javac.stderr || javac.error?.message}` };
  }
  const child: ChildProcessWithoutNullStreams = spawn(
    'java',
    ['-Xss8m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', `${jar}:${dir}`, 'LuceneOracle'],
    { stdio: 'pipe' },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const pending: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  let dead: Error | undefined;
  let ready: ((v: string) => void) | undefined;
  const readyLine = new Promise<string>((resolve) => (ready = resolve));
  const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (ready) {
      const r = ready;
      ready = undefined;
      r(line);
      return;
    }
    pending.shift()?.resolve(line);
  });
  const exited = new Promise<void>((resolve) => {
    child.on('close', (code) => {
      dead = new Error(`Lucene oracle JVM exited (code ${code}): ${stderr.trim()}`);
      for (const p of pending.splice(0)) p.reject(dead);
      ready?.(`DEAD ${dead.message}`);
      rmSync(dir, { recursive: true, force: true });
      resolve();
    });
    child.on('error', (e) => {
      dead = e;
      ready?.(`DEAD ${e.message}`);
    });
  });
  const first = await readyLine;
  if (!first.startsWith('READY ')) return { ok: false, reason: `the JVM did not start: ${first} ${stderr}` };
  const oracle: LuceneOracle = {
    version: first.slice('READY '.length),
    jar,
    run(pattern, inputs, options = {}) {
      if (dead) return Promise.reject(dead);
      const flags = [
        ...(options.caseInsensitive ? ['ci'] : []),
        ...(options.noOperators ? ['none'] : []),
        ...(options.maxLength !== undefined ? [`maxlen=${options.maxLength}`] : []),
      ];
      const line = `${flags.join(',') || '-'}\t${b64(pattern)}\t${inputs.length}\t${inputs.map(b64).join(',')}\n`;
      const answer = new Promise<string>((resolve, reject) => pending.push({ resolve, reject }));
      child.stdin.write(line);
      return answer.then((reply): LuceneAnswer => {
        if (reply.startsWith('OK ')) return { ok: true, bits: [...reply.slice(3)].map((c) => c === '1') };
        return { ok: false, error: reply.replace(/^ERR /, '') };
      });
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
  return { ok: true, oracle };
}

/** Why the Lucene oracle cannot run here (checked synchronously, for `it.skipIf`), or undefined. */
export function luceneOracleProblem(): string | undefined {
  for (const tool of ['java', 'javac']) {
    const r = spawnSync(tool, ['-version'], { stdio: 'pipe' });
    if (r.error || r.status !== 0) return `\`${tool}\` is not installed (a JDK >= 11 is needed)`;
  }
  return findLuceneJar() ? undefined : 'no lucene-core jar (apt-get install liblucene8-java, or set LUCENE_CORE_JAR)';
}
