/**
 * The official Kusto parser (`@kusto/language-service-next`, the Bridge.NET build of
 * Kusto.Language) as a test oracle: parse and semantically analyze a query against declared
 * table schemas (see target-kql.md §4.2). It checks syntax, names and types, not regex content
 * or results.
 */
import { createRequire } from 'node:module';

export interface KustoDiagnostic {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly start: number;
  readonly length: number;
}

/** The few members of the Bridge.NET globals used here (the package's .d.ts declares many more). */
interface BridgeDiagnostic {
  Code: string | null;
  Severity: string | null;
  Message: string | null;
  Start: number;
  Length: number;
}
interface KustoGlobals {
  Kusto: {
    Language: {
      Symbols: {
        TableSymbol: { $ctor7: new (name: string, schema: string, description: string | null) => unknown };
        DatabaseSymbol: { ctor: new (name: string, symbols: unknown[]) => unknown };
      };
      GlobalState: { Default: { WithDatabase(db: unknown): unknown } };
      KustoCode: { ParseAndAnalyze(text: string, globals: unknown): { GetDiagnostics(): unknown }; Parse(text: string): { Syntax: SyntaxNode } };
      Syntax: { SyntaxKind: { StringLiteralExpression: number; NameReference: number } };
    };
  };
  Bridge: { toArray(list: unknown): BridgeDiagnostic[] };
}

/** The members of Kusto.Language syntax nodes used to read literals and names back. */
interface SyntaxNode {
  Kind: number;
  ChildCount: number;
  GetChild(i: number): SyntaxNode | null;
  LiteralValue?: unknown;
  SimpleName?: string;
}

let loaded: KustoGlobals | null = null;

function kusto(): KustoGlobals {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  // Side-effect loads: they define the globals `Bridge`, `System` and `Kusto`.
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  loaded = globalThis as unknown as KustoGlobals;
  return loaded;
}

const states = new Map<string, unknown>();

/** Kusto column names in a schema string: `['odd name']` unless a plain identifier. */
function schemaColumn(name: string): string {
  const escapes: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `['${name.replace(/[\\'\n\r\t]/g, (c) => escapes[c] ?? c)}']`;
}

function globalsFor(tables: Readonly<Record<string, Readonly<Record<string, string>>>>): unknown {
  const key = JSON.stringify(tables);
  const cached = states.get(key);
  if (cached) return cached;
  const { Kusto } = kusto();
  const symbols = Object.entries(tables).map(
    ([name, columns]) =>
      new Kusto.Language.Symbols.TableSymbol.$ctor7(name, `(${Object.entries(columns).map(([c, t]) => `${schemaColumn(c)}:${t}`).join(', ')})`, null),
  );
  const db = new Kusto.Language.Symbols.DatabaseSymbol.ctor('db', symbols);
  const state = Kusto.Language.GlobalState.Default.WithDatabase(db);
  states.set(key, state);
  return state;
}

/** Parser diagnostics for a query against the given tables (table -> column -> Kusto type). */
export function kustoDiagnostics(query: string, tables: Readonly<Record<string, Readonly<Record<string, string>>>>): KustoDiagnostic[] {
  const g = kusto();
  const code = g.Kusto.Language.KustoCode.ParseAndAnalyze(query, globalsFor(tables));
  return g.Bridge.toArray(code.GetDiagnostics()).map((d) => ({
    code: d.Code ?? '',
    severity: d.Severity ?? '',
    message: d.Message ?? '',
    start: d.Start,
    length: d.Length,
  }));
}

/** Only the diagnostics that make the query invalid (suggestions such as KS500 are not failures). */
export function kustoErrors(query: string, tables: Readonly<Record<string, Readonly<Record<string, string>>>>): KustoDiagnostic[] {
  return kustoDiagnostics(query, tables).filter((d) => d.severity === 'Error');
}

/**
 * The decoded bodies of the verbatim `@"..."` literals on a query's non-comment lines. The KQL
 * backend writes verbatim literals only for regexes, so these are the patterns to compile.
 */
export function verbatimLiterals(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('//')) continue;
    for (const m of line.matchAll(/@"((?:[^"]|"")*)"/g)) out.push((m[1] as string).replace(/""/g, '"'));
  }
  return out;
}

/**
 * What the parser reads back from a query: every string literal's value (after KQL's own
 * unescaping, verbatim or not) and every name reference (bracketed names decoded), in order.
 */
export function kustoSyntax(query: string): { strings: string[]; names: string[] } {
  const { Kusto } = kusto();
  const kinds = Kusto.Language.Syntax.SyntaxKind;
  const strings: string[] = [];
  const names: string[] = [];
  const walk = (n: SyntaxNode | null): void => {
    if (!n) return;
    if (n.Kind === kinds.StringLiteralExpression) strings.push(String(n.LiteralValue));
    else if (n.Kind === kinds.NameReference && typeof n.SimpleName === 'string') names.push(n.SimpleName);
    for (let i = 0; i < n.ChildCount; i++) walk(n.GetChild(i));
  };
  walk(Kusto.Language.KustoCode.Parse(query).Syntax);
  return { strings, names };
}
