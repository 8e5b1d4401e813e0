/** The backends, by id. Adding a backend: a module in this folder, templates/<id>/, a profile. */
import type { BackendId } from '../diagnostics.js';
import type { Backend } from './context.js';
import { eqlBackend } from './eql.js';
import { esqlBackend } from './esql.js';
import { kqlBackend } from './kql.js';
import { sigmaBackend } from './sigma.js';
import { tsBackend } from './ts.js';

export const BACKENDS: { readonly [K in BackendId]: Backend } = {
  sigma: sigmaBackend,
  kql: kqlBackend,
  eql: eqlBackend,
  esql: esqlBackend,
  ts: tsBackend,
};
