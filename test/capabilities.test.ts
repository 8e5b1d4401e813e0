import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capabilitiesMarkdown, capabilityMatrix } from '../src/capabilities.js';

describe('out/capabilities.md', () => {
  const rows = capabilityMatrix();

  it('every probe normalizes (an error cell would mean the probe itself is broken)', () => {
    for (const r of rows) expect(Object.values(r.cells), r.construct).not.toContain('error');
  });

  it('is up to date (run `npm start` to refresh)', () => {
    expect(readFileSync('out/capabilities.md', 'utf8')).toBe(capabilitiesMarkdown(rows));
  });
});
