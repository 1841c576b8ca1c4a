/**
 * `npm run bench`: ingest throughput and query latency, through HTTP on a local listener and
 * directly on the store, at two sizes: 1M rows in one day and 10M rows over ten days (queries on
 * the latest day). Not part of `npm test`. Writes bench/out/results.json and prints a table.
 *
 * Ingest is what `seatwise import` does with each day's CSV file (the store's one load pipeline).
 * Its figure is a ratio on this machine: the 1M-row file is imported three times, each beside
 * DuckDB alone loading the same file ordered as stored (bench/duckdb-reference.ts), and the
 * medians are compared (target ≥ 0.6). The 10M size also imports all ten days as one 10M-row
 * file with the real CLI and reports its peak memory (target < 1.5 GiB).
 *
 * Also: Graph JSON ingest of 10,000 tenants × 8 SKUs, and the peak memory of `seatwise export` of
 * the 1M-row snapshot to CSV (whose re-import must give the same snapshot).
 *
 * Side by side: at the 1M size the same file also goes into PostgreSQL (a fresh database on
 * `$SEATWISE_BENCH_PG`, see bench/postgres.ts), three times, each beside a plain COPY of it into
 * the same day partition (target ≥ 0.5×), and the four queries run on both stores, alternating,
 * with each PostgreSQL p50 as a ratio to DuckDB's (target ≤ 3×). Without a server answering, one
 * line says so and only DuckDB is measured.
 *
 * Throughput (bench/throughput.ts): a `seatwise serve` on the demo store under 32 connections,
 * each case's requests/s and p99 beside `/healthz`'s, and a mixed soak.
 *
 * Options: --sizes startup,1m,10m,graph,throughput (default all) --iterations N (default 40)
 *   --seconds N (each throughput case, default 10) --soak-seconds N (default 120)
 *   --explain (print PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of each query) --no-postgres
 */

import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { issueLocalToken, keyPathFor, loadOrCreateIssuerKey } from '../src/auth/local-issuer.ts';
import { loadConfig } from '../src/config.ts';
import { addDays } from '../src/domain/dates.ts';
import { feedRowFiles } from '../src/ingest/row-files.ts';
import { startServer } from '../src/main.ts';
import { parseDeploymentQuery } from '../src/query/parse-query.ts';
import type { QueryPlan } from '../src/query/query-plan.ts';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import type { Store } from '../src/store/store.ts';
import { type DuckDbReference, measureDuckDbReference } from './duckdb-reference.ts';
import { customerId, PRODUCTS_PER_CUSTOMER, writeBenchDay } from './generate.ts';
import { type GraphBenchResult, runGraphBench } from './graph.ts';
import { type BenchDatabase, createBenchDatabase, emptyDay, explainPlan, plainCopy } from './postgres.ts';
import { measureStartup, type StartupResult } from './startup.ts';
import { runThroughput, type ThroughputResult } from './throughput.ts';

const PARTNER = 'BE7C0000-0000-4000-8000-000000000001';
const LAST_DAY = '2026-11-20';

interface QueryCase {
  readonly name: string;
  readonly params: Record<string, string>;
  readonly targetP50Ms: number;
}

const QUERIES: readonly QueryCase[] = [
  { name: 'groupby serviceCode,channel', params: { groupby: 'serviceCode,channel' }, targetP50Ms: 25 },
  {
    name: 'groupby customerTenantId top 10000',
    params: { groupby: 'customerTenantId', top: '10000' },
    targetP50Ms: 60,
  },
  {
    name: "page: serviceCode eq 'o365' and channel ne 'direct', top 10000 skip 50000",
    params: { filter: "serviceCode eq 'o365' and channel ne 'direct'", top: '10000', skip: '50000' },
    targetP50Ms: 150,
  },
  {
    name: 'point filter on one customerTenantId',
    params: { filter: `customerTenantId eq '${customerId(42_424)}'` },
    targetP50Ms: 10,
  },
];

interface Stats {
  p50: number;
  p99: number;
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)) };
}

const round = (n: number) => Math.round(n * 10) / 10;
const rowsPerSecond = (rows: number, ms: number) => Math.round(rows / (ms / 1000));

async function time<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

