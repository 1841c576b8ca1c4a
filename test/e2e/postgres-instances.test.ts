/**
 * Several `seatwise serve` processes on one PostgreSQL database (docs/architecture.md): there is no
 * owner and no socket, every CLI command opens the database itself, a snapshot committed by any
 * process is answered by every instance on its next request, two loads of one partner take turns
 * on the partner's load lock (so a snapshot is never a mix of two files), a stopping instance
 * finishes what it accepted, and `--rate-limit` is counted once for all instances.
 *
 * Runs against `$SEATWISE_TEST_PG` (or the local default) in a database of its own; skipped, with
 * one printed line, where no PostgreSQL server answers.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCKS } from '../../src/store/postgres/transaction.ts';
import { queryAll, runCli, type ServeProcess, startServe } from '../support/cli.ts';
import type { QueriedRow } from '../support/cli-output.ts';
import { sql } from '../support/pg-sql.ts';
import {
  createTestDatabase,
  probePostgres,
  type TestDatabase,
  warnPostgresSkipped,
} from '../support/postgres.ts';
import { daysAgo, e3Customers } from '../support/row-csv.ts';

const probe = await probePostgres();
const noServer = probe.state === 'absent';
if (probe.state === 'absent') warnPostgresSkipped(probe);

/** The shared rate limit arrives with `--redis-url`; until serve offers it, its test is skipped. */
const sharedRateLimit = noServer ? false : (await runCli(['serve', '--help'])).stdout.includes('--redis-url');

const PARTNER = '66666666-6666-4666-8666-666666666666';
const { customerId, csvFor } = e3Customers('0B0B0B0B');

const DAY_1 = daysAgo(12);
const DAY_2 = daysAgo(11);
const DAY_3 = daysAgo(10);
const DAY_4 = daysAgo(9);
const DAY_5 = daysAgo(8);

interface Page {
  TotalCount: number;
  Value: QueriedRow[];
}

/** The API URL an instance printed in its banner. */
function apiOf(server: ServeProcess): string {
  return /API:\s+(\S+)/.exec(server.stdout())![1]!;
}

async function serveOn(db: string, ...extra: string[]): Promise<ServeProcess> {
  return startServe(['--db', db, '--port', '0', '--log-level', 'silent', ...extra]);
}

