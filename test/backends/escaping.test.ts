/**
 * Escaping and injection table: hostile text in titles, descriptions, field values and field names,
 * through every backend. Each output must (a) still parse in its target's checker and (b) still
 * mean the literal: the value read back by that checker (YAML + Sigma's escape rules, the Kusto
 * syntax tree, the EQL and ES|QL grammar checkers) equals the input, and the generated TypeScript
 * module matches an event holding exactly the value and rejects near misses. A field name a target
 * cannot spell must get a located diagnostic instead of broken output.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as yaml from 'js-yaml';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_IDS, type BackendId, type Diagnostic, type Span } from '../../src/diagnostics.js';
import type { Detection, Expr } from '../../src/ir/types.js';
import { kqlColumn } from '../../src/backends/kql.js';
import { renderBackend, type BackendResult } from '../../src/pipeline.js';
import { resolveProfile } from '../../src/profiles/profile.js';
import { checkEql, type EqlPredicate } from '../support/eql-grammar.js';
import { checkEsql } from '../support/esql-grammar.js';
import { kustoErrors, kustoSyntax } from '../support/kusto.js';
import { decodeSigmaValue, sigmaSchemaErrors } from '../support/sigma.js';
import { strictTypeCheck } from '../support/tsc.js';

const CASES: readonly (readonly [string, string])[] = [
  ['double quote', 'say "hi"'],
  ['single quote', "it's"],
  ['backslash', 'C:\\Windows\\cmd.exe'],
  ['trailing backslash', 'C:\\Temp\\'],
  ['UNC path', '\\\\srv\\share'],
  ['backslash before quote', 'a\\"b'],
  ['newline', 'a\nb'],
  ['CRLF and tab', 'a\r\n\tb'],
  ['star', 'a*b'],
  ['question mark', 'a?b'],
  ['comment close', 'x*/y'],
  ['template literal', '${process.exit(1)}'],
  ['backticks', 'a`b``c'],
  ['handlebars', '{{title}}'],
  ['triple handlebars', '{{{title}}}'],
  ['YAML colon', 'key: value'],
  ['YAML hash', 'a #b'],
  ['YAML dash', '- item'],
  ['YAML anchor, tag, alias', '&a !b *c'],
  ['leading percent', '%TEMP%'],
  ['leading at', '@list'],
  ['leading and trailing spaces', '  a  '],
  ['non-ASCII', 'café 中文'],
  ['emoji', 'x😀y'],
  ['U+2028', 'a\u2028b'],
  ['U+0085 (NEL)', 'a\u0085b'],
  ['control character', 'a\u0001b'],
  ['triple quote', 'a"""b'],
  ['HTML', '<b>&amp;</b>'],
  ['pipe', 'a|b'],
  ['SPL and KQL specials', 'a | where x==1 // y'],
];

type Slot = 'text' | 'exact' | 'cased' | 'contains' | 'field';
const SLOTS: readonly Slot[] = ['text', 'exact', 'cased', 'contains', 'field'];

interface Case {
  readonly key: string;
  readonly label: string;
  readonly text: string;
  readonly slot: Slot;
  readonly detection: Detection;
  /** The field under test (CIM name) and its pattern. */
  readonly field: string;
  readonly pattern: readonly string[];
}

