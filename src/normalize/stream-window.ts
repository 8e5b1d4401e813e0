/**
 * streamstats options -> the IR's StreamWindow. Splunk's defaults: window=0 (every row so far),
 * current=true, global=true, reset_on_change=false.
 * [doc] https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats
 */
import { diag, type Diagnostic } from '../diagnostics.js';
import type { StreamWindow } from '../ir/types.js';
import type { Option } from '../spl/ast.js';

/** The options the IR can hold; the others (time_window, allnum, ...) stay unsupported. */
export const STREAM_OPTIONS: ReadonlySet<string> = new Set(['window', 'current', 'global', 'reset_on_change']);

/** Splunk's boolean option spellings. */
function bool(o: Option, diagnostics: Diagnostic[]): boolean | null {
  const v = o.value.toLowerCase();
  if (['t', 'true', '1', 'yes'].includes(v)) return true;
  if (['f', 'false', '0', 'no'].includes(v)) return false;
  diagnostics.push(diag('SPL005', `streamstats ${o.name}=${o.value}: expected true or false`, o.span));
  return null;
}

/** The window the options describe, or null (with a located diagnostic) when one is malformed. */
export function streamWindow(options: readonly Option[], diagnostics: Diagnostic[]): StreamWindow | null {
  let window = 0;
  let current = true;
  let global = true;
  let resetOnChange = false;
  let ok = true;
  for (const o of options) {
    switch (o.name) {
      case 'window':
        if (!/^\d+$/.test(o.value)) {
          diagnostics.push(diag('SPL005', `streamstats window=${o.value}: a count of rows is needed (0 for all)`, o.span));
          ok = false;
        } else window = Number(o.value);
        break;
      case 'current':
      case 'global':
      case 'reset_on_change': {
        const b = bool(o, diagnostics);
        if (b === null) ok = false;
        else if (o.name === 'current') current = b;
        else if (o.name === 'global') global = b;
        else resetOnChange = b;
        break;
      }
      default:
        break; // reported by the caller
    }
  }
  if (!ok) return null;
  // global only changes anything with a window; one meaning, one spelling.
  return { window, current, global: window === 0 ? true : global, resetOnChange };
}
