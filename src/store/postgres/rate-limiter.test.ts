/**
 * The PostgreSQL limiter against a real server (`$SEATWISE_TEST_PG`, default
 * postgres://postgres@127.0.0.1:5432/postgres, see test/support/postgres.ts), in a database made for
 * this file and dropped after it. Without a server these tests are skipped, with one line saying so.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from '../../../test/support/pg-sql.ts';
import {
  createTestDatabase,
  probePostgres,
  type TestDatabase,
  warnPostgresSkipped,
} from '../../../test/support/postgres.ts';
import { FallbackLimiter, type RateLimit } from '../../auth/rate-limiter.ts';
import { PostgresRateLimiter } from './rate-limiter.ts';

/** The table as the PostgreSQL adapter's migration creates it. */
const DDL =
  'CREATE UNLOGGED TABLE IF NOT EXISTS seatwise_rate_buckets (bucket text PRIMARY KEY, tokens double precision NOT NULL, updated_at timestamptz NOT NULL)';

const probe = await probePostgres();
const available = probe.state !== 'absent';
if (probe.state === 'absent') warnPostgresSkipped(probe);

let db: TestDatabase;
const opened: PostgresRateLimiter[] = [];

/** A limiter as one server would have it. */
function server(rate: RateLimit, sweepEvery?: number): PostgresRateLimiter {
  const limiter = new PostgresRateLimiter(rate, { url: db.url, sweepEvery });
  opened.push(limiter);
  return limiter;
}

describe.skipIf(!available)('PostgresRateLimiter', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    await sql(db.url, DDL);
  });

  afterAll(async () => {
    await Promise.all(opened.map((l) => l.close()));
    await db?.drop();
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
    const rows = await sql<{ bucket: string }>(
      db.url,
      "SELECT bucket FROM seatwise_rate_buckets WHERE bucket IN ('idle', 'busy')",
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
