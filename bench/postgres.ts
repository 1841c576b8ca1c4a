/**
 * The PostgreSQL half of the benchmark: a fresh database on the server at `$SEATWISE_BENCH_PG`
 * (default `postgres://postgres@127.0.0.1:5432/postgres`), created here and dropped afterwards;
 * the ingest reference (a plain COPY of the same file into the same day partition); and the
 * compiled queries' plans.
 */

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { redactDbUrl } from '../src/config.ts';
import type { QueryPlan } from '../src/query/query-plan.ts';
import { compileDeploymentCount, compileDeploymentPage } from '../src/sql/compile.ts';
import { postgresDialect } from '../src/sql/dialect.ts';
import { partitionName } from '../src/store/postgres/partitions.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import type { Store } from '../src/store/store.ts';

export const BENCH_PG_URL = process.env.SEATWISE_BENCH_PG || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  readonly url: string;
  readonly name: string;
  /** A client of its own on the database, for the reference COPY, sizes and plans. */
  readonly client: pg.Client;
  openStore(): Promise<Store>;
  /** Closes the client and drops the database. */
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BENCH_PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A new, empty database on the bench server, or the reason there is none (no server answers, or
 * it refuses us): the bench then measures DuckDB only.
 */
export async function createBenchDatabase(): Promise<BenchDatabase | { reason: string }> {
  const name = `seatwise_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`));
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message || String(code) : String(err);
    return { reason: `${redactDbUrl(BENCH_PG_URL)}: ${message}` };
  }
  const url = new URL(BENCH_PG_URL);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  client.on('error', () => undefined);
  await client.connect();
  return {
    url: url.toString(),
    name,
    client,
    openStore: () => openPostgresStore({ url: url.toString() }),
    drop: async () => {
      await client.end().catch(() => undefined);
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** The data columns in the bench file's order (bench/generate.ts writes its header in this order). */
const FILE_COLUMNS =
  'processed_date, service_code, service_name, channel, customer_tenant_id, customer_name, product_id,' +
  ' product_name, licenses_deployed, licenses_sold';

/** Empties the day's partition (and the snapshots) and checkpoints, so each load starts alike. */
export async function emptyDay(db: BenchDatabase, day: string): Promise<void> {
  await db.client.query(`TRUNCATE ${partitionName(day)}, snapshots`);
  await db.client.query('CHECKPOINT');
}

/**
 * The ingest reference: a plain `COPY deployment_pYYYYMMDD (…) FROM STDIN` of the CSV file into
 * the day's (existing, emptied) partition, in file order, with no normalisation, no checks and no
 * numbering: `partner_id` and `ord` come from column defaults (a sequence). The partition keeps
 * its primary key and index, so the reference pays the same index upkeep as a load. Returns the
 * milliseconds from the start of COPY to its commit.
 */
export async function plainCopy(
  db: BenchDatabase,
  csv: string,
  day: string,
  partnerId: string,
): Promise<number> {
  const table = partitionName(day);
  await db.client.query('CREATE SEQUENCE IF NOT EXISTS bench_ord MINVALUE 0 START 0');
  await db.client.query('ALTER SEQUENCE bench_ord RESTART');
  await db.client.query(
    `ALTER TABLE ${table} ALTER partner_id SET DEFAULT ${pg.escapeLiteral(partnerId)},` +
      " ALTER ord SET DEFAULT nextval('bench_ord')",
  );
  await emptyDay(db, day);
  const started = performance.now();
  await pipeline(
    createReadStream(csv),
    db.client.query(copyFrom(`COPY ${table} (${FILE_COLUMNS}) FROM STDIN WITH (FORMAT csv, HEADER true)`)),
  );
  const ms = performance.now() - started;
  await db.client.query(`ALTER TABLE ${table} ALTER partner_id DROP DEFAULT, ALTER ord DROP DEFAULT`);
  await emptyDay(db, day);
  return ms;
}

/** Bytes on disk of the `deployment` partitions (tables, TOAST and indexes) and of `snapshots`. */
export async function postgresBytes(db: BenchDatabase): Promise<number> {
  const r = await db.client.query<{ bytes: string }>(
    'SELECT coalesce(sum(pg_total_relation_size(i.inhrelid)), 0)' +
      " + pg_total_relation_size('snapshots') AS bytes" +
      " FROM pg_inherits i WHERE i.inhparent = 'deployment'::regclass",
  );
  return Number(r.rows[0]!.bytes);
}

/** `EXPLAIN (ANALYZE, BUFFERS)` of the compiled page and count queries of `plan`, as text. */
export async function explainPlan(db: BenchDatabase, plan: QueryPlan): Promise<string> {
  const out: string[] = [];
  for (const [label, q] of [
    ['page', compileDeploymentPage(plan, postgresDialect)],
    ['count', compileDeploymentCount(plan, postgresDialect)],
  ] as const) {
    const r = await db.client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, [
      ...q.params,
    ]);
    out.push(`-- ${label}: ${q.sql}`, ...r.rows.map((row) => row['QUERY PLAN']));
  }
  return out.join('\n');
}
