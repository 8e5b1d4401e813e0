/**
 * Type-checks files the way a user compiling a generated module would: `tsc --strict` with
 * noUncheckedIndexedAccess, NodeNext modules (so `ruleport/runtime` resolves through the
 * package's exports), no emit. Returns the diagnostics with the file they are in.
 */
import ts from 'typescript';

export interface TscDiagnostic {
  readonly file: string;
  readonly message: string;
}

export function strictTypeCheck(files: readonly string[]): TscDiagnostic[] {
  const program = ts.createProgram([...files], {
    strict: true,
    noUncheckedIndexedAccess: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ({ file: d.file?.fileName ?? '', message: ts.flattenDiagnosticMessageText(d.messageText, '\n') }));
}
