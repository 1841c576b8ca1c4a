/**
 * The throughput section of `npm run bench`: a real `seatwise serve` child process on the demo
 * store (500 customers, 30 days: about 68,000 rows), loaded by autocannon with 32 connections from
 * this process. Every case reports requests per second and p99 latency, measured in the same run
 * as `/healthz`, the reference:
 *
 * - `/healthz`;
 * - a small grouped E5 query repeated (`groupby=serviceCode,channel`; target ≥ 0.5× `/healthz`);
 * - small distinct queries, each request one customer on one day (target ≥ 1,000 requests/s);
 * - a 10,000-row page, plain and with `Accept-Encoding: gzip` (a second partner in the same file
 *   has one demo snapshot of 2,500 customers, since a demo day holds only about 2,500 rows);
 * - a mixed soak (default 120 s) of all of the above: 0 errors, the server's resident memory
 *   growing ≤ 10 % from its start (after a warm-up) to its end.
 *
 * Once the server has stopped, the distinct queries run once more without HTTP: the same plans,
 * 32 at a time, straight on the store opened in this process as `serve` opens it. That is the
 * most the store itself answers on this machine, the reference for the distinct case.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { decodeJwt } from 'jose';
import { normalizeGuid } from '../src/domain/guid.ts';
import { parseDeploymentQuery } from '../src/query/parse-query.ts';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import type { Store } from '../src/store/store.ts';
import { createBenchDatabase } from './postgres.ts';

const BIN = fileURLToPath(new URL('../bin/seatwise', import.meta.url));
/** A second partner whose one snapshot has 10,000 rows and more, for the large page. */
const LARGE_PARTNER = 'BE7C0000-0000-4000-8000-00000000000B';
const E5 = '/v1/analytics/commercial/deployment/license/';
/** autocannon's connections in every case. */
const CONNECTIONS = 32;

export interface ThroughputCase {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  /** Mean response body bytes (what crossed the wire, compressed or not). */
  readonly bytesPerResponse: number;
}

export interface ThroughputResult {
  readonly connections: number;
  readonly seconds: number;
  readonly cases: readonly ThroughputCase[];
  /** The distinct queries straight on the store, without HTTP: plans answered per second. */
  readonly storeAlone: { readonly name: string; readonly queriesPerSecond: number };
  /** The repeated and distinct cases again with the demo in PostgreSQL, or why not. */
  readonly postgres: PostgresThroughput | { readonly skipped: string };
  readonly soak: {
    readonly seconds: number;
    readonly requests: number;
    readonly errors: number;
    readonly non2xx: number;
    readonly rssStartMiB: number;
    readonly rssEndMiB: number;
    readonly rssGrowth: number;
    /** The response cache's bytes at the start and end of the soak (null when the server has none). */
    readonly cacheStartMiB: number | null;
    readonly cacheEndMiB: number | null;
  };
}

export interface PostgresThroughput {
  readonly cases: readonly ThroughputCase[];
  /** The distinct queries straight on the PostgreSQL store, without HTTP. */
  readonly storeAloneQueriesPerSecond: number;
}

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly token: string;
}

function run(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`seatwise ${args[0]}: ${err}`)),
    );
  });
}

/** Starts `seatwise serve` on the file and reads its URL and demo token from the banner. */
function serve(db: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--db', db, '--port', '0', '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /API:\s+(http:\/\/\S+?)\/v1\//.exec(out)?.[1];
      const token = /Bearer (\S+?)['"\s]/.exec(out)?.[1];
      if (url !== undefined && token !== undefined) resolve({ child, url, token });
    });
    child.on('exit', (code) => reject(new Error(`seatwise serve exited with ${code}: ${out}`)));
  });
}

async function stop(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

type Request = NonNullable<autocannon.Options['requests']>[number];

async function load(
  url: string,
  seconds: number,
  connections: number,
  requests: Request[],
  headers: Record<string, string>,
): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: seconds, requests, headers });
}

/** The small grouped query the repeated cases ask. */
const GROUPED: Request = { method: 'GET', path: `${E5}?groupby=serviceCode,channel` };

/** One case: a 2 s warm-up, then `seconds` measured, logged as one line. */
async function measure(
  server: Server,
  name: string,
  requests: Request[],
  headers: Record<string, string>,
  options: { seconds: number; log: (line: string) => void },
): Promise<ThroughputCase> {
  await load(server.url, 2, CONNECTIONS, requests, headers);
  const r = summary(name, await load(server.url, options.seconds, CONNECTIONS, requests, headers));
  options.log(
    `  ${name.padEnd(54)} ${String(r.requestsPerSecond).padStart(7)} req/s  p99 ${String(r.p99Ms).padStart(5)} ms` +
      `  ${r.bytesPerResponse} B/response  errors ${r.errors} non-2xx ${r.non2xx}`,
  );
  return r;
}

