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
  if (args.length < 2) return [...args];
  const seen = new Set<string>();
  return args.filter((a) => {
    const key = spanlessJson(a);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * `JSON.stringify(v, (k, v) => (k === 'span' ? undefined : v))` for the plain data of the IR,
 * without a replacer call per key (this runs for every and/or built). IR nodes are immutable and
 * nested and/or re-key their operands at every level, so a node's key is remembered.
 */
const nodeKeys = new WeakMap<object, string>();

function spanlessJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const isNode = typeof (v as { kind?: unknown }).kind === 'string';
  if (isNode) {
    const known = nodeKeys.get(v);
    if (known !== undefined) return known;
    const key = spanlessJsonOf(v);
    nodeKeys.set(v, key);
    return key;
  }
  return spanlessJsonOf(v);
}

function spanlessJsonOf(v: object): string {
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (i > 0) out += ',';
      out += x === undefined || typeof x === 'function' || typeof x === 'symbol' ? 'null' : spanlessJson(x);
    }
    return `${out}]`;
  }
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(v, (k, x: unknown) => (k === 'span' ? undefined : x));
  let out = '{';
  let first = true;
  for (const k of Object.keys(v)) {
    if (k === 'span') continue;
    const x: unknown = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${spanlessJson(x)}`;
    first = false;
  }
  return `${out}}`;
}

export function not(arg: Expr, span: Span): Expr {
  return arg.kind === 'not' ? arg.arg : { kind: 'not', arg, span };
}
