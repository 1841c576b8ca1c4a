/**
 * The rate limit counted in Redis, so that every server given the same `--redis-url` draws on one
 * budget per key. One Lua script takes a token atomically with Redis's own clock (`TIME`), so the
 * servers' clocks never matter; each bucket is a hash `seatwise:rate:<key>` that expires once it
 * would be full again, so idle keys cost nothing.
 *
 * Errors are thrown, never hidden: `FallbackLimiter` decides what a request gets when Redis does not
 * answer. Commands fail at once while the connection is down (no offline queue) and after
 * `commandTimeoutMs` when Redis hangs; the client reconnects in the background.
 */
import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { type RateDecision, type RateLimit, type RequestLimiter, retryAfterSeconds } from './rate-limiter.ts';

export const REDIS_KEY_PREFIX = 'seatwise:rate:';

/**
 * KEYS[1]: the bucket; ARGV[1]: the limit; ARGV[2]: the period in milliseconds. Returns
 * `{1 if a token was taken else 0, the tokens left}`. The same bucket as `RateLimiter`: refill by the
 * elapsed time, capped at the limit, then take one if there is one.
 */
const TAKE_SCRIPT = `
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local tokens = limit
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
if state[1] and state[2] then
  local elapsed = math.max(0, now - tonumber(state[2]))
  tokens = math.min(limit, tonumber(state[1]) + elapsed * limit / period)
end
local ok = 0
if tokens >= 1 then
  tokens = tokens - 1
  ok = 1
end
local left = string.format('%.17g', tokens)
redis.call('HSET', KEYS[1], 'tokens', left, 'at', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((limit - tokens) * period / limit) + 1000)
return { ok, left }
`;

const TAKE_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex');

export interface RedisLimiterOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS). */
  readonly url: string;
  /** A command that takes longer fails (default 1000 ms). */
  readonly commandTimeoutMs?: number;
  /** Key prefix (default `seatwise:rate:`). */
  readonly prefix?: string;
}

export class RedisRateLimiter implements RequestLimiter {
  readonly #rate: RateLimit;
  readonly #prefix: string;
  readonly #client;
  readonly #connecting: Promise<unknown>;
  #closed = false;

  /** Starts connecting; `take` fails until the connection is up. */
  constructor(rate: RateLimit, options: RedisLimiterOptions) {
    this.#rate = rate;
    this.#prefix = options.prefix ?? REDIS_KEY_PREFIX;
    this.#client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      commandOptions: { timeout: options.commandTimeoutMs ?? 1000 },
      socket: {
        connectTimeout: 2000,
        reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000),
      },
    });
    // Connection errors surface as failed takes; an unheard 'error' event would end the process.
    this.#client.on('error', () => {});
    this.#connecting = this.#client.connect().catch(() => {});
  }

  /** Waits for the first connection, at most `timeoutMs`; says whether it is up. */
  async ready(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.#connecting, timeout]);
    clearTimeout(timer);
    return this.#client.isReady;
  }

  async take(key: string): Promise<RateDecision> {
    const options = {
      keys: [this.#prefix + key],
      arguments: [String(this.#rate.limit), String(this.#rate.periodSeconds * 1000)],
    };
    let reply: unknown;
    try {
      reply = await this.#client.evalSha(TAKE_SHA, options);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
      reply = await this.#client.eval(TAKE_SCRIPT, options);
    }
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new Error(`unexpected reply from the rate-limit script: ${JSON.stringify(reply)}`);
    }
    const tokens = Number(String(reply[1]));
    return Number(reply[0]) === 1
      ? { ok: true }
      : { ok: false, retryAfterSeconds: retryAfterSeconds(tokens, this.#rate) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.isReady) {
      await this.#client.close().catch(() => this.#client.destroy());
    } else if (this.#client.isOpen) {
      this.#client.destroy();
    }
  }
}