interface SizeResult {
  size: string;
  rows: number;
  days: number;
  /** The import of every day's file into the bench store. */
  ingestRowsPerSecond: number;
  ingestSeconds: number;
  /** Rows per second of each import of a day's file (for 1M rows: the three beside the reference). */
  importRowsPerSecond: number[];
  /** For 1M rows: DuckDB alone on the same file, measured beside each import. */
  reference?: IngestReference;
  /** For 10M rows: one 10M-row file through `seatwise import`. */
  bigImport?: BigImportResult;
  queries: { name: string; http: Stats; store: Stats; targetP50Ms: number; bytes: number }[];
  export?: ExportResult;
  /** For 1M rows: the same file and queries on PostgreSQL, beside DuckDB. */
  sideBySide?: SideBySide;
}

interface SideBySide {
  rows: number;
  /** `store.load` of the file into PostgreSQL, rows per second, each beside a plain COPY. */
  loadRowsPerSecond: number[];
  /** A plain COPY of the same file into the same day partition, rows per second. */
  copyRowsPerSecond: number[];
  /** Median load over median COPY (target ≥ 0.5). */
  ingestRatio: number;
  /** Store-level times, the two stores alternating sample by sample. */
  queries: { name: string; duckdb: Stats; postgres: Stats; ratio: number }[];
}

interface IngestReference {
  /** Ordered as stored, beside each import. */
  orderedRowsPerSecond: number[];
  /** In file order, unsorted, beside each import. */
  plainRowsPerSecond: number[];
  /** Median import rows/s over median ordered reference rows/s. */
  ratio: number;
}

interface BigImportResult {
  rows: number;
  seconds: number;
  peakRssMiB: number;
}

interface ExportResult {
  rows: number;
  seconds: number;
  peakRssMiB: number;
  reimportMatches: boolean;
}

/** Imports of the 1M-row file, each beside a reference measurement. */
const PAIRED_IMPORTS = 3;

/** What `seatwise import` does with one day's file, into `store`; returns the milliseconds it took. */
async function importDay(store: Store, csv: string): Promise<number> {
  const started = performance.now();
  const outcome = await store.load({ partnerId: PARTNER, source: 'bench' }, (sink) =>
    feedRowFiles([csv], sink),
  );
  if (!outcome.ok) throw new Error(`bench data refused: ${JSON.stringify(outcome.errors.slice(0, 3))}`);
  return performance.now() - started;
}

/** Runs `work` on a fresh store in `dir`, removed afterwards. */
async function withScratchStore<T>(dir: string, work: (store: Store) => Promise<T>): Promise<T> {
  const path = join(dir, 'scratch.duckdb');
  const store = await openDuckDbStore({ path });
  try {
    return await work(store);
  } finally {
    await store.close();
    await rm(path, { force: true });
  }
}

/** The 1M-row file imported into fresh stores, alternating with DuckDB alone loading it. */
async function measurePairs(
  dir: string,
  csv: string,
  rows: number,
  first: number,
): Promise<{
  imports: number[];
  reference: IngestReference;
}> {
  const imports = [first];
  const ordered: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < PAIRED_IMPORTS; i++) {
    const ref: DuckDbReference = await measureDuckDbReference(csv, PARTNER, rows);
    ordered.push(ref.orderedRowsPerSecond);
    plain.push(ref.plainRowsPerSecond);
    if (i > 0) imports.push(rowsPerSecond(rows, await withScratchStore(dir, (s) => importDay(s, csv))));
  }
  return {
    imports,
    reference: {
      orderedRowsPerSecond: ordered,
      plainRowsPerSecond: plain,
      ratio: Math.round((100 * median(imports)) / median(ordered)) / 100,
    },
  };
}

const run = promisify(execFile);
const BIN = new URL('../bin/seatwise', import.meta.url).pathname;

/** Runs the real CLI under /usr/bin/time: its stderr, the seconds it took and its peak RSS. */
async function timedCli(
  args: readonly string[],
): Promise<{ stderr: string; seconds: number; peakRssMiB: number }> {
  const started = performance.now();
  const { stderr } = await run('/usr/bin/time', ['-f', 'peak-rss-kib=%M', process.execPath, BIN, ...args]);
  const seconds = round((performance.now() - started) / 1000);
  const peak = Number(/peak-rss-kib=(\d+)/.exec(stderr)?.[1] ?? Number.NaN);
  return { stderr, seconds, peakRssMiB: Math.round(peak / 1024) };
}

