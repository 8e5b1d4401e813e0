/**
 * `npm run bench`: speed as ratios against baselines measured in the same run (never as timed
 * assertions in tests). Two figures:
 *  1. building the Armory corpus through every backend, against the floor of reading and
 *     YAML-parsing the same files;
 *  2. the native matcher (seed variant) on shared/events, against a hand-written loop
 *     (JSON.parse + one RegExp test).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { buildOutputs, findRuleFiles } from '../../src/build.js';
import { frontEnd } from '../../src/pipeline.js';
import { loadRuleFile } from '../../src/rules/load.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { compileDetection } from '../../src/matcher/compile.js';
import { mapEvent } from '../../src/runtime/index.js';

const SHARED = process.env['RULEPORT_SHARED'] ?? join(process.cwd(), '..', 'shared');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Alternates the two measurements RUNS times and returns their medians in ms. */
function pair(a: () => void, b: () => void): [number, number] {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    a();
    ta.push(performance.now() - t);
    t = performance.now();
    b();
    tb.push(performance.now() - t);
  }
  return [median(ta), median(tb)];
}

function corpusBench(): void {
  const dir = join(SHARED, 'corpus', 'armory');
  if (!existsDir(dir)) {
    console.log('corpus: skipped (no ../shared/corpus/armory)');
    return;
  }
  const files = findRuleFiles([dir]);
  const [floor, build] = pair(
    () => {
      for (const f of files) {
        try {
          yaml.load(readFileSync(f, 'utf8'));
        } catch {
          // the corpus holds one file js-yaml rejects; the build reports it, the floor skips it
        }
      }
    },
    () => {
      buildOutputs(files);
    },
  );
  console.log(`corpus build, ${files.length} files, 5 backends: ${build.toFixed(0)} ms; floor (read + YAML parse): ${floor.toFixed(0)} ms; ratio ${(build / floor).toFixed(2)}x the floor`);
}

function existsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function matcherBench(): void {
  const dir = join(SHARED, 'events');
  if (!existsDir(dir)) {
    console.log('matcher: skipped (no ../shared/events)');
    return;
  }
  const lines = readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''));
  const loaded = loadRuleFile('rules/tunneling_process_created_fixed.yml');
  const detection = loaded.rule && frontEnd(loaded.rule).detection;
  if (!detection) throw new Error('seed variant did not normalize');
  const rule = compileDetection(detection, resolveProfile('sysmon-raw'));
  const seedRegex = new RegExp(String.raw`(\-\-dns)?((\s+)|(\=))?((server\=)|(host\=))?((\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\,port\=\d{1,5}.+)|(\w+\.((com)|(org)|(net)|(info)))$)|(\w+\.((com)|(org)|(net)|(info))\:\d{1,5})|(\w+\@(\d{1,3}\.){3}\d{1,3}.+\-(R|D|L).+(\d{1,3}\.){3}\d{1,3}\:\d{1,5})|(\-(R|D|L).+(\d{1,3}\.){3}\d{1,3}\:\d{1,5}.+\w+\@(\d{1,3}\.){3}\d{1,3})|(\d{1,5}\s+?(\d{1,3}\.){3}\d{1,3}\:\d{1,5})`, 'i');
  const hits = [0, 0];
  const [base, ours] = pair(
    () => {
      let n = 0;
      for (const l of lines) {
        const e = JSON.parse(l) as Record<string, unknown>;
        if (e['EventID'] === 1 && typeof e['CommandLine'] === 'string' && seedRegex.test(e['CommandLine'])) n++;
      }
      hits[0] = n;
    },
    () => {
      let n = 0;
      for (const l of lines) {
        if (rule.filter(mapEvent(JSON.parse(l) as Record<string, unknown>, rule.input))) n++;
      }
      hits[1] = n;
    },
  );
  const rate = (ms: number): string => `${Math.round(lines.length / (ms / 1000)).toLocaleString('en')} events/s`;
  console.log(`matcher, seed variant filter, ${lines.length} events: ${rate(ours)} (${hits[1]} hits); hand-written loop: ${rate(base)} (${hits[0]} hits); ratio ${(base / ours).toFixed(2)}x the baseline's speed`);
}

console.log(`ruleport bench (medians of ${RUNS} alternated runs; ratios are what carry over between machines)`);
corpusBench();
matcherBench();
