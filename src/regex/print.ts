/**
 * One generic printer over the AST; each target flavour supplies a Dialect.
 *
 * The printed pattern + `caseInsensitive`, run by the target engine in its own
 * matching mode, must give the same match verdict as PCRE2 unanchored search on
 * the original. Anything the target cannot express is listed in `unsupported`
 * (with the source span) and printed best-effort.
 */
import { assertNever, type GroupNode, type ParsedRegex, type RegexNode, type Span } from './ast.js';
import { classSet, classSetIgnoringCase, isCaseSensitive, literalSet, shorthandSet } from './charset.js';
import type { Dialect, PrintContext, PrintOptions, PrintResult, RegexFlavour } from './dialect.js';
import { minLength, walk } from './analyze.js';
import { pcreDialect } from './flavours/pcre.js';
import { rustDialect } from './flavours/rust.js';
import { luceneDialect } from './flavours/lucene.js';
import { jsDialect } from './flavours/js.js';
import { onigurumaDialect } from './flavours/oniguruma.js';
import { parseRegex } from './parse.js';
import type { RegexError } from './ast.js';

export type { RegexFlavour, PrintResult, PrintOptions, CaseFolding } from './dialect.js';

const DIALECTS: Record<RegexFlavour, Dialect> = {
  pcre: pcreDialect,
  rust: rustDialect,
  lucene: luceneDialect,
  js: jsDialect,
  oniguruma: onigurumaDialect,
};

/**
 * Can one engine-wide case flag reproduce the per-leaf flags? Only if every leaf
 * whose meaning depends on case agrees. With no such leaf the flag is irrelevant,
 * and we mirror the source's leading `(?i)` for readability.
 */
function uniformCaseFlag(regex: ParsedRegex): boolean {
  const flags: boolean[] = [];
  walk(regex.ast, (n) => {
    if (n.kind === 'literal' && isCaseSensitive(literalSet(n.value, false))) flags.push(n.caseInsensitive);
    else if (n.kind === 'class' && isCaseSensitive(classSetIgnoringCase(n))) flags.push(n.caseInsensitive);
    else if (n.kind === 'backreference') flags.push(n.caseInsensitive);
  });
  if (flags.length === 0) return regex.caseInsensitive;
  return flags.every(Boolean);
}

function isPlainEnd(node: RegexNode | undefined): boolean {
  return node?.kind === 'anchor' && node.anchor === 'end' && !node.multiline;
}

class Printer {
  constructor(
    private readonly d: Dialect,
    private readonly ctx: PrintContext,
    private readonly capture?: (group: GroupNode) => boolean,
  ) {}

  /**
   * `tail`: nothing that consumes input follows this node in its branch (see the Rust `$`).
   * `followMin`: the fewest characters any match consumes after this node (see the Rust `(?m)^`);
   * 0 when unknown.
   */
  print = (node: RegexNode, tail: boolean, followMin = 0): string => {
    const { d, ctx } = this;
    switch (node.kind) {
      case 'literal':
        // Case folding needed but not provided by the engine flag: spell the set out.
        if (node.caseInsensitive && !ctx.caseFlag && isCaseSensitive(literalSet(node.value, false))) {
          return d.charSet(literalSet(node.value, true), ctx, node);
        }
        return d.literal(node.value, ctx);
      case 'any':
        return d.any(node.dotAll);
      case 'shorthand':
        return d.shorthand(node.name) ?? d.charSet(shorthandSet(node.name), ctx, node);
      case 'class':
        return d.charSet(classSet(node), ctx, node);
      case 'group': {
        if (node.group === 'atomic') this.unsupported(node, 'atomic group (?>...)');
        const open = (node.group === 'capturing' || node.group === 'named') && this.capture?.(node) ? '(' : d.groupOpen(node.group, node.name);
        return `${open}${this.print(node.body, tail, followMin)})`;
      }
      case 'lookaround': {
        const out = d.lookaround(node, this.print(node.body, true));
        if (out !== undefined) return out;
        this.unsupported(node, node.behind ? 'lookbehind' : 'lookahead');
        return d.empty;
      }
      case 'quantifier':
        return this.quantifier(node, tail, followMin);
      case 'anchor':
        return d.anchor(node, ctx, tail, followMin);
      case 'wordBoundary':
        return d.wordBoundary(node, ctx);
      case 'backreference': {
        const out = d.backreference(node, ctx);
        if (out !== undefined) return out;
        this.unsupported(node, 'backreference');
        return d.empty;
      }
      case 'flags':
        // Already resolved into the leaves by the parser.
        return '';
      case 'sequence': {
        if (node.items.length === 0) return d.emptySequence;
        // A run of plain `$` anchors at the end (`$$$$`, as the Armory writes) is one `$`: the
        // anchors after the first consume nothing, so the first is still at the tail.
        let last = node.items.length - 1;
        while (last > 0 && isPlainEnd(node.items[last])) last--;
        // What follows item i: the items after it, then what follows the sequence.
        const after: number[] = [];
        if (d.usesFollowMin) {
          for (let i = node.items.length - 1, sum = followMin; i >= 0; i--) {
            after[i] = sum;
            const item = node.items[i];
            if (item) sum += minLength(item);
          }
        }
        return node.items.map((item, i) => this.print(item, tail && i >= last, after[i] ?? 0)).join('');
      }
      case 'alternation':
        return node.branches.map((b) => this.print(b, tail, followMin)).join('|');
      default:
        return assertNever(node);
    }
  };

