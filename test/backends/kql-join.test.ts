import { describe, expect, it } from 'vitest';
import { renderBackend } from '../../src/pipeline.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { kustoErrors } from '../support/kusto.js';
import { splRule } from '../support/rules.js';

const SLOW = 60_000; // the Kusto parser takes ~1 s to warm up
const SRC = '`get_endpoint_data` `get_endpoint_data_sysmon` EventCode=1 ';

function tables(profile: string): Record<string, Record<string, string>> {
  return (resolveProfile(profile).tables ?? {}) as Record<string, Record<string, string>>;
}

// The join, the undisclosed filter and the ut_shannon lookup each leave a query the official
// Kusto parser accepts, with the construct reported rather than silently dropped.
const CASES: [string, string, string][] = [
  ['join', '| stats count by host | join type=left host [ search `get_endpoint_data_sysmon` EventCode=3 | stats count as connections by host ] | where connections > 2', 'BE001'],
  ['undisclosed filter', '`fltr_bl_ip_address` | table _time, host, process', 'BE006'],
  ['ut_shannon', '| `ut_shannon(process)` | where ut_shannon > 4', 'ut_shannon_lookup'],
];

describe('kql: join, undisclosed filters and ut_shannon parse with the Kusto parser', () => {
  for (const profile of ['kql-sysmon', 'kql-mde']) {
    it.each(CASES)(`${profile}: %s`, { timeout: SLOW }, (_name, spl, reported) => {
      const r = splRule(SRC + spl);
      if (!r.detection) throw new Error(JSON.stringify(r.diagnostics));
      const out = renderBackend(r.detection, 'kql', profile);
      expect(out.text).not.toBeNull();
      const text = out.text ?? '';
      expect(kustoErrors(text, tables(profile)), text).toEqual([]);
      expect(out.diagnostics.some((d) => d.code === reported || d.message.includes(reported)), JSON.stringify(out.diagnostics)).toBe(true);
    });
  }
});
