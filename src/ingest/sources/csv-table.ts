/**
 * Small CSV files of the source readers (Microsoft's SKU catalog, classification and exclusion
 * lists), read whole through the row files' tokenizer.
 */
import { type CsvHandler, CsvTokenizer, fieldText, STOPPED } from '../csv-tokenizer.ts';

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
 * and tab padding (shared spec data-sources.md, "Inputs" C). Inner runs of white space become one
 * space, so a tab inside a name cannot make two spellings of one product.
 */
export function cleanCell(value: string): string {
  return value.replace(/[\s\u200b\ufeff]+/g, ' ').trim();
}

// White space between a field's quotes and its separators (`,\t"Name, Inc."\t,`) is padding, not
// content; the tokenizer would reject text after a closing quote.
const PAD_BEFORE_QUOTE = /(^|,)[ \t\u00a0]+"/gm;
const PAD_AFTER_QUOTE = /"[ \t\u00a0]+(?=,|\r?$)/gm;

/** Parses CSV text; the header is returned cleaned and lower-cased; blank records are dropped. */
export function parseCsvTable(text: string): CsvTable {
  let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.includes('"')) body = body.replace(PAD_BEFORE_QUOTE, '$1"').replace(PAD_AFTER_QUOTE, '"');
  const records: CsvRecord[] = [];
  let failure: { line: number; reason: string } | undefined;
  const handler: CsvHandler = {
    record(buf, tok, count, line) {
      const fields = Array.from({ length: count }, (_, i) => fieldText(buf, tok, i));
      if (count === 1 && cleanCell(fields[0]!) === '') return true;
      records.push({ line, fields });
      return true;
    },
    error(line, reason) {
      failure = { line, reason };
      return false;
    },
  };
  const buf = Buffer.from(body, 'utf8');
  const end = new CsvTokenizer().tokenize(buf, 0, buf.length, true, handler);
  if (failure !== undefined) return { ok: false, ...failure };
  if (end === STOPPED) return { ok: false, line: 1, reason: 'unreadable CSV' };
  const first = records.shift();
  if (first === undefined) return { ok: false, line: 1, reason: 'the file is empty (no header)' };
  return { ok: true, header: first.fields.map((h) => cleanCell(h).toLowerCase()), records };
}
