/**
 * Token-bucket rate limiting per key (a partner tenant, or a client address for requests without a
 * valid token). `N/period` allows bursts of N and refills N per period, so a partner that stays under
 * its average never waits.
 *
 * `RequestLimiter` is what the HTTP gate awaits. `RateLimiter` counts in this process (pure: the
 * clock is injected); the shared limiters count in Redis (`redis-rate-limiter.ts`) or PostgreSQL
 * (`store/postgres/rate-limiter.ts`) so that every server on one store draws on one budget, and
 * `FallbackLimiter` puts an in-process bucket behind them for when their service does not answer.
 */

export interface RateLimit {
  readonly limit: number;
  readonly periodSeconds: number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export interface RequestLimiter {
  /** Takes one token from `key`'s bucket, or says how long until one is available. */
  take(key: string): Promise<RateDecision>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** Whole seconds until a bucket holding `tokens` has one again (at least 1), as `Retry-After` says it. */
export function retryAfterSeconds(tokens: number, rate: RateLimit): number {
  return Math.max(1, Math.ceil(((1 - tokens) * rate.periodSeconds) / rate.limit));
}

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

export class RateLimiter implements RequestLimiter {
  readonly #rate: RateLimit;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;

  constructor(rate: RateLimit, options: { now?: () => number; maxKeys?: number } = {}) {
    this.#rate = rate;
    this.#now = options.now ?? (() => performance.now());
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  take(key: string): Promise<RateDecision> {
    return Promise.resolve(this.takeNow(key));
  }

  /** `take`, synchronously. */
  takeNow(key: string): RateDecision {
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
    return { ok: false, retryAfterSeconds: retryAfterSeconds(bucket.tokens, this.#rate) };
  }

  close(): Promise<void> {
    this.#buckets.clear();
    return Promise.resolve();
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

export interface FallbackOptions {
  /** The shared counter as people should see it, e.g. `Redis at redis://***@cache:6379`. */
  readonly describe: string;
  /** Told once when the shared counter stops answering, and once when it answers again. */
  readonly log: { warn(message: string): void; info(message: string): void };
  /** Requests after a failure that skip the shared counter and count here: this long (ms). */
  readonly retryMs?: number;
  /** Hides secrets (a password) that an error message might quote. */
  readonly redact?: (message: string) => string;
  readonly now?: () => number;
}

/**
 * A shared limiter that never fails a request. When the shared counter errs or times out, the
 * request is decided by an in-process bucket with the same rate (so each server still holds the
 * limit on its own, and N servers together allow at most N times it), one warning is logged, and
 * the shared counter is tried again after `retryMs` (default 5 s); when it answers, one line says so.
 */
export class FallbackLimiter implements RequestLimiter {
  readonly #shared: RequestLimiter;
  readonly #local: RateLimiter;
  readonly #options: FallbackOptions;
  readonly #now: () => number;
  #retryAt = 0;
  #degraded = false;

  constructor(shared: RequestLimiter, rate: RateLimit, options: FallbackOptions) {
    this.#shared = shared;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#local = new RateLimiter(rate, { now: this.#now });
  }

  /** True while requests are counted in this process. */
  get degraded(): boolean {
    return this.#degraded;
  }

  async take(key: string): Promise<RateDecision> {
    if (this.#degraded && this.#now() < this.#retryAt) return this.#local.takeNow(key);
    try {
      const decision = await this.#shared.take(key);
      if (this.#degraded) {
        this.#degraded = false;
        this.#options.log.info(`rate limit: counting in ${this.#options.describe} again`);
      }
      return decision;
    } catch (err) {
      this.#retryAt = this.#now() + (this.#options.retryMs ?? 5_000);
      if (!this.#degraded) {
        this.#degraded = true;
        const reason = err instanceof Error ? err.message : String(err);
        const shown = this.#options.redact?.(reason) ?? reason;
        this.#options.log.warn(
          `rate limit: ${this.#options.describe} does not answer (${shown}); each server counts on its own until it does`,
        );
      }
      return this.#local.takeNow(key);
    }
  }

  async close(): Promise<void> {
    await this.#shared.close();
    await this.#local.close();
  }
}
