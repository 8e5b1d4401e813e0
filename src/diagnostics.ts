/**
 * Diagnostics are values, never exceptions: every stage returns them alongside its result and the
 * CLI decides (at the edge) what is fatal. One table of codes keeps them stable for CI consumers.
 */

/** Half-open character range [start, end) into the SPL text of one rule. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type DiagnosticKind = 'syntax' | 'unsupported' | 'lossy' | 'unmapped' | 'lint' | 'input' | 'internal';
export type Severity = 'error' | 'warning' | 'info';
/** Which way a lossy translation errs: `wider` matches more events, `narrower` misses some. */
export type Direction = 'wider' | 'narrower';

export const BACKEND_IDS = ['sigma', 'kql', 'eql', 'esql', 'ts'] as const;
export type BackendId = (typeof BACKEND_IDS)[number];

interface CodeInfo {
  readonly kind: DiagnosticKind;
  readonly severity: Severity;
  readonly summary: string;
}

/** The single table of diagnostic codes. Codes never change meaning once published. */
export const CODES = {
  // rule files
  'RP001': { kind: 'input', severity: 'error', summary: 'rule file is not valid YAML' },
  'RP002': { kind: 'input', severity: 'error', summary: 'rule file does not match the rule schema' },
  'RP003': { kind: 'input', severity: 'error', summary: 'rule file could not be read' },
  'RP004': { kind: 'input', severity: 'info', summary: 'rule is not written in Splunk SPL; skipped' },
  // SPL syntax
  'SPL001': { kind: 'syntax', severity: 'error', summary: 'unexpected character' },
  'SPL002': { kind: 'syntax', severity: 'error', summary: 'unterminated quoted string' },
  'SPL003': { kind: 'syntax', severity: 'error', summary: 'unexpected token' },
  'SPL004': { kind: 'syntax', severity: 'error', summary: 'missing argument' },
  'SPL005': { kind: 'syntax', severity: 'error', summary: 'invalid option value' },
  'SPL006': { kind: 'syntax', severity: 'error', summary: 'unbalanced parenthesis' },
  // SPL constructs outside what ruleport handles
  'SPL101': { kind: 'unsupported', severity: 'error', summary: 'command not supported' },
  'SPL102': { kind: 'unsupported', severity: 'error', summary: 'construct not supported in this position' },
  'SPL103': { kind: 'unsupported', severity: 'error', summary: 'unknown macro' },
  'SPL104': { kind: 'unsupported', severity: 'error', summary: 'function not supported' },
  'SPL110': { kind: 'lossy', severity: 'info', summary: 'output macro dropped' },
  'SPL111': { kind: 'lint', severity: 'info', summary: 'raw-event idiom read as the field test it stands for' },
  'SPL112': { kind: 'lint', severity: 'info', summary: 'macro expanded from an assumed definition' },
  'SPL113': { kind: 'lint', severity: 'info', summary: "data source taken from the rule's data_category" },
  'SPL114': { kind: 'lint', severity: 'info', summary: 'data_category names several data sources; none assumed' },
  'SPL120': { kind: 'lint', severity: 'info', summary: 'foreach expanded over the fields known statically at that point' },
  // regex
  'RX001': { kind: 'syntax', severity: 'error', summary: 'regex syntax error' },
  'RX101': { kind: 'unsupported', severity: 'error', summary: 'regex construct not expressible in this flavour' },
  // lint
  'LINT001': { kind: 'lint', severity: 'error', summary: 'field used after a stage removed it' },
  'LINT002': { kind: 'lint', severity: 'warning', summary: 'field listed twice' },
  'LINT003': { kind: 'lint', severity: 'warning', summary: 'field pattern matches no field of the data source' },
  // backends
  'BE001': { kind: 'unsupported', severity: 'error', summary: 'stage not expressible in this backend' },
  'BE002': { kind: 'lossy', severity: 'warning', summary: 'stage approximated in this backend' },
  'BE003': { kind: 'unmapped', severity: 'warning', summary: 'field has no mapping in the profile' },
  'BE004': { kind: 'unsupported', severity: 'error', summary: 'data source has no mapping in the profile' },
  'BE005': { kind: 'unsupported', severity: 'error', summary: 'filter construct not expressible in this backend' },
  'BE006': { kind: 'lossy', severity: 'warning', summary: 'filter construct approximated in this backend' },
  'INT001': { kind: 'internal', severity: 'error', summary: 'internal error' },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly kind: DiagnosticKind;
  readonly severity: Severity;
  readonly message: string;
  /** Null for diagnostics about the backend as a whole. */
  readonly backend: BackendId | null;
  /** Where in the SPL text; null when the problem is not in the SPL (file-level errors carry `at`). */
  readonly span: Span | null;
  /** A second location that explains the first (for example the `table` that removed a field). */
  readonly related?: { readonly span: Span; readonly message: string };
  readonly direction?: Direction;
  /** Absolute file position, for errors outside the SPL text (YAML and schema errors). */
  readonly at?: { readonly line: number; readonly column: number };
}

export interface DiagnosticOptions {
  backend?: BackendId | null;
  related?: { span: Span; message: string };
  direction?: Direction;
  at?: { line: number; column: number };
  severity?: Severity;
}

export function diag(code: DiagnosticCode, message: string, span: Span | null, opts: DiagnosticOptions = {}): Diagnostic {
  const info: CodeInfo = CODES[code];
  // Optional fields are added only when set (absent, not undefined), one by one rather than
  // through spreads of temporary objects: a corpus build makes tens of thousands of these.
  const d: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { code, kind: info.kind, severity: opts.severity ?? info.severity, message, backend: opts.backend ?? null, span };
  if (opts.related) d.related = opts.related;
  if (opts.direction) d.direction = opts.direction;
  if (opts.at) d.at = opts.at;
  return d;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function worstSeverity(diags: readonly Diagnostic[]): Severity | null {
  let worst: Severity | null = null;
  for (const d of diags) {
    if (worst === null || SEVERITY_RANK[d.severity] > SEVERITY_RANK[worst]) worst = d.severity;
  }
  return worst;
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

/** Result status of one rule in one backend, derived from its diagnostics. */
export type Status = 'exact' | 'lossy' | 'unsupported' | 'error';

export function statusOf(diags: readonly Diagnostic[]): Status {
  if (diags.some((d) => d.severity === 'error' && (d.kind === 'syntax' || d.kind === 'input' || d.kind === 'internal'))) return 'error';
  if (diags.some((d) => d.kind === 'unsupported')) return 'unsupported';
  if (diags.some((d) => d.kind === 'lossy' || d.kind === 'unmapped')) return 'lossy';
  return 'exact';
}
