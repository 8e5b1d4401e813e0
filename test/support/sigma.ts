/**
 * Sigma output checks shared by the tests: each document of a (multi-document) file against its
 * own official JSON schema, and Sigma's string escaping read back (specification "Escape
 * Character"; shared/notes/target-sigma.md §4).
 */
import { readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// Both packages are CommonJS with `exports.default` (see shared/notes/target-sigma.md §1).
const Ajv2020 = (Ajv2020Module as unknown as { default: typeof Ajv2020Module }).default;
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule }).default;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const SCHEMA_DIR = '../shared/schemas/sigma';
const validateRule = ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}/sigma-detection-rule-schema.json`, 'utf8')) as object);
const validateCorrelation = ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}/sigma-correlation-rules-schema.json`, 'utf8')) as object);

/** Schema errors of every document of a Sigma file, each against its own schema (rule or correlation). */
export function sigmaSchemaErrors(text: string): unknown[] {
  return yaml.loadAll(text).flatMap((doc) => {
    const validate = doc !== null && typeof doc === 'object' && 'correlation' in doc ? validateCorrelation : validateRule;
    return validate(doc) ? [] : (validate.errors ?? [{ message: 'invalid' }]);
  });
}

/**
 * A Sigma plain value as literal segments between `*` wildcards. `\*`, `\?` and `\\` are literal
 * `*`, `?`, `\`; a backslash before anything else (or at the end) is itself literal. Throws on a
 * `?` wildcard, which ruleport never writes.
 */
export function decodeSigmaValue(value: string): string[] {
  const segments = [''];
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    const n = value[i + 1];
    if (c === '\\' && (n === '*' || n === '?' || n === '\\')) {
      segments[segments.length - 1] += n;
      i++;
    } else if (c === '*') segments.push('');
    else if (c === '?') throw new Error(`unexpected ? wildcard in ${JSON.stringify(value)}`);
    else segments[segments.length - 1] += c;
  }
  return segments;
}
