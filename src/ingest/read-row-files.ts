import { open, stat } from 'node:fs/promises';
import { normalizeGuid } from '../domain/guid.ts';
import type { SnapshotLoad } from '../store/store.ts';
import { CsvRowReader } from './csv-rows.ts';
import { readJsonRows } from './json-rows.ts';
import { RowCollector, type RowFileError } from './row-collector.ts';

export type { RowFileError } from './row-collector.ts';

export interface RowFileReadOptions {
  /** Partner tenant the rows belong to (any GUID form). */
  readonly partnerId: string;
  /** Stop after this many errors (default 50); `truncated` then says more existed. */
  readonly maxErrors?: number;
  /** Called after each chunk with the bytes read so far over all files. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Bytes per read (default 8 MiB); tests use tiny values to cross chunk boundaries. */
  readonly chunkBytes?: number;
}

export interface RowFileSummary {
  readonly rows: number;
  readonly customers: number;
  readonly products: number;
  /** Processed dates present, sorted. */
  readonly dates: string[];
  readonly files: number;
}

export type RowFileReadResult =
  | { readonly ok: true; readonly load: SnapshotLoad; readonly summary: RowFileSummary }
  | { readonly ok: false; readonly errors: RowFileError[]; readonly truncated: boolean };

const CHUNK_BYTES = 8 * 1024 * 1024;
/** V8 strings stop at about 2^29 characters; a JSON file must be decoded as one string. */
const MAX_JSON_BYTES = 512 * 1024 * 1024;

/**
 * Reads and validates flat row files (CSV with a header of the ten E5 row fields, or JSON) into
 * one load. Every file is read completely before anything is returned, so the caller can apply
 * all of it or none of it; problems come back as `file:line: reason` errors, never as exceptions.
 */
export async function readRowFiles(
  files: readonly string[],
  options: RowFileReadOptions,
): Promise<RowFileReadResult> {
  const partnerId = normalizeGuid(options.partnerId);
  if (partnerId === undefined) throw new RangeError(`partnerId must be a GUID, got '${options.partnerId}'`);
  const collector = new RowCollector(options.maxErrors ?? 50);
  const sizes = await Promise.all(
    files.map((f) =>
      stat(f).then(
        (s) => (s.isFile() ? s.size : 0),
        () => 0,
      ),
    ),
  );
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let bytesRead = 0;
  const progress = (n: number): void => {
    bytesRead += n;
    options.onProgress?.(bytesRead, totalBytes);
  };
  for (const file of files) {
    collector.beginFile(file);
    try {
      await readFile(file, collector, progress, options.chunkBytes ?? CHUNK_BYTES);
    } catch (err) {
      collector.error(0, `cannot read file: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (collector.stopped) break;
  }
  if (!collector.stopped) collector.finish();
  if (collector.errors.length > 0) {
    return { ok: false, errors: collector.errors, truncated: collector.truncated };
  }
  return {
    ok: true,
    load: { partnerId, rows: collector.cols },
    summary: { ...collector.summary(), files: files.length },
  };
}

/** Streams one file: the first non-blank character (after a BOM) picks JSON (`[`, `{`) or CSV. */
async function readFile(
  file: string,
  collector: RowCollector,
  progress: (n: number) => void,
  chunkBytes: number,
): Promise<void> {
  const handle = await open(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(chunkBytes);
    /** Bytes held in `buf`: a CSV record not yet complete, then the latest read. */
    let filled = 0;
    let from = 0;
    let format: 'csv' | 'json' | undefined;
    const jsonParts: Buffer[] = [];
    let jsonBytes = 0;
    const csv = new CsvRowReader(collector);
    for (;;) {
      if (filled === buf.length) {
        const grown = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(grown, 0, 0, filled);
        buf = grown;
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      const final = bytesRead === 0;
      progress(bytesRead);
      filled += bytesRead;
      if (format === undefined) {
        const first = firstSignificant(buf, filled);
        if (first === NEED_MORE && !final) continue;
        const c = first >= 0 ? buf[first] : undefined;
        format = c === 0x5b || c === 0x7b ? 'json' : 'csv';
        if (format === 'csv' && startsWithBom(buf, filled)) from = 3;
      }
      if (format === 'json') {
        // The read buffer is reused, so the JSON text is collected as copies.
        jsonParts.push(Buffer.from(buf.subarray(0, filled)));
        jsonBytes += filled;
        filled = 0;
        if (jsonBytes > MAX_JSON_BYTES) {
          collector.error(0, 'JSON file larger than 512 MiB; use CSV for files this large');
          return;
        }
        if (final) break;
        continue;
      }
      const consumed = csv.push(buf, from, filled, final);
      if (consumed < 0 || final) return;
      // Keep the incomplete last record at the front; the next read appends to it.
      buf.copy(buf, 0, consumed, filled);
      filled -= consumed;
      from = 0;
    }
    readJsonRows(Buffer.concat(jsonParts).toString('utf8'), collector);
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
