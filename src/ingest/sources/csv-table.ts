/**
 * Small CSV files of the source readers (Microsoft's SKU catalog, classification and exclusion
 * lists), read whole with csv-parse.
 */
import { CsvError, parse } from 'csv-parse/sync';

export interface CsvRecord {
  /** 1-based line the record starts on. */
  readonly line: number;
  readonly fields: readonly string[];
}

export type CsvTable =
  | { ok: true; header: string[]; records: CsvRecord[] }
  | { ok: false; line: number; reason: string };

/**
 * A cell without the debris of Microsoft's catalog file: byte-order marks, zero-width spaces, NBSP
 * and tab padding (docs/data-sources.md, "The inputs"). Inner runs of white space become one space,
 * so a tab inside a name cannot make two spellings of one product.
 */
export function cleanCell(value: string): string {
  return value.replace(/[\s\u200b\ufeff]+/g, ' ').trim();
}

/**
 * A header name reduced to what identifies it: lower-case, without spaces and underscores, so
 * that Microsoft's `String_Id`, its `String_ Id` (published so for a while) and `StringId` agree.
 */
export function headerKey(name: string): string {
  return cleanCell(name)
    .toLowerCase()
    .replace(/[\s_]+/g, '');
}

export type TextEncodingName = 'utf-8' | 'windows-1252';

/**
 * Windows-1252's characters for the bytes 0x80–0x9F, where it differs from Latin-1 (five bytes
 * it leaves undefined keep their Latin-1 control characters, as the WHATWG Encoding standard has
 * it). Node's own `TextDecoder('windows-1252')` decodes this range as Latin-1, losing ’ ™ – and
 * the like, so the range is mapped here.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Bytes read as Windows-1252. */
export function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/**
 * The text of a file's bytes: UTF-8 when they are valid UTF-8 (a byte-order mark is dropped),
 * else Windows-1252, the code page Excel on Western Windows saves in and in which Microsoft has
 * published its catalog (0x92 for ’, 0xAE for ®, 0x99 for ™). Any byte string is valid
 * Windows-1252, so this never fails.
 */
export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncodingName } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

// White space between a field's quotes and its separators (`,\t"Name, Inc."\t,`) is padding, not
// content; csv-parse would reject text after a closing quote.
const PAD_BEFORE_QUOTE = /(^|,)[ \t\u00a0]+"/gm;
const PAD_AFTER_QUOTE = /"[ \t\u00a0]+(?=,|\r?$)/gm;

/** Parses CSV text; the header is returned cleaned and lower-cased; blank records are dropped. */
export function parseCsvTable(text: string): CsvTable {
  let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.includes('"')) body = body.replace(PAD_BEFORE_QUOTE, '$1"').replace(PAD_AFTER_QUOTE, '"');
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(body, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: false,
    }) as unknown as typeof rows;
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines ?? 1;
      return { ok: false, line, reason: err.message.replace(/^[A-Z_]+: /, '') };
    }
    throw err;
  }
  const records: CsvRecord[] = [];
  let next = 1;
  for (const { record, info } of rows) {
    // A record starts on the line after the previous one ended (blank lines are records here).
    const line = next;
    next = info.lines + 1;
    if (record.length === 1 && cleanCell(record[0]!) === '') continue;
    records.push({ line, fields: record });
  }
  const first = records.shift();
  if (first === undefined) return { ok: false, line: 1, reason: 'the file is empty (no header)' };
  return { ok: true, header: first.fields.map((h) => cleanCell(h).toLowerCase()), records };
}
