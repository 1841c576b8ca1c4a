/**
 * The PostgreSQL limiter against a real server (`$SEATWISE_TEST_PG`, default
 * postgres://postgres@127.0.0.1:5432/postgres), in a database made for this file and dropped after
 * it. Without a server these tests are skipped, with one line saying so.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FallbackLimiter, type RateLimit } from '../../auth/rate-limiter.ts';
import { PostgresRateLimiter } from './rate-limiter.ts';

const ADMIN_URL = process.env.SEATWISE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The table as the PostgreSQL adapter's migration creates it. */
const DDL =
  'CREATE UNLOGGED TABLE IF NOT EXISTS seatwise_rate_buckets (bucket text PRIMARY KEY, tokens double precision NOT NULL, updated_at timestamptz NOT NULL)';

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const available = await postgresAnswers(ADMIN_URL);
if (!available) console.warn(`skipping PostgreSQL rate-limit tests: no PostgreSQL at ${ADMIN_URL}`);

const dbName = `seatwise_test_${randomBytes(6).toString('hex')}`;
const dbUrl = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  return url.toString();
})();

async function admin<T>(fn: (client: pg.Client) => Promise<T>, url = ADMIN_URL): Promise<T> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const opened: PostgresRateLimiter[] = [];

/** A limiter as one server would have it. */
function server(rate: RateLimit, sweepEvery?: number): PostgresRateLimiter {
  const limiter = new PostgresRateLimiter(rate, { url: dbUrl, sweepEvery });
  opened.push(limiter);
  return limiter;
}

describe.skipIf(!available)('PostgresRateLimiter', () => {
  beforeAll(async () => {
    await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
    await admin((c) => c.query(DDL), dbUrl);
  });

  afterAll(async () => {
    await Promise.all(opened.map((l) => l.close()));
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  });

  it('two servers share one budget: N in total, then refusals with Retry-After', async () => {
    const rate = { limit: 4, periodSeconds: 8 };
    const [a, b] = [server(rate), server(rate)];
    const oks = [];
    for (const limiter of [a, b, a, b]) oks.push((await limiter.take('shared')).ok);
    expect(oks).toEqual([true, true, true, true]);
    expect(await a.take('shared')).toEqual({ ok: false, retryAfterSeconds: 2 });
    expect(await b.take('shared')).toEqual({ ok: false, retryAfterSeconds: 2 });
  });

  it('concurrent takes from two servers never hand out more than the budget', async () => {
    const rate = { limit: 10, periodSeconds: 60 };
    const [a, b] = [server(rate), server(rate)];
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).take('race')),
    );
    expect(decisions.filter((d) => d.ok)).toHaveLength(10);
  });

  it('refills over time, and keys are independent', async () => {
    const rate = { limit: 2, periodSeconds: 1 };
    const [a, b] = [server(rate), server(rate)];
    expect((await a.take('refill')).ok).toBe(true);
    expect((await b.take('refill')).ok).toBe(true);
    expect(await a.take('refill')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect((await b.take('other')).ok).toBe(true);
    await sleep(600); // one token comes back every 500 ms
    expect((await b.take('refill')).ok).toBe(true);
    expect((await a.take('refill')).ok).toBe(false);
  });

  it('deletes buckets that are full again, now and then', async () => {
    const limiter = server({ limit: 2, periodSeconds: 1 }, 3);
    await limiter.take('idle');
    await limiter.take('busy');
    await sleep(1100); // both are full again
    await limiter.take('busy'); // the third take sweeps: 'idle' goes, 'busy' is (re)written
    await limiter.settled();
    const { rows } = await admin(
      (c) =>
        c.query<{ bucket: string }>(
          "SELECT bucket FROM seatwise_rate_buckets WHERE bucket IN ('idle', 'busy')",
        ),
      dbUrl,
    );
    expect(rows.map((r) => r.bucket)).toEqual(['busy']);
  });
});

describe('PostgresRateLimiter without its database', () => {
  it('each server counts on its own, with one warning that hides the password', async () => {
    const rate = { limit: 2, periodSeconds: 60 };
    const shared = new PostgresRateLimiter(rate, { url: 'postgres://seatwise:s3cret@127.0.0.1:1/seatwise' });
    const log = { warn: vi.fn(), info: vi.fn() };
    const limiter = new FallbackLimiter(shared, rate, {
      describe: 'PostgreSQL at postgres://seatwise:***@127.0.0.1:1/seatwise',
      log,
      redact: (m) => m.replaceAll('s3cret', '***'),
    });
    try {
      expect(await limiter.take('k')).toEqual({ ok: true });
      expect(await limiter.take('k')).toEqual({ ok: true });
      expect(await limiter.take('k')).toEqual({ ok: false, retryAfterSeconds: 30 });
      expect(log.warn).toHaveBeenCalledTimes(1);
      expect(log.warn.mock.calls[0]![0]).toMatch(/^rate limit: PostgreSQL at .* does not answer \(.+\)/);
      expect(JSON.stringify(log.warn.mock.calls)).not.toContain('s3cret');
    } finally {
      await limiter.close();
    }
  });
});
