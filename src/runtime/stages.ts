/**
 * Row-array stages for the rest of SPL: eval, fillnull, sort, lookup (tables and computed) and
 * join; rex is in rex.ts, streamstats in streamstats.ts. Pure functions: input rows are never
 * mutated; unchanged rows may be returned as is.
 * Conventions as in index.ts: a field is absent when undefined, empty-string or an empty array.
 */
import type { EvalValue } from './eval.js';
import { parseIPv4 } from './eval.js';
import type { FieldValue, Row } from './index.js';
import { asNumber, hasValue, lex, valuesOf } from './values.js';

// ---- eval ---------------------------------------------------------------------------------------

export interface EvalAssignment {
  readonly field: string;
  /** A compiled expression (compileValueExpr). */
  readonly value: (row: Row) => EvalValue;
}

/**
 * `eval a=..., b=...`: assignments run left to right, each seeing the fields set before it.
 * A null result removes the field. A boolean result cannot be stored in a Splunk field (Splunk
 * rejects the search); it removes the field too. [assumption for the runtime]
 */
export function evalStage(rows: readonly Row[], assignments: readonly EvalAssignment[]): Row[] {
  return rows.map((row) => {
    const out: Row = { ...row };
    for (const { field, value } of assignments) {
      const v = value(out);
      if (v === null || typeof v === 'boolean') delete out[field];
      else if (typeof v === 'object') out[field] = [...v];
      else out[field] = v;
    }
    return out;
  });
}

// ---- fillnull -----------------------------------------------------------------------------------

/**
 * `fillnull [value=v] [fields]`: sets absent fields to `value`. With no field list the fields are
 * every field that appears in any row (Splunk: "null values are field values that are missing in a
 * particular result but present in another result").
 * [doc] https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/fillnull
 */
export function fillnull(rows: readonly Row[], value: string, fields: readonly string[]): Row[] {
  let names = fields;
  if (names.length === 0) {
    const all = new Set<string>();
    for (const r of rows) for (const [k, v] of Object.entries(r)) if (hasValue(v)) all.add(k);
    names = [...all];
  }
  return rows.map((row) => {
    let out: Row | null = null;
    for (const f of names) {
      if (hasValue(row[f])) continue;
      out ??= { ...row };
      out[f] = value;
    }
    return out ?? row;
  });
}

// ---- sort ---------------------------------------------------------------------------------------

export interface SortKey {
  readonly field: string;
  readonly descending: boolean;
  /** auto: numbers numerically and before strings; num: non-numbers count as missing; str; ip. */
  readonly as: 'auto' | 'num' | 'str' | 'ip';
}

type SortVal = { readonly rank: number; readonly n: number; readonly s: string } | null;

function ipKey(s: string): number | null {
  return parseIPv4(s.trim());
}

function sortValue(v: FieldValue | undefined, as: SortKey['as']): SortVal {
  // A multivalue field sorts by its first value. [assumption]
  const x = valuesOf(v)[0];
  if (x === undefined || x === '') return null;
  const s = String(x);
  switch (as) {
    case 'str':
      return { rank: 0, n: 0, s };
    case 'num': {
      const n = asNumber(x);
      return n === null ? null : { rank: 0, n, s };
    }
    case 'ip': {
      const n = ipKey(s);
      return n === null ? { rank: 1, n: 0, s } : { rank: 0, n, s };
    }
    case 'auto': {
      const n = asNumber(x);
      return n === null ? { rank: 1, n: 0, s } : { rank: 0, n, s };
    }
  }
}

function compareSortVals(a: NonNullable<SortVal>, b: NonNullable<SortVal>): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.rank === 0 && a.n !== b.n) return a.n < b.n ? -1 : 1;
  return lex(a.s, b.s);
}

/**
 * Splunk `sort`: keys in order, `-` descending. Numbers sort numerically, strings in byte
 * (code-unit) order: digits before uppercase before lowercase. Rows missing a key sort last in
 * both directions ("smallest if descending, largest if ascending"). Stable. `limit` 0 keeps all.
 * [doc] https://help.splunk.com/splunk-enterprise/spl-search-reference/9.0/search-commands/sort ,
 * https://help.splunk.com/en/splunk-enterprise/search/spl2-search-manual/sort-and-order
 * `auto` puts numeric values before non-numeric ones, which agrees with "numbers before letters";
 * Splunk's own auto heuristic for strings that merely start with digits is not reproduced.
 * `ip` sorts IPv4 addresses numerically, before other values.
 */
export function sortRows(rows: readonly Row[], keys: readonly SortKey[], limit: number): Row[] {
  const decorated = rows.map((row, index) => ({ row, index, vals: keys.map((k) => sortValue(row[k.field], k.as)) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const x = a.vals[i] ?? null;
      const y = b.vals[i] ?? null;
      if (x === null && y === null) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = compareSortVals(x, y);
      if (c !== 0) return (keys[i] as SortKey).descending ? -c : c;
    }
    return a.index - b.index;
  });
  const sorted = decorated.map((d) => d.row);
  return limit > 0 ? sorted.slice(0, limit) : sorted;
}

