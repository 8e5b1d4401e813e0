import { frontEnd } from '../../src/pipeline.js';
import { parseRuleText } from '../../src/rules/load.js';
import type { Detection } from '../../src/ir/types.js';
import type { Diagnostic } from '../../src/diagnostics.js';

/** Builds an in-memory rule around an SPL string and runs the front end on it. */
export function splRule(spl: string): { detection?: Detection; diagnostics: readonly Diagnostic[] } {
  const text = `id: 't.1'\ntitle: t\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`;
  const loaded = parseRuleText('t.yml', text);
  if (!loaded.rule) throw new Error(`bad test rule: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  return frontEnd(loaded.rule);
}
