/**
 * Field values as the runtime holds them: a scalar, or an array for a multivalue field.
 */
import type { FieldValue, Scalar } from './index.js';

/** Every value of a field: none when absent, one for a scalar, each of a multivalue field. */
export function valuesOf(v: FieldValue | undefined): readonly Scalar[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? (v as readonly Scalar[]) : [v as Scalar];
}
