/** Short SPL-like labels of IR stages, for diagnostics and comments in outputs. */
import { assertNever, type Stage, type StreamWindow } from '../ir/types.js';

// Backends quote a stage's label in several diagnostics and notes, and every backend labels the
// same stages; stages are immutable, so each label is built once.
const labels = new WeakMap<Stage, string>();

export function stageLabel(st: Stage): string {
  let label = labels.get(st);
  if (label === undefined) labels.set(st, (label = labelOf(st)));
  return label;
}

function labelOf(st: Stage): string {
  switch (st.kind) {
    case 'project':
      return `${st.mode === 'table' ? 'table' : st.mode === 'keep' ? 'fields' : 'fields -'} ${st.fields.map((f) => f.name).join(', ')}`;
    case 'rename':
      return `rename ${st.pairs.map((p) => `${p.from.name} as ${p.to.name}`).join(', ')}`;
    case 'bucket':
      return `bin ${st.field.name} span=${st.seconds}s`;
    case 'aggregate':
      return `${st.mode}${st.mode === 'streamstats' ? streamOptions(st) : ''} ${st.aggs.map((a) => `${a.fn}(${a.field ?? ''})${a.as === a.field ? '' : ` as ${a.as}`}`).join(', ')}${st.by.length ? ` by ${st.by.map((f) => f.name).join(', ')}` : ''}`;
    case 'filter':
      return 'where/search after the first stage';
    case 'eval':
      return `eval ${st.assignments.map((a) => a.field.name).join(', ')}`;
    case 'rex':
      return `rex field=${st.field.name}${st.mode === 'sed' ? ' mode=sed' : ` (${st.groups.join(', ')})`}`;
    case 'enrich':
      return `${st.command} ${st.table}`;
    case 'sort':
      return `sort ${st.keys.map((k) => `${k.descending ? '-' : ''}${k.field.name}`).join(', ')}`;
    case 'fillnull':
      return `fillnull value=${JSON.stringify(st.value)}${st.fields.length ? ` ${st.fields.map((f) => f.name).join(' ')}` : ''}`;
    case 'join':
      return `join type=${st.type}${st.max === 1 ? '' : ` max=${st.max}`}${st.overwrite ? '' : ' overwrite=false'} ${st.fields.map((f) => f.name).join(', ')} [subsearch]`;
    default:
      return assertNever(st, 'stage');
  }
}

/** streamstats options that differ from the defaults, as written in SPL. */
function streamOptions(w: StreamWindow): string {
  return `${w.window ? ` window=${w.window}` : ''}${w.window && !w.global ? ' global=f' : ''}${w.current ? '' : ' current=f'}${w.resetOnChange ? ' reset_on_change=t' : ''}`;
}
