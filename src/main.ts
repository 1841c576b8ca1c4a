/**
 * Composition root: config → store → service → app → listen, then the socket through which CLI
 * commands use the same store (src/channel/), and a clean shutdown. The store comes from
 * `open-store.ts`, the one module that picks its implementation.
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_KEY_SET_OPTIONS, trustIssuers } from './auth/issuers.ts';
import { FallbackLimiter, RateLimiter, type RequestLimiter } from './auth/rate-limiter.ts';
import { createTokenVerifier } from './auth/verify.ts';
import { type Channel, listenChannel } from './channel/server.ts';
import { type Config, isPostgresUrl, passwordHider, redactDbUrl } from './config.ts';
import { buildApp } from './http/app.ts';
import { openIssuerKey, openStore } from './open-store.ts';
import type { CollectionSchedule } from './service/collection-schedule.ts';
import { DeploymentService } from './service/deployment-service.ts';
import { InsightsService } from './service/insights-service.ts';
import type { Store } from './store/store.ts';
import { VERSION } from './version.ts';

const MEMORY = ':memory:';

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly store: Store;
  /**
   * The socket CLI commands on the same DuckDB file go through; undefined for an in-memory or a
   * PostgreSQL store.
   */
  readonly socketPath: string | undefined;
  /**
   * Stops accepting connections (the socket first), lets in-flight requests finish, then closes the
   * store. Idempotent.
   */
  close(): Promise<void>;
}

/** A daily collection for the server to run (`serve --collect-at`), made once its store is open. */
export interface ServerCollection {
  readonly partnerId: string;
  create(store: Store, log: { info(message: string): void; warn(message: string): void }): CollectionSchedule;
}

export async function startServer(
  config: Config,
  store?: Store,
  extras: { collection?: ServerCollection } = {},
): Promise<RunningServer> {
  const ownStore = store ?? (await openStore(config));
  let limiter: RequestLimiter | null = null;
  let schedule: CollectionSchedule | undefined;
  try {
    const localKey = config.localIssuer
      ? await openIssuerKey(config.db, ownStore, config.keyFile)
      : undefined;
    const issuers = trustIssuers(config.issuers, {
      ...DEFAULT_KEY_SET_OPTIONS,
      refetchFloorMs: config.jwksRefetchFloorMs,
    });
    // The limiter logs through the app's logger, which exists by the time a request is limited.
    limiter = await openLimiter(config, {
      warn: (message) => app.log.warn(message),
      info: (message) => app.log.info(message),
    });
    let draining = false;
    if (extras.collection !== undefined) {
      schedule = extras.collection.create(ownStore, {
        warn: (message) => app.log.warn(message),
        info: (message) => app.log.info(message),
      });
    }
    const collectionSchedule = schedule;
    const app = await buildApp({
      service: new DeploymentService(ownStore),
      insights: new InsightsService(ownStore),
      gate: {
        verify: createTokenVerifier({ localKey, issuers, audience: config.audience }),
        policy: { allowedRoles: config.allowedRoles },
        limiter,
      },
      trustProxy: config.trustProxy,
      serverId: config.serverId,
      byteOrderMark: config.byteOrderMark,
      logLevel: config.logLevel,
      version: VERSION,
      storeName: ownStore.kind,
      draining: () => draining,
      cacheBytes: config.cacheMb * 1024 * 1024,
      ...(extras.collection !== undefined && collectionSchedule !== undefined
        ? {
            collection: { partnerId: extras.collection.partnerId, status: () => collectionSchedule.status() },
          }
        : {}),
    });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
    // From now on CLI commands on this DuckDB file use this store through the socket beside it.
    // A PostgreSQL database needs no channel: every command opens it directly.
    let channel: Channel | undefined;
    if (config.db !== MEMORY && !isPostgresUrl(config.db)) {
      try {
        channel = await listenChannel(ownStore, config.db);
      } catch (err) {
        await app.close();
        throw err;
      }
    }
    schedule?.start();
    let closing: Promise<void> | undefined;
    return {
      url,
      app,
      store: ownStore,
      socketPath: channel?.socketPath,
      close: () => {
        closing ??= (async () => {
          // Drain first: still listening and answering, but not ready, and closing every
          // connection after its answer, so a load balancer moves clients away before the port
          // closes and no request waiting to be accepted is refused.
          draining = true;
          // A collection in progress is abandoned (it writes nothing until its end).
          await schedule?.stop();
          if (config.drainSeconds > 0) await new Promise((r) => setTimeout(r, config.drainSeconds * 1000));
          await channel?.close();
          await app.close();
          await limiter?.close();
          await ownStore.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await schedule?.stop();
    await limiter?.close();
    if (store === undefined) await ownStore.close();
    throw err;
  }
}

/**
 * Where `--rate-limit` is counted: in Redis when `--redis-url` is given, else in a PostgreSQL
 * store's database, so that every server sharing either draws on one budget; else in this process.
 * A shared counter that does not answer never fails a request: `FallbackLimiter` counts in this
 * process meanwhile and says so once. The shared limiters are loaded only when used.
 */
async function openLimiter(
  config: Config,
  log: { warn(message: string): void; info(message: string): void },
): Promise<RequestLimiter | null> {
  const rate = config.rateLimit;
  if (rate === null) return null;
  if (config.redisUrl !== undefined) {
    const { RedisRateLimiter } = await import('./auth/redis-rate-limiter.ts');
    const redis = new RedisRateLimiter(rate, { url: config.redisUrl });
    // Give the connection a moment, so that the first requests are counted in Redis already.
    await redis.ready();
    return new FallbackLimiter(redis, rate, {
      describe: `Redis at ${redactDbUrl(config.redisUrl)}`,
      log,
      redact: passwordHider(config.redisUrl),
    });
  }
  if (isPostgresUrl(config.db)) {
    const { PostgresRateLimiter } = await import('./store/postgres/rate-limiter.ts');
    return new FallbackLimiter(new PostgresRateLimiter(rate, { url: config.db }), rate, {
      describe: `PostgreSQL at ${redactDbUrl(config.db)}`,
      log,
      redact: passwordHider(config.db),
    });
  }
  return new RateLimiter(rate);
}
