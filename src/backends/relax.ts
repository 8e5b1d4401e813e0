/**
 * Relaxing filter leaves a backend cannot express, in the direction that keeps every match:
 * a leaf under an even number of NOTs becomes `true`, under an odd number `false`. The result
 * matches a superset of the original events, so each relaxed leaf is a `wider` lossy diagnostic.
 * Backends with no raw event (KQL, EQL, ES|QL) use it for bare keywords, phrases and TERM(),
 * which the Armory writes as cheap prefilters in front of precise field tests. Every backend
 * relaxes `undisclosed` filters (macros whose definition is not published) whatever its predicate.
 */
import { diag, type BackendId, type Diagnostic, type Span } from '../diagnostics.js';
import { and, not, or } from '../normalize/build.js';
import { assertNever, type Expr } from '../ir/types.js';

const TRUE: Expr = { kind: 'and', args: [] };
const FALSE: Expr = { kind: 'or', args: [] };

/**
 * The filter with every leaf for which `relaxable` holds replaced, plus one diagnostic per leaf.
 * `relaxable` must be a pure function of the leaf (the ones below are).
 */
export function relaxLeaves(
  e: Expr,
  relaxable: (leaf: Expr) => string | null,
  backend: BackendId,
): { expr: Expr; diagnostics: Diagnostic[] } {
  const r = relaxedOnce(e, relaxable);
  return {
    expr: r.expr,
    diagnostics: r.dropped.map((d) =>
      diag('BE006', `${d.why}; dropped from the ${backend} query, which therefore also matches events this test would have excluded`, d.span, {
        backend,
        direction: 'wider',
      }),
    ),
  };
}

interface Relaxed {
  readonly expr: Expr;
  /** Each relaxed leaf, in walk order: why it was dropped and where. */
  readonly dropped: readonly { readonly why: string; readonly span: Span | null }[];
}

// EQL and ES|QL relax the same filter with the same predicate, as do Sigma and the TS backend:
// the IR is immutable and the predicates pure, so the walk is done once per filter and predicate.
const relaxedMemo = new WeakMap<Expr, Map<(leaf: Expr) => string | null, Relaxed>>();

function relaxedOnce(e: Expr, relaxable: (leaf: Expr) => string | null): Relaxed {
  let byPredicate = relaxedMemo.get(e);
  if (!byPredicate) relaxedMemo.set(e, (byPredicate = new Map()));
  let r = byPredicate.get(relaxable);
  if (!r) byPredicate.set(relaxable, (r = relax(e, relaxable)));
  return r;
}

function relax(e: Expr, relaxable: (leaf: Expr) => string | null): Relaxed {
  const dropped: { why: string; span: Span | null }[] = [];
  const walk = (x: Expr, positive: boolean): Expr => {
    switch (x.kind) {
      case 'and':
      case 'or': {
        const args = x.args.map((a) => walk(a, positive));
        if (args.every((a, i) => a === x.args[i]) && isNormal(x)) return x;
        // A relaxed operand that decides the whole (false under and, true under or) is what
        // simplify would fold the rebuilt node to: no need to rebuild (and deduplicate) it first.
        if (x.kind === 'and' ? args.some(isFalse) : args.some(isTrue)) return x.kind === 'and' ? FALSE : TRUE;
        return simplify(x.kind === 'and' ? and(args) : or(args));
      }
      case 'not': {
        const arg = walk(x.arg, !positive);
        if (arg === x.arg && isNormal(x)) return x;
        return simplify(not(arg, x.span));
      }
      case 'eq':
      case 'regex':
      case 'cmp':
      case 'exists':
      case 'term':
      case 'cidr':
      case 'cond':
      case 'undisclosed': {
        const why = relaxable(x) ?? (x.kind === 'undisclosed' ? undisclosedFilter(x.macro) : null);
        if (why === null) return x;
        dropped.push({ why, span: 'span' in x ? x.span : null });
        return positive ? TRUE : FALSE;
      }
      default:
        return assertNever(x, 'expression');
    }
  };
  return { expr: walk(e, true), dropped };
}

/**
 * Whether rebuilding the node from its own operands (and/or/not, then simplify) would give it
 * back unchanged, so a subtree with nothing relaxed is kept as it is instead of being rebuilt:
 * most filters have few relaxable leaves, and rebuilding re-keys every operand for
 * deduplication. Operands never repeat (the IR's and/or come from normalize/build.ts, which
 * deduplicates); what rebuilding could still change is a nested operator of the same kind, a
 * single operand, a double negation or a constant operand, checked here.
 */
function isNormal(e: Extract<Expr, { kind: 'and' | 'or' | 'not' }>): boolean {
  if (e.kind === 'not') return e.arg.kind !== 'not' && !isTrue(e.arg) && !isFalse(e.arg);
  return e.args.length !== 1 && e.args.every((a) => a.kind !== e.kind && !isTrue(a) && !isFalse(a));
}

/** Constant folding after relaxation: `and` with false is false, `or` with true is true. */
function simplify(e: Expr): Expr {
  switch (e.kind) {
    case 'and': {
      if (e.args.some(isFalse)) return FALSE;
      const rest = e.args.filter((a) => !isTrue(a));
      return rest.length === 1 ? (rest[0] as Expr) : { kind: 'and', args: rest };
    }
    case 'or': {
      if (e.args.some(isTrue)) return TRUE;
      const rest = e.args.filter((a) => !isFalse(a));
      return rest.length === 1 ? (rest[0] as Expr) : { kind: 'or', args: rest };
    }
    case 'not':
      if (isTrue(e.arg)) return FALSE;
      if (isFalse(e.arg)) return TRUE;
      return e;
    default:
      return e;
  }
}

function isTrue(e: Expr): boolean {
  return e.kind === 'and' && e.args.length === 0;
}

function isFalse(e: Expr): boolean {
  return e.kind === 'or' && e.args.length === 0;
}

/** The usual predicate: raw-event searches, for targets whose events have no raw text. */
export function rawSearch(leaf: Expr): string | null {
  return leaf.kind === 'term' ? `raw-event search ${leaf.form === 'phrase' ? `"${leaf.value}"` : leaf.form === 'token' ? `TERM(${leaf.value})` : leaf.value} has no equivalent: the target's events have no raw text` : null;
}

/** Why an undisclosed filter macro is dropped. */
export function undisclosedFilter(macro: string): string {
  return `filter macro \`${macro}\` has no published definition, so which events it keeps is unknown (give its definition with --macros)`;
}

/** Relaxes only undisclosed filters: for backends that can express every other leaf. */
export function onlyUndisclosed(): string | null {
  return null;
}
