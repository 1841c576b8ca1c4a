/**
 * The embedded store: one DuckDB file, a small pool of read connections and one write connection.
 * Reads render `src/sql/compile.ts` with the DuckDB dialect; loads are `load.ts`, retention
 * `delete-snapshots.ts`.
 */

import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { CatalogSku } from '../../domain/sku-catalog.ts';
import type {
  ChangesPlan,
  QueryPlan,
  RenewalsPlan,
  ShelfwarePlan,
  TrendPlan,
} from '../../query/query-plan.ts';
import {
  compileCatalog,
  compileChanges,
  compileCustomerLatestDate,
  compileCustomerProducts,
  compileDeploymentCount,
  compileDeploymentPageWithTotal,
  compileLatestSnapshot,
  compilePartnerSummary,
  compileSnapshotList,
  compileSubscriptions,
  compileTrend,
  pageWithTotal,
} from '../../sql/compile.ts';
import { duckdbDialect } from '../../sql/dialect.ts';
import { compileRenewals, compileShelfware, type InsightQueries } from '../../sql/insights.ts';
import type { SqlQuery } from '../../sql/query.ts';
import { LIST_RUNS_SQL, RECORD_RUN_SQL, runParams, runsOf } from '../collection-runs.ts';
import {
  alertStatesOf,
  DELETE_ALERT_STATE_SQL,
  DELETE_PRICES_SQL,
  INSERT_ALERT_STATE_SQL,
  INSERT_PRICE_SQL,
  LIST_ALERT_STATES_SQL,
  LIST_PRICES_SQL,
  priceParams,
  pricesOf,
} from '../prices.ts';
import {
  catalogOf,
  customerProductsOf,
  processedDateOf,
  serviceTotalsOf,
  snapshotsOf,
  subscriptionsOf,
} from '../read-rows.ts';
import type {
  AlertStateRecord,
  CollectionRunRecord,
  ColumnarResult,
  CustomerProduct,
  DeploymentPage,
  InsightPage,
  LoadOutcome,
  LoadRequest,
  LoadSink,
  PriceRecord,
  PriceSource,
  ServiceTotals,
  SnapshotInfo,
  Store,
  SubscriptionRecord,
} from '../store.ts';
import { toColumnarResult } from './columnar.ts';
import { ConnectionPool } from './connection-pool.ts';
import { deleteSnapshotsBefore } from './delete-snapshots.ts';
import { load } from './load.ts';
import { checkSchemaVersion, migrateDuckDb } from './migrate.ts';
import { inTransaction } from './transaction.ts';
import { upsertCatalog } from './upsert-catalog.ts';

export interface DuckDbStoreOptions {
  /** Database file; its directory is created when missing. `:memory:` for a throwaway store. */
  readonly path: string;
  /**
   * Opens with access_mode READ_ONLY: no DDL, no loads, and other processes may read too. A file
   * not yet at the current schema version is refused (a read-only open never migrates).
   */
  readonly readOnly?: boolean;
  /** Read connections (default 3). */
  readonly readers?: number;
  /**
   * DuckDB's memory limit (default 1GB): loads and queries past it spill to a temporary directory
   * beside the database instead of growing the process.
   */
  readonly memoryLimit?: string;
}

const MEMORY = ':memory:';