// ---- lookup -------------------------------------------------------------------------------------

export interface LookupInput {
  /** The event field. */
  readonly field: string;
  /** The table column it is matched against. */
  readonly column: string;
}

export interface LookupOutput {
  readonly column: string;
  /** The event field to write. */
  readonly as: string;
}

/** Splunk's default max_matches for a lookup without time_field. [doc: transforms.conf] */
const MAX_MATCHES = 100;

/**
 * The table indexed by its key columns, built once per table and key columns: the matcher runs
 * lookup row by row as events stream in (pipeline.ts), so it must not re-index per call.
 */
interface TableIndex {
  /** JSON of the key column values -> table rows, in file order. */
  readonly rows: Map<string, number[]>;
  /** The columns that are not key columns (the outputs when none are listed). */
  readonly others: readonly string[];
}

const tableIndexes = new WeakMap<object, Map<string, TableIndex>>();

function tableIndex(table: readonly Readonly<Record<string, string>>[], inputs: readonly LookupInput[]): TableIndex {
  let byColumns = tableIndexes.get(table);
  if (!byColumns) {
    byColumns = new Map();
    tableIndexes.set(table, byColumns);
  }
  const columns = JSON.stringify(inputs.map((i) => i.column));
  const cached = byColumns.get(columns);
  if (cached) return cached;
  const index = new Map<string, number[]>();
  table.forEach((t, i) => {
    const key: string[] = [];
    for (const inp of inputs) {
      const v = t[inp.column];
      if (v === undefined || v === '') return;
      key.push(v);
    }
    const id = JSON.stringify(key);
    const list = index.get(id) ?? [];
    list.push(i);
    index.set(id, list);
  });
  const inputColumns = new Set(inputs.map((i) => i.column));
  const others = new Set<string>();
  for (const t of table) for (const k of Object.keys(t)) if (!inputColumns.has(k)) others.add(k);
  const built = { rows: index, others: [...others] };
  byColumns.set(columns, built);
  return built;
}

/**
 * `lookup table in AS f ... OUTPUT|OUTPUTNEW out AS g ...` (and `iplocation` with a GeoIP table).
 * Matching is exact and case-sensitive on every input column (case_sensitive_match defaults to
 * true); a multivalue input tries each value. Matching table rows (file order, at most 100) give
 * each output field its values; several distinct values make a multivalue. With no outputs listed,
 * every non-input column is output under its own name. OUTPUT overwrites existing fields,
 * OUTPUTNEW only fills absent ones. A row with no match is unchanged ("nothing is output to your
 * event if no match is found"; whether OUTPUT blanks an existing field then is [assumption: no]).
 * A null table (not available to the matcher) leaves every row unchanged.
 * [doc] https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/search-commands/lookup ,
 * https://docs.splunk.com/Documentation/Splunk/9.4.0/Knowledge/Addfieldmatchingrulestoyourlookupconfiguration
 */
export function enrich(
  rows: readonly Row[],
  table: readonly Readonly<Record<string, string>>[] | null,
  inputs: readonly LookupInput[],
  outputs: readonly LookupOutput[],
  overwrite: boolean,
): Row[] {
  if (table === null || inputs.length === 0) return [...rows];
  const { rows: index, others } = tableIndex(table, inputs);
  const outs = outputs.length === 0 ? others.map((c) => ({ column: c, as: c })) : outputs;
  return rows.map((row) => {
    // Every combination of input values (a multivalue input tries each value).
    let combos: string[][] = [[]];
    for (const inp of inputs) {
      const vs = valuesOf(row[inp.field]).map(String).filter((s) => s !== '');
      if (vs.length === 0) return row;
      combos = combos.flatMap((c) => vs.map((v) => [...c, v]));
    }
    const matches: number[] = [];
    for (const c of combos) for (const i of index.get(JSON.stringify(c)) ?? []) if (!matches.includes(i)) matches.push(i);
    if (matches.length === 0) return row;
    matches.sort((a, b) => a - b);
    const hits = matches.slice(0, MAX_MATCHES);
    const out: Row = { ...row };
    for (const o of outs) {
      if (!overwrite && hasValue(row[o.as])) continue;
      const vals: string[] = [];
      for (const i of hits) {
        const v = table[i]?.[o.column];
        if (v !== undefined && v !== '' && !vals.includes(v)) vals.push(v);
      }
      if (vals.length === 0) {
        if (overwrite) delete out[o.as]; // a matched row with an empty output column clears it
        continue;
      }
      out[o.as] = vals.length === 1 ? (vals[0] as string) : vals;
    }
    return out;
  });
}

// ---- computed lookups ---------------------------------------------------------------------------

/**
 * A lookup Splunk computes with a script (an external lookup) instead of reading a file: the input
 * columns of one row in, the output columns out.
 */
export type ComputedLookup = (inputs: Readonly<Record<string, string>>) => Readonly<Record<string, string>>;

/** Python's str.isspace() characters, which str.strip() removes (a different set from trim()'s). */
const PY_SPACE = new Set([
  ...'\t\n\v\f\r \u0085\u00a0\u1680\u2028\u2029\u202f\u205f\u3000',
  ...Array.from({ length: 4 }, (_, i) => String.fromCharCode(0x1c + i)),
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
]);

