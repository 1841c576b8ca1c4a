import type { RowColumns } from '../domain/row.ts';
import { MAX_COUNT, plainCount, STORED_FORM, type TextForm, TO_STORED_FORM } from '../domain/stored-form.ts';
import { type CsvTokenizer, fieldText } from './csv-tokenizer.ts';
import { DuplicateKeys } from './duplicate-keys.ts';
import { enlarged } from './enlarged.ts';
import { Interner } from './interner.ts';
import { type RawRow, ROW_FIELDS, type RowField, showValue } from './row-fields.ts';

export interface RowFileError {
  /** The path exactly as the caller gave it. */
  readonly file: string;
  /** 1-based line where the row starts; 0 when the file could not be read at all. */
  readonly line: number;
  readonly reason: string;
}

/** Column map for values already in ROW_FIELDS order. */
const IDENTITY: readonly number[] = ROW_FIELDS.map((_, i) => i);
/** Why a non-empty value of field i was rejected (string fields only reject empty values). */
const INVALID: readonly string[] = [
  'is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss)',
  'is empty',
  'is empty',
  'is empty',
  'is not a GUID',
  'is empty',
  'is not a GUID',
  'is empty',
];

/** An interner that stores `field` values in the field's stored form. */
const internerOf = (field: RowField): Interner =>
  new Interner(TO_STORED_FORM[STORED_FORM[field] as TextForm]);

/**
 * Validates rows from any reader and appends the good ones to columns. Errors carry `file:line`;
 * after `maxErrors` of them the collector stops (`stopped`), and `truncated` says more existed.
 */
export class RowCollector {
  readonly errors: RowFileError[] = [];
  truncated = false;

  private readonly fileNames: string[] = [];
  private readonly fileFirstRow: number[] = [];
  private readonly errorFiles: number[] = [];
  /**
   * Accepted rows, column by column in ROW_FIELDS order: the interned id of each text value, then
   * the two counts. Typed arrays keep a million rows in 44 MB with no per-row allocation; string
   * columns are built once, by `cols`.
   */
  private codes: Int32Array<ArrayBuffer>[] = ROW_FIELDS.map(() => new Int32Array(1024));
  private rowLines = new Int32Array(1024);
  private rows = 0;
  private built: RowColumns | undefined;
  private readonly rawValues: unknown[] = [];
  private readonly keys = new DuplicateKeys();

  private readonly days = internerOf('processedDateTime');
  private readonly serviceCodes = internerOf('serviceCode');
  private readonly serviceNames = internerOf('serviceName');
  private readonly channels = internerOf('channel');
  private readonly tenants = internerOf('customerTenantId');
  private readonly customerNames = internerOf('customerName');
  private readonly products = internerOf('productId');
  private readonly productNames = internerOf('productName');

  constructor(private readonly maxErrors: number) {}

  get stopped(): boolean {
    return this.truncated;
  }

  beginFile(file: string): void {
    this.fileNames.push(file);
    this.fileFirstRow.push(this.rows);
  }

  /** Records an error; returns false once the limit is passed and reading should stop. */
  error(line: number, reason: string): boolean {
    return this.errorIn(this.fileNames.length - 1, line, reason);
  }

  /** Validates one row given as an object; returns false when reading should stop. */
  add(line: number, r: RawRow): boolean {
    const values = this.rawValues;
    for (let i = 0; i < ROW_FIELDS.length; i++) values[i] = r[ROW_FIELDS[i]!];
    return this.addFields(line, values, IDENTITY);
  }

  /** Validates one row whose field `ROW_FIELDS[i]` is `values[columns[i]]`. */
  addFields(line: number, values: readonly unknown[], columns: readonly number[]): boolean {
    const before = this.errors.length;
    const d = this.idOf(line, values[columns[0]!], 0, this.days);
    const sc = this.idOf(line, values[columns[1]!], 1, this.serviceCodes);
    const sn = this.idOf(line, values[columns[2]!], 2, this.serviceNames);
    const ch = this.idOf(line, values[columns[3]!], 3, this.channels);
    const t = this.idOf(line, values[columns[4]!], 4, this.tenants);
    const cn = this.idOf(line, values[columns[5]!], 5, this.customerNames);
    const p = this.idOf(line, values[columns[6]!], 6, this.products);
    const pn = this.idOf(line, values[columns[7]!], 7, this.productNames);
    const deployed = this.count(line, values[columns[8]!], 8);
    const sold = this.count(line, values[columns[9]!], 9);
    if (this.errors.length !== before) return !this.truncated;
    return this.accept(line, d, sc, sn, ch, t, cn, p, pn, deployed, sold);
  }