/** Exports the latest snapshot with the real CLI, then re-imports it elsewhere. */
async function measureExport(dir: string, db: string): Promise<ExportResult> {
  const csv = join(dir, 'export.csv');
  const { stderr, seconds, peakRssMiB } = await timedCli([
    'export',
    '--db',
    db,
    '--partner',
    PARTNER,
    '--format',
    'csv',
    '-o',
    csv,
  ]);
  const rows = Number(/exported (\d+) rows/.exec(stderr)?.[1] ?? Number.NaN);
  const copy = join(dir, 'copy.duckdb');
  await run(process.execPath, [BIN, 'import', csv, '--db', copy, '--partner', PARTNER]);
  // Read straight from the files with DuckDB, not through Seatwise.
  const digest = async (path: string) => {
    const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    try {
      const r = await connection.runAndReadAll(
        'SELECT count(*) AS n, sum(licenses_sold) AS s, sum(licenses_deployed) AS d, min(customer_name) AS a, max(product_name) AS b FROM deployment WHERE processed_date = (SELECT max(processed_date) FROM deployment)',
      );
      return JSON.stringify(r.getColumnsObjectJson());
    } finally {
      connection.disconnectSync();
      instance.closeSync();
    }
  };
  return { rows, seconds, peakRssMiB, reimportMatches: (await digest(db)) === (await digest(copy)) };
}

/** `seatwise import` of one big file into a fresh database, with its peak RSS. */
async function measureBigImport(dir: string, csv: string, rows: number): Promise<BigImportResult> {
  const db = join(dir, 'big.duckdb');
  const { seconds, peakRssMiB } = await timedCli(['import', csv, '--db', db, '--partner', PARTNER]);
  await rm(csv);
  await rm(db, { force: true });
  return { rows, seconds, peakRssMiB };
}

