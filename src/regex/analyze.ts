/**
 * Small structural analyses over the regex AST.
 */
import { assertNever, type RegexNode } from './ast.js';

/**
 * The number of characters `node` always consumes, or null when it varies.
 * Used for PCRE2's rule that each lookbehind branch must be fixed length.
 */
export function fixedLength(node: RegexNode): number | null {
  switch (node.kind) {
    case 'literal':
    case 'any':
    case 'shorthand':
    case 'class':
      return 1;
    case 'anchor':
    case 'wordBoundary':
    case 'flags':
    case 'lookaround':
      return 0;
    case 'backreference':
      return null;
    case 'group':
      return fixedLength(node.body);
    case 'quantifier': {
      if (node.max !== node.min) return null;
      const inner = fixedLength(node.body);
      return inner === null ? null : inner * node.min;
    }
    case 'sequence': {
      let total = 0;
      for (const item of node.items) {
        const n = fixedLength(item);
        if (n === null) return null;
        total += n;
      }
      return total;
    }
    case 'alternation': {
      const lengths = node.branches.map(fixedLength);
      const first = lengths[0];
      return first !== undefined && first !== null && lengths.every((n) => n === first) ? first : null;
    }
    default:
      return assertNever(node);
  }
}

/**
 * The fewest characters a match of `node` consumes (0: it can match the empty string). A
 * backreference counts as 0: its group may have captured nothing.
 */
export function minLength(node: RegexNode): number {
  switch (node.kind) {
    case 'literal':
    case 'any':
    case 'shorthand':
    case 'class':
      return 1;
    case 'anchor':
    case 'wordBoundary':
    case 'flags':
    case 'lookaround':
    case 'backreference':
      return 0;
    case 'group':
      return minLength(node.body);
    case 'quantifier':
      return node.min === 0 ? 0 : node.min * minLength(node.body);
    case 'sequence':
      return node.items.reduce((total, item) => total + minLength(item), 0);
    case 'alternation':
      return Math.min(...node.branches.map(minLength));
    default:
      return assertNever(node);
  }
}

/** Pre-order walk over all nodes (class items are not visited). */
export function walk(node: RegexNode, visit: (n: RegexNode) => void): void {
  visit(node);
  for (const child of children(node)) walk(child, visit);
}

export function children(node: RegexNode): readonly RegexNode[] {
  switch (node.kind) {
    case 'group':
    case 'lookaround':
    case 'quantifier':
      return [node.body];
    case 'sequence':
      return node.items;
    case 'alternation':
      return node.branches;
    case 'literal':
    case 'any':
    case 'shorthand':
    case 'class':
    case 'anchor':
    case 'wordBoundary':
    case 'backreference':
    case 'flags':
      return [];
    default:
      return assertNever(node);
  }
}

export function containsKind(node: RegexNode, kinds: ReadonlySet<RegexNode['kind']>): boolean {
  if (kinds.has(node.kind)) return true;
  return children(node).some((c) => containsKind(c, kinds));
}
