/**
 * The stages after the filter, run as a stream: each row goes through the stages as it arrives
 * and is emitted or folded, so a rule holds only what its stages must hold.
 *
 * What each stage keeps:
 * - table/fields/rename/bin/where/search, eval, rex, lookup and fillnull with a field list:
 *   nothing; one row in, at most one row out (`rows` stages marked rowWise).
 * - stats: its groups and the distinct values they hold (aggregate.ts), never the rows; its
 *   rows come out at end of input, and the stages after it run on them then.
 * - eventstats: every row, because each row gets its group's aggregate over all rows, which is
 *   known only at end of input (the aggregates themselves are folded as rows arrive).
 * - sort: every row (the last row in may sort first), then `limit`.
 * - fillnull without a field list: every row (it fills the fields that appear in any row).
 * - streamstats: every row. Its result for a row depends only on the rows before, so it could
 *   stream, but stages.ts computes it over an array (and is being extended with window=); it
 *   mostly follows a sort, which holds every row anyway.
 * - join: every row, and the rule keeps its input events: the subsearch is a search of its own
 *   over the same input, whose rows are known only at end of input.
 * - any other `rows` stage (not rowWise): every row.
 */
import { runRule, type Row, type RuntimeStage } from './index.js';
import { AggregateFolder } from './aggregate.js';
import { joinRows } from './stages.js';
import { streamstats } from './streamstats.js';

/** The input events a join's subsearch reads again; undefined when the caller streams them away. */
type InputEvents = readonly Readonly<Record<string, unknown>>[] | undefined;

/** What a running pipeline holds: buffered rows, and the groups/values of its aggregations. */
export interface RetainedState {
  readonly rows: number;
  readonly groups: number;
  readonly values: number;
}

export interface RowStream {
  /** One row into the first stage. */
  push(row: Row): void;
  /** End of input: buffering stages release their rows downstream, in stage order. */
  end(): void;
  /** For tests of the memory bound. */
  retained(): RetainedState;
}

interface Step {
  push(row: Row): void;
  end(): void;
  retained(): RetainedState;
}

const NOTHING: RetainedState = { rows: 0, groups: 0, values: 0 };

function nameMatcher(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (n) => n === pattern;
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return (n) => re.test(n);
}

/** `table` / `fields +` / `fields -` on one row (patterns compiled once). */
export function projector(mode: 'table' | 'keep' | 'remove', patterns: readonly string[]): (row: Row) => Row {
  const matchers = patterns.map(nameMatcher);
  // table: listed order, each pattern's matches in the row's order; fields keeps _time/_raw too.
  const keep = mode === 'keep' ? [...matchers, nameMatcher('_time'), nameMatcher('_raw')] : matchers;
  return (row) => {
    const out: Row = {};
    const keys = Object.keys(row);
    if (mode === 'remove') {
      for (const k of keys) if (!matchers.some((m) => m(k))) out[k] = row[k];
      return out;
    }
    for (const m of keep) {
      for (const k of keys) if (m(k) && !(k in out)) out[k] = row[k];
    }
    return out;
  };
}

export function renameRow(row: Row, pairs: readonly (readonly [string, string])[]): Row {
  const out: Row = { ...row };
  for (const [from, to] of pairs) {
    if (!(from in out)) continue;
    out[to] = out[from];
    delete out[from];
  }
  return out;
}

export function bucketRow(row: Row, field: string, seconds: number, as: string): Row {
  const t = row[field];
  if (typeof t !== 'number') return row;
  return { ...row, [as]: Math.floor(t / seconds) * seconds };
}

export function project(rows: readonly Row[], mode: 'table' | 'keep' | 'remove', patterns: readonly string[]): Row[] {
  return rows.map(projector(mode, patterns));
}

export function rename(rows: readonly Row[], pairs: readonly (readonly [string, string])[]): Row[] {
  return rows.map((row) => renameRow(row, pairs));
}

export function bucket(rows: readonly Row[], field: string, seconds: number, as: string): Row[] {
  return rows.map((row) => bucketRow(row, field, seconds, as));
}

function mapStep(f: (row: Row) => Row | null, next: Step): Step {
  return {
    push: (row) => {
      const out = f(row);
      if (out !== null) next.push(out);
    },
    end: () => next.end(),
    retained: () => NOTHING,
  };
}

