/**
 * The IR-construct x backend capability matrix (out/capabilities.md). Each row is a probe: a tiny
 * Sysmon rule that uses one construct. The cell is what the backend's own diagnostics say when it
 * renders that probe, so the table is computed, never written by hand.
 */
import { BACKEND_IDS, statusOf, type BackendId, type Status } from './diagnostics.js';
import { frontEnd, renderBackend } from './pipeline.js';
import { parseRuleText } from './rules/load.js';

interface Probe {
  /** The IR construct, as named in src/ir/types.ts. */
  readonly construct: string;
  /** The SPL after the data-source macro; `EventCode=1` keeps the probes on process creation. */
  readonly spl: string;
}

const BASE = 'EventCode=1';

export const PROBES: readonly Probe[] = [
  { construct: 'filter: eq (search value, case-insensitive)', spl: `${BASE} process_name=cmd.exe` },
  { construct: 'filter: eq with wildcards', spl: `${BASE} process="*-enc *"` },
  { construct: 'filter: eq, CASE() (case-sensitive)', spl: `${BASE} process=CASE(Foo)` },
  { construct: 'filter: or of eq (IN)', spl: `${BASE} process_name IN (a.exe, b.exe)` },
  { construct: 'filter: not (NOT f=v)', spl: `${BASE} NOT parent_process_name=explorer.exe` },
  { construct: 'filter: exists + not (f!=v)', spl: `${BASE} user!=SYSTEM` },
  { construct: 'filter: exists (f=*)', spl: `${BASE} parent_process=*` },
  { construct: 'filter: regex (regex command)', spl: `${BASE} | regex process="(?i)-e(nc)?\\s+[a-z0-9+/=]{20,}"` },
  { construct: 'filter: negated regex (regex f!=)', spl: `${BASE} | regex process!="(?i)rundll32\\.exe\\s+\\S"` },
  { construct: 'filter: regex via where match()', spl: `${BASE} | where match(process, "(?i)\\.ps1\\b")` },
  { construct: 'filter: cmp (numeric)', spl: `${BASE} process_id>1000` },
  { construct: 'filter: cidr', spl: `${BASE} dest_ip=10.0.0.0/8` },
  { construct: 'filter: term (bare keyword on the raw event)', spl: `${BASE} mimikatz` },
  { construct: 'filter: term (TERM() token)', spl: `${BASE} TERM(mimikatz)` },
  { construct: 'filter: cond (eval expression in where)', spl: `${BASE} | where len(process) > 100` },
  { construct: 'filter: undisclosed (filter macro with no published definition)', spl: `${BASE} \`fltr_bl_ip_address\`` },
  { construct: 'stage: project (table)', spl: `${BASE} | table _time, host, process` },
  { construct: 'stage: project (fields -)', spl: `${BASE} | fields - process_guid` },
  { construct: 'stage: rename', spl: `${BASE} | rename process as cmd` },
  { construct: 'stage: bucket + aggregate (bin + stats values)', spl: `${BASE} | table _time, host, process | bin span=1s | stats values(*) as * by _time, host` },
  { construct: 'stage: aggregate (stats count by)', spl: `${BASE} | stats count by host` },
  { construct: 'stage: aggregate (stats dc by)', spl: `${BASE} | stats dc(process) as n by host` },
  { construct: 'stage: aggregate (eventstats)', spl: `${BASE} | eventstats dc(process) as n by host` },
  { construct: 'stage: aggregate (streamstats)', spl: `${BASE} | streamstats count by host` },
  { construct: 'stage: aggregate (streamstats window=1 current=f)', spl: `${BASE} | sort 0 host, _time | streamstats window=1 current=f values(_time) as last_time by host` },
  { construct: 'stage: filter after stats (where)', spl: `${BASE} | stats count by host | where count > 5` },
  { construct: 'stage: eval', spl: `${BASE} | eval cmd=lower(process)` },
  { construct: 'stage: eval (trigonometry)', spl: `${BASE} | eval a=atan2(sin(process_id), cos(process_id)) * 180 / pi()` },
  { construct: 'stage: rex (extract)', spl: `${BASE} | rex field=process "-u (?<account>\\S+)"` },
  { construct: 'stage: rex (mode=sed)', spl: `${BASE} | rex field=process mode=sed "s/\\s+/ /g"` },
  { construct: 'stage: enrich (iplocation)', spl: `${BASE} | iplocation dest_ip` },
  { construct: 'stage: enrich (lookup)', spl: `${BASE} | lookup dnslookup clientip as dest_ip OUTPUT clienthost as dest_dns` },
  { construct: 'stage: sort', spl: `${BASE} | sort - _time` },
  { construct: 'stage: fillnull', spl: `${BASE} | fillnull value=- user` },
  { construct: 'stage: join (subsearch)', spl: `${BASE} | join type=left host [ search \`get_endpoint_data_sysmon\` EventCode=3 | stats count as connections by host ]` },
];

export interface CapabilityRow {
  readonly construct: string;
  readonly spl: string;
  readonly cells: Readonly<Record<BackendId, Status>>;
}

export function capabilityMatrix(): CapabilityRow[] {
  return PROBES.map((p) => {
    const spl = `\`get_endpoint_data_sysmon\` ${p.spl}`;
    const loaded = parseRuleText('probe.yml', `id: 'probe'\ntitle: probe\nlogic_format: Splunk\nlogic: ${JSON.stringify(spl)}\n`);
    const detection = loaded.rule ? frontEnd(loaded.rule).detection : undefined;
    const cells = Object.fromEntries(
      BACKEND_IDS.map((b): [BackendId, Status] => {
        if (!detection) return [b, 'error'];
        const r = renderBackend(detection, b);
        return [b, r.text === null && statusOf(r.diagnostics) === 'exact' ? 'error' : statusOf(r.diagnostics)];
      }),
    ) as Record<BackendId, Status>;
    return { construct: p.construct, spl: p.spl, cells };
  });
}

const MARK: Readonly<Record<Status, string>> = { exact: 'exact', lossy: 'lossy', unsupported: '**unsupported**', error: '**error**' };

export function capabilitiesMarkdown(rows: readonly CapabilityRow[] = capabilityMatrix()): string {
  const lines = [
    '# ruleport capabilities',
    '',
    'Generated by `npm start` (src/capabilities.ts); a test keeps it fresh. Each row renders a probe rule',
    '(`` `get_endpoint_data_sysmon` `` + the SPL shown) through every backend with its default profile;',
    'the cell is the status its diagnostics give: exact, lossy (the output says how, and which way),',
    'or unsupported (located diagnostic, no silent drop).',
    '',
    `| IR construct | probe SPL | ${BACKEND_IDS.join(' | ')} |`,
    `|---|---|${BACKEND_IDS.map(() => '---').join('|')}|`,
  ];
  for (const r of rows) {
    const spl = r.spl.replace(/\|/g, '\\|');
    // A probe that calls a macro holds backticks: a double-backtick code span keeps them literal.
    const code = spl.includes('`') ? `\`\` ${spl} \`\`` : `\`${spl}\``;
    lines.push(`| ${r.construct} | ${code} | ${BACKEND_IDS.map((b) => MARK[r.cells[b]]).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
