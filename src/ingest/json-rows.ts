import { readFile } from 'node:fs/promises';
import type { LoadSink, RawRow, RawValue } from '../store/store.ts';
import { scanJsonRows } from './json-scan.ts';
import { lookupRowField, ROW_FIELDS, type RowField } from './row-fields.ts';

/** V8 strings stop at about 2^29 characters; a JSON file is parsed as one string. */
const MAX_JSON_BYTES = 512 * 1024 * 1024;
/** Rows handed to the sink at a time. */
const BATCH = 10_000;

const FIELD_INDEX = new Map<RowField, number>(ROW_FIELDS.map((f, i) => [f, i]));

/**
 * Maps a JSON row file into the load: an array of row objects, or an E5 response body
 * `{"Value": [...]}` (the envelope key in any case), so a saved Partner Center response imports as
 * is. Field names match case-insensitively; unknown fields are ignored. Strings and numbers go to
 * the store as given; any other value as its JSON text. The store validates them all (a count of
 * `1.5` or a productId of `42` is reported there, by line, like a bad CSV value).
 */
export async function feedJsonRows(path: string, name: string, sink: LoadSink): Promise<void> {
  const bytes = await readFile(path);
  if (bytes.length > MAX_JSON_BYTES) {
    sink.error(name, 0, 'JSON file larger than 512 MiB; use CSV for files this large');
    return;
  }
  const text = bytes.toString('utf8');
  const scan = scanJsonRows(text);
  if (!scan.ok) {
    sink.error(name, scan.line, `invalid JSON: ${scan.reason}`);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    // The scanner is looser than JSON.parse only about string contents (control characters, escapes).
    sink.error(name, 1, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const rows =
    scan.envelopeKey === undefined ? parsed : (parsed as Record<string, unknown>)[scan.envelopeKey];
  if (!Array.isArray(rows)) {
    sink.error(name, 1, 'expected a JSON array of rows or an object with a "Value" array');
    return;
  }
  // Every row repeats the same few keys; each spelling is resolved once.
  const fieldOf = new Map<string, RowField | null>();
  let batch: RawRow[] = [];
  for (let i = 0; i < rows.length; i++) {
    const line = scan.lines[i] ?? 1;
    const row: unknown = rows[i];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      sink.error(name, line, 'row is not a JSON object');
      continue;
    }
    const values: RawValue[] = ROW_FIELDS.map(() => null);
    for (const [key, value] of Object.entries(row)) {
      let field = fieldOf.get(key);
      if (field === undefined) {
        field = lookupRowField(key) ?? null;
        fieldOf.set(key, field);
      }
      if (field === null || value === null) continue;
      values[FIELD_INDEX.get(field)!] =
        typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value);
    }
    batch.push({ line, values });
    if (batch.length === BATCH) {
      await sink.rows(name, batch);
      batch = [];
    }
  }
  if (batch.length > 0) await sink.rows(name, batch);
}
