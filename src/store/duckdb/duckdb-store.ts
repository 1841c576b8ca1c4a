/**
 * The embedded store: one DuckDB file, a small pool of read connections and one write connection.
 * Executes compiled SQL only; the bulk loads live in `replace-snapshots.ts` and `load-row-csv.ts`,
 * retention in `delete-snapshots.ts`.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { CatalogSku } from '../../domain/sku-catalog.ts';
import { duckdbDialect } from '../../sql/dialect.ts';
import type {
  ColumnarResult,
  RowCsvLoad,
  RowCsvOutcome,
  SnapshotLoad,
  SnapshotReplaceResult,
  SqlQuery,
  Store,
} from '../store.ts';
import { toColumnarResult } from './columnar.ts';
import { ConnectionPool } from './connection-pool.ts';
import { deleteSnapshotsBefore } from './delete-snapshots.ts';
import { loadRowCsv } from './load-row-csv.ts';
import { replaceSnapshots } from './replace-snapshots.ts';
import { SCHEMA_SQL } from './schema.ts';
import { upsertCatalog } from './upsert-catalog.ts';

export interface DuckDbStoreOptions {
  /** Database file; its directory is created when missing. `:memory:` for a throwaway store. */
  readonly path: string;
  /** Opens with access_mode READ_ONLY: no DDL, no loads, and other processes may read too. */
  readonly readOnly?: boolean;
  /** Read connections (default 3). */
  readonly readers?: number;
}

const MEMORY = ':memory:';

export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<Store> {
  const readOnly = options.readOnly ?? false;
  const path = options.path === MEMORY ? MEMORY : resolve(options.path);
  if (path !== MEMORY && !readOnly) await mkdir(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(path, {
    // Pinned although it is the default: loads rely on it to write each snapshot's rows clustered
    // in `ord` order, which is what lets row-group statistics prune scans (replace-snapshots.ts).
    preserve_insertion_order: 'true',
    ...(readOnly ? { access_mode: 'READ_ONLY' } : {}),
  });
  const connections: DuckDBConnection[] = [];
  try {
    const writer = await instance.connect();
    connections.push(writer);
    if (!readOnly) await writer.run(SCHEMA_SQL);
    for (let i = 0; i < (options.readers ?? 3); i++) connections.push(await instance.connect());
    return new DuckDbStore(path, instance, writer, new ConnectionPool(connections.slice(1)), readOnly);
  } catch (err) {
    for (const c of connections) c.disconnectSync();
    instance.closeSync();
    throw err;
  }
}

class DuckDbStore implements Store {
  readonly dialect = duckdbDialect;
  readonly description: string;
  readonly #instance: DuckDBInstance;
  readonly #writer: DuckDBConnection;
  readonly #readers: ConnectionPool;
  readonly #readOnly: boolean;
  /** Writes (loads, retention) run one at a time on the write connection; this is the queue's tail. */
  #writes: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(
    path: string,
    instance: DuckDBInstance,
    writer: DuckDBConnection,
    readers: ConnectionPool,
    readOnly: boolean,
  ) {
    this.description = path;
    this.#instance = instance;
    this.#writer = writer;
    this.#readers = readers;
    this.#readOnly = readOnly;
  }

  select(query: SqlQuery): Promise<ColumnarResult> {
    return this.#readers.use(async (c) =>
      toColumnarResult(await c.runAndReadAll(query.sql, [...query.params])),
    );
  }

  replaceSnapshots(loads: readonly SnapshotLoad[]): Promise<SnapshotReplaceResult> {
    return this.#write(() => replaceSnapshots(this.#writer, loads));
  }

  loadRowCsv(load: RowCsvLoad): Promise<RowCsvOutcome> {
    return this.#write(() => loadRowCsv(this.#writer, load));
  }

  deleteSnapshotsBefore(before: string, partnerId?: string): Promise<{ snapshots: number; rows: number }> {
    return this.#write(() => deleteSnapshotsBefore(this.#writer, before, partnerId));
  }

  upsertCatalog(skus: readonly CatalogSku[]): Promise<{ skus: number }> {
    return this.#write(() => upsertCatalog(this.#writer, skus));
  }

  /** Queues a write behind the previous ones: DuckDB allows one writer, and loads must not interleave. */
  #write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) return Promise.reject(new Error('the store is closed'));
    if (this.#readOnly) return Promise.reject(new Error(`${this.description} is open read-only`));
    const run = this.#writes.then(fn);
    this.#writes = run.catch(() => undefined);
    return run;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#writes;
      await this.#readers.close();
      this.#writer.disconnectSync();
      this.#instance.closeSync();
    })();
    return this.#closing;
  }
}