export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<Store> {
  const readOnly = options.readOnly ?? false;
  const path = options.path === MEMORY ? MEMORY : resolve(options.path);
  if (path !== MEMORY && !readOnly) await mkdir(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(path, {
    // Pinned although it is the default: loads rely on it to write each snapshot's rows clustered
    // in `ord` order, which is what lets row-group statistics prune scans (load.ts).
    preserve_insertion_order: 'true',
    memory_limit: options.memoryLimit ?? '1GB',
    ...(readOnly ? { access_mode: 'READ_ONLY' } : {}),
  });
  const connections: DuckDBConnection[] = [];
  try {
    const writer = await instance.connect();
    connections.push(writer);
    // A file from a newer Seatwise is refused here, before anything is written to it.
    await (readOnly ? checkSchemaVersion(writer, path) : migrateDuckDb(writer, path));
    for (let i = 0; i < (options.readers ?? 3); i++) connections.push(await instance.connect());
    return new DuckDbStore(path, instance, writer, new ConnectionPool(connections.slice(1)), readOnly);
  } catch (err) {
    for (const c of connections) c.disconnectSync();
    instance.closeSync();
    throw err;
  }
}

/** Partners whose latest snapshot is kept at once; past it, the map starts again. */
const LATEST_KEPT = 1000;

const EMPTY: ColumnarResult = Object.freeze({ rowCount: 0, columns: Object.freeze({}) });

class DuckDbStore implements Store {
  readonly kind = 'duckdb';
  readonly description: string;
  readonly #instance: DuckDBInstance;
  readonly #writer: DuckDBConnection;
  readonly #readers: ConnectionPool;
  readonly #readOnly: boolean;
  /** Writes (loads, retention) run one at a time on the write connection; this is the queue's tail. */
  #writes: Promise<unknown> = Promise.resolve();
  /**
   * Counts the writes that changed data. Only this process writes the file (a server owns it, and
   * other commands go through its socket), so the count in memory is the generation.
   */
  #generation = 0;
  #closing: Promise<void> | undefined;
  /**
   * The latest snapshot per partner, as read at generation `#latestGeneration`: every E5 query
   * without a processedDateTime asks for it, and it changes only with a write that changes data.
   * In-flight reads are shared; a failed one is forgotten.
   */
  #latest = new Map<string, Promise<string | null>>();
  #latestGeneration = 0;

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

  #select(query: SqlQuery): Promise<ColumnarResult> {
    return this.#readers.query(query.sql, query.params).then(toColumnarResult);
  }

  async generation(): Promise<string> {
    return String(this.#generation);
  }

  latestSnapshot(partnerId: string): Promise<string | null> {
    if (this.#closing !== undefined) return Promise.reject(new Error('the store is closed'));
    // Read before the query starts: a write that commits meanwhile moves the generation on, and
    // the next call then drops what this one keeps.
    const generation = this.#generation;
    if (generation !== this.#latestGeneration || this.#latest.size >= LATEST_KEPT) {
      this.#latest = new Map();
      this.#latestGeneration = generation;
    }
    const latest = this.#latest;
    let date = latest.get(partnerId);
    if (date === undefined) {
      date = this.#select(compileLatestSnapshot(partnerId, duckdbDialect)).then(processedDateOf);
      latest.set(partnerId, date);
      date.catch(() => {
        if (latest.get(partnerId) === date) latest.delete(partnerId);
      });
    }
    return date;
  }

  /** One statement for the page and its total (see compileDeploymentPageWithTotal). */
  async deploymentPage(plan: QueryPlan): Promise<DeploymentPage> {
    const { rows, totalCount } = pageWithTotal(
      await this.#select(compileDeploymentPageWithTotal(plan, duckdbDialect)),
    );
    if (totalCount !== null) return { rows, totalCount };
    const count = await this.#select(compileDeploymentCount(plan, duckdbDialect));
    return { rows, totalCount: Number(count.columns.total?.[0] ?? 0) };
  }

  changes(plan: ChangesPlan): Promise<ColumnarResult> {
    return this.#select(compileChanges(plan, duckdbDialect));
  }

  trend(plan: TrendPlan): Promise<ColumnarResult> {
    return this.#select(compileTrend(plan, duckdbDialect));
  }

  shelfware(plan: ShelfwarePlan): Promise<InsightPage> {
    return this.#insight(compileShelfware(plan, duckdbDialect));
  }

  renewals(plan: RenewalsPlan): Promise<InsightPage> {
    return this.#insight(compileRenewals(plan, duckdbDialect));
  }

  /** An insight's page and totals, read side by side. */
  async #insight({ page, totals }: InsightQueries): Promise<InsightPage> {
    const [rows, sums] = await Promise.all([
      page === null ? EMPTY : this.#select(page),
      this.#select(totals),
    ]);
    return { rows, totals: sums };
  }

  async serviceTotals(partnerId: string, date: string): Promise<ServiceTotals[]> {
    return serviceTotalsOf(await this.#select(compilePartnerSummary(partnerId, date, duckdbDialect)));
  }

  async customerLatestSnapshot(partnerId: string, customerId: string): Promise<string | null> {
    return processedDateOf(
      await this.#select(compileCustomerLatestDate(partnerId, customerId, duckdbDialect)),
    );
  }

  async customerProducts(partnerId: string, customerId: string, date: string): Promise<CustomerProduct[]> {
    return customerProductsOf(
      await this.#select(compileCustomerProducts(partnerId, customerId, date, duckdbDialect)),
    );
  }

  async listSnapshots(partnerId: string): Promise<SnapshotInfo[]> {
    return snapshotsOf(await this.#select(compileSnapshotList(partnerId, duckdbDialect)));
  }

  async listSubscriptions(partnerId: string, processedDate: string): Promise<SubscriptionRecord[]> {
    return subscriptionsOf(await this.#select(compileSubscriptions(partnerId, processedDate, duckdbDialect)));
  }

  async catalog(): Promise<CatalogSku[]> {
    return catalogOf(await this.#select(compileCatalog(duckdbDialect)));
  }

  load(request: LoadRequest, feed: (sink: LoadSink) => Promise<void>): Promise<LoadOutcome> {
    return this.#write(() => load(this.#writer, request, feed), true);
  }

  deleteSnapshotsBefore(before: string, partnerId?: string): Promise<{ snapshots: number; rows: number }> {
    return this.#write(() => deleteSnapshotsBefore(this.#writer, before, partnerId), true);
  }

  recordCollectionRun(partnerId: string, run: CollectionRunRecord): Promise<void> {
    return this.#write(async () => {
      await this.#writer.run(RECORD_RUN_SQL.duckdb, runParams(partnerId, run));
    });
  }

  async listCollectionRuns(partnerId: string, limit: number): Promise<CollectionRunRecord[]> {
    const r = await this.#select({ sql: LIST_RUNS_SQL, params: [partnerId, Math.max(0, Math.trunc(limit))] });
    return runsOf(r.columns.run_json ?? []);
  }

  replacePrices(
    partnerId: string,
    source: PriceSource,
    prices: readonly PriceRecord[],
  ): Promise<{ prices: number }> {
    return this.#write(async () => {
      await inTransaction(this.#writer, async () => {
        await this.#writer.run(DELETE_PRICES_SQL, [partnerId, source]);
        if (prices.length === 0) return;
        const insert = await this.#writer.prepare(INSERT_PRICE_SQL);
        for (const p of prices) {
          insert.bind(priceParams(partnerId, source, p));
          await insert.run();
        }
      });
      return { prices: prices.length };
    }, true);
  }

  async listPrices(partnerId: string): Promise<PriceRecord[]> {
    const r = await this.#select({ sql: LIST_PRICES_SQL, params: [partnerId] });
    return pricesOf(r.columns, r.rowCount);
  }

  async listAlertStates(partnerId: string): Promise<AlertStateRecord[]> {
    const r = await this.#select({ sql: LIST_ALERT_STATES_SQL, params: [partnerId] });
    return alertStatesOf(r.columns, r.rowCount);
  }

  saveAlertStates(
    partnerId: string,
    set: readonly AlertStateRecord[],
    clear: readonly string[],
  ): Promise<void> {
    return this.#write(() =>
      inTransaction(this.#writer, async () => {
        for (const key of [...clear, ...set.map((a) => a.key)]) {
          await this.#writer.run(DELETE_ALERT_STATE_SQL, [partnerId, key]);
        }
        for (const a of set) {
          await this.#writer.run(INSERT_ALERT_STATE_SQL, [partnerId, a.key, a.state, a.updatedAt]);
        }
      }),
    );
  }

  upsertCatalog(skus: readonly CatalogSku[]): Promise<{ skus: number }> {
    return this.#write(() => upsertCatalog(this.#writer, skus), true);
  }

  /**
   * Queues a write behind the previous ones: DuckDB allows one writer, and loads must not interleave.
   * A write that changes data (`changesData`) moves the generation on once it has committed, before
   * its caller hears of it (also when it fails: it may have committed part-way, as a load never
   * does, but a cache only loses entries).
   */
  #write<T>(fn: () => Promise<T>, changesData = false): Promise<T> {
    if (this.#closing !== undefined) return Promise.reject(new Error('the store is closed'));
    if (this.#readOnly) return Promise.reject(new Error(`${this.description} is open read-only`));
    const run = this.#writes
      .then(() => this.#readers.whileWriting(fn))
      .finally(() => {
        if (changesData) this.#generation++;
      });
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
