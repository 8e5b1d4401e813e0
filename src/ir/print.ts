/** Canonical one-line printing of IR filters, for tests and `explain`. */
import { assertNever, type Expr, type Stage, type StreamWindow, type ValueExpr } from './types.js';

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'and':
      return e.args.length === 0 ? 'true' : `and(${e.args.map(printExpr).join(', ')})`;
    case 'or':
      return e.args.length === 0 ? 'false' : `or(${e.args.map(printExpr).join(', ')})`;
    case 'not':
      return `not(${printExpr(e.arg)})`;
    case 'eq':
      return `eq${e.caseSensitive ? '_cs' : ''}(${e.field.name}, ${JSON.stringify(e.pattern.join('*'))})`;
    case 'regex':
      return `regex(${e.field.name}, ${JSON.stringify(e.pattern)})`;
    case 'cmp':
      return `cmp(${e.field.name} ${e.op} ${e.numeric ? e.value : JSON.stringify(e.value)})`;
    case 'exists':
      return `exists(${e.field.name})`;
    case 'term':
      return `term_${e.form}(${JSON.stringify(e.value)})`;
    case 'cidr':
      return `cidr(${e.field.name}, ${e.network})`;
    case 'cond':
      return `cond(${printValue(e.expr)})`;
    case 'undisclosed':
      return `undisclosed(${e.macro})`;
    default:
      return assertNever(e, 'expression');
  }
}

export function printValue(e: ValueExpr): string {
  switch (e.kind) {
    case 'field':
      return e.name;
    case 'literal':
      return JSON.stringify(e.value);
    case 'call':
      return `${e.fn}(${e.args.map(printValue).join(', ')})`;
    case 'op':
      return `${e.op}(${e.args.map(printValue).join(', ')})`;
    default:
      return assertNever(e, 'value expression');
  }
}

/** Canonical one-line printing of a stage. */
export function printStage(st: Stage): string {
  switch (st.kind) {
    case 'project':
      return `project_${st.mode}(${st.fields.map((f) => f.name).join(', ')})`;
    case 'rename':
      return `rename(${st.pairs.map((p) => `${p.from.name} -> ${p.to.name}`).join(', ')})`;
    case 'bucket':
      return `bucket(${st.field.name}, ${st.seconds}s${st.as === st.field.name ? '' : ` -> ${st.as}`})`;
    case 'aggregate':
      return `${st.mode}(${st.aggs.map((a) => `${a.fn}(${a.field ?? ''}) -> ${a.as}`).join(', ')}${st.by.length ? `; by ${st.by.map((f) => f.name).join(', ')}` : ''}${st.mode === 'streamstats' ? printStreamWindow(st) : ''})`;
    case 'filter':
      return `filter(${printExpr(st.expr)})`;
    case 'eval':
      return `eval(${st.assignments.map((a) => `${a.field.name} = ${printValue(a.expr)}`).join(', ')})`;
    case 'rex':
      return st.mode === 'sed'
        ? `rex_sed(${st.field.name}, ${JSON.stringify(st.pattern)} -> ${JSON.stringify(st.replacement)}${st.global ? ', g' : ''})`
        : `rex(${st.field.name}, ${JSON.stringify(st.pattern)} -> ${st.groups.join(', ')}${st.maxMatch === 1 ? '' : `; max ${st.maxMatch}`})`;
    case 'enrich':
      return `${st.command}(${st.table}; ${st.inputs.map((i) => `${i.field.name}=${i.column}`).join(', ')} -> ${st.outputs.map((o) => (o.as === o.column ? o.column : `${o.column} as ${o.as}`)).join(', ')}${st.overwrite ? '' : '; new only'})`;
    case 'sort':
      return `sort(${st.keys.map((k) => `${k.descending ? '-' : '+'}${k.as === 'auto' ? '' : `${k.as}:`}${k.field.name}`).join(', ')}; limit ${st.limit})`;
    case 'fillnull':
      return `fillnull(${JSON.stringify(st.value)}${st.fields.length ? `; ${st.fields.map((f) => f.name).join(', ')}` : ''})`;
    case 'join': {
      const sub = [printExpr(st.subsearch.filter), ...st.subsearch.stages.map(printStage)].join(' | ');
      return `join_${st.type}(${st.fields.map((f) => f.name).join(', ')}${st.max === 1 ? '' : `; max ${st.max}`}${st.overwrite ? '' : '; keep existing'}; [${sub}])`;
    }
    default:
      return assertNever(st, 'stage');
  }
}

/** Only the options that differ from streamstats' defaults, so plain streamstats prints as before. */
function printStreamWindow(w: StreamWindow): string {
  const parts: string[] = [];
  if (w.window !== 0) parts.push(`window ${w.window}${w.global ? '' : ' per group'}`);
  if (!w.current) parts.push('current=f');
  if (w.resetOnChange) parts.push('reset_on_change');
  return parts.map((p) => `; ${p}`).join('');
}
