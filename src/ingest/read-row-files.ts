import { stat } from 'node:fs/promises';
import { normalizeGuid } from '../domain/guid.ts';
import type { SnapshotLoad } from '../store/store.ts';
import { readJsonRows } from './json-rows.ts';
import { RowCollector, type RowFileError } from './row-collector.ts';
import { streamRowFile } from './stream-row-file.ts';

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
      await streamRowFile(file, collector, {
        json: (text) => readJsonRows(text, collector),
        progress,
        chunkBytes: options.chunkBytes ?? CHUNK_BYTES,
      });
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
