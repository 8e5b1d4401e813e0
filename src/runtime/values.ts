/**
 * Field values as the runtime holds them (a scalar, or an array for a multivalue field), and the
 * comparisons the stages share.
 */
import type { FieldValue, Scalar } from './index.js';

/** Every value of a field: none when absent, one for a scalar, each of a multivalue field. */
export function valuesOf(v: FieldValue | undefined): readonly Scalar[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? (v as readonly Scalar[]) : [v as Scalar];
}

/** A field is absent when undefined, the empty string or an empty array. */
export function hasValue(v: FieldValue | undefined): boolean {
  if (v === undefined || v === '') return false;
  return !Array.isArray(v) || v.length > 0;
}

/** A number written in full: sign, digits, fraction, exponent. */
export const NUMERIC_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A number, or a string that is one in full (`"10"`, `"-1.5e3"`); null otherwise. */
export function asNumber(v: Scalar): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return NUMERIC_RE.test(v) ? Number(v) : null;
}

/** Code-unit order, as Splunk sorts strings. */
export function lex(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** min()/max() order (eval and streamstats): numbers numerically and below strings, strings by code unit. */
export function minMaxOrder(a: Scalar, b: Scalar): number {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return lex(String(a), String(b));
}
