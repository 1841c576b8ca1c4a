/**
 * `node --import tsx bench/sizes.ts`: disk and query time against the rows kept, on both stores,
 * for docs/scaling.md's size table. Not part of `npm test` or `npm run bench`.
 *
 * The same generated days (bench/generate.ts: 100,000 customers × 10 products per day) go through
 * `store.load` into a DuckDB file and a fresh PostgreSQL database (`$SEATWISE_BENCH_PG`, see
 * bench/postgres.ts; DuckDB only when no server answers). After 1, 3 and 10 days (1M, 3M and 10M
 * rows; `--days 1,3,10`) it records each store's size on disk (DuckDB: the file and its WAL after
 * a checkpoint; PostgreSQL: pg_total_relation_size of every day partition, with their indexes,
 * and of `snapshots`) and the store-level p50 of the bench's four queries on the latest day. A
 * first, separate run holds one day of 10,000 customers (100k rows).
 *
 * Results: bench/out/sizes.json and a table on stdout.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { addDays } from '../src/domain/dates.ts';
import { feedRowFiles } from '../src/ingest/row-files.ts';
import { parseDeploymentQuery } from '../src/query/parse-query.ts';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import type { Store } from '../src/store/store.ts';
import { customerId, PRODUCTS_PER_CUSTOMER, writeBenchDay } from './generate.ts';
import { type BenchDatabase, createBenchDatabase, postgresBytes } from './postgres.ts';

const PARTNER = 'BE7C0000-0000-4000-8000-000000000001';
const FIRST_DAY = '2026-11-01';

const QUERIES: readonly { name: string; params: Record<string, string> }[] = [
  { name: 'groupby serviceCode,channel', params: { groupby: 'serviceCode,channel' } },
  { name: 'groupby customerTenantId top 10000', params: { groupby: 'customerTenantId', top: '10000' } },
  {
    name: 'filtered page, skip 50000',
    params: { filter: "serviceCode eq 'o365' and channel ne 'direct'", top: '10000', skip: '50000' },
  },
  { name: 'point filter', params: { filter: `customerTenantId eq '${customerId(4_242)}'` } },
];

interface Point {
  rows: number;
  days: number;
  rowsPerDay: number;
  duckdb: { bytes: number; loadSeconds: number; p50: number[] };
  postgres?: { bytes: number; loadSeconds: number; p50: number[] };
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

const round = (n: number) => Math.round(n * 10) / 10;

async function p50(store: Store, date: string, iterations: number): Promise<number[]> {
  const out: number[] = [];
  for (const q of QUERIES) {
    const plan = { ...parseDeploymentQuery(q.params), partnerId: PARTNER, processedDate: date };
    for (let i = 0; i < 2; i++) await store.deploymentPage(plan);
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      await store.deploymentPage(plan);
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    out.push(round(samples[Math.floor(samples.length / 2)]!));
  }
  return out;
}

/** The DuckDB file's bytes after a checkpoint (the store closed, reopened bare, closed). */
async function duckdbBytes(path: string): Promise<number> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run('CHECKPOINT');
  connection.disconnectSync();
  instance.closeSync();
  const wal = await stat(`${path}.wal`).then(
    (s) => s.size,
    () => 0,
  );
  return (await stat(path)).size + wal;
}

async function timedLoad(store: Store, csv: string): Promise<number> {
  const t = performance.now();
  const outcome = await store.load({ partnerId: PARTNER, source: 'bench' }, (sink) =>
    feedRowFiles([csv], sink),
  );
  if (!outcome.ok) throw new Error(`bench data refused: ${JSON.stringify(outcome.errors.slice(0, 3))}`);
  return (performance.now() - t) / 1000;
}

/** Loads `days` days of `customers` customers each, measuring after each day in `at`. */
async function series(customers: number, days: number, at: readonly number[], iterations: number) {
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-sizes-'));
  const path = join(dir, 'sizes.duckdb');
  const pgDb: BenchDatabase | { reason: string } = process.argv.includes('--no-postgres')
    ? { reason: '--no-postgres' }
    : await createBenchDatabase();
  if (!('url' in pgDb)) process.stdout.write(`PostgreSQL not measured: ${pgDb.reason}\n`);
  const pgOk = 'url' in pgDb ? pgDb : undefined;
  const points: Point[] = [];
  let duckLoad = 0;
  let pgLoad = 0;
  let rows = 0;
  try {
    let pgStore = pgOk === undefined ? undefined : await pgOk.openStore();
    try {
      for (let d = 0; d < days; d++) {
        const date = addDays(FIRST_DAY, d);
        const csv = join(dir, 'day.csv');
        rows += await writeBenchDay(csv, date, customers, d);
        const duck = await openDuckDbStore({ path });
        try {
          duckLoad += await timedLoad(duck, csv);
        } finally {
          await duck.close();
        }
        if (pgStore !== undefined) pgLoad += await timedLoad(pgStore, csv);
        await rm(csv);
        process.stderr.write(`  [sizes] day ${d + 1}/${days}: ${rows} rows\n`);
        if (!at.includes(d + 1)) continue;
        const duckStore = await openDuckDbStore({ path });
        let duckP50: number[];
        try {
          duckP50 = await p50(duckStore, date, iterations);
        } finally {
          await duckStore.close();
        }
        const point: Point = {
          rows,
          days: d + 1,
          rowsPerDay: customers * PRODUCTS_PER_CUSTOMER,
          duckdb: { bytes: await duckdbBytes(path), loadSeconds: round(duckLoad), p50: duckP50 },
        };
        if (pgStore !== undefined && pgOk !== undefined) {
          point.postgres = {
            bytes: await postgresBytes(pgOk),
            loadSeconds: round(pgLoad),
            p50: await p50(pgStore, date, iterations),
          };
        }
        points.push(point);
        process.stderr.write(`  [sizes] ${JSON.stringify(point)}\n`);
      }
    } finally {
      await pgStore?.close();
      pgStore = undefined;
    }
  } finally {
    await pgOk?.drop();
    await rm(dir, { recursive: true, force: true });
  }
  return points;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const iterations = Number(argValue('--iterations') ?? '10');
  const at = (argValue('--days') ?? '1,3,10').split(',').map(Number);
  const points = [
    ...(process.argv.includes('--no-small') ? [] : await series(10_000, 1, [1], iterations)),
    ...(await series(100_000, Math.max(...at), at, iterations)),
  ];
  await mkdir(new URL('./out/', import.meta.url), { recursive: true });
  await writeFile(new URL('./out/sizes.json', import.meta.url), `${JSON.stringify(points, null, 2)}\n`);
  process.stdout.write(
    `\n| rows (days × rows/day) | DuckDB disk | PostgreSQL disk | load s (DuckDB / PG) | ${QUERIES.map((q) => `${q.name} p50 (DuckDB / PG)`).join(' | ')} |\n` +
      `|---|---|---|---|${QUERIES.map(() => '---').join('|')}|\n`,
  );
  for (const p of points) {
    const pgP = p.postgres;
    const cells = QUERIES.map((_, i) => `${p.duckdb.p50[i]} / ${pgP?.p50[i] ?? '–'} ms`);
    process.stdout.write(
      `| ${p.rows.toLocaleString('en-US')} (${p.days} × ${p.rowsPerDay.toLocaleString('en-US')}) | ${mib(p.duckdb.bytes)} | ${pgP ? mib(pgP.bytes) : '–'} | ${p.duckdb.loadSeconds} / ${pgP?.loadSeconds ?? '–'} | ${cells.join(' | ')} |\n`,
    );
  }
}

await main();
