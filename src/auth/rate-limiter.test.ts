import { describe, expect, it } from 'vitest';
import { parseRateLimit, RateLimiter } from './rate-limiter.ts';

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
  it('allows a burst of N, then refills N per period, per key', () => {
    let t = 0;
    const limiter = new RateLimiter({ limit: 2, periodSeconds: 10 }, { now: () => t });
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 5 });
    expect(limiter.take('b')).toEqual({ ok: true });
    t = 4_000;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    t = 5_000;
    expect(limiter.take('a')).toEqual({ ok: true });
  });

  it('keeps a bounded number of keys', () => {
    const limiter = new RateLimiter({ limit: 1, periodSeconds: 60 }, { now: () => 0, maxKeys: 3 });
    for (const k of ['a', 'b', 'c', 'd']) expect(limiter.take(k).ok).toBe(true);
    // 'a' was the oldest and was forgotten, so it starts full again.
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('d').ok).toBe(false);
  });
});
