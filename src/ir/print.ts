/** Canonical one-line printing of IR filters, for tests and `explain`. */
import { assertNever, type Expr } from './types.js';

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
    default:
      return assertNever(e, 'expression');
  }
}
