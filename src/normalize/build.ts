/** Smart constructors that keep the IR flat: nested and/or merge, single-argument and/or collapse. */
import type { Span } from '../diagnostics.js';
import type { Expr } from '../ir/types.js';

export const TRUE: Expr = { kind: 'and', args: [] };

export function and(args: readonly Expr[]): Expr {
  const flat = dedupe(args.flatMap((a) => (a.kind === 'and' ? a.args : [a])));
  return flat.length === 1 ? (flat[0] as Expr) : { kind: 'and', args: flat };
}

export function or(args: readonly Expr[]): Expr {
  const flat = dedupe(args.flatMap((a) => (a.kind === 'or' ? a.args : [a])));
  return flat.length === 1 ? (flat[0] as Expr) : { kind: 'or', args: flat };
}

/** Drops operands that repeat an earlier one (same meaning, spans aside): `a OR a` is `a`. */
function dedupe(args: readonly Expr[]): Expr[] {
  const seen = new Set<string>();
  return args.filter((a) => {
    const key = JSON.stringify(a, (k, v: unknown) => (k === 'span' ? undefined : v));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function not(arg: Expr, span: Span): Expr {
  return arg.kind === 'not' ? arg.arg : { kind: 'not', arg, span };
}