function summary(name: string, r: autocannon.Result): ThroughputCase {
  return {
    name,
    requestsPerSecond: Math.round(r.requests.average),
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    bytesPerResponse: r.requests.total > 0 ? Math.round(r.throughput.total / r.requests.total) : 0,
  };
}

/** The response cache's bytes, from the status route (null for a server without one). */
async function cacheMiB(server: Server): Promise<number | null> {
  const res = await fetch(`${server.url}/seatwise/v1/status`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const body = (await res.json()) as { cache?: { bytes: number } };
  return body.cache === undefined ? null : Math.round(body.cache.bytes / 1024 / 1024);
}

/**
 * The distinct queries' plans straight on the store, `connections` at a time for `seconds`: the
 * plans answered per second.
 */
async function storeAlone(
  open: () => Promise<Store>,
  partnerId: string,
  connections: number,
  seconds: number,
  queries: () => DistinctQuery,
): Promise<number> {
  const store = await open();
  try {
    let answered = 0;
    const run = async (until: number) => {
      while (performance.now() < until) {
        const { customerTenantId, processedDate } = queries();
        const query = parseDeploymentQuery({ filter: `customerTenantId eq '${customerTenantId}'` });
        const { filter, groupBy, top, skip } = query;
        await store.deploymentPage({ partnerId, processedDate, filter, groupBy, top, skip });
        answered++;
      }
    };
    // A short warm-up, then the measured run, as for the HTTP cases.
    const warm = performance.now() + 2000;
    await Promise.all(Array.from({ length: connections }, () => run(warm)));
    answered = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: connections }, () => run(started + seconds * 1000)));
    return Math.round(answered / ((performance.now() - started) / 1000));
  } finally {
    await store.close();
  }
}

interface DistinctQuery {
  readonly customerTenantId: string;
  readonly processedDate: string;
}

/**
 * Small queries no cache has seen: each one customer on one day (500 customers × 30 days: 15,000
 * queries, each with rows), as a generator for the store and as an autocannon request.
 */
async function distinctQueries(server: Server): Promise<{ next: () => DistinctQuery; request: Request }> {
  const ids = await customerIds(server);
  const dates = await snapshotDates(server);
  let n = 0;
  const next = () => {
    const customerTenantId = ids[n % ids.length]!;
    const processedDate = dates[Math.floor(n / ids.length) % dates.length]!;
    n++;
    return { customerTenantId, processedDate };
  };
  const request: Request = {
    method: 'GET',
    setupRequest: (req) => {
      const { customerTenantId, processedDate } = next();
      const filter = encodeURIComponent(`customerTenantId eq '${customerTenantId}'`);
      return { ...req, path: `${E5}?filter=${filter}&processedDateTime=${processedDate}` };
    },
  };
  return { next, request };
}

/** The partner of a token (its `tid`), as the store keeps it. */
function partnerOf(token: string): string {
  return normalizeGuid(String(decodeJwt(token).tid))!;
}

