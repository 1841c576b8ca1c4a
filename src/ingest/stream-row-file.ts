import { open } from 'node:fs/promises';
import { type CsvHeader, CsvRowReader, type RowSink } from './csv-rows.ts';

export interface StreamOptions {
  /** Receives a JSON file's whole text; without it a JSON file is an error. */
  readonly json?: (text: string) => void;
  /** Called with the number of bytes of each read. */
  readonly progress?: (bytes: number) => void;
  /** Bytes per read; a record longer than this grows the buffer. */
  readonly chunkBytes: number;
}

/** V8 strings stop at about 2^29 characters; a JSON file must be decoded as one string. */
const MAX_JSON_BYTES = 512 * 1024 * 1024;

/**
 * Streams one row file: the first non-blank character (after a BOM) picks JSON (`[`, `{`) or CSV.
 * CSV records go through the tokenizer to `sink` as they are read; a JSON file is read whole and
 * handed to `options.json` as text. Errors go to `sink`; reading stops when it says so. Returns the
 * CSV header, once read.
 */
export async function streamRowFile(
  file: string,
  sink: RowSink,
  options: StreamOptions,
): Promise<CsvHeader | undefined> {
  const { progress, chunkBytes } = options;
  const handle = await open(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(chunkBytes);
    /** Bytes held in `buf`: a CSV record not yet complete, then the latest read. */
    let filled = 0;
    let from = 0;
    let format: 'csv' | 'json' | undefined;
    const jsonParts: Buffer[] = [];
    let jsonBytes = 0;
    const csv = new CsvRowReader(sink);
    for (;;) {
      if (filled === buf.length) {
        const grown = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(grown, 0, 0, filled);
        buf = grown;
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      const final = bytesRead === 0;
      progress?.(bytesRead);
      filled += bytesRead;
      if (format === undefined) {
        const first = firstSignificant(buf, filled);
        if (first === NEED_MORE && !final) continue;
        const c = first >= 0 ? buf[first] : undefined;
        format = c === 0x5b || c === 0x7b ? 'json' : 'csv';
        if (format === 'csv' && startsWithBom(buf, filled)) from = 3;
        if (format === 'json' && options.json === undefined) {
          sink.error(0, 'a JSON file, where CSV is expected');
          return undefined;
        }
      }
      if (format === 'json') {
        // The read buffer is reused, so the JSON text is collected as copies.
        jsonParts.push(Buffer.from(buf.subarray(0, filled)));
        jsonBytes += filled;
        filled = 0;
        if (jsonBytes > MAX_JSON_BYTES) {
          sink.error(0, 'JSON file larger than 512 MiB; use CSV for files this large');
          return undefined;
        }
        if (final) break;
        continue;
      }
      const consumed = csv.push(buf, from, filled, final);
      if (consumed < 0 || final) return csv.header;
      // Keep the incomplete last record at the front; the next read appends to it.
      buf.copy(buf, 0, consumed, filled);
      filled -= consumed;
      from = 0;
    }
    options.json?.(Buffer.concat(jsonParts).toString('utf8'));
    return undefined;
  } finally {
    await handle.close();
  }
}

const NEED_MORE = -2;

/** Offset of the first byte that is neither a BOM nor JSON whitespace; NEED_MORE if none yet. */
function firstSignificant(buf: Buffer, filled: number): number {
  let i = 0;
  if (filled < 3 && isBomPrefix(buf, filled)) return NEED_MORE;
  if (startsWithBom(buf, filled)) i = 3;
  while (i < filled) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
  return NEED_MORE;
}

const BOM = [0xef, 0xbb, 0xbf];

function startsWithBom(buf: Buffer, filled: number): boolean {
  return filled >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
}

function isBomPrefix(buf: Buffer, filled: number): boolean {
  for (let i = 0; i < filled; i++) if (buf[i] !== BOM[i]) return false;
  return true;
}
