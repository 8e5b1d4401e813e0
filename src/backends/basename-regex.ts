/**
 * A regex over a file's base name rewritten as a regex over its full Windows path, for targets
 * that only have the path (Sigma's `Image` for CIM `process_name`).
 *
 * Let b be the part of path p after its last backslash. Splunk's unanchored search "R matches
 * somewhere in b" holds exactly when p matches  R* [^\\]* $  where R* is R with
 *  - every character-consuming atom restricted to characters other than `\` (a match inside b never
 *    consumes one, so this changes nothing on b, and on p it keeps the match inside one component);
 *  - every start anchor `^` replaced by `(?:^|\\)` (the start of b is the start of p or the
 *    position after a backslash);
 * and the trailing `[^\\]*$` forces the component to be the last one. `$` in R already means the
 * end of b, which is the end of p. Look-ahead sees the same text in both (b is a suffix of p);
 * look-behind could see the directory part, and multi-line anchors see line starts, so those are
 * refused. Word boundaries agree: at the start of b the previous character in p is `\`, a non-word
 * character, the same as the start of the subject.
 */
import type { ClassItem, ParsedRegex, RegexNode } from '../regex/ast.js';
import { classSet, complement, intersect } from '../regex/charset.js';
import { parseRegex, printRegex, type PrintResult } from '../regex/index.js';

const BACKSLASH = 0x5c;
const NO_BACKSLASH = complement([[BACKSLASH, BACKSLASH]]);
const at = { start: 0, end: 0 };

export type BasenameRegex = { ok: true; result: PrintResult } | { ok: false; reason: string };

/** The PCRE (Sigma `re`) over the full path equivalent to `pattern` over the base name. */
export function basenameRegex(pattern: string): BasenameRegex {
  const parsed = parseRegex(pattern);
  if (!parsed.ok) return { ok: false, reason: parsed.error.message };
  let reason: string | null = null;
  const refuse = (why: string): RegexNode => {
    reason ??= why;
    return { kind: 'sequence', items: [], ...at };
  };

  const rewrite = (n: RegexNode): RegexNode => {
    switch (n.kind) {
      case 'literal':
        // A base name never holds a backslash; an always-failing atom is not portable Sigma regex.
        return n.value === BACKSLASH ? refuse('a literal backslash never occurs in a base name') : n;
      case 'any':
        return { kind: 'class', negated: true, items: [bs(), ...(n.dotAll ? [] : [{ kind: 'classChar' as const, value: 0x0a, ...at }])], caseInsensitive: false, ...at };
      case 'shorthand':
        // \d \w \s \h \v exclude `\`; their complements get it removed.
        return 'dwshv'.includes(n.name) ? n : { kind: 'class', negated: true, items: [{ kind: 'shorthand', name: n.name.toLowerCase() as 'd', ...at }, bs()], caseInsensitive: false, ...at };
      case 'class': {
        if (n.negated) return { ...n, items: [...n.items, bs()] };
        const set = intersect(classSet(n), NO_BACKSLASH);
        if (set.length === 0) return refuse('a class of only a backslash never matches in a base name');
        // Rebuilt from its (already case-folded) code set, so the class is case-independent.
        return { kind: 'class', negated: false, items: set.map(([from, to]): ClassItem => (from === to ? { kind: 'classChar', value: from, ...at } : { kind: 'classRange', from, to, ...at })), caseInsensitive: false, ...at };
      }
      case 'anchor':
        if (n.multiline) return refuse('multi-line anchors (?m) see line starts inside the path');
        if (n.anchor !== 'start') return n;
        return {
          kind: 'group',
          group: 'nonCapturing',
          body: { kind: 'alternation', branches: [n, { kind: 'literal', value: BACKSLASH, caseInsensitive: false, escaped: true, ...at }], ...at },
          ...at,
        };
      case 'lookaround':
        return n.behind ? refuse('a look-behind can see the directory part of the path') : n;
      case 'group':
        return { ...n, body: rewrite(n.body) };
      case 'quantifier':
        return { ...n, body: rewrite(n.body) };
      case 'sequence':
        return { ...n, items: n.items.map(rewrite) };
      case 'alternation':
        return { ...n, branches: n.branches.map(rewrite) };
      case 'wordBoundary':
      case 'backreference':
      case 'flags':
        return n;
    }
  };

  const body = rewrite(parsed.regex.ast);
  if (reason !== null) return { ok: false, reason };
  const tail: RegexNode = {
    kind: 'quantifier',
    min: 0,
    max: null,
    mode: 'greedy',
    body: { kind: 'class', negated: true, items: [bs()], caseInsensitive: false, ...at },
    ...at,
  };
  const ast: RegexNode = {
    kind: 'sequence',
    items: [{ kind: 'group', group: 'nonCapturing', body, ...at }, tail, { kind: 'anchor', anchor: 'end', multiline: false, ...at }],
    ...at,
  };
  const regex: ParsedRegex = { ...parsed.regex, ast };
  return { ok: true, result: printRegex(regex, 'pcre') };
}

function bs(): ClassItem {
  return { kind: 'classChar', value: BACKSLASH, ...at };
}
