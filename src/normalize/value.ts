/** Eval expressions (AST) to IR value expressions, checking function names and arities. */
import type { Span } from '../diagnostics.js';
import type { EvalExpr } from '../spl/ast.js';
import type { ValueExpr, ValueOp } from '../ir/types.js';

/** Functions ruleport gives a meaning to, with [min, max] argument counts (max -1: any). */
export const EVAL_FUNCTION_ARITY: Readonly<Record<string, readonly [number, number]>> = {
  if: [3, 3], case: [2, -1], coalesce: [1, -1], validate: [2, -1], null: [0, 0], nullif: [2, 2], true: [0, 0], false: [0, 0],
  isnull: [1, 1], isnotnull: [1, 1], isnum: [1, 1], isint: [1, 1], isstr: [1, 1], typeof: [1, 1],
  len: [1, 1], lower: [1, 1], upper: [1, 1], substr: [2, 3], trim: [1, 2], ltrim: [1, 2], rtrim: [1, 2],
  replace: [3, 3], match: [2, 2], like: [2, 2], in: [2, -1], cidrmatch: [2, 2], searchmatch: [1, 1],
  tonumber: [1, 2], tostring: [1, 2], round: [1, 2], floor: [1, 1], ceiling: [1, 1], ceil: [1, 1], abs: [1, 1],
  sqrt: [1, 1], pow: [2, 2], exp: [1, 1], ln: [1, 1], log: [1, 2], pi: [0, 0], sin: [1, 1], cos: [1, 1], tan: [1, 1],
  asin: [1, 1], acos: [1, 1], atan: [1, 1], atan2: [2, 2],
  min: [1, -1], max: [1, -1], random: [0, 0],
  mvcount: [1, 1], mvindex: [2, 3], mvappend: [1, -1], mvfilter: [1, 1], mvjoin: [2, 2], mvdedup: [1, 1], mvsort: [1, 1],
  mvfind: [2, 2], mvzip: [2, 3], split: [2, 2], urldecode: [1, 1],
  now: [0, 0], time: [0, 0], strftime: [2, 2], strptime: [2, 2], relative_time: [2, 2],
  sha256: [1, 1], md5: [1, 1], sha1: [1, 1],
};

export class UnsupportedConstruct extends Error {
  constructor(
    readonly span: Span,
    message: string,
    readonly code: 'SPL104' | 'SPL102' = 'SPL104',
  ) {
    super(message);
  }
}

const BINARY: Readonly<Record<Extract<EvalExpr, { kind: 'binary' }>['op'], ValueOp>> = {
  AND: 'AND', OR: 'OR', XOR: 'XOR', '=': '=', '==': '=', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '.': '.', LIKE: 'LIKE',
};

export function toValue(e: EvalExpr): ValueExpr {
  switch (e.kind) {
    case 'field':
      return { kind: 'field', name: e.name, span: e.span };
    case 'string':
      return { kind: 'literal', value: e.value, span: e.span };
    case 'number':
      return { kind: 'literal', value: e.value, span: e.span };
    case 'bool':
      return { kind: 'literal', value: e.value, span: e.span };
    case 'unary':
      return { kind: 'op', op: e.op === 'NOT' ? 'NOT' : 'neg', args: [toValue(e.arg)], span: e.span };
    case 'binary':
      return { kind: 'op', op: BINARY[e.op], args: [toValue(e.left), toValue(e.right)], span: e.span };
    case 'call': {
      const arity = EVAL_FUNCTION_ARITY[e.name];
      if (!arity) throw new UnsupportedConstruct(e.span, `function ${e.name}() is not supported`);
      const [min, max] = arity;
      if (e.args.length < min || (max !== -1 && e.args.length > max)) {
        throw new UnsupportedConstruct(e.span, `${e.name}() takes ${min === max ? min : max === -1 ? `${min} or more` : `${min} to ${max}`} arguments, not ${e.args.length}`, 'SPL102');
      }
      if (e.name === 'searchmatch') throw new UnsupportedConstruct(e.span, 'searchmatch() (a search inside eval) is not supported');
      if (e.name === 'null') return { kind: 'literal', value: null, span: e.span };
      if (e.name === 'true' || e.name === 'false') return { kind: 'literal', value: e.name === 'true', span: e.span };
      return { kind: 'call', fn: e.name === 'ceil' ? 'ceiling' : e.name, args: e.args.map(toValue), span: e.span };
    }
  }
}
