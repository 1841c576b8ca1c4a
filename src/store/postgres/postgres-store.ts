/**
 * The shared store: a PostgreSQL database any number of Seatwise processes use at once (servers
 * and commands alike). Reads render `src/sql/compile.ts` with the PostgreSQL dialect; loads are
 * `load.ts`, day partitions and retention `partitions.ts`, DDL `schema.ts`.
 *
 * Every process opens the database itself; what keeps them consistent lives in the database:
 * loads of one partner take a transaction-scoped advisory lock (the second waits), schema changes
 * take another, and a committed load is visible to every process's next query.
 */

import pg from 'pg';
import { redactDbUrl } from '../../config.ts';
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
  compileDeploymentPage,
  compileLatestSnapshot,
  compilePartnerSummary,
  compileSnapshotList,
  compileSubscriptions,
  compileTrend,
} from '../../sql/compile.ts';
import { postgresDialect } from '../../sql/dialect.ts';
import { compileRenewals, compileShelfware, type InsightQueries } from '../../sql/insights.ts';
import type { SqlQuery } from '../../sql/query.ts';
import { VERSION } from '../../version.ts';
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
import { pendingMigrations, SCHEMA_TABLE } from '../schema-version.ts';
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
import { load, sweepStaging } from './load.ts';
import { deleteSnapshotsBefore } from './partitions.ts';
import { BUMP_GENERATION_SQL, POSTGRES_MIGRATIONS } from './schema.ts';
import { inTransaction, LOCKS, redactedError } from './transaction.ts';

export interface PostgresStoreOptions {
  /** `postgres://user[:password]@host[:port]/database`; the database must exist. */
  readonly url: string;
  /** Connections in this process's pool (default 6). */
  readonly poolSize?: number;
}

/** Integers and numerics as JS numbers; counts and sums stay far below 2^53. */
const TYPES = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const description = redactDbUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 6,
    types: TYPES,
    application_name: 'seatwise',
  });
  // An idle connection the server drops (a restart, a proxy timeout) must not crash the process;
  // the pool replaces it on the next query.
  pool.on('error', () => undefined);
  try {
    await migrate(pool, description);
  } catch (err) {
    await pool.end();
    throw openingError(redactedError(err, options.url, description), description);
  }
  return new PostgresStore(pool, options.url, description);
}

/** What a partner meets when the database cannot be opened, with what to do about it. */
function openingError(err: unknown, description: string): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: string }).code;
  const say = (text: string) => Object.assign(new Error(text, { cause: err }), { code });
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return say(
        `cannot reach PostgreSQL at ${description} (${err.message}); check the host and port in --db and that the server runs`,
      );
    case '3D000':
      return say(
        `${err.message} at ${description}; create it first (e.g. createdb), or point --db at an existing database`,
      );
    case '28P01':
    case '28000':
      return say(
        `PostgreSQL refused the sign-in for ${description}: ${err.message}; check the user and password in --db`,
      );
    default:
      return err;
  }
}

/** Applies the migrations the database lacks, one process at a time; drops abandoned staging tables. */
async function migrate(pool: pg.Pool, description: string): Promise<void> {
  const client = await pool.connect();
  try {
    await inTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.schema]);
      const found = await schemaVersion(client, description);
      for (const step of pendingMigrations(POSTGRES_MIGRATIONS, found, description)) {
        if (found === 0 && step === POSTGRES_MIGRATIONS[0]) {
          await client.query(
            `CREATE TABLE ${SCHEMA_TABLE} (version integer PRIMARY KEY, description text NOT NULL,` +
              ' seatwise_version text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
          );
        }
        for (const sql of step.statements) await client.query(sql);
        await client.query(
          `INSERT INTO ${SCHEMA_TABLE} (version, description, seatwise_version) VALUES ($1, $2, $3)`,
          [step.version, step.description, VERSION],
        );
      }
    });
    await sweepStaging(client);
  } finally {
    client.release();
  }
}