  private quantifier(node: Extract<RegexNode, { kind: 'quantifier' }>, tail: boolean, followMin: number): string {
    const { min, max } = node;
    const op =
      min === 0 && max === null ? '*'
      : min === 1 && max === null ? '+'
      : min === 0 && max === 1 ? '?'
      : max === min ? `{${min}}`
      : max === null ? `{${min},}`
      : `{${min},${max}}`;
    let suffix = '';
    // A lazy quantifier never changes the verdict (only what a group captures), and a lazy fixed
    // count matches what the greedy one does.
    if (node.mode === 'lazy' && !(max === min && this.d.fixedRepeatIsGreedyOnly)) suffix = this.d.lazySuffix;
    if (node.mode === 'possessive') this.unsupported(node, 'possessive quantifier');
    // Later repetitions may consume nothing, so what follows the body is at least what follows the quantifier.
    return `${this.print(node.body, tail && max === 1, followMin)}${op}${suffix}`;
  }

  private unsupported(span: Span, what: string): void {
    this.ctx.report(span, `${what} is not supported by the ${this.ctx.flavour} flavour`);
  }
}

export function printRegex(regex: ParsedRegex, flavour: RegexFlavour, options: PrintOptions = {}): PrintResult {
  const d = DIALECTS[flavour];
  const unsupported: RegexError[] = [];
  const caseFlag = d.caseMode !== 'none' && uniformCaseFlag(regex);
  const ctx: PrintContext = {
    flavour,
    caseFlag,
    caseFolding: options.caseFolding ?? 'ascii',
    report: (span, message) => unsupported.push({ message, start: span.start, end: span.end }),
  };
  const printer = new Printer(d, ctx, options.capture);
  let pattern = d.printRoot ? d.printRoot(regex.ast, ctx, printer.print) : printer.print(regex.ast, true);
  if (caseFlag && d.caseMode === 'inline') pattern = `(?i)${pattern}`;
  return { pattern, caseInsensitive: caseFlag && d.caseMode === 'result', unsupported };
}

type TranslateResult = { ok: true; result: PrintResult } | { ok: false; error: RegexError };

// A batch translates the same patterns many times (EQL and ES|QL share the Lucene flavour, and the
// corpus repeats regexes across rule variants); results are pure, so they are memoized. Bounded
// so a long-lived process cannot grow without limit.
const cache = new Map<string, TranslateResult>();
const CACHE_LIMIT = 20_000;
/** Every option, and whether the memo key holds it: a new option fails to compile until it is keyed. */
const KEYED: Readonly<Record<keyof PrintOptions, 'in the key' | 'bypasses the memo'>> = { caseFolding: 'in the key', capture: 'bypasses the memo' };
void KEYED;

export function translateRegex(source: string, flavour: RegexFlavour, options: PrintOptions = {}): TranslateResult {
  if (options.capture) return translateUncached(source, flavour, options);
  const key = `${flavour}\u0000${options.caseFolding ?? 'ascii'}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const result = translateUncached(source, flavour, options);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, result);
  return result;
}

function translateUncached(
  source: string,
  flavour: RegexFlavour,
  options: PrintOptions = {},
): { ok: true; result: PrintResult } | { ok: false; error: RegexError } {
  const parsed = parseRegex(source);
  if (!parsed.ok) return parsed;
  try {
    return { ok: true, result: printRegex(parsed.regex, flavour, options) };
  } catch (e) {
    // Printing is total over valid ASTs; this is a last line of defence for callers.
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { message: `internal printer error: ${message}`, start: 0, end: source.length } };
  }
}
