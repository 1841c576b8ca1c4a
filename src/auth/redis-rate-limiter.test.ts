/**
 * The Redis limiter against a real Redis (`$SEATWISE_TEST_REDIS`, default redis://127.0.0.1:6379,
 * see test/support/redis.ts). Without one these tests are skipped, with one line saying so. Keys are
 * unique per run: the Redis may be shared.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { probeRedis, TEST_REDIS_URL, warnRedisSkipped, withRedis } from '../../test/support/redis.ts';
import { FallbackLimiter, type RateLimit } from './rate-limiter.ts';
import { REDIS_KEY_PREFIX, RedisRateLimiter } from './redis-rate-limiter.ts';

const available = await probeRedis();
if (!available) warnRedisSkipped();

const run = randomUUID();
const opened: RedisRateLimiter[] = [];

/** A limiter as one server would have it. */
async function server(rate: RateLimit): Promise<RedisRateLimiter> {
  const limiter = new RedisRateLimiter(rate, { url: TEST_REDIS_URL });
  opened.push(limiter);
  expect(await limiter.ready()).toBe(true);
  return limiter;
}

afterAll(async () => {
  await Promise.all(opened.map((l) => l.close()));
  if (!available) return;
  await withRedis(async (client) => {
    const keys = await client.keys(`${REDIS_KEY_PREFIX}${run}:*`);
    if (keys.length > 0) await client.del(keys);
  });
});

describe.skipIf(!available)('RedisRateLimiter', () => {
  it('two servers share one budget: N in total, then refusals with Retry-After', async () => {
    const rate = { limit: 4, periodSeconds: 8 };
    const [a, b] = [await server(rate), await server(rate)];
    const key = `${run}:shared`;
    const oks = [];
    for (const limiter of [a, b, a, b]) oks.push((await limiter.take(key)).ok);
    expect(oks).toEqual([true, true, true, true]);
    expect(await a.take(key)).toEqual({ ok: false, retryAfterSeconds: 2 });
    expect(await b.take(key)).toEqual({ ok: false, retryAfterSeconds: 2 });
  });

  it('refills over time, and keys are independent', async () => {
    const rate = { limit: 2, periodSeconds: 1 };
    const [a, b] = [await server(rate), await server(rate)];
    const key = `${run}:refill`;
    expect((await a.take(key)).ok).toBe(true);
    expect((await b.take(key)).ok).toBe(true);
    expect(await a.take(key)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect((await b.take(`${run}:other`)).ok).toBe(true);
    await sleep(600); // one token comes back every 500 ms
    expect((await b.take(key)).ok).toBe(true);
    expect((await a.take(key)).ok).toBe(false);
  });

  it('keeps each bucket under seatwise:rate: with a TTL of about the time it takes to refill', async () => {
    const limiter = await server({ limit: 10, periodSeconds: 60 });
    const key = `${run}:ttl`;
    await limiter.take(key);
    // One token of ten is missing: full again in 6 s, plus a second of slack.
    const ttl = await withRedis((client) => client.pTTL(`${REDIS_KEY_PREFIX}${key}`));
    expect(ttl).toBeGreaterThan(5_000);
    expect(ttl).toBeLessThanOrEqual(7_000);
  });
});

describe('RedisRateLimiter without Redis', () => {
  it('each server counts on its own, with one warning that hides the password', async () => {
    const rate = { limit: 2, periodSeconds: 60 };
    const url = 'redis://seatwise:s3cret@127.0.0.1:1';
    const shared = new RedisRateLimiter(rate, { url });
    const log = { warn: vi.fn(), info: vi.fn() };
    const limiter = new FallbackLimiter(shared, rate, {
      describe: 'Redis at redis://seatwise:***@127.0.0.1:1',
      log,
      redact: (m) => m.replaceAll('s3cret', '***'),
    });
    try {
      const started = performance.now();
      expect(await limiter.take('k')).toEqual({ ok: true });
      expect(await limiter.take('k')).toEqual({ ok: true });
      expect(await limiter.take('k')).toEqual({ ok: false, retryAfterSeconds: 30 });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(log.warn).toHaveBeenCalledTimes(1);
      expect(log.warn.mock.calls[0]![0]).toMatch(/^rate limit: Redis at .* does not answer/);
      expect(JSON.stringify(log.warn.mock.calls)).not.toContain('s3cret');
    } finally {
      await limiter.close();
    }
  });
});
