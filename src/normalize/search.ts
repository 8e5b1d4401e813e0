/** Splunk `search` semantics to IR: case-insensitive wildcard values, `!=` vs NOT, TERM, IN. */
import { diag, type Diagnostic } from '../diagnostics.js';
import type { SearchExpr, SearchValue } from '../spl/ast.js';
import type { Expr, FieldRef } from '../ir/types.js';
import { and, not, or } from './build.js';

/** `notes` collects info diagnostics about idioms read as field tests. */
export function normalizeSearch(e: SearchExpr, notes: Diagnostic[] = []): Expr {
  const recur = (x: SearchExpr): Expr => normalizeSearch(x, notes);
  switch (e.kind) {
    case 'and':
      return and(e.args.map(recur));
    case 'or':
      return or(e.args.map(recur));
    case 'not':
      return not(recur(e.arg), e.span);
    case 'in': {
      const field: FieldRef = { name: e.field.name, span: e.field.span };
      return or(e.values.map((v) => valueMatch(field, v, e.span)));
    }
    case 'compare': {
      const field: FieldRef = { name: e.field.name, span: e.field.span };
      switch (e.op) {
        case '=':
          return valueMatch(field, e.value, e.span);
        case '!=':
          // `f!=v` only keeps events that have f (Splunk docs, NOT expressions); `NOT f=v` does not.
          return and([{ kind: 'exists', field, span: e.span }, not(valueMatch(field, e.value, e.span), e.span)]);
        case '<':
        case '<=':
        case '>':
        case '>=':
          return { kind: 'cmp', field, op: e.op, value: e.value.text, numeric: isNumber(e.value.text), span: e.span };
      }
      break;
    }
    case 'keyword':
      return keyword(e.value, notes);
  }
}

export function isCidr(text: string): boolean {
  const m = /^([0-9.]+|[0-9a-fA-F:]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const [addr, bits] = [m[1] as string, Number(m[2])];
  if (addr.includes(':')) return addr.includes('::') || addr.split(':').length === 8 ? bits <= 128 : false;
  const parts = addr.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255) && bits <= 32;
}

function isNumber(text: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(text);
}

/** `f=v`: whole-value, case-insensitive unless CASE(), `*` wildcards; `f=*` means "f exists". */
function valueMatch(field: FieldRef, v: SearchValue, span: { start: number; end: number }): Expr {
  if (v.text === '*' && v.wrapper === null) return { kind: 'exists', field, span };
  // A network in CIDR notation is a CIDR match in search (splunk-semantics.md S14).
  if (v.wrapper === null && isCidr(v.text)) return { kind: 'cidr', field, network: v.text, span };
  return { kind: 'eq', field, pattern: v.text.split('*'), caseSensitive: v.wrapper === 'CASE', span };
}

function keyword(v: SearchValue, notes: Diagnostic[]): Expr {
  if (v.wrapper === 'TERM') {
    // TERM(field=value) is how Armory rules test a field cheaply on the raw event: read it as the
    // field test it stands for (splunk-semantics.md §2.3); other TERM()s stay raw-token searches.
    const m = /^([A-Za-z_][\w.]*)=([^\s=]+)$/.exec(v.text);
    if (m) {
      notes.push(diag('SPL111', `TERM(${v.text}) read as ${m[1]}=${m[2]}: the same test on structured events`, v.span));
      return { kind: 'eq', field: { name: m[1] as string, span: v.span }, pattern: [m[2] as string], caseSensitive: false, span: v.span };
    }
    return { kind: 'term', value: v.text, form: 'token', span: v.span };
  }
  // "<EventID>4688<" finds the event code in XML-rendered Windows events: the Armory ORs it with
  // TERM(EventCode=4688) for events rendered the classic way. Both test the event code.
  const xml = v.quoted ? /^<?EventID>(\d+)<$/.exec(v.text) : null;
  if (xml) {
    notes.push(diag('SPL111', `"${v.text}" read as EventCode=${xml[1]}: the event-code test for XML-rendered events`, v.span));
    return { kind: 'eq', field: { name: 'EventCode', span: v.span }, pattern: [xml[1] as string], caseSensitive: false, span: v.span };
  }
  return { kind: 'term', value: v.text, form: v.quoted ? 'phrase' : 'keyword', span: v.span };
}