/** A rule built in memory: `EventCode=1` (the Sysmon process-creation variant) and one test. */
function buildCase(label: string, text: string, slot: Slot, index: number): Case {
  const field = slot === 'field' ? `x${text}` : 'process';
  const value = slot === 'field' || slot === 'text' ? 'v1' : text;
  const pattern = slot === 'contains' ? ['', value, ''] : [value];
  // The SPL text only gives the spans something to point at.
  const spl = `EventCode=1 ${JSON.stringify(field)}=${JSON.stringify(value)}`;
  const at = (s: string): Span => ({ start: spl.indexOf(s), end: spl.indexOf(s) + s.length });
  const fieldSpan = at(JSON.stringify(field));
  const test: Expr = { kind: 'eq', field: { name: field, span: fieldSpan }, pattern, caseSensitive: slot === 'cased', span: { start: fieldSpan.start, end: spl.length } };
  const ec: Expr = { kind: 'eq', field: { name: 'EventCode', span: at('EventCode') }, pattern: ['1'], caseSensitive: false, span: at('EventCode=1') };
  const detection: Detection = {
    id: `esc.${index}`,
    title: slot === 'text' ? `T ${text}` : `case ${index}`,
    description: slot === 'text' ? `D ${text}` : 'd',
    references: [],
    techniqueIds: [],
    spl: slot === 'text' ? `${spl} ${text}` : spl,
    source: { id: 'sysmon', macros: [] },
    filter: { kind: 'and', args: [ec, test] },
    stages: [],
  };
  return { key: `${slot}-${index}`, label, text, slot, detection, field, pattern };
}

const cases: Case[] = [];
CASES.forEach(([label, text], i) => SLOTS.forEach((slot, j) => cases.push(buildCase(label, text, slot, i * SLOTS.length + j))));

/** Two field names that a careless identifier mangling would merge (`é1` and U+0E91). */
function collisionCase(): Case {
  const base = buildCase('names that mangle alike', '\u00e91', 'field', cases.length);
  const other: Expr = { kind: 'eq', field: { name: 'x\u0e91', span: { start: 0, end: 1 } }, pattern: ['v2'], caseSensitive: false, span: { start: 0, end: 1 } };
  const filter = base.detection.filter.kind === 'and' ? { kind: 'and' as const, args: [...base.detection.filter.args, other] } : base.detection.filter;
  return { ...base, key: 'collision', detection: { ...base.detection, filter } };
}

const outputs = new Map<string, BackendResult>();
for (const c of cases) for (const b of BACKEND_IDS) outputs.set(`${b}:${c.key}`, renderBackend(c.detection, b));
const out = (b: BackendId, c: Case): BackendResult => outputs.get(`${b}:${c.key}`) as BackendResult;

const rows: [string, string, Case][] = cases.map((c) => [c.slot, c.label, c]);

/** A located diagnostic naming the field, for targets that cannot spell it. */
function locatedAbout(diags: readonly Diagnostic[], field: string): Diagnostic | undefined {
  return diags.find((d) => d.span !== null && mentions(d, field));
}
function mentions(d: Diagnostic, field: string): boolean {
  return d.message.includes(field) || d.message.includes(JSON.stringify(field));
}

/** Comment text as the backends flatten it: runs of line breaks, controls and separators are one space. */
const flat = (s: string): string =>
  // eslint-disable-next-line no-control-regex
  s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();

/** The first line of a `//`-commented header must carry the whole title on one line. */
function expectTitleComment(text: string, title: string): void {
  const [first, second] = text.split('\n');
  expect(first?.startsWith('// ')).toBe(true);
  expect(flat(first?.slice(3) ?? '')).toBe(flat(title));
  expect(second).toMatch(/^\/\/ (rule|ruleport) id: /);
}

/** Literal segments of a wildcard value written with `*`/`?` wildcards and `\` escapes (ES|QL LIKE). */
function decodeLike(p: string): string[] {
  const segs = [''];
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '\\' && i + 1 < p.length) segs[segs.length - 1] += p[++i] as string;
    else if (c === '*') segs.push('');
    else if (c === '?') throw new Error(`? wildcard in ${JSON.stringify(p)}`);
    else segs[segs.length - 1] += c;
  }
  return segs;
}

/**
 * The regexes ruleport writes for EQL (`wildcardToLucene`) use `\x` escapes, `[aA]` classes, `.*`
 * and groups; as a whole-string JS regex (Lucene's `.` is any character) they can be run here.
 */
