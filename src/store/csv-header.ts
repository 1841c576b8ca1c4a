/**
 * The header of a flat CSV row file: the first non-empty line names the ten row fields in any
 * order, case-insensitively (a byte-order mark before it is ignored); other columns are allowed and
 * ignored. Shared by the adapters, whose bulk readers then read the rows by column position.
 */
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { ROW_FIELDS, type RowField } from '../domain/fields.ts';

export interface CsvHeader {
  /** 1-based line of the header. */
  readonly line: number;
  /** Columns of the header, which every record must have too. */
  readonly width: number;
  /** 0-based column of each row field, in ROW_FIELDS order. */
  readonly columns: readonly number[];
}

/** A header longer than this is no header of a row file. */
const HEAD_BYTES = 64 * 1024;

const BY_LOWER = new Map<string, RowField>(ROW_FIELDS.map((f) => [f.toLowerCase(), f]));

/** Why a file has no row file's header, and on which line. */
export interface CsvHeaderProblem {
  readonly line: number;
  readonly reason: string;
}

/** Reads and checks the header of `path`. */
export async function readCsvHeader(path: string): Promise<CsvHeader | CsvHeaderProblem> {
  const handle = await open(path, 'r');
  let head: string;
  let full: boolean;
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    head = buf.subarray(0, bytesRead).toString('utf8');
    full = bytesRead === HEAD_BYTES;
  } finally {
    await handle.close();
  }
  if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
  const lines = head.split('\n');
  let index = 0;
  while (index < lines.length - 1 && lines[index]!.replace(/\r$/, '') === '') index++;
  if (index === lines.length - 1 && full) {
    return {
      line: 1,
      reason: 'the first line is longer than 64 KiB; expected a header naming the ten row fields',
    };
  }
  const text = lines[index]!.replace(/\r$/, '');
  const at = (reason: string): CsvHeaderProblem => ({ line: index + 1, reason });
  if (text.trim() === '') return at('the file is empty; expected a header naming the ten row fields');
  let names: string[];
  try {
    names = (parse(text, { relax_column_count: true }) as string[][])[0] ?? [];
  } catch (err) {
    return at(`the header is not valid CSV: ${err instanceof Error ? err.message : String(err)}`);
  }
  const found = new Map<RowField, number>();
  for (const [i, name] of names.entries()) {
    const field = BY_LOWER.get(name.trim().toLowerCase());
    if (field === undefined) continue;
    if (found.has(field)) return at(`header names column ${field} twice`);
    found.set(field, i);
  }
  const missing = ROW_FIELDS.filter((f) => !found.has(f));
  if (missing.length > 0) {
    return at(`header is missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  return { line: index + 1, width: names.length, columns: ROW_FIELDS.map((f) => found.get(f)!) };
}