async function stop(server: ServeProcess | undefined): Promise<void> {
  if (server === undefined || server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
}

/** Resolves once `n` sessions on the database wait for an advisory lock. */
async function waitForLockWaiters(db: string, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [row] = await sql<{ n: number }>(
      db,
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'",
    );
    if (row!.n >= n) return;
    if (Date.now() > deadline) throw new Error(`${row!.n} of ${n} sessions wait for the load lock`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Holds the partner's load lock (as a load does) in an open transaction until `release()`. */
async function holdLoadLock(db: string, partner: string): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCKS.load, partner]);
  return {
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Whether `promise` is still pending after the current turn of the event loop. */
async function pending(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([promise, new Promise((r) => setImmediate(() => r(marker)))])) === marker;
}

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  if (noServer) return;
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'seatwise-pg-instances-'));
});
afterAll(async () => {
  await db?.drop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(noServer)('two serve instances on one PostgreSQL database', { timeout: 60_000 }, () => {
  let a: ServeProcess;
  let b: ServeProcess;
  let token: string;
  let polling = true;
  let poller: Promise<void>;
  const statuses: { instance: 'a' | 'b'; status: number }[] = [];
  const seen = { a: new Set<string>(), b: new Set<string>() };

  const latest = async (server: ServeProcess, query = 'top=3'): Promise<Page> => {
    const res = await fetch(`${apiOf(server)}?${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };

  beforeAll(async () => {
    const seed = join(dir, 'day1.csv');
    await writeFile(seed, csvFor(DAY_1, 50, 10, 'Seed'));
    const seeded = await runCli(['import', seed, '--db', db.url, '--partner', PARTNER]);
    expect(seeded.stderr).toBe('');
    expect(seeded.stdout).toContain(`imported 50 rows (50 customers, 1 products) for partner ${PARTNER}`);

    // b drains for 2 s when stopped, as an instance behind a load balancer would.
    [a, b] = await Promise.all([serveOn(db.url), serveOn(db.url, '--drain', '2')]);
    const t = await runCli(['token', '--db', db.url, '--partner', PARTNER]);
    expect(t.stderr).toBe('');
    token = t.stdout.trim();
    expect(token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);

    // Both instances are asked, in turn, for as long as the commands run: every answer must be a 200.
    poller = (async () => {
      while (polling) {
        for (const [instance, server] of [
          ['a', a],
          ['b', b],
        ] as const) {
          const res = await fetch(`${apiOf(server)}?top=1`, {
            headers: { authorization: `Bearer ${token}` },
          });
          statuses.push({ instance, status: res.status });
          const page = (await res.json()) as Page;
          seen[instance].add(`${page.Value[0]?.processedDateTime} ${page.TotalCount}`);
        }
      }
    })();
  });

  afterAll(async () => {
    polling = false;
    await poller?.catch(() => {});
    await Promise.all([stop(a), stop(b)]);
  });

  it('both serve the database directly, and a token of `seatwise token --db` works on both', async () => {
    for (const server of [a, b]) {
      expect(server.stdout()).toContain(`is serving ${db.url}\n`);
      // No hand-over socket for PostgreSQL: commands open the database themselves.
      expect(server.stdout()).not.toContain('Commands:');
      const page = await latest(server);
      expect(page.TotalCount).toBe(50);
      expect(page.Value[0]).toMatchObject({
        processedDateTime: `${DAY_1}T00:00:00`,
        customerTenantId: customerId(0),
        customerName: 'Seed 0',
        licensesDeployed: 9,
        licensesSold: 10,
      });
    }
    // The key is kept in the database: a's banner token (the demo partner's) is accepted by b.
    const bannerToken = /Bearer ([^"\s]+)/.exec(a.stdout())![1]!;
    const res = await fetch(apiOf(b), { headers: { authorization: `Bearer ${bannerToken}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Page).TotalCount).toBe(0);
    const [key] = await sql<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM seatwise_issuer_key');
    expect(key!.n).toBe(1);
  });

  it('an import through the CLI is answered by both instances on their next request', async () => {
    const file = join(dir, 'day2.csv');
    await writeFile(
      file,
      csvFor(DAY_2, 80, (i) => 20 + i, 'Second'),
    );
    const r = await runCli(['import', file, '--db', db.url, '--partner', PARTNER]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `imported 80 rows (80 customers, 1 products) for partner ${PARTNER}\nsnapshots replaced: ${DAY_2}\n`,
    );
    for (const server of [a, b]) {
      const page = await latest(server, 'top=2&skip=40');
      expect(page.TotalCount).toBe(80);
      expect(page.Value).toEqual([
        expect.objectContaining({
          processedDateTime: `${DAY_2}T00:00:00`,
          customerTenantId: customerId(40),
          customerName: 'Second 40',
          licensesDeployed: 59,
          licensesSold: 60,
        }),
        expect.objectContaining({ customerTenantId: customerId(41), licensesSold: 61 }),
      ]);
      // The older snapshot is still there for an explicit date.
      const older = await fetch(`${apiOf(server)}?top=1&processedDateTime=${DAY_1}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(older.status, await older.clone().text()).toBe(200);
      expect(((await older.json()) as Page).TotalCount).toBe(50);
    }
  });

  it("a second load of the partner waits for the first's lock; both instances answer meanwhile", async () => {
    const file = join(dir, 'day3.csv');
    await writeFile(file, csvFor(DAY_3, 30, 7, 'Third'));
    const lock = await holdLoadLock(db.url, PARTNER);
    let importing: ReturnType<typeof runCli> | undefined;
    try {
      importing = runCli(['import', file, '--db', db.url, '--partner', PARTNER]);
      await waitForLockWaiters(db.url, 1);
      expect(await pending(importing)).toBe(true);
      // Nothing of the waiting load is visible yet.
      for (const server of [a, b]) expect((await latest(server)).TotalCount).toBe(80);
    } finally {
      await lock.release();
    }
    const r = await importing;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`imported 30 rows (30 customers, 1 products) for partner ${PARTNER}`);
    for (const server of [a, b]) {
      const page = await latest(server);
      expect(page.TotalCount).toBe(30);
      expect(page.Value[0]).toMatchObject({
        processedDateTime: `${DAY_3}T00:00:00`,
        customerName: 'Third 0',
      });
    }
  });

  /** Two files of one (partner, date), 2,000 rows each, told apart by names and counts. */
  async function rivalFiles(day: string): Promise<{ path: string; rows: [string, string, number][] }[]> {
    return Promise.all(
      [
        { name: 'Alpha', sold: (i: number) => 100 + i },
        { name: 'Beta', sold: (i: number) => 5_000 + 2 * i },
      ].map(async ({ name, sold }) => {
        const path = join(dir, `${name}-${day}.csv`);
        await writeFile(path, csvFor(day, 2_000, sold, name));
        const rows = Array.from({ length: 2_000 }, (_, i): [string, string, number] => [
          customerId(i),
          `${name} ${i}`,
          sold(i),
        ]);
        return { path, rows };
      }),
    );
  }

  /** Both imports succeed, in turn; the snapshot is exactly one of the files on both instances. */
  async function expectOneOf(
    day: string,
    files: { path: string; rows: [string, string, number][] }[],
    results: Awaited<ReturnType<typeof runCli>>[],
  ): Promise<void> {
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `imported 2000 rows (2000 customers, 1 products) for partner ${PARTNER}\nsnapshots replaced: ${day}\n`,
      );
    }
    const stored = (await queryAll<QueriedRow>(db.url, PARTNER, day)).map((s): [string, string, number] => [
      s.customerTenantId,
      s.customerName,
      s.licensesSold,
    ]);
    expect(stored).toHaveLength(2_000);
    const winner = stored[0]![1].startsWith('Alpha') ? files[0]! : files[1]!;
    expect(stored).toEqual(winner.rows);
    const [snapshot] = await sql<{ n: number }>(
      db.url,
      'SELECT count(*)::int AS n FROM deployment WHERE processed_date = $1',
      [day],
    );
    expect(snapshot!.n).toBe(2_000);
    for (const server of [a, b]) {
      const page = await latest(server, 'top=1&skip=1999');
      expect(page.TotalCount).toBe(2_000);
      expect(page.Value[0]).toMatchObject({
        processedDateTime: `${day}T00:00:00`,
        customerName: winner.rows[1_999]![1],
        licensesSold: winner.rows[1_999]![2],
      });
    }
  }

  it('two imports of the same (partner, date) queued on the lock run in turn and never mix', async () => {
    const files = await rivalFiles(DAY_4);
    const lock = await holdLoadLock(db.url, PARTNER);
    let both: Promise<Awaited<ReturnType<typeof runCli>>[]> | undefined;
    try {
      both = Promise.all(files.map((f) => runCli(['import', f.path, '--db', db.url, '--partner', PARTNER])));
      // Both have staged their rows and wait for the partner's lock at the same time.
      await waitForLockWaiters(db.url, 2);
    } finally {
      await lock.release();
    }
    await expectOneOf(DAY_4, files, await both!);
  });

  it('two imports of the same (partner, date) started together never mix', async () => {
    const files = await rivalFiles(DAY_5);
    const results = await Promise.all(
      files.map((f) => runCli(['import', f.path, '--db', db.url, '--partner', PARTNER])),
    );
    await expectOneOf(DAY_5, files, results);
  });

  it('no request failed meanwhile, and each instance served every snapshot', async () => {
    polling = false;
    await poller;
    expect(statuses.filter((s) => s.instance === 'a').length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s.instance === 'b').length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s.status !== 200)).toEqual([]);
    for (const instance of ['a', 'b'] as const) {
      expect([...seen[instance]]).toEqual(
        expect.arrayContaining([`${DAY_1}T00:00:00 50`, `${DAY_2}T00:00:00 80`, `${DAY_3}T00:00:00 30`]),
      );
    }
  });

  it('SIGTERM under load with --drain: every request gets a complete 200, it exits 0, the other keeps answering', async () => {
    // 200 requests at once over 50 keep-alive connections: most are queued on a connection when the
    // signal comes.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    const url = new URL(`${apiOf(b)}?top=50`);
    type Outcome =
      | { kind: 'answered'; status: number; connection: string | undefined; body: string }
      | { kind: 'failed'; code: string; reusedSocket: boolean; responded: boolean };
    const request = () =>
      new Promise<Outcome>((resolve) => {
        let responded = false;
        const failed = (err: NodeJS.ErrnoException) =>
          resolve({
            kind: 'failed',
            code: err.code ?? err.message,
            reusedSocket: req.reusedSocket,
            responded,
          });
        const req = http.get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          responded = true;
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
          });
          res.on('error', failed);
          res.on('end', () =>
            resolve({
              kind: 'answered',
              status: res.statusCode!,
              connection: res.headers.connection,
              body,
            }),
          );
        });
        req.on('error', failed);
      });

    let answered = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () =>
        request().then((o) => {
          // Stop the instance once the load is under way, with most requests still open.
          if (++answered === 20) b.child.kill('SIGTERM');
          return o;
        }),
      ),
    );
    agent.destroy();
    expect(await b.exited).toBe(0);
    expect(b.stdout()).toContain(
      'SIGTERM: draining for 2 s, then finishing in-flight requests and closing the store',
    );

    // Nothing is lost: every request, sent before or during the drain, is answered in full with
    // 200 from the latest snapshot; none is refused or reset.
    expect(outcomes.filter((o) => o.kind === 'failed')).toEqual([]);
    const done = outcomes.filter((o) => o.kind === 'answered');
    expect(done.map((o) => o.status)).toEqual(Array.from({ length: 200 }, () => 200));
    for (const o of done) {
      const page = JSON.parse(o.body) as Page;
      expect([page.TotalCount, page.Value.length, page.Value[49]?.customerTenantId]).toEqual([
        2_000,
        50,
        customerId(49),
      ]);
    }
    // Answers given while draining close their connection, so clients move to another instance.
    expect(done.filter((o) => o.connection === 'close').length).toBeGreaterThan(0);

    // The other instance goes on answering.
    const after = await latest(a, 'top=50');
    expect([after.TotalCount, after.Value.length]).toEqual([2_000, 50]);
  });
});

describe.skipIf(noServer || !sharedRateLimit)(
  'one --rate-limit for every instance on the database',
  { timeout: 60_000 },
  () => {
    const LIMITED = '77777777-7777-4777-8777-777777777777';
    let a: ServeProcess;
    let b: ServeProcess;
    let warnings = '';

    beforeAll(async () => {
      [a, b] = await Promise.all([
        serveOn(db.url, '--rate-limit', '6/1m', '--log-level', 'warn'),
        serveOn(db.url, '--rate-limit', '6/1m', '--log-level', 'warn'),
      ]);
      // A shared counter that does not answer makes each instance count on its own, and says so.
      for (const server of [a, b]) {
        server.child.stderr.on('data', (d: Buffer) => {
          warnings += d.toString('utf8');
        });
      }
    });
    afterAll(async () => {
      await Promise.all([stop(a), stop(b)]);
    });

    it('6 requests in total pass across both instances, the next gets 429 with Retry-After', async () => {
      const token = (await runCli(['token', '--db', db.url, '--partner', LIMITED])).stdout.trim();
      const ask = (server: ServeProcess) =>
        fetch(`${apiOf(server)}?top=1`, { headers: { authorization: `Bearer ${token}` } });
      const passed: number[] = [];
      for (const server of [a, b, a, b, a, b]) {
        const res = await ask(server);
        passed.push(res.status);
        expect(((await res.json()) as Page).TotalCount).toBe(0);
      }
      expect(passed, warnings).toEqual([200, 200, 200, 200, 200, 200]);
      for (const server of [a, b]) {
        const res = await ask(server);
        expect(res.status, warnings).toBe(429);
        const retryAfter = Number(res.headers.get('retry-after'));
        expect(Number.isInteger(retryAfter)).toBe(true);
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(60);
        expect(await res.json()).toEqual({
          statusCode: 429,
          message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.`,
        });
      }
      // Another partner has a budget of its own.
      const other = (await runCli(['token', '--db', db.url, '--partner', PARTNER])).stdout.trim();
      const res = await fetch(`${apiOf(b)}?top=1`, { headers: { authorization: `Bearer ${other}` } });
      expect(res.status).toBe(200);
      expect(warnings).not.toMatch(/rate limit/);
    });
  },
);
