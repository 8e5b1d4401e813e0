/** Helpers shared by the flavour dialects. */
import { complement, has, isEmpty, isFull, MAX_CODE_POINT, type CodeSet } from '../charset.js';
import { classBody } from '../dialect.js';

export const isAsciiAlnum = (cp: number): boolean =>
  (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);

export const isAsciiPunct = (cp: number): boolean => cp >= 0x21 && cp <= 0x7e && !isAsciiAlnum(cp);

/** Does the character have a case variant in Unicode (so a Unicode-aware `i` flag would fold it)? */
export function hasUnicodeCase(cp: number): boolean {
  const s = String.fromCodePoint(cp);
  return s.toLowerCase() !== s || s.toUpperCase() !== s;
}

/**
 * `[...]` or `[^...]` for a set: sets reaching the top code point (complements of
 * small sets, e.g. from `[^a]` or `\W`) are printed negated.
 */
export function bracket(
  set: CodeSet,
  member: (cp: number) => string,
  special: { full: string; empty: string },
): string {
  if (isFull(set)) return special.full;
  if (isEmpty(set)) return special.empty;
  if (has(set, MAX_CODE_POINT)) return `[^${classBody(complement(set), member)}]`;
  return `[${classBody(set, member)}]`;
}

/** A single-member set prints as the plain literal when the dialect says so. */
export function singleMember(set: CodeSet): number | undefined {
  const only = set.length === 1 ? set[0] : undefined;
  return only && only[0] === only[1] ? only[0] : undefined;
}

/**
 * How a flavour writes one character, in a pattern (`literal`) and inside `[...]` (`member`):
 * the flavour's named control escapes, its hex form for the other C0/C1 controls, `extra` for
 * anything else it must escape (e.g. JS line separators), else a backslash before its
 * metacharacters.
 */
export function characterEscaper(spec: {
  readonly meta: string;
  readonly classMeta: string;
  readonly controls: Readonly<Record<number, string>>;
  readonly hex: (cp: number) => string;
  readonly extra?: (cp: number) => string | undefined;
}): { readonly escape: (cp: number) => string | undefined; readonly literal: (cp: number) => string; readonly member: (cp: number) => string } {
  const meta = new Set(spec.meta);
  const classMeta = new Set(spec.classMeta);
  const escape = (cp: number): string | undefined => {
    const named = spec.controls[cp];
    if (named !== undefined) return named;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return spec.hex(cp);
    return spec.extra?.(cp);
  };
  const written = (set: ReadonlySet<string>) => (cp: number): string => {
    const c = String.fromCodePoint(cp);
    return escape(cp) ?? (set.has(c) ? `\\${c}` : c);
  };
  return { escape, literal: written(meta), member: written(classMeta) };
}
