/**
 * KQL quoting: the only code that knows how strings, regexes, columns and comments are spelled
 * (target-kql.md §3).
 */

/** A KQL `"..."` string literal; control characters other than \n \r \t become `\uXXXX`. */
export function kqlString(value: string): string {
  // eslint-disable-next-line no-control-regex
  const body = value.replace(/[\\"\n\r\t\u0000-\u001f\u007f\u0085\u2028\u2029]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
  return `"${body}"`;
}

/** A verbatim `@"..."` literal (backslashes literal, `"` doubled); falls back to `"..."` for line breaks. */
export function kqlVerbatim(value: string): string {
  if (/[\r\n\u0085\u2028\u2029]/.test(value)) return kqlString(value);
  return `@"${value.replace(/"/g, '""')}"`;
}

/** A regex as a verbatim literal: raw line breaks become the regex escapes `\n` / `\r` first. */
export function kqlRegexLiteral(pattern: string): string {
  // Most patterns hold no raw line break, and then the loop below would copy them unchanged.
  if (!LINE_BREAK.test(pattern)) return `@"${pattern.replace(/"/g, '""')}"`;
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern[i + 1] as string;
      out += lineBreakEscape(next) ?? `\\${next}`;
      i++;
    } else out += lineBreakEscape(c) ?? c;
  }
  return `@"${out.replace(/"/g, '""')}"`;
}

/** The characters lineBreakEscape spells out. */
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;

function lineBreakEscape(c: string): string | null {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\u0085' || c === '\u2028' || c === '\u2029') return `\\x{${c.charCodeAt(0).toString(16)}}`;
  return null;
}

/** Text for a `//` comment: line breaks (which would end the comment) become spaces. */
export function kqlComment(value: unknown): string {
  const text = String(value);
  // Most comments have no line break: testing first skips building a copy.
  return COMMENT_BREAK.test(text) ? text.replace(COMMENT_BREAKS, ' ') : text;
}

const COMMENT_BREAK = /[\r\n\u0085\u2028\u2029]/;
const COMMENT_BREAKS = /[\r\n\u0085\u2028\u2029]+/g;

/**
 * Words the Kusto parser will not take as a bare column name (KS228 and friends), found by trying
 * every identifier-like string of @kusto/language-service-next 12.4.1 in column positions.
 */
const KEYWORDS = new Set([
  'access', 'accumulate', 'alias', 'and', 'anomalychart', 'areachart', 'as', 'asc', 'bagexpansion', 'barchart',
  'between', 'bin_legacy', 'boolean', 'by', 'byte', 'cachingpolicy', 'callout', 'cancel', 'card', 'char',
  'columnchart', 'contains', 'contains_cs', 'containscs', 'cycles', 'dataexport', 'datascope', 'datatable', 'date',
  'datetime', 'decimal', 'declare', 'decodeblocks', 'desc', 'double', 'dynamic', 'earliest', 'encodingpolicy',
  'endswith', 'endswith_cs', 'evaluate', 'expandoutput', 'extend', 'extent_tags_retention', 'external_data',
  'externaldata', 'false', 'find', 'first', 'flags', 'float', 'force_remote', 'from', 'harddelete', 'hardretention',
  'has', 'has_all', 'has_any', 'has_cs', 'hasprefix', 'hasprefix_cs', 'hassuffix', 'hassuffix_cs', 'hotcache', 'in',
  'int', 'invoke', 'isfuzzy', 'join', 'journal', 'kind', 'ladderchart', 'last', 'latest', 'let', 'like', 'likecs',
  'linechart', 'long', 'materialize', 'mdm', 'missing', 'nooptimization', 'not', 'notcontains', 'notcontainscs',
  'notlike', 'notlikecs', 'null', 'of', 'on', 'or', 'order', 'others', 'pathformat', 'piechart', 'pivotchart',
  'print', 'project', 'queries', 'query_results', 'range', 'real', 'relaxed', 'restrict', 'restricted_view_access',
  'row_level_security', 'rowstore', 'rowstore_references', 'rowstore_sealinfo', 'rowstorepolicy', 'rowstores',
  'sample', 'scatterchart', 'seal', 'seals', 'search', 'set', 'shards', 'simple', 'softdelete', 'softretention',
  'sort', 'sql', 'stackedareachart', 'startswith', 'startswith_cs', 'statistics', 'step',
  'storedqueryresultcontainers', 'string', 'summarize', 'tablepurge', 'time', 'timechart', 'timeline', 'timepivot',
  'timespan', 'title', 'to', 'toscalar', 'totable', 'treemap', 'true', 'typeof', 'uint', 'ulong', 'union',
  'uniqueid', 'unrestrictedviewers', 'verbose', 'viewers', 'views', 'where', 'with_itemindex', 'with_match_id',
  'with_source', 'with_step_name', 'withsource', 'writeaheadlog',
]);

// Asked for every reference and every column of a catalog-wide extend, with few distinct names;
// bounded so a long-lived process cannot grow without limit.
const columns = new Map<string, string>();
const COLUMN_LIMIT = 50_000;

/** A column (or table) name: bare when it is a plain identifier, else `["..."]`. */
export function kqlColumn(name: string): string {
  let out = columns.get(name);
  if (out === undefined) {
    if (columns.size >= COLUMN_LIMIT) columns.clear();
    columns.set(name, (out = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name) ? name : `[${kqlString(name)}]`));
  }
  return out;
}

/** Rust-regex escaping of literal text (the set `regex::escape` escapes). */
export function rustEscape(text: string): string {
  return [...text]
    .map((c) => {
      if (/[\\.+*?()|[\]{}^$#&\-~]/.test(c)) return `\\${c}`;
      const code = c.codePointAt(0) as number;
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(c)) return `\\x{${code.toString(16)}}`;
      return c;
    })
    .join('');
}

