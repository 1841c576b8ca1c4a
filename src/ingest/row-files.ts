/**
 * Flat row files (`seatwise import --format rows`): CSV files go to the store's own bulk reader,
 * JSON files are mapped here. The first significant character (after a byte-order mark and white
 * space) tells them apart: `[` or `{` is JSON.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type RowColumns, rowCount } from '../domain/row.ts';
import type { LoadSink, RawRow } from '../store/store.ts';
import { feedJsonRows } from './json-rows.ts';

/** Puts every file into the load; a file that cannot be read is an error on line 0. */
export async function feedRowFiles(files: readonly string[], sink: LoadSink): Promise<void> {
  for (const file of files) {
    let kind: 'csv' | 'json';
    try {
      kind = await sniff(file);
    } catch (err) {
      sink.error(file, 0, `cannot read file: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (kind === 'json') await feedJsonRows(file, file, sink);
    else await sink.csvFile(resolve(file), file);
  }
}

async function sniff(file: string): Promise<'csv' | 'json'> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\ufeff/, '')
      .trimStart();
    return text.startsWith('[') || text.startsWith('{') ? 'json' : 'csv';
  } finally {
    await handle.close();
  }
}

/** Rows per `sink.rows` call. */
const BATCH = 10_000;

/**
 * Puts rows a source built (Graph, Partner Center, collect, demo) into the load, in batches, each
 * under the file and line it was mapped from when `origin` says so (else under `name`, line 0).
 * The store validates them like any other rows.
 */
export async function feedRowColumns(
  cols: RowColumns,
  name: string,
  sink: LoadSink,
  origin?: { readonly files: readonly string[]; readonly lines: readonly number[] },
): Promise<void> {
  const n = rowCount(cols);
  let batch: RawRow[] = [];
  let batchFile = '';
  for (let i = 0; i < n; i++) {
    const file = origin?.files[i] ?? name;
    if (batch.length > 0 && (file !== batchFile || batch.length === BATCH)) {
      await sink.rows(batchFile, batch);
      batch = [];
    }
    batchFile = file;
    batch.push({
      line: origin?.lines[i] ?? 0,
      values: [
        cols.processedDate[i]!,
        cols.serviceCode[i]!,
        cols.serviceName[i]!,
        cols.channel[i]!,
        cols.customerTenantId[i]!,
        cols.customerName[i]!,
        cols.productId[i]!,
        cols.productName[i]!,
        cols.licensesDeployed[i]!,
        cols.licensesSold[i]!,
      ],
    });
  }
  if (batch.length > 0) await sink.rows(batchFile, batch);
}
