/** Short SPL-like labels of IR stages, for diagnostics and comments in outputs. */
import { assertNever, type Stage } from '../ir/types.js';

export function stageLabel(st: Stage): string {
  switch (st.kind) {
    case 'project':
      return `${st.mode === 'table' ? 'table' : st.mode === 'keep' ? 'fields' : 'fields -'} ${st.fields.map((f) => f.name).join(', ')}`;
    case 'rename':
      return `rename ${st.pairs.map((p) => `${p.from.name} as ${p.to.name}`).join(', ')}`;
    case 'bucket':
      return `bin ${st.field.name} span=${st.seconds}s`;
    case 'aggregate':
      return `${st.mode} ${st.aggs.map((a) => `${a.fn}(${a.field ?? ''})${a.as === a.field ? '' : ` as ${a.as}`}`).join(', ')}${st.by.length ? ` by ${st.by.map((f) => f.name).join(', ')}` : ''}`;
    case 'filter':
      return 'where/search after the first stage';
    default:
      return assertNever(st, 'stage');
  }
}
