/**
 * Real strings for the regex oracles: distinct values of the string fields of the recorded
 * Windows events in ../shared/events/*.ndjson, sampled deterministically and capped.
 *
 * Fields the rules test most (command lines, images, paths, registry keys, ...) come first, taken
 * round-robin so each contributes; every value with a character above U+00FF and a share of the
 * multi-line values are always included, since that is where engines differ.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EVENTS_DIR = join('..', 'shared', 'events');

const PRIORITY_FIELDS = [
  'CommandLine', 'ParentCommandLine', 'Image', 'ParentImage', 'TargetFilename', 'TargetObject', 'Details',
  'OriginalFileName', 'ImageLoaded', 'ServiceName', 'ImagePath', 'PipeName', 'QueryName', 'NewProcessName',
  'ObjectName', 'RelativeTargetName', 'ShareName', 'TargetUserName', 'SubjectUserName', 'User', 'Description',
  'Company', 'Product', 'param1', 'param2', 'ScriptBlockText', 'Payload', 'Data', 'CallTrace', 'TargetImage',
  'SourceImage', 'GrantedAccess', 'Hashes', 'DestinationHostname', 'DestinationIp', 'QueryResults', 'Signature',
];

export interface EventSample {
  strings: string[];
  files: number;
  events: number;
  /** Distinct string values seen, before sampling. */
  distinct: number;
}

/** A cheap stable hash, to spread the sample over each field's values independently of file order. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function sampleEventStrings(cap: number, maxLength = 2000, dir = EVENTS_DIR): EventSample | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith('.ndjson')).sort();
  const byField = new Map<string, Set<string>>();
  let events = 0;
  for (const f of files) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      events++;
      const obj = JSON.parse(line) as Record<string, unknown>;
      for (const [k, v] of Object.entries(obj)) {
        if (typeof v !== 'string' || v === '' || v.length > maxLength) continue;
        let set = byField.get(k);
        if (!set) byField.set(k, (set = new Set()));
        set.add(v);
      }
    }
  }
  const all = new Set<string>();
  for (const s of byField.values()) for (const v of s) all.add(v);
  const chosen = new Set<string>();
  // Always: values beyond Latin-1, and up to cap/10 multi-line values.
  for (const v of all) if (/[\u0100-\uffff]/.test(v)) chosen.add(v);
  const multiline = [...all].filter((v) => v.includes('\n')).sort((a, b) => hash(a) - hash(b));
  for (const v of multiline.slice(0, Math.floor(cap / 10))) chosen.add(v);
  // Round-robin over the priority fields, then over the rest.
  const order = [...PRIORITY_FIELDS.filter((f) => byField.has(f)), ...[...byField.keys()].filter((f) => !PRIORITY_FIELDS.includes(f)).sort()];
  const queues = order.map((f) => [...(byField.get(f) ?? [])].sort((a, b) => hash(a) - hash(b)));
  const priorityQueues = queues.slice(0, PRIORITY_FIELDS.filter((f) => byField.has(f)).length);
  const fill = (qs: string[][], limit: number): void => {
    for (let round = 0; chosen.size < limit && qs.some((q) => q.length > round); round++) {
      for (const q of qs) {
        const v = q[round];
        if (v !== undefined && chosen.size < limit) chosen.add(v);
      }
    }
  };
  fill(priorityQueues, Math.floor(cap * 0.85));
  fill(queues, cap);
  return { strings: [...chosen], files: files.length, events, distinct: all.size };
}
