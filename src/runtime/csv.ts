/**
 * RFC 4180 CSV for lookup tables: fields separated by commas, optionally double-quoted; inside
 * quotes a doubled `""` is one quote and commas and line breaks are data. CRLF or LF line ends;
 * a UTF-8 BOM is dropped. The first record is the header; each later record becomes a row keyed
 * by column name (missing trailing fields are empty strings, blank lines are skipped).
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let sawAny = false;
  const endRecord = (): void => {
    record.push(field);
    if (!(record.length === 1 && record[0] === '' && !sawAny)) records.push(record);
    record = [];
    field = '';
    sawAny = false;
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"') {
      quoted = true;
      sawAny = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      sawAny = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else {
      field += ch;
      sawAny = true;
    }
  }
  if (quoted) throw new Error('CSV: unterminated quoted field');
  if (field !== '' || record.length > 0 || sawAny) endRecord();
  return records;
}

/** A lookup table: the header names the columns. */
export function csvTable(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
