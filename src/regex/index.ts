export type {
  RegexNode, RegexError, ParsedRegex, ParseResult, Span, LiteralNode, AnyNode, ShorthandNode, CharClassNode,
  ClassItem, GroupNode, LookaroundNode, QuantifierNode, AnchorNode, WordBoundaryNode, BackreferenceNode,
  FlagsNode, SequenceNode, AlternationNode, FlagChange, GroupKind, QuantifierMode, ShorthandName, PosixClassName,
} from './ast.js';
export { parseRegex } from './parse.js';
export { printRegex, translateRegex } from './print.js';
export { canMatchEmpty, repeatedMatchProblem } from './empty-match.js';
export type { RegexFlavour, PrintResult, PrintOptions, CaseFolding } from './print.js';
export { generateSubjects, makeRng, mutate, TRICKY_CHARS } from './generate.js';
export type { GenerateOptions, Rng } from './generate.js';
