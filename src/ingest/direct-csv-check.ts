/**
 * The JavaScript half of the direct CSV load (docs/benchmarks.md, "The direct CSV load"). While the
 * store reads a CSV row file with its own CSV reader, this reads it once more through the same
 * tokenizer the validating reader uses, without normalising anything, and reports what a load may
 * rely on:
 *
 * - the number of rows and, per text field, the total bytes of its values, which the store compares
 *   with what it read, so the two CSV readers provably saw the same records and fields;
 * - that every processed date is a real day whose first ten characters are its UTC day (so the store
 *   may take `left(value, 10)` as the date) and every seat count is plain digits up to 2^31-1;
 * - the processed dates present.
 *
 * Anything else (a value needing normalisation the store cannot prove, an error the validating
 * reader would report) makes the check fail with a reason, and the import takes the validating path.
 */
import { resolve } from 'node:path';
import { DIMENSIONS, type Dimension } from '../domain/fields.ts';
import { plainCount, STORED_FORM, type TextForm, TO_STORED_FORM } from '../domain/stored-form.ts';
import type { RowCsvCheck, RowCsvFile } from '../store/store.ts';
import type { RowSink } from './csv-rows.ts';
import { type CsvTokenizer, fieldText } from './csv-tokenizer.ts';
import { ROW_FIELDS } from './row-fields.ts';
import { streamRowFile } from './stream-row-file.ts';

const QUOTE = 34;
/** Position of each dimension in ROW_FIELDS (the date is 0, the counts 8 and 9). */
const DIMENSION_INDEX = DIMENSIONS.map((d) => ROW_FIELDS.indexOf(d));

const CHUNK_BYTES = 8 * 1024 * 1024;
/** Rows `readCsvShape` looks at. */
const SAMPLE_ROWS = 200;

/**
 * The header of `file` as the store needs it (with the absolute path), the processed dates of its
 * first rows (the dates a file holds are almost always those) and whether any of their GUIDs or codes
 * is in another case than stored (then most are). Fails when the file is not CSV, has no valid header
 * on its first line, or a value of its first rows needs normalising beyond that.
 */
export async function readCsvShape(
  file: string,
): Promise<
  { ok: true; file: RowCsvFile; days: string[]; convertCase: boolean } | { ok: false; reason: string }