function luceneToJs(p: string): RegExp {
  let js = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '\\') {
      const n = p[++i] as string;
      js += /[A-Za-z0-9]/.test(n) ? n : `\\u{${(n.codePointAt(0) as number).toString(16)}}`;
      if ((n.codePointAt(0) as number) > 0xffff) i++;
    } else if (c === '.') js += '[^]';
    else js += c;
  }
  return new RegExp(`^(?:${js})$`, 'u');
}

/** Does a wildcard pattern (literal segments between `*`) match s? */
function wildcardMatch(segs: readonly string[], s: string): boolean {
  return new RegExp(`^${segs.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^]*')}$`).test(s);
}

/** Values that must match / must not match the case's test, under its case sensitivity. */
function samples(c: Case): { hit: string[]; miss: string[] } {
  const v = c.pattern.join('');
  const last = [...v].pop() ?? '';
  const mutated = `${[...v].slice(0, -1).join('')}${last === '~' ? '^' : '~'}`;
  const hit = c.slot === 'contains' ? [`<<${v}>>`] : [v];
  const miss = c.slot === 'contains' ? [`<<${mutated}>>`] : [mutated, `${v}x`, `x${v}`];
  if (/[*?]/.test(v)) miss.push(c.slot === 'contains' ? `<<${v.replace(/[*?]/g, 'QQ')}>>` : v.replace(/[*?]/g, 'QQ'));
  if (c.slot === 'cased' && v.toUpperCase() !== v) miss.push(v.toUpperCase());
  if (c.slot === 'exact' && v.toUpperCase() !== v && /^[\x20-\x7e]*$/.test(v)) hit.push(v.toUpperCase());
  for (const m of miss) if (c.slot === 'contains' && m.includes(v)) throw new Error(`bad near miss ${m}`);
  return { hit, miss };
}

