/**
 * A token-bucket rate limiter per key (a partner tenant, or a client address for requests without a
 * valid token). `N/period` allows bursts of N and refills N per period, so a partner that stays under
 * its average never waits. Pure: the clock is injected.
 */

export interface RateLimit {
  readonly limit: number;
  readonly periodSeconds: number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updated: number;
}

const RATE_RE = /^(\d+)\s*\/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour)s?$/i;
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** Parses `600/1m`, `10/s`, `5000/1h`; undefined when malformed. */
export function parseRateLimit(text: string): RateLimit | undefined {
  const m = RATE_RE.exec(text.trim());
  if (!m) return undefined;
  const limit = Number(m[1]);
  const count = m[2] === '' ? 1 : Number(m[2]);
  const unit = UNIT_SECONDS[m[3]!.charAt(0).toLowerCase()]!;
  const periodSeconds = count * unit;
  if (limit < 1 || periodSeconds < 1 || !Number.isSafeInteger(limit)) return undefined;
  return { limit, periodSeconds };
}

export class RateLimiter {
  readonly #rate: RateLimit;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;

  constructor(rate: RateLimit, options: { now?: () => number; maxKeys?: number } = {}) {
    this.#rate = rate;
    this.#now = options.now ?? (() => performance.now());
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Takes one token from `key`'s bucket, or says how long until one is available. */
  take(key: string): RateDecision {
    const now = this.#now();
    const perMs = this.#rate.limit / (this.#rate.periodSeconds * 1000);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxKeys) this.#evictFull(now, perMs);
      bucket = { tokens: this.#rate.limit, updated: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.#rate.limit, bucket.tokens + (now - bucket.updated) * perMs);
      bucket.updated = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  }

  /** Forgets buckets that have refilled completely: they behave exactly like new ones. */
  #evictFull(now: number, perMs: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.updated) * perMs >= this.#rate.limit) this.#buckets.delete(key);
    }
    // Under a flood of distinct keys nothing may be full; drop the oldest rather than grow without bound.
    if (this.#buckets.size >= this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
  }
}
