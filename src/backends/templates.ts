/**
 * Handlebars templates under templates/<backend>/. HTML escaping stays on so that a value that
 * skipped its target's escaping helper shows up as `&amp;` in a golden diff instead of passing
 * silently; helpers and pre-rendered fragments return SafeStrings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { TEMPLATES_DIR } from '../paths.js';

export type Helper = (value: unknown) => string;

export function compileTemplate(backend: string, name: string, helpers: Readonly<Record<string, Helper>>): (view: object) => string {
  const hb = Handlebars.create();
  for (const [helperName, fn] of Object.entries(helpers)) {
    hb.registerHelper(helperName, (value: unknown) => new hb.SafeString(fn(value)));
  }
  const source = readFileSync(join(TEMPLATES_DIR, backend, `${name}.hbs`), 'utf8');
  // Only the helpers registered here and the built-in block helpers (if, each, unless) are used,
  // and no `@index`-style data: telling the compiler so lets it call helpers directly and skip
  // the per-iteration data frames, which is most of Handlebars' cost per rule.
  const template = hb.compile(source, {
    strict: true,
    knownHelpers: Object.fromEntries(Object.keys(helpers).map((h) => [h, true])),
    knownHelpersOnly: true,
    data: false,
  });
  return (view) => template(view);
}

