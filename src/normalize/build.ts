/** Smart constructors that keep the IR flat: nested and/or merge, single-argument and/or collapse. */
import type { Span } from '../diagnostics.js';
import type { Expr } from '../ir/types.js';

export const TRUE: Expr = { kind: 'and', args: [] };

export function and(args: readonly Expr[]): Expr {
  const flat = dedupe(flatten('and', args));
  return flat.length === 1 ? (flat[0] as Expr) : { kind: 'and', args: flat };
}

export function or(args: readonly Expr[]): Expr {
  const flat = dedupe(flatten('or', args));
  return flat.length === 1 ? (flat[0] as Expr) : { kind: 'or', args: flat };
}

/** The operands with those of nested nodes of the same kind spliced in (a loop: flatMap costs an array per operand). */
function flatten(kind: 'and' | 'or', args: readonly Expr[]): Expr[] {
  const flat: Expr[] = [];
  for (const a of args) {
    if (a.kind === kind) for (const x of a.args) flat.push(x);
    else flat.push(a);
  }
  return flat;
}

/** Drops operands that repeat an earlier one (same meaning, spans aside): `a OR a` is `a`. */
function dedupe(args: Expr[]): Expr[] {
  if (args.length < 2 || (args.length <= 8 && noneAlike(args))) return args;
  const seen = new Set<string>();
  return args.filter((a) => {
    const key = shapeKey(a);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * True when no two operands have the same kind and field: then none repeats another, and no key
 * is needed (a third of the and/or built). Pairwise, so only for short lists.
 */
function noneAlike(args: readonly Expr[]): boolean {
  for (let i = 1; i < args.length; i++) {
    const a = args[i] as Expr;
    for (let j = 0; j < i; j++) {
      const b = args[j] as Expr;
      if (a.kind === b.kind && fieldName(a) === fieldName(b)) return false;
    }
  }
  return true;
}

function fieldName(e: Expr): string | undefined {
  return 'field' in e ? e.field.name : undefined;
}

/**
 * Two operands repeat each other when their JSON without `span` keys is the same. A shape key is
 * equal for two values exactly when that JSON is (same keys in the same order, values as JSON
 * writes them), and cheaper to build: a string is written as its length and its text, which needs
 * no escaping, and no JSON.stringify call is made per key and value (this runs for every and/or
 * built). IR values are plain data (no toJSON). IR nodes are immutable and nested and/or re-key
 * their operands at every level, so a node's key is remembered.
 */
const nodeKeys = new WeakMap<object, string>();

function shapeKey(v: object): string {
  if (typeof (v as { kind?: unknown }).kind !== 'string') return shapeKeyOf(v);
  let key = nodeKeys.get(v);
  if (key === undefined) nodeKeys.set(v, (key = shapeKeyOf(v)));
  return key;
}

function shapeKeyOf(v: object): string {
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += `${i > 0 ? ',' : ''}${valueKey(v[i])}`;
    return `${out}]`;
  }
  let out = '{';
  let first = true;
  for (const k of Object.keys(v)) {
    const x: unknown = (v as Record<string, unknown>)[k];
    // JSON leaves out these keys, and we leave out spans.
    if (k === 'span' || x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    out += `${first ? '' : ','}${k.length}:${k}${valueKey(x)}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * A value in a shape key. Strings are `<length>:<text>` (a number is never followed by `:`, so the
 * two cannot be confused); numbers, booleans and null as JSON writes them (NaN and the infinities
 * as null); array elements JSON cannot write (undefined, functions) as null, as JSON does.
 */
function valueKey(x: unknown): string {
  switch (typeof x) {
    case 'string':
      return `${x.length}:${x}`;
    case 'number':
      return Number.isFinite(x) ? String(x) : 'null';
    case 'boolean':
      return x ? 'true' : 'false';
    case 'object':
      return x === null ? 'null' : shapeKey(x);
    default:
      return JSON.stringify(x) ?? 'null';
  }
}

export function not(arg: Expr, span: Span): Expr {
  return arg.kind === 'not' ? arg.arg : { kind: 'not', arg, span };
}