> {
  const path = resolve(file);
  if (/[*?[\]{}]/.test(path)) return { ok: false, reason: `${file}: the path has pattern characters` };
  const sink = new CheckSink(path, SAMPLE_ROWS);
  try {
    const header = await streamRowFile(path, sink, { chunkBytes: 64 * 1024 });
    if (sink.reason !== undefined) return { ok: false, reason: sink.reason };
    if (header === undefined) return { ok: false, reason: `${path}: no header` };
    if (header.line !== 1) return { ok: false, reason: `${path}: the header is not on line 1` };
    return {
      ok: true,
      file: { path, width: header.width, columns: header.columns },
      days: [...sink.days],
      convertCase: sink.convertCase,
    };
  } catch (err) {
    return { ok: false, reason: `${path}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * Reads every file in full; see the module comment. Aborting `signal` (the store gave up, so the
 * answer no longer matters) stops reading at the next row.
 */
export async function checkRowCsvFiles(
  files: readonly RowCsvFile[],
  signal?: AbortSignal,
): Promise<RowCsvCheck> {
  const textBytes = Object.fromEntries(DIMENSIONS.map((d) => [d, 0])) as Record<Dimension, number>;
  const days = new Set<string>();
  let rows = 0;
  for (const file of files) {
    const sink = new CheckSink(file.path, 0, signal);
    try {
      const header = await streamRowFile(file.path, sink, { chunkBytes: CHUNK_BYTES });
      if (sink.reason !== undefined) return { ok: false, reason: sink.reason };
      if (header === undefined || !sameHeader(header, file)) {
        return { ok: false, reason: `${file.path}: the header changed while reading` };
      }
    } catch (err) {
      return { ok: false, reason: `${file.path}: ${err instanceof Error ? err.message : String(err)}` };
    }
    rows += sink.rows;
    DIMENSIONS.forEach((d, i) => {
      textBytes[d] += sink.bytes[i]!;
    });
    for (const day of sink.days) days.add(day);
  }
  return { ok: true, rows, textBytes, days: [...days].sort() };
}

function sameHeader(a: { width: number; columns: readonly number[] }, b: RowCsvFile): boolean {
  return a.width === b.width && a.columns.every((c, i) => c === b.columns[i]);
}

class CheckSink implements RowSink {
  reason: string | undefined;
  rows = 0;
  /** Total bytes of each dimension's values, as a CSV reader returns them (quotes undoubled). */
  readonly bytes = new Float64Array(DIMENSIONS.length);
  readonly days = new Set<string>();
  /** Whether a sampled GUID or code was in another case than stored. */
  convertCase = false;
  /** The last date value seen, as bytes: consecutive rows nearly always repeat it. */
  private lastDate = Buffer.alloc(64);
  private lastDateLength = -1;

  constructor(
    private readonly path: string,
    /** Read only this many rows, and check their values too (0: every row, lengths only). */
    private readonly sampleRows: number,
    private readonly signal?: AbortSignal,
  ) {}

  error(line: number, reason: string): boolean {
    return this.fail(line, reason);
  }

  addCsv(line: number, buf: Buffer, tok: CsvTokenizer, columns: readonly number[]): boolean {
    if (this.signal?.aborted) return this.fail(line, 'stopped');
    const dc = columns[0]!;
    if (!this.sameDate(buf, tok.starts[dc]!, tok.ends[dc]!) && !this.newDate(buf, tok, dc)) {
      return this.fail(
        line,
        `processedDateTime ${JSON.stringify(fieldText(buf, tok, dc))} needs normalising`,
      );
    }
    if (this.sampleRows > 0) {
      // A value of the first rows that needs normalising almost always means a whole column does:
      // say so now rather than after the store has read the file.
      const sampled = sampleValues(buf, tok, columns);
      if (sampled.needsNormalising !== undefined) {
        return this.fail(line, `${sampled.needsNormalising} needs normalising`);
      }
      if (sampled.convertCase) this.convertCase = true;
    }
    if (!isPlainCount(buf, tok, columns[8]!) || !isPlainCount(buf, tok, columns[9]!)) {
      return this.fail(line, 'a seat count that is not plain digits up to 2^31-1');
    }
    const bytes = this.bytes;
    for (let i = 0; i < DIMENSION_INDEX.length; i++) {
      const c = columns[DIMENSION_INDEX[i]!]!;
      const start = tok.starts[c]!;
      const end = tok.ends[c]!;
      bytes[i] =
        bytes[i]! + (tok.escaped[c] === 1 ? end - start - doubledQuotes(buf, start, end) : end - start);
    }
    this.rows++;
    return this.rows !== this.sampleRows;
  }

  private fail(line: number, reason: string): boolean {
    this.reason ??= `${this.path}:${line}: ${reason}`;
    return false;
  }

  private sameDate(buf: Buffer, start: number, end: number): boolean {
    const n = end - start;
    if (n !== this.lastDateLength) return false;
    for (let i = 0; i < n; i++) if (buf[start + i] !== this.lastDate[i]) return false;
    return true;
  }

  /** A date seen for the first time in a while: usable if its first ten characters are its day. */
  private newDate(buf: Buffer, tok: CsvTokenizer, col: number): boolean {
    const start = tok.starts[col]!;
    const end = tok.ends[col]!;
    if (tok.escaped[col] === 1 || end - start > this.lastDate.length) return false;
    const text = buf.toString('utf8', start, end);
    const day = TO_STORED_FORM.day(text);
    if (day === undefined || text.slice(0, 10) !== day) return false;
    this.days.add(day);
    buf.copy(this.lastDate, 0, start, end);
    this.lastDateLength = end - start;
    return true;
  }
}

/**
 * The first dimension of the current record whose value is not already in stored form, even after
 * the store's case conversions, and whether any value needs those.
 */
function sampleValues(
  buf: Buffer,
  tok: CsvTokenizer,
  columns: readonly number[],
): { needsNormalising?: Dimension; convertCase: boolean } {
  let convertCase = false;
  const needsNormalising = DIMENSIONS.find((d, i) => {
    const raw = fieldText(buf, tok, columns[DIMENSION_INDEX[i]!]!);
    const form = STORED_FORM[d] as TextForm;
    const stored = TO_STORED_FORM[form](raw);
    if (stored === raw) return false;
    // The store can upper-case GUIDs and lower-case ASCII codes itself.
    const converted =
      form === 'guid' ? raw.toUpperCase() : form === 'lowercase' && isAscii(raw) ? raw.toLowerCase() : raw;
    if (stored !== converted) return true;
    convertCase = true;
    return false;
  });
  return needsNormalising === undefined ? { convertCase } : { needsNormalising, convertCase };
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A count the store can cast as it is (never an escaped field: its bytes hold the doubled quotes). */
function isPlainCount(buf: Buffer, tok: CsvTokenizer, col: number): boolean {
  return plainCount(buf, tok.starts[col]!, tok.ends[col]!) >= 0;
}

/** Pairs of quotes in an escaped field's raw bytes; each pair is one quote in the value. */
function doubledQuotes(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(QUOTE, start); i >= 0 && i < end; i = buf.indexOf(QUOTE, i + 2)) n++;
  return n;
}
