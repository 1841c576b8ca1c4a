/**
 * The rate limit counted in PostgreSQL, so that every server on one `--db postgres://…` draws on
 * one budget per key without Redis. A bucket is a row of `seatwise_rate_buckets` (an UNLOGGED table
 * the adapter's migration creates: buckets are worth nothing after a crash). Taking a token is one
 * `INSERT … ON CONFLICT DO UPDATE … RETURNING` with the database's clock (`clock_timestamp()`), so
 * concurrent servers are serialised on the row and their own clocks never matter.
 *
 * Errors are thrown, never hidden: `FallbackLimiter` decides what a request gets when the database
 * does not answer. The limiter has its own small pool so that a busy store never delays the gate.
 */
import pg from 'pg';
import {
  type RateDecision,
  type RateLimit,
  type RequestLimiter,
  retryAfterSeconds,
} from '../../auth/rate-limiter.ts';

/**
 * $1 bucket, $2 limit, $3 period in seconds. A new bucket starts full and gives its first token; an
 * existing one is refilled by the elapsed time (capped at the limit) and gives one if it has one. A
 * bucket without a token is left as it is (its refill is a function of the time) and no row comes
 * back: that is a refusal. `greatest(…)` keeps time from running backwards when a statement that
 * read the clock earlier waited for the row behind one that read it later.
 */
const TAKE = `
INSERT INTO seatwise_rate_buckets AS b (bucket, tokens, updated_at)
VALUES ($1, $2::float8 - 1, clock_timestamp())
ON CONFLICT (bucket) DO UPDATE
SET tokens = least($2::float8, b.tokens + greatest(0, extract(epoch FROM excluded.updated_at - b.updated_at)::float8) * $2::float8 / $3::float8) - 1,
    updated_at = greatest(b.updated_at, excluded.updated_at)
WHERE least($2::float8, b.tokens + greatest(0, extract(epoch FROM excluded.updated_at - b.updated_at)::float8) * $2::float8 / $3::float8) >= 1
RETURNING tokens`;

/** The tokens a refused bucket holds now, for `Retry-After`. */
const PEEK = `
SELECT least($2::float8, tokens + greatest(0, extract(epoch FROM clock_timestamp() - updated_at)::float8) * $2::float8 / $3::float8) AS tokens
FROM seatwise_rate_buckets WHERE bucket = $1`;

/** Buckets that are full again behave exactly like missing ones. */
const SWEEP = `
DELETE FROM seatwise_rate_buckets
WHERE tokens + greatest(0, extract(epoch FROM clock_timestamp() - updated_at)::float8) * $1::float8 / $2::float8 >= $1::float8`;

export interface PostgresLimiterOptions {
  /** The `--db` connection string. */
  readonly url: string;
  /** A query (or the wait for a connection) that takes longer fails (default 1000 ms). */
  readonly timeoutMs?: number;
  /** Every this many takes, full buckets are deleted, in the background (default 1000). */
  readonly sweepEvery?: number;
}

export class PostgresRateLimiter implements RequestLimiter {
  readonly #rate: RateLimit;
  readonly #pool: pg.Pool;
  readonly #sweepEvery: number;
  #takes = 0;
  #sweeping: Promise<void> | undefined;
  #closed = false;

  constructor(rate: RateLimit, options: PostgresLimiterOptions) {
    this.#rate = rate;
    this.#sweepEvery = options.sweepEvery ?? 1000;
    const timeout = options.timeoutMs ?? 1000;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: 2,
      connectionTimeoutMillis: timeout,
      query_timeout: timeout,
      idleTimeoutMillis: 30_000,
      application_name: 'seatwise rate limit',
    });
    // A dropped idle connection is replaced on the next take; unheard, the event would end the process.
    this.#pool.on('error', () => {});
  }

  async take(key: string): Promise<RateDecision> {
    if (this.#closed) throw new Error('the PostgreSQL rate limiter is closed');
    const params = [key, this.#rate.limit, this.#rate.periodSeconds];
    if (++this.#takes % this.#sweepEvery === 0) this.#sweep();
    const taken = await this.#pool.query<{ tokens: number }>(TAKE, params);
    if (taken.rowCount === 1) return { ok: true };
    const peek = await this.#pool.query<{ tokens: number }>(PEEK, params);
    // No row: swept as full meanwhile; the next request will find a token.
    const tokens = peek.rows[0]?.tokens ?? this.#rate.limit;
    return { ok: false, retryAfterSeconds: retryAfterSeconds(tokens, this.#rate) };
  }

  /** Deletes the full buckets, one sweep at a time; a failed sweep waits for the next turn. */
  #sweep(): void {
    if (this.#sweeping !== undefined) return;
    this.#sweeping = this.#pool
      .query(SWEEP, [this.#rate.limit, this.#rate.periodSeconds])
      .then(
        () => {},
        () => {},
      )
      .finally(() => {
        this.#sweeping = undefined;
      });
  }

  /** Waits for a running sweep (tests use it). */
  async settled(): Promise<void> {
    await this.#sweeping;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sweeping;
    await this.#pool.end();
  }
}
