import { type CsvHandler, CsvTokenizer, fieldText, STOPPED } from './csv-tokenizer.ts';
import { lookupRowField, ROW_FIELDS, type RowField } from './row-fields.ts';

/** Where the CSV reader delivers records (a `RowCollector`, or the direct load's check). */
export interface RowSink {
  /** Records a problem on `line`; returns false when reading should stop. */
  error(line: number, reason: string): boolean;
  /**
   * One data record, whose field `ROW_FIELDS[i]` is column `columns[i]` of the tokenizer's current
   * record; returns false when reading should stop.
   */
  addCsv(line: number, buf: Buffer, tok: CsvTokenizer, columns: readonly number[]): boolean;
}

/** A row file's header: its line, its number of columns, and the column of each row field. */
export interface CsvHeader {
  readonly line: number;
  readonly width: number;
  /** Column of `ROW_FIELDS[i]`. */
  readonly columns: readonly number[];
}

/** A record longer than this is almost surely an unterminated quote; refusing it bounds memory. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * Feeds the bytes of one CSV file through the tokenizer into the collector. The header (the
 * first non-blank record) names the ten row fields in any order, case-insensitively; extra
 * columns are ignored.
 */
export class CsvRowReader implements CsvHandler {
  private readonly tokenizer = new CsvTokenizer();
  /** Column index of each field in ROW_FIELDS order; empty until the header is read. */
  private columns: number[] = [];
  private width = 0;
  private headerLine = 0;

  constructor(private readonly sink: RowSink) {}

  /** The header, once read. */
  get header(): CsvHeader | undefined {
    return this.width === 0 ? undefined : { line: this.headerLine, width: this.width, columns: this.columns };
  }

  /**
   * Consumes the complete records in `buf[from, to)`; returns the offset of the unconsumed rest
   * (to be kept and followed by the next read), or -1 when reading this file should stop.
   */
  push(buf: Buffer, from: number, to: number, final: boolean): number {
    const consumed = this.tokenizer.tokenize(buf, from, to, final, this);
    if (consumed === STOPPED) return -1;
    if (to - consumed > MAX_RECORD_BYTES) {
      this.sink.error(this.tokenizer.line, 'record longer than 64 MiB (unterminated quoted field?)');
      return -1;
    }
    return consumed;
  }

  record(buf: Buffer, t: CsvTokenizer, count: number, line: number): boolean {
    if (count === 1 && isBlank(buf, t.starts[0]!, t.ends[0]!)) return true;
    if (this.width === 0) return this.readHeader(buf, t, count, line);
    if (count !== this.width) {
      return this.sink.error(line, `expected ${this.width} fields as in the header, found ${count}`);
    }
    return this.sink.addCsv(line, buf, t, this.columns);
  }

  error(line: number, reason: string): boolean {
    return this.sink.error(line, reason);
  }

  private readHeader(buf: Buffer, t: CsvTokenizer, count: number, line: number): boolean {
    const header = headerColumns(buf, t, count);
    if ('error' in header) {
      this.sink.error(line, header.error);
      return false;
    }
    this.columns = header.columns;
    this.width = count;
    this.headerLine = line;
    return true;
  }
}

/**
 * The columns a header names: the ten row fields in any order, matched case-insensitively (a BOM
 * before the first is ignored); other columns are allowed and ignored.
 */
function headerColumns(
  buf: Buffer,
  t: CsvTokenizer,
  count: number,
): { readonly columns: number[] } | { readonly error: string } {
  const found = new Map<RowField, number>();
  for (let i = 0; i < count; i++) {
    const field = lookupRowField(fieldText(buf, t, i).replace(/^\ufeff/, ''));
    if (field === undefined) continue;
    if (found.has(field)) return { error: `header names column ${field} twice` };
    found.set(field, i);
  }
  const missing = ROW_FIELDS.filter((f) => !found.has(f));
  if (missing.length > 0) {
    return { error: `header is missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` };
  }
  return { columns: ROW_FIELDS.map((f) => found.get(f)!) };
}

/** Spaces and tabs only: a blank line (the tokenizer has already dropped a trailing CR). */
export function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}