  /**
   * The CSV hot path: validates the tokenizer's current record, whose field `ROW_FIELDS[i]` is
   * column `columns[i]`, straight from the read buffer (see csv-tokenizer.ts).
   */
  addCsv(line: number, buf: Buffer, tok: CsvTokenizer, columns: readonly number[]): boolean {
    const before = this.errors.length;
    const d = this.idAt(line, buf, tok, columns[0]!, 0, this.days);
    const sc = this.idAt(line, buf, tok, columns[1]!, 1, this.serviceCodes);
    const sn = this.idAt(line, buf, tok, columns[2]!, 2, this.serviceNames);
    const ch = this.idAt(line, buf, tok, columns[3]!, 3, this.channels);
    const t = this.idAt(line, buf, tok, columns[4]!, 4, this.tenants);
    const cn = this.idAt(line, buf, tok, columns[5]!, 5, this.customerNames);
    const p = this.idAt(line, buf, tok, columns[6]!, 6, this.products);
    const pn = this.idAt(line, buf, tok, columns[7]!, 7, this.productNames);
    const deployed = this.countAt(line, buf, tok, columns[8]!, 8);
    const sold = this.countAt(line, buf, tok, columns[9]!, 9);
    if (this.errors.length !== before) return !this.truncated;
    return this.accept(line, d, sc, sn, ch, t, cn, p, pn, deployed, sold);
  }

  /** Reports rows whose key an earlier row (in any file of the call) already had. */
  finish(): void {
    const c = this.codes;
    for (const [row, first] of this.keys.repeats()) {
      const reason = this.duplicateReason(c[0]![row]!, c[4]![row]!, c[6]![row]!, c[3]![row]!, first);
      if (!this.errorIn(this.fileOf(row), this.rowLines[row]!, reason)) break;
    }
    // Duplicates are found after validation errors; report everything in file and line order.
    const order = this.errors.map((e, i) => ({ e, f: this.errorFiles[i]! }));
    order.sort((a, b) => a.f - b.f || a.e.line - b.e.line);
    order.forEach((o, i) => {
      this.errors[i] = o.e;
    });
  }

