/**
 * Checks that a regex stays in the portable Lucene subset (target notes §5.1), so that it means
 * the same in Lucene 8, 9 and 10: no backslash before an ASCII letter, no `(?` constructs, the
 * operator characters `# @ & < > ~ "` escaped, balanced groups and classes.
 */
export function checkLucenePortable(pattern: string): void {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const where = `at ${i} in ${JSON.stringify(pattern)}`;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) throw new Error(`trailing backslash ${where}`);
      if (/[A-Za-z]/.test(n)) throw new Error(`\\${n} is version-dependent in Lucene ${where}`);
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      if (pattern[i + 1] === '?') throw new Error(`(? construct is not Lucene syntax ${where}`);
      depth++;
    } else if (c === ')') {
      if (--depth < 0) throw new Error(`unbalanced ) ${where}`);
    } else if ('#@&<>~"'.includes(c)) throw new Error(`unescaped ${c} is a Lucene operator ${where}`);
  }
  if (depth !== 0 || inClass) throw new Error(`unbalanced group or class in ${JSON.stringify(pattern)}`);
}