/** A stage that needs all rows: holds them until end of input, then runs over the array. */
function bufferStep(run: (rows: Row[]) => Row[], next: Step): Step {
  let held: Row[] = [];
  return {
    push: (row) => void held.push(row),
    end: () => {
      const rows = held;
      held = [];
      for (const r of run(rows)) next.push(r);
      next.end();
    },
    retained: () => ({ rows: held.length, groups: 0, values: 0 }),
  };
}

function statsStep(folder: AggregateFolder, next: Step): Step {
  return {
    push: (row) => void folder.fold(row),
    end: () => {
      for (const r of folder.rows()) next.push(r);
      next.end();
    },
    retained: () => ({ rows: 0, ...folder.state() }),
  };
}

/** eventstats: aggregates folded as rows arrive; the rows are held to receive them at the end. */
function eventstatsStep(folder: AggregateFolder, next: Step): Step {
  let held: { row: Row; id: string | null }[] = [];
  return {
    push: (row) => void held.push({ row, id: folder.fold(row) }),
    end: () => {
      const results = folder.results();
      const rows = held;
      held = [];
      for (const { row, id } of rows) {
        const agg = id === null ? undefined : results.get(id);
        next.push(agg ? { ...row, ...agg } : row);
      }
      next.end();
    },
    retained: () => ({ rows: held.length, ...folder.state() }),
  };
}

function step(st: RuntimeStage, next: Step, events: InputEvents): Step {
  switch (st.kind) {
    case 'project':
      return mapStep(projector(st.mode, st.fields), next);
    case 'rename':
      return mapStep((row) => renameRow(row, st.pairs), next);
    case 'bucket':
      return mapStep((row) => bucketRow(row, st.field, st.seconds, st.as), next);
    case 'filter':
      return mapStep((row) => (st.test(row) ? row : null), next);
    case 'aggregate':
      if (st.mode === 'stats') return statsStep(new AggregateFolder(st.aggs, st.by), next);
      if (st.mode === 'eventstats') return eventstatsStep(new AggregateFolder(st.aggs, st.by), next);
      return bufferStep((rows) => streamstats(rows, st.aggs, st.by, st.stream), next);
    case 'join':
      return bufferStep((rows) => {
        // Without the input a join would silently add nothing: an error, not a no-op.
        if (!events) throw new Error('ruleport runtime: a join needs the input events for its subsearch');
        return joinRows(rows, runRule(events, st.subsearch), st);
      }, next);
    case 'rows':
      if (!st.rowWise) return bufferStep(st.run, next);
      return {
        push: (row) => {
          for (const r of st.run([row])) next.push(r);
        },
        end: () => next.end(),
        retained: () => NOTHING,
      };
    default: {
      const never: never = st;
      throw new Error(`ruleport runtime: unknown stage ${JSON.stringify(never)}`);
    }
  }
}

/** The stages as a stream; `emit` receives the final rows. */
export function streamStages(stages: readonly RuntimeStage[], emit: (row: Row) => void, events?: InputEvents): RowStream {
  const steps: Step[] = [];
  let next: Step = { push: emit, end: () => undefined, retained: () => NOTHING };
  for (let i = stages.length - 1; i >= 0; i--) {
    next = step(stages[i] as RuntimeStage, next, events);
    steps.push(next);
  }
  const first = next;
  let ended = false;
  return {
    push: (row) => {
      if (ended) throw new Error('ruleport runtime: row pushed after end of input');
      first.push(row);
    },
    end: () => {
      if (ended) return;
      ended = true;
      first.end();
    },
    retained: () => {
      let rows = 0;
      let groups = 0;
      let values = 0;
      for (const s of steps) {
        const r = s.retained();
        rows += r.rows;
        groups += r.groups;
        values += r.values;
      }
      return { rows, groups, values };
    },
  };
}

/** The stages over an array of rows (the same stream, collected). */
export function runStages(rows: readonly Row[], stages: readonly RuntimeStage[], events?: InputEvents): Row[] {
  const out: Row[] = [];
  const s = streamStages(stages, (row) => out.push(row), events);
  for (const row of rows) s.push(row);
  s.end();
  return out;
}