  /** The accepted rows as columns; built on first use after the last row. */
  get cols(): RowColumns {
    if (this.built !== undefined) return this.built;
    const n = this.rows;
    const text = (field: number, interner: Interner): string[] => {
      const codes = this.codes[field]!;
      const values = interner.values;
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) out[i] = values[codes[i]!]!;
      return out;
    };
    const count = (field: number): number[] => Array.from(this.codes[field]!.subarray(0, n));
    this.built = {
      processedDate: text(0, this.days),
      serviceCode: text(1, this.serviceCodes),
      serviceName: text(2, this.serviceNames),
      channel: text(3, this.channels),
      customerTenantId: text(4, this.tenants),
      customerName: text(5, this.customerNames),
      productId: text(6, this.products),
      productName: text(7, this.productNames),
      licensesDeployed: count(8),
      licensesSold: count(9),
    };
    return this.built;
  }

  summary(): { rows: number; customers: number; products: number; dates: string[] } {
    return {
      rows: this.rows,
      customers: this.tenants.size,
      products: this.products.size,
      dates: [...this.days.values].sort(),
    };
  }

  private accept(
    line: number,
    d: number,
    sc: number,
    sn: number,
    ch: number,
    t: number,
    cn: number,
    p: number,
    pn: number,
    deployed: number,
    sold: number,
  ): boolean {
    const earlier = this.keys.add(d, t, p, ch);
    if (earlier >= 0) return this.error(line, this.duplicateReason(d, t, p, ch, earlier));
    const row = this.rows;
    if (row === this.rowLines.length) this.grow();
    const c = this.codes;
    c[0]![row] = d;
    c[1]![row] = sc;
    c[2]![row] = sn;
    c[3]![row] = ch;
    c[4]![row] = t;
    c[5]![row] = cn;
    c[6]![row] = p;
    c[7]![row] = pn;
    c[8]![row] = deployed;
    c[9]![row] = sold;
    this.rowLines[row] = line;
    this.rows = row + 1;
    this.built = undefined;
    return true;
  }

  private grow(): void {
    const size = this.rowLines.length * 2;
    this.rowLines = enlarged(this.rowLines, size);
    this.codes = this.codes.map((c) => enlarged(c, size));
  }

  private duplicateReason(d: number, t: number, p: number, ch: number, first: number): string {
    return (
      `duplicate row for processed date ${this.days.values[d]}, customerTenantId ${this.tenants.values[t]}, ` +
      `productId ${this.products.values[p]}, channel ${showValue(this.channels.values[ch])}; first at ${this.locate(first)}`
    );
  }

  private errorIn(fileIndex: number, line: number, reason: string): boolean {
    if (this.errors.length >= this.maxErrors) {
      this.truncated = true;
      return false;
    }
    this.errors.push({ file: this.fileNames[fileIndex] ?? '', line, reason });
    this.errorFiles.push(fileIndex);
    return true;
  }

  private idAt(
    line: number,
    buf: Buffer,
    tok: CsvTokenizer,
    col: number,
    field: number,
    interner: Interner,
  ): number {
    if (tok.escaped[col] === 1) return this.idOf(line, fieldText(buf, tok, col), field, interner);
    const id = interner.idBytes(buf, tok.starts[col]!, tok.ends[col]!);
    if (id < 0) this.invalid(line, field, fieldText(buf, tok, col));
    return id;
  }

  private idOf(line: number, v: unknown, field: number, interner: Interner): number {
    if (typeof v === 'string') {
      const id = interner.id(v);
      if (id < 0) this.invalid(line, field, v);
      return id;
    }
    const name = ROW_FIELDS[field]!;
    this.error(
      line,
      v === undefined ? `${name} is missing` : `${name} must be a string, got ${showValue(v)}`,
    );
    return -1;
  }

  private invalid(line: number, field: number, v: string): void {
    const name = ROW_FIELDS[field]!;
    this.error(line, v.trim() === '' ? `${name} is empty` : `${name} ${showValue(v)} ${INVALID[field]}`);
  }

  /** A CSV seat count: plain digits are read from the bytes; anything else takes `count`. */
  private countAt(line: number, buf: Buffer, tok: CsvTokenizer, col: number, field: number): number {
    const n = plainCount(buf, tok.starts[col]!, tok.ends[col]!);
    return n >= 0 ? n : this.count(line, fieldText(buf, tok, col), field);
  }

  /** A seat count: a non-negative integer up to 2^31-1, given as a JSON number or as digits. */
  private count(line: number, v: unknown, field: number): number {
    const name = ROW_FIELDS[field]!;
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= 0 && v <= MAX_COUNT) return v;
    } else if (typeof v === 'string') {
      if (v.trim() === '') {
        this.error(line, `${name} is empty`);
        return -1;
      }
      const n = parseDigits(v);
      if (n >= 0 && n <= MAX_COUNT) return n;
      if (n > MAX_COUNT) {
        this.error(line, `${name} ${showValue(v)} is larger than ${MAX_COUNT}`);
        return -1;
      }
    } else if (v === undefined) {
      this.error(line, `${name} is missing`);
      return -1;
    }
    this.error(line, `${name} ${showValue(v)} is not a non-negative integer`);
    return -1;
  }

  private fileOf(row: number): number {
    let f = this.fileFirstRow.length - 1;
    while (f > 0 && this.fileFirstRow[f]! > row) f--;
    return f;
  }

  private locate(row: number): string {
    return `${this.fileNames[this.fileOf(row)]}:${this.rowLines[row]}`;
  }
}

/** Digits with optional surrounding whitespace → value (may exceed 2^31-1); -1 if not digits. */
function parseDigits(s: string): number {
  let i = 0;
  let end = s.length;
  while (i < end && isSpace(s.charCodeAt(i))) i++;
  while (end > i && isSpace(s.charCodeAt(end - 1))) end--;
  if (i === end) return -1;
  let n = 0;
  for (; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 0xa0 || c === 0xfeff;
}
