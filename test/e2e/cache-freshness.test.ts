/**
 * Cached answers never outlive the snapshot they were computed from. Clients repeat the same
 * (cached) queries against real `seatwise serve` processes while `seatwise import` replaces the
 * latest snapshot with other numbers; every response that started after the import returned must
 * carry the new numbers. On a DuckDB file (one server; the import goes through its socket) and on
 * PostgreSQL with two instances (the import writes the database itself).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type ServeProcess, startServe } from '../support/cli.ts';
import {
  createTestDatabase,
  probePostgres,
  type TestDatabase,
  warnPostgresSkipped,
} from '../support/postgres.ts';
import { daysAgo, e3Customers } from '../support/row-csv.ts';

const PARTNER = '77777777-7777-4777-8777-777777777777';
const DAY = daysAgo(3);
const { csvFor } = e3Customers('0C0C0C0C');
const CUSTOMERS = 40;

const probe = await probePostgres();
if (probe.state === 'absent') warnPostgresSkipped(probe);

interface Sample {
  readonly started: number;
  /** Sold seats of the latest snapshot as the answer has them. */
  readonly sold: number;
  readonly etag: string | null;
}

/** Cached queries, each answering the latest snapshot's sold seats. */
const QUERIES = [
  {
    path: '?groupby=serviceCode',
    sold: (b: { Value: { licensesSold: number }[] }) => b.Value[0]?.licensesSold ?? 0,
  },
  {
    path: '?top=5',
    // Every customer has the same seats: the first row's times the customers.
    sold: (b: { Value: { licensesSold: number }[] }) => CUSTOMERS * (b.Value[0]?.licensesSold ?? 0),
  },
];

function apiOf(server: ServeProcess): string {
  return /API:\s+(\S+)/.exec(server.stdout())![1]!;
}

async function stop(server: ServeProcess | undefined): Promise<void> {
  if (server === undefined || server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  await server.exited;
}

/**
 * Asks `apis` the cached queries over and over (4 clients each) until `done` resolves, then keeps
 * asking for another 300 ms; returns every answer with the moment its request started.
 */
async function repeatAround(
  apis: readonly string[],
  token: string,
  done: Promise<unknown>,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  let until = Number.POSITIVE_INFINITY;
  void done.then(() => {
    until = performance.now() + 300;
  });
  const client = async (api: string, k: number) => {
    for (let i = k; performance.now() < until; i++) {
      const q = QUERIES[i % QUERIES.length]!;
      const started = performance.now();
      const res = await fetch(`${api}${q.path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      samples.push({ started, sold: q.sold((await res.json()) as never), etag: res.headers.get('etag') });
    }
  };
  await Promise.all(apis.flatMap((api) => [0, 1, 2, 3].map((k) => client(api, k))));
  return samples;
}

/** Writes a day's file where each of the customers has `sold` seats. */
async function dayFile(dir: string, name: string, sold: number): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, csvFor(DAY, CUSTOMERS, sold, 'Customer'));
  return file;
}

/**
 * Seeds 10 seats per customer, warms the caches, then replaces the snapshot with 20 seats per
 * customer while clients repeat the queries; checks what each answer carries.
 */
async function checkFreshness(db: string, servers: readonly ServeProcess[], dir: string): Promise<void> {
  const token = (await runCli(['token', '--db', db, '--partner', PARTNER])).stdout.trim();
  const apis = servers.map(apiOf);
  // Warm: the same answer (and ETag) twice from every instance.
  for (const api of apis) {
    for (const q of QUERIES) {
      const first = await fetch(`${api}${q.path}`, { headers: { authorization: `Bearer ${token}` } });
      const again = await fetch(`${api}${q.path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(q.sold((await again.json()) as never)).toBe(CUSTOMERS * 10);
    }
  }
  const next = await dayFile(dir, 'next.csv', 20);
  let returned = Number.POSITIVE_INFINITY;
  const importing = (async () => {
    await new Promise((r) => setTimeout(r, 200));
    const r = await runCli(['import', next, '--db', db, '--partner', PARTNER]);
    returned = performance.now();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  })();
  const samples = await repeatAround(apis, token, importing);
  await importing;
  const before = samples.filter((s) => s.started < returned);
  const after = samples.filter((s) => s.started > returned);
  // The old snapshot was being served from the cache before, and only the new one after.
  expect(before.filter((s) => s.sold === CUSTOMERS * 10).length).toBeGreaterThan(10);
  expect(after.length).toBeGreaterThan(10);
  expect(after.filter((s) => s.sold !== CUSTOMERS * 20)).toEqual([]);
}

describe('cached answers after an import', { timeout: 90_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seatwise-cache-fresh-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('on a DuckDB file: no response started after the import returned carries the old snapshot', async () => {
    const db = join(dir, 'fresh.duckdb');
    const seeded = await runCli([
      'import',
      await dayFile(dir, 'seed.csv', 10),
      '--db',
      db,
      '--partner',
      PARTNER,
    ]);
    expect(seeded.code, seeded.stderr).toBe(0);
    const server = await startServe(['--db', db, '--port', '0', '--log-level', 'silent']);
    try {
      await checkFreshness(db, [server], dir);
    } finally {
      await stop(server);
    }
  });

  it.skipIf(probe.state === 'absent')(
    'on PostgreSQL with two instances: no response started after the import returned carries the old snapshot',
    async () => {
      const pgdb: TestDatabase = await createTestDatabase();
      try {
        const seed = await dayFile(dir, 'seed-pg.csv', 10);
        const seeded = await runCli(['import', seed, '--db', pgdb.url, '--partner', PARTNER]);
        expect(seeded.code, seeded.stderr).toBe(0);
        const servers = await Promise.all(
          [0, 1].map(() => startServe(['--db', pgdb.url, '--port', '0', '--log-level', 'silent'])),
        );
        try {
          await checkFreshness(pgdb.url, servers, dir);
        } finally {
          await Promise.all(servers.map(stop));
        }
      } finally {
        await pgdb.drop();
      }
    },
  );
});
