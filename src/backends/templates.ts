/**
 * Handlebars templates under templates/<backend>/. HTML escaping stays on so that a value that
 * skipped its target's escaping helper shows up as `&amp;` in a golden diff instead of passing
 * silently; helpers and pre-rendered fragments return SafeStrings.
 *
 * The templates are precompiled ahead of time (templates.generated.ts, made by
 * `node .ci/gen-templates.mjs`); an entry is used only while its template text and helper names
 * are the current ones, so an edited template is compiled here instead, never served stale.
 * Precompiled templates need only Handlebars' runtime; its compiler (two thirds of the package)
 * is loaded only to compile an edited template, so a process and each build worker start without it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import runtime from 'handlebars/runtime.js';
import { TEMPLATES_DIR } from '../paths.js';
import { PRECOMPILED } from './templates.generated.js';

export type Helper = (value: unknown) => string;

interface Precompiled {
  readonly source: string;
  readonly helpers: readonly string[];
  readonly spec: TemplateSpecification;
}

/** The runtime is the full package minus its compiler; it ships no declarations of its own. */
const Handlebars = runtime as unknown as Pick<typeof import('handlebars'), 'create'>;

const precompiled = PRECOMPILED as Readonly<Record<string, Precompiled>>;

/** Templates compiled at run time because their precompiled entry was missing or stale. */
const compiledHere: string[] = [];

/** The full Handlebars (compiler included), for templates edited since they were precompiled. */
function withCompiler(): typeof import('handlebars') {
  return createRequire(import.meta.url)('handlebars') as typeof import('handlebars');
}

export function compileTemplate(backend: string, name: string, helpers: Readonly<Record<string, Helper>>): (view: object) => string {
  const source = readFileSync(join(TEMPLATES_DIR, backend, `${name}.hbs`), 'utf8');
  const helperNames = Object.keys(helpers).sort();
  const entry = precompiled[`${backend}/${name}`];
  const fresh = entry !== undefined && entry.source === source && entry.helpers.join('\u0000') === helperNames.join('\u0000');
  const hb = (fresh ? Handlebars : withCompiler()).create();
  for (const [helperName, fn] of Object.entries(helpers)) {
    hb.registerHelper(helperName, (value: unknown) => new hb.SafeString(fn(value)));
  }
  if (fresh) {
    const template = hb.template(entry.spec);
    return (view) => template(view);
  }
  compiledHere.push(`${backend}/${name}`);
  const template = hb.compile(source, templateOptions(helperNames));
  return (view) => template(view);
}

/**
 * Only the helpers registered here and the built-in block helpers (if, each, unless) are used,
 * and no `@index`-style data: telling the compiler so lets it call helpers directly and skip the
 * per-iteration data frames, most of Handlebars' cost per rule. .ci/gen-templates.mjs
 * precompiles with the same options.
 */
export function templateOptions(helperNames: readonly string[]): CompileOptions {
  return { strict: true, knownHelpers: Object.fromEntries(helperNames.map((h) => [h, true])), knownHelpersOnly: true, data: false };
}

/** Which templates this process compiled itself (for the freshness test of the generated module). */
export function templatesCompiledAtRunTime(): readonly string[] {
  return compiledHere;
}
