/**
 * Composition root: config → store → service → app → listen, and a clean shutdown. The store comes
 * from `open-store.ts`, the one module that picks its implementation.
 */
import type { FastifyInstance } from 'fastify';
import { announce, incomingDir, newAdminSecret, withdraw } from './admin-link.ts';
import { DEFAULT_KEY_SET_OPTIONS, trustIssuers } from './auth/issuers.ts';
import { keyPathFor, loadOrCreateIssuerKey } from './auth/local-issuer.ts';
import { RateLimiter } from './auth/rate-limiter.ts';
import { createTokenVerifier } from './auth/verify.ts';
import type { Config } from './config.ts';
import { buildApp } from './http/app.ts';
import { openStore } from './open-store.ts';
import { DeploymentService } from './service/deployment-service.ts';
import { SnapshotService } from './service/snapshot-service.ts';
import type { Store } from './store/store.ts';
import { VERSION } from './version.ts';

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly store: Store;
  /** Stops accepting connections, lets in-flight requests finish, then closes the store. Idempotent. */
  close(): Promise<void>;
}

export async function startServer(config: Config, store?: Store): Promise<RunningServer> {
  const ownStore = store ?? (await openStore(config));
  try {
    const secret = newAdminSecret();
    const localKey = config.localIssuer ? await loadOrCreateIssuerKey(keyPathFor(config.db)) : undefined;
    const issuers = trustIssuers(config.issuers, {
      ...DEFAULT_KEY_SET_OPTIONS,
      refetchFloorMs: config.jwksRefetchFloorMs,
    });
    const app = await buildApp({
      service: new DeploymentService(ownStore),
      gate: {
        verify: createTokenVerifier({ localKey, issuers, audience: config.audience }),
        policy: { allowedRoles: config.allowedRoles },
        limiter: config.rateLimit === null ? null : new RateLimiter(config.rateLimit),
      },
      trustProxy: config.trustProxy,
      admin: { snapshots: new SnapshotService(ownStore), secret, incomingDir: incomingDir(config.db) },
      serverId: config.serverId,
      byteOrderMark: config.byteOrderMark,
      logLevel: config.logLevel,
      version: VERSION,
      storeName: ownStore.dialect.name,
    });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
    // Tell CLI commands on this machine that this process owns the database now.
    await announce(config.db, { pid: process.pid, url, secret });
    let closing: Promise<void> | undefined;
    return {
      url,
      app,
      store: ownStore,
      close: () => {
        closing ??= (async () => {
          await withdraw(config.db, process.pid);
          await app.close();
          await ownStore.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    if (store === undefined) await ownStore.close();
    throw err;
  }
}
