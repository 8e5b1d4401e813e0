/**
 * The fast path of the native matcher: reading rule fields straight from raw events (no mapped
 * row per event), and the data of the raw-line prefilter (compiled in lines.ts, which needs Node's
 * Buffer and is therefore not part of `ruleport/runtime`'s type surface).
 * Everything here must agree exactly with mapEvent + the row-based filter (index.ts); the
 * differential test (test/matcher/differential.test.ts) holds it to that.
 */
import { parseTime, type FieldValue, type InputMapping } from './index.js';

export type RawEvent = Readonly<Record<string, unknown>>;

export function present(v: unknown): v is string | number | unknown[] {
  return v !== undefined && v !== null && v !== '' && (typeof v === 'string' || typeof v === 'number' || Array.isArray(v));
}

function basename(path: string): string {
  const i = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  return i === -1 ? path : path.slice(i + 1);
}

/**
 * Reads one rule field from a raw event exactly as mapEvent would put it in the row: the mapped
 * source field (converted), else the raw field of the same name. Resolved once per rule.
 */
export function fieldReader(name: string, mapping: InputMapping): (e: RawEvent) => FieldValue | undefined {
  const own = (e: RawEvent): FieldValue | undefined => {
    const w = e[name];
    return present(w) ? (w as FieldValue) : undefined;
  };
  if (name === '_source') return () => undefined;
  const m = Object.prototype.hasOwnProperty.call(mapping, name) ? mapping[name] : undefined;
  if (!m) return own;
  const src = m.name;
  if (m.type === 'time') {
    return (e) => {
      const v = e[src];
      if (present(v)) {
        const t = parseTime(v);
        if (t !== undefined) return t;
      }
      return own(e);
    };
  }
  if (m.derive === 'basename') {
    return (e) => {
      const v = e[src];
      return present(v) ? basename(String(v)) : own(e);
    };
  }
  return (e) => {
    const v = e[src];
    return present(v) ? (v as FieldValue) : own(e);
  };
}

// ---- raw-line prefilter ---------------------------------------------------------------------------

/**
 * A necessary condition on the raw JSON text: some occurrence of one of `keys` (as a JSON object
 * key) has a scalar value whose string form is one of `values` (lower-cased unless
 * caseSensitive). An array value, or a line holding a `\u` escape, counts as "may match".
 */
export interface KeyValueProbe {
  readonly keys: readonly string[];
  readonly values: readonly string[];
  readonly caseSensitive: boolean;
}

/** All conjuncts must hold; a conjunct holds when any of its probes does. */
export type LinePrefilter = readonly (readonly KeyValueProbe[])[];