async function runSize(
  label: string,
  days: number,
  customersPerDay: number,
  iterations: number,
): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), `seatwise-bench-${label}-`));
  const db = join(dir, 'bench.duckdb');
  try {
    let rows = 0;
    let ingestMs = 0;
    const importRowsPerSecond: number[] = [];
    let reference: IngestReference | undefined;
    const all = join(dir, 'all-days.csv');
    const store: Store = await openDuckDbStore({ path: db });
    for (let d = 0; d < days; d++) {
      const day = addDays(LAST_DAY, d - days + 1);
      const csv = join(dir, `day-${d}.csv`);
      const n = await writeBenchDay(csv, day, customersPerDay, d);
      const ms = await importDay(store, csv);
      ingestMs += ms;
      rows += n;
      importRowsPerSecond.push(rowsPerSecond(n, ms));
      if (days === 1) {
        const pairs = await measurePairs(dir, csv, n, rowsPerSecond(n, ms));
        importRowsPerSecond.splice(0, importRowsPerSecond.length, ...pairs.imports);
        reference = pairs.reference;
      } else {
        // The days' rows, one file after another, under one header: a 10M-row file.
        const text = await readFile(csv, 'utf8');
        await appendFile(all, d === 0 ? text : text.slice(text.indexOf('\n') + 1));
      }
      if (days > 1) await rm(csv);
      process.stderr.write(`  [${label}] day ${d + 1}/${days}: ${n} rows\n`);
    }
    const bigImport = days > 1 ? await measureBigImport(dir, all, rows) : undefined;
    const config = loadConfig({ db, port: 0, logLevel: 'silent' }, {});
    const server = await startServer(config, store);
    try {
      const key = await loadOrCreateIssuerKey(keyPathFor(db));
      const token = await issueLocalToken(key, { partnerId: PARTNER, expiresInSeconds: 3600 });
      const date = String(await store.latestSnapshot(PARTNER));
      const results: SizeResult['queries'] = [];
      for (const q of QUERIES) {
        const url = `${server.url}/v1/analytics/commercial/deployment/license/?${new URLSearchParams(q.params)}`;
        const parsed = parseDeploymentQuery(q.params);
        const plan = { ...parsed, partnerId: PARTNER, processedDate: date };
        let bytes = 0;
        const once = async () => {
          const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
          const body = await res.text();
          if (res.status !== 200) throw new Error(`${q.name}: HTTP ${res.status} ${body.slice(0, 200)}`);
          bytes = body.length;
        };
        const direct = () => store.deploymentPage(plan);
        for (let i = 0; i < 3; i++) {
          await once();
          await direct();
        }
        const httpSamples: number[] = [];
        const storeSamples: number[] = [];
        for (let i = 0; i < iterations; i++) {
          httpSamples.push(await time(once));
          storeSamples.push(await time(direct));
        }
        results.push({
          name: q.name,
          http: stats(httpSamples),
          store: stats(storeSamples),
          targetP50Ms: q.targetP50Ms,
          bytes,
        });
      }
      const side =
        days === 1 && !process.argv.includes('--no-postgres')
          ? await sideBySide(store, join(dir, 'day-0.csv'), rows, date, iterations)
          : undefined;
      await server.close();
      return {
        size: label,
        rows,
        days,
        ingestRowsPerSecond: rowsPerSecond(rows, ingestMs),
        ingestSeconds: round(ingestMs / 1000),
        importRowsPerSecond,
        ...(reference === undefined ? {} : { reference }),
        ...(bigImport === undefined ? {} : { bigImport }),
        queries: results,
        ...(days === 1 ? { export: await measureExport(dir, db) } : {}),
        ...(side === undefined ? {} : { sideBySide: side }),
      };
    } finally {
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The 1M-row file and the four queries on PostgreSQL, beside the DuckDB store `duck`. */
async function sideBySide(
  duck: Store,
  csv: string,
  rows: number,
  date: string,
  iterations: number,
): Promise<SideBySide | undefined> {
  const db = await createBenchDatabase();
  if (!('url' in db)) {
    process.stdout.write(`PostgreSQL not measured: no server answers at ${db.reason}\n`);
    return undefined;
  }
  let pgStore: Store | undefined;
  try {
    pgStore = await db.openStore();
    process.stderr.write(`  [postgres] ${db.name}\n`);
    // The day's partition, as a load creates it, so the first reference has a table to fill.
    await pgStore.load({ partnerId: PARTNER, source: 'bench', dates: [date] }, async () => undefined);
    const loads: number[] = [];
    const copies: number[] = [];
    for (let i = 0; i < PAIRED_IMPORTS; i++) {
      copies.push(rowsPerSecond(rows, await plainCopy(db, csv, date, PARTNER)));
      await emptyDay(db, date);
      loads.push(rowsPerSecond(rows, await importDay(pgStore, csv)));
      process.stderr.write(`  [postgres] load ${loads.at(-1)} rows/s, plain COPY ${copies.at(-1)} rows/s\n`);
    }
    const queries: SideBySide['queries'] = [];
    for (const q of QUERIES) {
      const plan = { ...parseDeploymentQuery(q.params), partnerId: PARTNER, processedDate: date };
      const onDuck = () => duck.deploymentPage(plan);
      const onPg = () => (pgStore as Store).deploymentPage(plan);
      for (let i = 0; i < 3; i++) {
        await onDuck();
        await onPg();
      }
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < iterations; i++) {
        a.push(await time(onDuck));
        b.push(await time(onPg));
      }
      const duckdb = stats(a);
      const postgres = stats(b);
      queries.push({
        name: q.name,
        duckdb,
        postgres,
        ratio: Math.round((100 * postgres.p50) / duckdb.p50) / 100,
      });
      if (process.argv.includes('--explain')) await printPlan(db, q.name, plan);
    }
    return {
      rows,
      loadRowsPerSecond: loads,
      copyRowsPerSecond: copies,
      ingestRatio: Math.round((100 * median(loads)) / median(copies)) / 100,
      queries,
    };
  } finally {
    await pgStore?.close();
    await db.drop();
  }
}

async function printPlan(db: BenchDatabase, name: string, plan: QueryPlan): Promise<void> {
  process.stdout.write(`\n### PostgreSQL plan: ${name}\n\n${await explainPlan(db, plan)}\n`);
}

const median = (v: readonly number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** `min–max rows/s, median m` of some rows-per-second figures. */
function spread(values: readonly number[]): string {
  const f = (n: number) => n.toLocaleString('en-US');
  return `${f(Math.min(...values))}–${f(Math.max(...values))} rows/s, median ${f(stats([...values]).p50)}`;
}

/** The distinct case with the demo in PostgreSQL, beside that store alone. */
function postgresVerdict(t: ThroughputResult): string {
  if ('skipped' in t.postgres) return `PostgreSQL: skipped (${t.postgres.skipped})\n`;
  const distinct = t.postgres.cases.find((c) => c.name.includes('distinct'))?.requestsPerSecond ?? 0;
  const alone = t.postgres.storeAloneQueriesPerSecond;
  return (
    `distinct small queries on PostgreSQL: ${distinct} req/s (target ≥ 1,000) ${distinct >= 1000 ? '✓' : '✗'}; ` +
    `the store alone answers ${alone} per second, so HTTP keeps ${(alone > 0 ? (100 * distinct) / alone : 0).toFixed(0)} %\n`
  );
}

/** The throughput targets, each as measured in the same run as its reference. */
function throughputVerdicts(t: ThroughputResult): string {
  const rps = (name: string) => t.cases.find((c) => c.name.startsWith(name))?.requestsPerSecond ?? 0;
  const healthz = rps('/healthz');
  const repeated = rps('E5 groupby');
  const distinct = rps('E5 one customer');
  const ok = (b: boolean) => (b ? '✓' : '✗');
  const ratio = healthz > 0 ? repeated / healthz : 0;
  return (
    `\nrepeated small query / /healthz: ${ratio.toFixed(2)} (target ≥ 0.5) ${ok(ratio >= 0.5)}\n` +
    `distinct small queries: ${distinct} req/s (target ≥ 1,000) ${ok(distinct >= 1000)}; ` +
    `the store alone answers ${t.storeAlone.queriesPerSecond} of them per second, so HTTP keeps ` +
    `${(t.storeAlone.queriesPerSecond > 0 ? (100 * distinct) / t.storeAlone.queriesPerSecond : 0).toFixed(0)} %\n` +
    postgresVerdict(t) +
    `soak: ${t.soak.errors} errors (target 0) ${ok(t.soak.errors === 0 && t.soak.non2xx === 0)}, RSS growth ` +
    `${(100 * t.soak.rssGrowth).toFixed(1)} % (target ≤ 10 %) ${ok(t.soak.rssGrowth <= 0.1)}\n`
  );
}

async function main(): Promise<void> {
  const sizes = (argValue('--sizes') ?? 'startup,1m,10m,graph,throughput').split(',');
  let graph: GraphBenchResult | undefined;
  let throughput: ThroughputResult | undefined;
  let startup: StartupResult | undefined;
  const iterations = Number(argValue('--iterations') ?? '40');
  const customers = 1_000_000 / PRODUCTS_PER_CUSTOMER;
  const results: SizeResult[] = [];
  for (const size of sizes) {
    if (size === '1m') results.push(await runSize('1M rows, 1 day', 1, customers, iterations));
    else if (size === '10m') results.push(await runSize('10M rows, 10 days', 10, customers, iterations));
    else if (size === 'graph') graph = await runGraphBench();
    else if (size === 'startup') startup = await measureStartup();
    else if (size === 'throughput') {
      process.stdout.write('\n## Throughput (demo store, 32 connections)\n\n');
      throughput = await runThroughput({
        seconds: Number(argValue('--seconds') ?? '10'),
        soakSeconds: Number(argValue('--soak-seconds') ?? '120'),
        log: (line) => process.stdout.write(`${line.trimEnd()}\n`),
      });
    } else throw new Error(`unknown size ${size}`);
  }
  await mkdir(new URL('./out/', import.meta.url), { recursive: true });
  await writeFile(
    new URL('./out/results.json', import.meta.url),
    `${JSON.stringify({ results, graph, startup, throughput }, null, 2)}\n`,
  );
  if (throughput !== undefined) process.stdout.write(throughputVerdicts(throughput));
  if (startup !== undefined) {
    process.stdout.write(
      `\n## Start-up (median of 15 runs each, alternating)\n\n` +
        `node -e '': ${startup.nodeMs} ms; seatwise --help: ${startup.helpMs} ms; seatwise token: ${startup.tokenMs} ms\n` +
        `--help / node -e '': ${startup.ratio.toFixed(1)} (target ≤ 4) ${startup.ratio <= 4 ? '✓' : '✗'}\n`,
    );
  }
  for (const r of results) {
    let text = `\n## ${r.size}\n\ningest: ${r.ingestRowsPerSecond.toLocaleString('en-US')} rows/s (${r.ingestSeconds} s)\n`;
    text += `each import of a ${r.days === 1 ? '1M-row file' : "day's file"}: ${spread(r.importRowsPerSecond)}\n`;
    if (r.reference !== undefined) {
      const ref = r.reference;
      text +=
        `DuckDB alone, same file, ordered as stored, beside each import: ${spread(ref.orderedRowsPerSecond)}` +
        ` (file order, unsorted: ${spread(ref.plainRowsPerSecond)})\n` +
        `import / DuckDB alone (medians): ${ref.ratio.toFixed(2)} (target ≥ 0.60)\n`;
    }
    if (r.bigImport !== undefined) {
      const b = r.bigImport;
      text += `one ${b.rows.toLocaleString('en-US')}-row file through seatwise import: ${b.seconds} s, peak RSS ${b.peakRssMiB} MiB (target < 1536 MiB)\n`;
    }
    process.stdout.write(`${text}\n`);
    process.stdout.write(
      '| query | HTTP p50 | HTTP p99 | store p50 | store p99 | target p50 | body |\n|---|---|---|---|---|---|---|\n',
    );
    for (const q of r.queries) {
      const ok = q.http.p50 <= q.targetP50Ms ? '' : ' ✗';
      process.stdout.write(
        `| ${q.name} | ${q.http.p50} ms${ok} | ${q.http.p99} ms | ${q.store.p50} ms | ${q.store.p99} ms | ≤ ${q.targetP50Ms} ms | ${(q.bytes / 1024).toFixed(0)} KiB |\n`,
      );
    }
  }
  for (const r of results) {
    const side = r.sideBySide;
    if (side === undefined) continue;
    const ok = (good: boolean) => (good ? '✓' : '✗');
    process.stdout.write(
      `\n## Side by side, ${side.rows.toLocaleString('en-US')} rows in one day (store-level, alternating)\n\n` +
        `PostgreSQL store.load: ${spread(side.loadRowsPerSecond)}\n` +
        `plain COPY of the same file into the same partition: ${spread(side.copyRowsPerSecond)}\n` +
        `load / plain COPY (medians): ${side.ingestRatio.toFixed(2)} (target ≥ 0.50) ${ok(side.ingestRatio >= 0.5)}\n\n` +
        '| query | DuckDB p50 | DuckDB p99 | PostgreSQL p50 | PostgreSQL p99 | PG / DuckDB p50 (≤ 3) |\n|---|---|---|---|---|---|\n',
    );
    for (const q of side.queries) {
      process.stdout.write(
        `| ${q.name} | ${q.duckdb.p50} ms | ${q.duckdb.p99} ms | ${q.postgres.p50} ms | ${q.postgres.p99} ms | ${q.ratio.toFixed(2)} ${ok(q.ratio <= 3)} |\n`,
      );
    }
  }
  for (const r of results) {
    if (r.export === undefined) continue;
    const e = r.export;
    process.stdout.write(
      `\nexport (${r.size}): ${e.rows} rows to CSV in ${e.seconds} s, peak RSS ${e.peakRssMiB} MiB; re-import gives the same snapshot: ${e.reimportMatches ? 'yes' : 'NO'}\n`,
    );
  }
  if (graph !== undefined) {
    process.stdout.write(
      `\nGraph JSON: ${graph.tenants} tenants × ${graph.skusPerTenant} SKUs = ${graph.rows} rows in ${graph.totalSeconds} s (read+map ${graph.readSeconds} s, store ${graph.loadSeconds} s; target < 30 s)\n`,
    );
  }
  if (results.length === 2) {
    const [a, b] = results as [SizeResult, SizeResult];
    process.stdout.write('\n10M / 1M p50 ratio (target ≤ 1.5):\n');
    a.queries.forEach((q, i) => {
      const ratio = (b.queries[i]?.http.p50 ?? 0) / q.http.p50;
      process.stdout.write(`- ${q.name}: ${ratio.toFixed(2)}\n`);
    });
  }
}

await main();