async function schemaVersion(client: pg.PoolClient, description: string): Promise<number> {
  const r = await client.query<{ versions: string | null; deployment: string | null }>(
    `SELECT to_regclass('${SCHEMA_TABLE}')::text AS versions, to_regclass('deployment')::text AS deployment`,
  );
  const { versions, deployment } = r.rows[0]!;
  if (versions === null) {
    if (deployment !== null) {
      throw new Error(
        `${description} holds a table "deployment" that Seatwise did not make (no ${SCHEMA_TABLE} table); ` +
          'point --db at an empty database or at one Seatwise created',
      );
    }
    return 0;
  }
  const v = await client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${SCHEMA_TABLE}`,
  );
  return v.rows[0]?.version ?? 0;
}

const EMPTY: ColumnarResult = Object.freeze({ rowCount: 0, columns: Object.freeze({}) });
const d = postgresDialect;
/** This store keeps per-snapshot aggregates (`aggregates.ts`). */
const GROUPS = { groups: true } as const;

class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly description: string;
  readonly #pool: pg.Pool;
  readonly #url: string;
  #closing: Promise<void> | undefined;

  constructor(pool: pg.Pool, url: string, description: string) {
    this.#pool = pool;
    this.#url = url;
    this.description = description;
  }

  async #select(query: SqlQuery): Promise<ColumnarResult> {
    const r = await this.#run(() =>
      this.#pool.query({ text: query.sql, values: [...query.params], rowMode: 'array' }),
    );
    const columns: Record<string, (string | number | null)[]> = {};
    for (const [i, field] of r.fields.entries()) {
      const out = new Array<string | number | null>(r.rows.length);
      for (let j = 0; j < r.rows.length; j++) out[j] = (r.rows[j] as unknown[])[i] as string | number | null;
      columns[field.name] = out;
    }
    return { rowCount: r.rows.length, columns };
  }

  /** Runs a database call, with the connection string's password kept out of any error. */
  async #run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) throw new Error('the store is closed');
    try {
      return await fn();
    } catch (err) {
      throw redactedError(err, this.#url, this.description);
    }
  }

  async generation(): Promise<string> {
    const r = await this.#select({
      sql: 'SELECT generation FROM seatwise_generation WHERE id = 1',
      params: [],
    });
    return String(r.columns.generation?.[0] ?? '');
  }

  async latestSnapshot(partnerId: string): Promise<string | null> {
    return processedDateOf(await this.#select(compileLatestSnapshot(partnerId, d)));
  }

  async deploymentPage(plan: QueryPlan): Promise<DeploymentPage> {
    const [count, rows] = await Promise.all([
      this.#select(compileDeploymentCount(plan, d, GROUPS)),
      plan.top === 0 ? Promise.resolve(EMPTY) : this.#select(compileDeploymentPage(plan, d, GROUPS)),
    ]);
    return { rows, totalCount: Number(count.columns.total?.[0] ?? 0) };
  }

  changes(plan: ChangesPlan): Promise<ColumnarResult> {
    return this.#select(compileChanges(plan, d));
  }

  trend(plan: TrendPlan): Promise<ColumnarResult> {
    return this.#select(compileTrend(plan, d, GROUPS));
  }

  shelfware(plan: ShelfwarePlan): Promise<InsightPage> {
    return this.#insight(compileShelfware(plan, d));
  }

  renewals(plan: RenewalsPlan): Promise<InsightPage> {
    return this.#insight(compileRenewals(plan, d));
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
    return serviceTotalsOf(await this.#select(compilePartnerSummary(partnerId, date, d, GROUPS)));
  }

  async customerLatestSnapshot(partnerId: string, customerId: string): Promise<string | null> {
    return processedDateOf(await this.#select(compileCustomerLatestDate(partnerId, customerId, d)));
  }

  async customerProducts(partnerId: string, customerId: string, date: string): Promise<CustomerProduct[]> {
    return customerProductsOf(await this.#select(compileCustomerProducts(partnerId, customerId, date, d)));
  }

  async listSnapshots(partnerId: string): Promise<SnapshotInfo[]> {
    return snapshotsOf(await this.#select(compileSnapshotList(partnerId, d)));
  }

  async listSubscriptions(partnerId: string, processedDate: string): Promise<SubscriptionRecord[]> {
    return subscriptionsOf(await this.#select(compileSubscriptions(partnerId, processedDate, d)));
  }

  async catalog(): Promise<CatalogSku[]> {
    return catalogOf(await this.#select(compileCatalog(d)));
  }

  load(request: LoadRequest, feed: (sink: LoadSink) => Promise<void>): Promise<LoadOutcome> {
    return this.#withClient((client) => load(client, request, feed));
  }

  deleteSnapshotsBefore(before: string, partnerId?: string): Promise<{ snapshots: number; rows: number }> {
    return this.#withClient((client) => deleteSnapshotsBefore(client, before, partnerId));
  }

  async recordCollectionRun(partnerId: string, run: CollectionRunRecord): Promise<void> {
    await this.#run(() => this.#pool.query(RECORD_RUN_SQL.postgres, runParams(partnerId, run)));
  }

  async listCollectionRuns(partnerId: string, limit: number): Promise<CollectionRunRecord[]> {
    const r = await this.#select({ sql: LIST_RUNS_SQL, params: [partnerId, Math.max(0, Math.trunc(limit))] });
    return runsOf(r.columns.run_json ?? []);
  }

  upsertCatalog(skus: readonly CatalogSku[]): Promise<{ skus: number }> {
    const unique = [...new Map(skus.map((s) => [s.skuId, s])).values()];
    return this.#withClient(async (client) => {
      await inTransaction(client, async () => {
        for (let i = 0; i < unique.length; i += 500) {
          const batch = unique.slice(i, i + 500);
          await client.query(
            'INSERT INTO sku_catalog (sku_id, part_number, display_name, product_name, service_code, service_name)' +
              ' SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])' +
              ' ON CONFLICT (sku_id) DO UPDATE SET part_number = excluded.part_number,' +
              ' display_name = excluded.display_name, product_name = excluded.product_name,' +
              ' service_code = excluded.service_code, service_name = excluded.service_name',
            [
              batch.map((s) => s.skuId),
              batch.map((s) => s.partNumber),
              batch.map((s) => s.displayName),
              batch.map((s) => s.productName),
              batch.map((s) => s.serviceCode),
              batch.map((s) => s.serviceName),
            ],
          );
        }
        await client.query(BUMP_GENERATION_SQL);
      });
      return { skus: unique.length };
    });
  }

  replacePrices(
    partnerId: string,
    source: PriceSource,
    prices: readonly PriceRecord[],
  ): Promise<{ prices: number }> {
    return this.#withClient(async (client) => {
      await inTransaction(client, async () => {
        await client.query(DELETE_PRICES_SQL, [partnerId, source]);
        for (const p of prices) await client.query(INSERT_PRICE_SQL, priceParams(partnerId, source, p));
        await client.query(BUMP_GENERATION_SQL);
      });
      return { prices: prices.length };
    });
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
    return this.#withClient((client) =>
      inTransaction(client, async () => {
        for (const key of [...clear, ...set.map((a) => a.key)]) {
          await client.query(DELETE_ALERT_STATE_SQL, [partnerId, key]);
        }
        for (const a of set) {
          await client.query(INSERT_ALERT_STATE_SQL, [partnerId, a.key, a.state, a.updatedAt]);
        }
      }),
    );
  }

  async issuerKey(candidate: string): Promise<string> {
    return this.#run(async () => {
      await this.#pool.query(
        'INSERT INTO seatwise_issuer_key (id, key_json) VALUES (1, $1) ON CONFLICT (id) DO NOTHING',
        [candidate],
      );
      const r = await this.#pool.query<{ key_json: string }>(
        'SELECT key_json FROM seatwise_issuer_key WHERE id = 1',
      );
      return r.rows[0]!.key_json;
    });
  }

  /** Runs `fn` on one connection of the pool (loads need their session's temporary tables). */
  async #withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#run(async () => {
      const client = await this.#pool.connect();
      let broken: Error | undefined;
      try {
        return await fn(client);
      } catch (err) {
        // A connection whose COPY or transaction was cut off is not given back to the pool.
        if (!(err instanceof Error) || /Connection terminated|COPY/i.test(err.message)) broken = err as Error;
        throw err;
      } finally {
        client.release(broken);
      }
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#pool.end();
    return this.#closing;
  }
}