/** Python's str.strip() with no argument. */
function pythonStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_SPACE.has(s[a] as string)) a++;
  while (b > a && PY_SPACE.has(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

/**
 * Shannon entropy in bits per character, as URL Toolbox's `ut_shannon.py` computes it: over the
 * code points of the value, summed in first-occurrence order with log(p)/log(2) (Python's
 * math.log(p, 2)), so the float is the one Splunk shows. An empty value has entropy 0.
 * [source] https://github.com/splunk/utbox/blob/master/utbox/bin/ut_shannon.py
 */
export function shannonEntropy(word: string): number {
  const occ = new Map<string, number>();
  let length = 0;
  for (const c of word) {
    occ.set(c, (occ.get(c) ?? 0) + 1);
    length++;
  }
  let entropy = 0;
  for (const v of occ.values()) {
    const p = v / length;
    entropy -= p * (Math.log(p) / Math.log(2));
  }
  return entropy;
}

/** A float as Python's str() writes it (the CSV Splunk reads back): `2.0`, not `2`. */
function pythonFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/**
 * External lookups whose script is public, by lookup name. `ut_shannon_lookup` (URL Toolbox):
 * input column `word`, stripped of surrounding whitespace, output column `ut_shannon`.
 */
export const COMPUTED_LOOKUPS: Readonly<Record<string, ComputedLookup>> = {
  ut_shannon_lookup: (inputs) => ({ ut_shannon: pythonFloat(shannonEntropy(pythonStrip(inputs['word'] ?? ''))) }),
};

/**
 * `lookup` on a computed table: rows lacking an input field are unchanged (Splunk sends the
 * script nothing to look up); a multivalue input is looked up value by value and the outputs
 * collected as a multivalue [assumption: as file lookups try each value]. OUTPUT overwrites,
 * OUTPUTNEW only fills absent fields.
 */
export function enrichComputed(
  rows: readonly Row[],
  compute: ComputedLookup,
  inputs: readonly LookupInput[],
  outputs: readonly LookupOutput[],
  overwrite: boolean,
): Row[] {
  return rows.map((row) => {
    let combos: Record<string, string>[] = [{}];
    for (const inp of inputs) {
      const vs = valuesOf(row[inp.field]).map(String).filter((s) => s !== '');
      if (vs.length === 0) return row;
      combos = combos.flatMap((c) => vs.map((v) => ({ ...c, [inp.column]: v })));
    }
    const results = combos.map(compute);
    const out: Row = { ...row };
    const outs = outputs.length ? outputs : Object.keys(results[0] ?? {}).map((c) => ({ column: c, as: c }));
    for (const o of outs) {
      if (!overwrite && hasValue(row[o.as])) continue;
      const vals: string[] = [];
      for (const r of results) {
        const v = r[o.column];
        if (v !== undefined && v !== '' && !vals.includes(v)) vals.push(v);
      }
      if (vals.length === 0) continue;
      out[o.as] = vals.length === 1 ? (vals[0] as string) : vals;
    }
    return out;
  });
}

// ---- join ---------------------------------------------------------------------------------------

export interface JoinOptions {
  readonly type: 'inner' | 'left';
  readonly fields: readonly string[];
  /** Subsearch rows joined to each row; 0: all. */
  readonly max: number;
  readonly overwrite: boolean;
}

/**
 * `join`: each row is combined with the first `max` subsearch rows (in subsearch order) whose join
 * fields all have the row's values; one output row per combination, in row order. A row with no
 * match (or lacking a join field) is kept unchanged by type=left and dropped by type=inner. With
 * overwrite=true the subsearch's fields replace the row's; with false they only fill absent ones.
 * Values compare exactly (case-sensitive); a multivalue key compares as its whole value list
 * [assumption]. [doc] https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/join
 */
export function joinRows(rows: readonly Row[], subRows: readonly Row[], o: JoinOptions): Row[] {
  const keyOf = (row: Row): string | null => {
    const parts: (readonly string[])[] = [];
    for (const f of o.fields) {
      const v = row[f];
      if (!hasValue(v)) return null;
      parts.push(valuesOf(v).map(String));
    }
    return JSON.stringify(parts);
  };
  const index = new Map<string, Row[]>();
  for (const r of subRows) {
    const k = keyOf(r);
    if (k === null) continue;
    const list = index.get(k);
    if (!list) index.set(k, [r]);
    else if (o.max === 0 || list.length < o.max) list.push(r);
  }
  const out: Row[] = [];
  for (const row of rows) {
    const k = keyOf(row);
    const matches = k === null ? undefined : index.get(k);
    if (!matches) {
      if (o.type === 'left') out.push(row);
      continue;
    }
    for (const m of matches) {
      const joined: Row = { ...row };
      for (const [f, v] of Object.entries(m)) {
        if (v === undefined) continue;
        if (o.overwrite || !hasValue(joined[f])) joined[f] = v;
      }
      out.push(joined);
    }
  }
  return out;
}
