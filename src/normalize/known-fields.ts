/**
 * The field names a pipeline names statically: the ones its stages create (eval, rex, lookup,
 * stats outputs, ...), minus the ones later stages remove. Fields that only come from the raw
 * events are not in it: their names are not known before the events are. foreach expands over it.
 */
import { nameMatches } from '../lint/lineage.js';
import { assertNever, type Stage } from '../ir/types.js';

export function knownFields(stages: readonly Stage[]): string[] {
  let known: string[] = [];
  const add = (names: readonly string[]): void => {
    for (const n of names) if (!n.includes('*') && !known.includes(n)) known.push(n);
  };
  for (const st of stages) {
    switch (st.kind) {
      case 'project':
        known = st.mode === 'remove'
          ? known.filter((n) => !st.fields.some((f) => nameMatches(f.name, n)))
          : known.filter((n) => st.fields.some((f) => nameMatches(f.name, n)) || (st.mode === 'keep' && (n === '_time' || n === '_raw')));
        break;
      case 'rename':
        for (const p of st.pairs) {
          if (p.from.name.includes('*')) {
            // `rename *_ip as *_addr`: each known match takes the new name, wildcards in order.
            const renamed = known.filter((n) => nameMatches(p.from.name, n)).map((n) => wildcardRename(p.from.name, p.to.name, n));
            known = known.filter((n) => !nameMatches(p.from.name, n));
            add(renamed);
            continue;
          }
          known = known.filter((n) => n !== p.from.name && n !== p.to.name);
          add([p.to.name]);
        }
        break;
      case 'bucket':
        add([st.as]);
        break;
      case 'aggregate':
        if (st.mode === 'stats') {
          // stats keeps only its by-fields and outputs (values(*) as * keeps the known inputs).
          const kept = st.aggs.some((a) => a.field === '*' && a.as === '*') ? known : [];
          known = [...st.by.map((f) => f.name), ...kept.filter((n) => !st.by.some((f) => f.name === n))];
        }
        add(st.aggs.map((a) => a.as));
        break;
      case 'eval':
        add(st.assignments.map((a) => a.field.name));
        break;
      case 'rex':
        if (st.mode === 'extract') add(st.groups);
        break;
      case 'enrich':
        add(st.outputs.map((o) => o.as));
        break;
      case 'fillnull':
        add(st.fields.map((f) => f.name));
        break;
      case 'join':
        // The subsearch's own named fields arrive with its rows.
        add(knownFields(st.subsearch.stages));
        break;
      case 'filter':
      case 'sort':
        break;
      default:
        assertNever(st, 'stage');
    }
  }
  return known;
}

/** The new name of `name` under `rename <from> as <to>`: the i-th `*` of `to` takes what the i-th `*` of `from` matched. */
function wildcardRename(from: string, to: string, name: string): string {
  const re = new RegExp(`^${from.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.*)')}$`, 's');
  const parts = re.exec(name)?.slice(1) ?? [];
  let i = 0;
  return to.replace(/\*/g, () => parts[i++] ?? '');
}
