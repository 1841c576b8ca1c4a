import { type CsvHandler, CsvTokenizer, fieldText, STOPPED } from './csv-tokenizer.ts';
import type { RowCollector } from './row-collector.ts';
import { lookupRowField, ROW_FIELDS, type RowField } from './row-fields.ts';

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

  constructor(private readonly collector: RowCollector) {}

  /**
   * Consumes the complete records in `buf[from, to)`; returns the offset of the unconsumed rest
   * (to be kept and followed by the next read), or -1 when reading this file should stop.
   */
  push(buf: Buffer, from: number, to: number, final: boolean): number {
    const consumed = this.tokenizer.tokenize(buf, from, to, final, this);
    if (consumed === STOPPED) return -1;
    if (to - consumed > MAX_RECORD_BYTES) {
      this.collector.error(this.tokenizer.line, 'record longer than 64 MiB (unterminated quoted field?)');
      return -1;
    }
    return consumed;
  }

  record(buf: Buffer, t: CsvTokenizer, count: number, line: number): boolean {
    if (count === 1 && isBlank(buf, t.starts[0]!, t.ends[0]!)) return true;
    if (this.width === 0) return this.header(buf, t, count, line);
    if (count !== this.width) {
      return this.collector.error(line, `expected ${this.width} fields as in the header, found ${count}`);
    }
    return this.collector.addCsv(line, buf, t, this.columns);
  }

  error(line: number, reason: string): boolean {
    return this.collector.error(line, reason);
  }

  private header(buf: Buffer, t: CsvTokenizer, count: number, line: number): boolean {
    const found = new Map<RowField, number>();
    for (let i = 0; i < count; i++) {
      const field = lookupRowField(fieldText(buf, t, i).replace(/^\ufeff/, ''));
      if (field === undefined) continue;
      if (found.has(field)) {
        this.collector.error(line, `header names column ${field} twice`);
        return false;
      }
      found.set(field, i);
    }
    const missing = ROW_FIELDS.filter((f) => !found.has(f));
    if (missing.length > 0) {
      this.collector.error(
        line,
        `header is missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      );
      return false;
    }
    this.columns = ROW_FIELDS.map((f) => found.get(f)!);
    this.width = count;
    return true;
  }
}

/** Spaces and tabs only: a blank line (the tokenizer has already dropped a trailing CR). */
function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}