describe('escaping: Sigma', () => {
  // pySigma reads rules with PyYAML (YAML 1.1), which also breaks lines at U+0085, U+2028 and
  // U+2029; js-yaml (YAML 1.2) does not. Both must read the same documents.
  const pyYaml = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
  let pyDocs: Map<string, unknown> | null = null;
  beforeAll(() => {
    if (!pyYaml) return;
    const texts = Object.fromEntries(cases.map((c) => [c.key, out('sigma', c).text ?? '']));
    const script = [
      'import sys, json, yaml',
      'def load(v):',
      '    try:',
      '        return list(yaml.safe_load_all(v))',
      '    except yaml.YAMLError as e:',
      "        return {'PyYAML error': str(e)}",
      'd = json.load(sys.stdin)',
      'json.dump({k: load(v) for k, v in d.items()}, sys.stdout, default=str)',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(r.stderr);
    pyDocs = new Map(Object.entries(JSON.parse(r.stdout) as Record<string, unknown>));
  }, 60_000);
  if (!pyYaml) it.skip('SKIPPED: python3 with PyYAML is not installed; Sigma output was read by js-yaml only', () => {});

  it.each(rows)('%s: %s', (_slot, _label, c) => {
    const o = out('sigma', c);
    if (c.slot === 'field' && c.field.includes('|')) {
      // `|` separates modifiers in a Sigma key and has no escape.
      const d = o.diagnostics.find((x) => x.code === 'BE005' && x.span !== null && mentions(x, c.field));
      expect(d, 'a located BE005 for the field name').toBeDefined();
    }
    const text = o.text ?? '';
    expect(text).not.toBe('');
    expect(sigmaSchemaErrors(text)).toEqual([]);
    const docs = yaml.loadAll(text) as Record<string, unknown>[];
    if (pyDocs) expect(pyDocs.get(c.key), 'PyYAML reads the same documents').toEqual(JSON.parse(JSON.stringify(docs)) as unknown);
    const doc = docs[0] as { title: string; description: string; detection: Record<string, unknown>; x_ruleport: Record<string, string> };
    expect(doc.title).toBe(c.detection.title);
    expect(doc.description).toBe(c.detection.description);
    expect(doc.x_ruleport['splunk_spl']).toBe(c.detection.spl);
    expect(doc.x_ruleport['source_id']).toBe(c.detection.id);
    const items = Object.entries(doc.detection).filter(([k]) => k !== 'condition').flatMap(([, sel]) => (sel && typeof sel === 'object' && !Array.isArray(sel) ? Object.entries(sel) : []));
    const target = c.slot === 'field' ? c.field : 'CommandLine';
    if (c.slot === 'field' && c.field.includes('|')) {
      expect(items.some(([k]) => k.startsWith('x')), 'no key spelled from the field').toBe(false);
      return;
    }
    const hits = items.filter(([k]) => k.split('|')[0] === target);
    expect(hits).toHaveLength(1);
    const [key, value] = hits[0] as [string, unknown];
    expect(key.split('|').slice(1)).toEqual(c.slot === 'cased' ? ['cased'] : []);
    expect(decodeSigmaValue(String(value))).toEqual(c.pattern);
  });
});

describe('escaping: KQL', () => {
  const tables = (resolveProfile('kql-sysmon').tables ?? {}) as Record<string, Record<string, string>>;
  // Loading Microsoft's parser takes seconds; not part of any one case.
  beforeAll(() => void kustoErrors('print 1', tables), 60_000);
  it.each(rows)('%s: %s', (_slot, _label, c) => {
    const o = out('kql', c);
    const text = o.text ?? '';
    expect(kustoErrors(text, tables)).toEqual([]);
    expectTitleComment(text, c.detection.title);
    const syntax = kustoSyntax(text);
    if (c.slot === 'field') {
      // A field the profile's table does not have is a located lossy diagnostic; else it is named.
      if (!syntax.names.includes(c.field)) expect(locatedAbout(o.diagnostics, c.field)).toBeDefined();
      // The column quoting itself, on a table that has the column.
      const probe = `T | where ${kqlColumn(c.field)} == "v1"`;
      expect(kustoErrors(probe, { T: { [c.field]: 'string' } })).toEqual([]);
      expect(kustoSyntax(probe).names).toEqual(['T', c.field]);
      return;
    }
    expect(syntax.strings).toContain(c.slot === 'text' ? 'v1' : c.text);
  });
});

/** The EQL predicate on a field, decoded by the grammar checker. */
function predicateOn(preds: readonly EqlPredicate[], field: string): EqlPredicate | undefined {
  return preds.find((p) => p.field === field);
}

describe('escaping: EQL', () => {
  it.each(rows)('%s: %s', (_slot, _label, c) => {
    const o = out('eql', c);
    const text = o.text ?? '';
    const q = checkEql(text);
    expectTitleComment(text, c.detection.title);
    const field = c.slot === 'field' ? c.field : 'process.command_line';
    const p = predicateOn(q.predicates, field);
    if (c.slot === 'field' && !p) {
      expect(locatedAbout(o.diagnostics, c.field)).toBeDefined();
      return;
    }
    expect(p, `a predicate on ${field}`).toBeDefined();
    if (!p) return;
    const { hit, miss } = samples(c);
    const values = p.values.map(String);
    // What the operator does with its value, as EQL defines it.
    const matches = (s: string): boolean => {
      switch (p.op) {
        case '==':
        case 'in':
          return values.includes(s);
        case 'in~':
          return values.some((v) => v.toLowerCase() === s.toLowerCase());
        case ':':
        case 'like~':
          // `*` and `?` are wildcards here and cannot be escaped.
          return values.some((v) => !v.includes('?') && wildcardMatch(v.toLowerCase().split('*'), s.toLowerCase()));
        case 'like':
          return values.some((v) => !v.includes('?') && wildcardMatch(v.split('*'), s));
        case 'regex':
          return values.some((v) => luceneToJs(v).test(s));
        default:
          throw new Error(`operator ${p.op} not modelled`);
      }
    };
    for (const s of hit) expect(matches(s), `matches ${JSON.stringify(s)}`).toBe(true);
    for (const s of miss) expect(matches(s), `rejects ${JSON.stringify(s)}`).toBe(false);
  });
});

describe('escaping: ES|QL', () => {
  it.each(rows)('%s: %s', (_slot, _label, c) => {
    const o = out('esql', c);
    const text = o.text ?? '';
    const q = checkEsql(text);
    expectTitleComment(text, c.detection.title);
    const field = c.slot === 'field' ? c.field : 'process.command_line';
    const where = q.commands.find((cmd) => cmd.name === 'WHERE' && cmd.names.includes(field));
    if (c.slot === 'field' && !where) {
      expect(locatedAbout(o.diagnostics, c.field)).toBeDefined();
      return;
    }
    expect(where, `a WHERE on ${field}`).toBeDefined();
    if (!where || c.slot === 'text' || c.slot === 'field') return;
    // Case-insensitive tests compare TO_LOWER(field) with the lower-cased value.
    const folded = c.slot !== 'cased' && text.includes(`TO_LOWER(`);
    const want = folded ? c.pattern.map((s) => s.toLowerCase()) : c.pattern;
    if (c.slot === 'contains') {
      expect(where.likes.map(decodeLike)).toEqual([want]);
    } else {
      expect(where.likes).toEqual([]);
      expect(where.strings).toEqual([want[0]]);
    }
  });
});

describe('escaping: generated TypeScript', () => {
  let dir = '';
  const diagnosticsByFile = new Map<string, string[]>();
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ruleport-esc-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(resolve('.'), join(dir, 'node_modules', 'ruleport'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const files = cases.map((c) => {
      const file = join(dir, `${c.key}.ts`);
      writeFileSync(file, out('ts', c).text ?? '');
      return file;
    });
    for (const d of strictTypeCheck(files)) diagnosticsByFile.set(d.file, [...(diagnosticsByFile.get(d.file) ?? []), d.message]);
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('field names that differ stay different readers', async () => {
    const c = collisionCase();
    const text = renderBackend(c.detection, 'ts').text ?? '';
    const file = join(dir, 'collision.ts');
    writeFileSync(file, text);
    const program = ts.createProgram([file], { strict: true, noUncheckedIndexedAccess: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, noEmit: true, types: [] });
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    writeFileSync(join(dir, 'collision.mjs'), ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
    const mod = (await import(pathToFileURL(join(dir, 'collision.mjs')).href)) as { run: (e: Iterable<Record<string, unknown>>) => unknown[] };
    expect(mod.run([{ EventID: 1, 'x\u00e91': 'v1', 'x\u0e91': 'v2' }])).toHaveLength(1);
    expect(mod.run([{ EventID: 1, 'x\u00e91': 'v1', 'x\u0e91': 'v1' }])).toHaveLength(0);
  }, 60_000);

  it.each(rows)('%s: %s', async (_slot, _label, c) => {
    const text = out('ts', c).text ?? '';
    expect(diagnosticsByFile.get(join(dir, `${c.key}.ts`)) ?? []).toEqual([]);
    const js = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const file = join(dir, `${c.key}.mjs`);
    writeFileSync(file, js);
    const mod = (await import(pathToFileURL(file).href)) as { id: string; title: string; run: (e: Iterable<Record<string, unknown>>) => unknown[] };
    expect(mod.id).toBe(c.detection.id);
    expect(mod.title).toBe(c.detection.title);
    const raw = c.slot === 'field' ? c.field : 'CommandLine';
    const event = (v: string): Record<string, unknown> => ({ EventID: 1, [raw]: v });
    const { hit, miss } = c.slot === 'field' || c.slot === 'text' ? { hit: ['v1'], miss: ['v2'] } : samples(c);
    for (const s of hit) expect(mod.run([event(s)]), `matches ${JSON.stringify(s)}`).toHaveLength(1);
    for (const s of miss) expect(mod.run([event(s)]), `rejects ${JSON.stringify(s)}`).toHaveLength(0);
  });
});