/** Customer ids of the demo's latest snapshot, for queries no cache has seen. */
async function customerIds(server: Server): Promise<string[]> {
  const res = await fetch(`${server.url}${E5}?groupby=customerTenantId&top=10000`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const body = (await res.json()) as { Value: { customerTenantId: string }[] };
  return body.Value.map((g) => g.customerTenantId);
}

/** The processed dates of the demo's snapshots, newest first. */
async function snapshotDates(server: Server): Promise<string[]> {
  const res = await fetch(`${server.url}/seatwise/v1/trend`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  const body = (await res.json()) as { value: { processedDate: string }[] };
  return body.value.map((d) => d.processedDate).reverse();
}

/**
 * The repeated and distinct cases, and the store alone, on the same demo data in PostgreSQL (a
 * database made for the run and dropped after it).
 */
async function runPostgres(options: {
  seconds: number;
  log: (line: string) => void;
}): Promise<PostgresThroughput | { skipped: string }> {
  const db = await createBenchDatabase();
  if ('reason' in db) {
    options.log(`  PostgreSQL skipped: ${db.reason}`);
    return { skipped: db.reason };
  }
  let server: Server | undefined;
  try {
    await run(['demo', '--db', db.url]);
    server = await serve(db.url);
    const { next, request: distinct } = await distinctQueries(server);
    const auth = { authorization: `Bearer ${server.token}` };
    const cases = [
      await measure(server, 'PostgreSQL: E5 groupby serviceCode,channel, repeated', [GROUPED], auth, options),
      await measure(server, 'PostgreSQL: E5 one customer, every request distinct', [distinct], auth, options),
    ];
    const partnerId = partnerOf(server.token);
    await stop(server);
    server = undefined;
    const alone = await storeAlone(
      () => openPostgresStore({ url: db.url }),
      partnerId,
      CONNECTIONS,
      options.seconds,
      next,
    );
    options.log(
      `  ${'PostgreSQL: E5 one customer, straight on the store'.padEnd(54)} ${String(alone).padStart(7)} queries/s (no HTTP)`,
    );
    return { cases, storeAloneQueriesPerSecond: alone };
  } finally {
    if (server !== undefined) await stop(server);
    await db.drop();
  }
}

export async function runThroughput(options: {
  seconds: number;
  soakSeconds: number;
  log: (line: string) => void;
}): Promise<ThroughputResult> {
  const connections = CONNECTIONS;
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-bench-throughput-'));
  const db = join(dir, 'demo.duckdb');
  let server: Server | undefined;
  try {
    options.log(await run(['demo', '--db', db]));
    options.log(
      await run(['demo', '--db', db, '--partner', LARGE_PARTNER, '--customers', '2500', '--days', '1']),
    );
    const largeToken = (await run(['token', '--db', db, '--partner', LARGE_PARTNER])).trim();
    server = await serve(db);
    const partnerId = partnerOf(server.token);
    const auth = { authorization: `Bearer ${server.token}` };
    const largeAuth = { authorization: `Bearer ${largeToken}` };
    const { next: nextQuery, request: distinct } = await distinctQueries(server);
    const page: Request = { method: 'GET', path: `${E5}?top=10000`, headers: largeAuth };
    const healthz: Request = { method: 'GET', path: '/healthz' };
    const results = [
      await measure(server, '/healthz', [healthz], {}, options),
      await measure(server, 'E5 groupby serviceCode,channel, repeated', [GROUPED], auth, options),
      await measure(server, 'E5 one customer, every request distinct', [distinct], auth, options),
      await measure(server, 'E5 10,000-row page', [page], largeAuth, options),
      await measure(
        server,
        'E5 10,000-row page, gzip',
        [page],
        { ...largeAuth, 'accept-encoding': 'gzip' },
        options,
      ),
    ];
    const pid = server.child.pid!;
    const rssStart = await rssMiB(pid);
    const cacheStart = await cacheMiB(server);
    const mixed = await load(
      server.url,
      options.soakSeconds,
      connections,
      [healthz, GROUPED, distinct, GROUPED, page],
      auth,
    );
    const rssEnd = await rssMiB(pid);
    const cacheEnd = await cacheMiB(server);
    const soak = {
      seconds: options.soakSeconds,
      requests: mixed.requests.total,
      errors: mixed.errors + mixed.timeouts,
      non2xx: mixed.non2xx,
      rssStartMiB: Math.round(rssStart),
      rssEndMiB: Math.round(rssEnd),
      rssGrowth: rssStart > 0 ? rssEnd / rssStart - 1 : 0,
      cacheStartMiB: cacheStart,
      cacheEndMiB: cacheEnd,
    };
    options.log(
      `  mixed soak ${soak.seconds} s: ${soak.requests} requests, errors ${soak.errors}, non-2xx ${soak.non2xx},` +
        ` RSS ${soak.rssStartMiB} → ${soak.rssEndMiB} MiB (${(100 * soak.rssGrowth).toFixed(1)} %)` +
        (cacheStart === null ? '' : `, response cache ${cacheStart} → ${cacheEnd} MiB`),
    );
    await stop(server);
    server = undefined;
    // The same kind of queries without HTTP (the store keeps no answers, only statements).
    const alone = {
      name: 'E5 one customer, straight on the store',
      queriesPerSecond: await storeAlone(
        () => openDuckDbStore({ path: db }),
        partnerId,
        connections,
        options.seconds,
        nextQuery,
      ),
    };
    options.log(
      `  ${alone.name.padEnd(54)} ${String(alone.queriesPerSecond).padStart(7)} queries/s (no HTTP)`,
    );
    const postgres = await runPostgres(options);
    return { connections, seconds: options.seconds, cases: results, storeAlone: alone, postgres, soak };
  } finally {
    if (server !== undefined) await stop(server);
    await rm(dir, { recursive: true, force: true });
  }
}
