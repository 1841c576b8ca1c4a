import { describe, expect, it, vi } from 'vitest';
import {
  FallbackLimiter,
  parseRateLimit,
  type RateDecision,
  RateLimiter,
  type RequestLimiter,
  retryAfterSeconds,
} from './rate-limiter.ts';

describe('parseRateLimit', () => {
  it.each([
    ['600/1m', { limit: 600, periodSeconds: 60 }],
    ['10/s', { limit: 10, periodSeconds: 1 }],
    ['5000/1h', { limit: 5000, periodSeconds: 3600 }],
    ['100 / 30s', { limit: 100, periodSeconds: 30 }],
    ['20/2min', { limit: 20, periodSeconds: 120 }],
  ])('%s', (text, expected) => expect(parseRateLimit(text)).toEqual(expected));

  it.each(['', '600', '0/1m', '10/0s', '-1/1m', '10/1d', 'ten/1m'])('rejects %j', (text) =>
    expect(parseRateLimit(text)).toBeUndefined(),
  );
});

describe('RateLimiter', () => {
  it('allows a burst of N, then refills N per period, per key', async () => {
    let t = 0;
    const limiter = new RateLimiter({ limit: 2, periodSeconds: 10 }, { now: () => t });
    expect(await limiter.take('a')).toEqual({ ok: true });
    expect(await limiter.take('a')).toEqual({ ok: true });
    expect(await limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 5 });
    expect(await limiter.take('b')).toEqual({ ok: true });
    t = 4_000;
    expect(await limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    t = 5_000;
    expect(await limiter.take('a')).toEqual({ ok: true });
  });

  it('keeps a bounded number of keys', async () => {
    const limiter = new RateLimiter({ limit: 1, periodSeconds: 60 }, { now: () => 0, maxKeys: 3 });
    for (const k of ['a', 'b', 'c', 'd']) expect((await limiter.take(k)).ok).toBe(true);
    // 'a' was the oldest and was forgotten, so it starts full again.
    expect((await limiter.take('a')).ok).toBe(true);
    expect((await limiter.take('d')).ok).toBe(false);
  });
});

describe('retryAfterSeconds', () => {
  it('is the whole seconds until one token, at least 1', () => {
    expect(retryAfterSeconds(0, { limit: 3, periodSeconds: 60 })).toBe(20);
    expect(retryAfterSeconds(0.5, { limit: 2, periodSeconds: 60 })).toBe(15);
    expect(retryAfterSeconds(0.99, { limit: 600, periodSeconds: 60 })).toBe(1);
  });
});

describe('FallbackLimiter', () => {
  /** A shared counter that fails while `down` is set. */
  function flaky() {
    const state = { down: false, calls: 0 };
    const limiter: RequestLimiter = {
      take: async (): Promise<RateDecision> => {
        state.calls++;
        if (state.down) throw new Error('connect ECONNREFUSED (password s3cret)');
        return { ok: false, retryAfterSeconds: 42 };
      },
      close: async () => {},
    };
    return { state, limiter };
  }

  it('counts in-process while the shared counter fails, warns once, and goes back to it', async () => {
    let t = 0;
    const { state, limiter: shared } = flaky();
    const log = { warn: vi.fn(), info: vi.fn() };
    const limiter = new FallbackLimiter(
      shared,
      { limit: 2, periodSeconds: 60 },
      {
        describe: 'Redis at redis://***@cache:6379',
        log,
        retryMs: 1000,
        now: () => t,
        redact: (m) => m.replaceAll('s3cret', '***'),
      },
    );
    expect(await limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 42 });
    state.down = true;
    expect(await limiter.take('a')).toEqual({ ok: true });
    expect(limiter.degraded).toBe(true);
    // Within retryMs the shared counter is not asked again.
    expect(await limiter.take('a')).toEqual({ ok: true });
    expect(await limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 30 });
    expect(state.calls).toBe(2);
    t = 1000;
    expect((await limiter.take('b')).ok).toBe(true);
    expect(state.calls).toBe(3);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]![0]).toBe(
      'rate limit: Redis at redis://***@cache:6379 does not answer (connect ECONNREFUSED (password ***)); each server counts on its own until it does',
    );
    state.down = false;
    t = 2000;
    expect(await limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 42 });
    expect(limiter.degraded).toBe(false);
    expect(log.info).toHaveBeenCalledWith('rate limit: counting in Redis at redis://***@cache:6379 again');
  });
});
