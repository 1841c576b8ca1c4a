import { scanJsonRows } from './json-scan.ts';
import type { RowCollector } from './row-collector.ts';
import { emptyRawRow, lookupRowField, ROW_FIELDS, type RowField } from './row-fields.ts';

/**
 * Reads a JSON row file: an array of row objects, or an E5 response body `{"Value": [...]}` (the
 * envelope key in any case), so a saved Partner Center response can be imported as is. Field
 * names match case-insensitively; unknown fields are ignored.
 */
export function readJsonRows(text: string, collector: RowCollector): void {
  const scan = scanJsonRows(text);
  if (!scan.ok) {
    collector.error(scan.line, `invalid JSON: ${scan.reason}`);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    // The scanner is looser than JSON.parse only about string contents (control characters, escapes).
    collector.error(1, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const rows =
    scan.envelopeKey === undefined ? parsed : (parsed as Record<string, unknown>)[scan.envelopeKey];
  if (!Array.isArray(rows)) {
    collector.error(1, 'expected a JSON array of rows or an object with a "Value" array');
    return;
  }
  const raw = emptyRawRow();
  // Every row repeats the same few keys; resolving each spelling once saves a trim and
  // lower-case per key and row.
  const fieldOf = new Map<string, RowField | null>();
  for (let i = 0; i < rows.length; i++) {
    const line = scan.lines[i] ?? 1;
    const row: unknown = rows[i];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      if (!collector.error(line, 'row is not a JSON object')) return;
      continue;
    }
    for (const f of ROW_FIELDS) raw[f] = undefined;
    const obj = row as Record<string, unknown>;
    for (const key in obj) {
      let field = fieldOf.get(key);
      if (field === undefined) {
        field = lookupRowField(key) ?? null;
        fieldOf.set(key, field);
      }
      if (field !== null) raw[field] = obj[key];
    }
    if (!collector.add(line, raw)) return;
  }
}
