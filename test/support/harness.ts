/**
 * In-process test harness: a real store (a DuckDB file in a temp directory by default, or a
 * PostgreSQL database of its own, see test/support/stores.ts), the real local issuer with its key
 * in the temp directory, the real app — driven with `app.inject()`.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import {
  issueLocalToken,
  keyPathFor,
  type LocalIssuerKey,
  loadOrCreateIssuerKey,
} from '../../src/auth/local-issuer.ts';
import { PARTNER_CENTER_AUDIENCE } from '../../src/auth/principal.ts';
import { createTokenVerifier } from '../../src/auth/verify.ts';
import type { RowColumns } from '../../src/domain/row.ts';
import { buildApp } from '../../src/http/app.ts';
import type { AccessGate } from '../../src/http/auth-hook.ts';
import type { OverloadOptions } from '../../src/http/overload.ts';
import type { CollectionInfo } from '../../src/http/routes/status.ts';
import { DeploymentService } from '../../src/service/deployment-service.ts';
import { InsightsService } from '../../src/service/insights-service.ts';
import type { Store } from '../../src/store/store.ts';
import { loadColumns } from './load.ts';
import { openTestStore, type StoreKind } from './stores.ts';

export interface Harness {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly kind: StoreKind;
  readonly key: LocalIssuerKey;
  /** A temp directory the harness removes on close. */
  readonly dir: string;
  /** The DuckDB file, or the PostgreSQL database's connection string. */
  readonly db: string;
  token(
    partnerId: string,
    options?: { appOnly?: boolean; expiresInSeconds?: number; roles?: string[] },
  ): Promise<string>;
  load(partnerId: string, rows: RowColumns): Promise<void>;
  get(url: string, token?: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The store adapter to serve from (default `duckdb`). */
  readonly store?: StoreKind;
  readonly byteOrderMark?: boolean;
  /** Replaces the default gate (local issuer only, no roles, no rate limit). */
  readonly gate?: (localKey: LocalIssuerKey) => AccessGate;
  readonly trustProxy?: boolean;
  /** Whether the app is draining (see AppOptions.draining). */
  readonly draining?: () => boolean;
  /** A daily collection for the status route (see AppOptions.collection). */
  readonly collection?: CollectionInfo;
  /** The response cache's bound (see AppOptions.cacheBytes). */
  readonly cacheBytes?: number;
  /** When requests are turned away (see AppOptions.overload). */
  readonly overload?: OverloadOptions;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const kind = options.store ?? 'duckdb';
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-test-'));
  const filePath = join(dir, 'test.duckdb');
  const opened = await openTestStore(kind, { duckdbPath: filePath }).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  const { store } = opened;
  const closeStore = async () => {
    try {
      await opened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  let app: FastifyInstance;
  let key: LocalIssuerKey;
  try {
    key = await loadOrCreateIssuerKey(keyPathFor(filePath));
    app = await buildApp({
      service: new DeploymentService(store),
      insights: new InsightsService(store),
      gate: options.gate?.(key) ?? {
        verify: createTokenVerifier({ localKey: key, issuers: [], audience: PARTNER_CENTER_AUDIENCE }),
        policy: { allowedRoles: null },
        limiter: null,
      },
      trustProxy: options.trustProxy ?? false,
      ...(options.draining === undefined ? {} : { draining: options.draining }),
      ...(options.collection === undefined ? {} : { collection: options.collection }),
      serverId: '102030524',
      byteOrderMark: options.byteOrderMark ?? false,
      ...(options.cacheBytes === undefined ? {} : { cacheBytes: options.cacheBytes }),
      // In-process apps share their worker with the test's own work: a test that holds the event
      // loop must not have its requests turned away unless it asks for that.
      overload: options.overload ?? { maxEventLoopDelayMs: 0 },
      logLevel: 'silent',
      version: 'test',
      storeName: store.kind,
    });
    await app.ready();
  } catch (err) {
    await closeStore();
    throw err;
  }
  return {
    app,
    store,
    kind,
    key,
    dir,
    db: opened.db,
    token: (partnerId, o = {}) =>
      issueLocalToken(key, {
        partnerId,
        appOnly: o.appOnly ?? false,
        roles: o.roles ?? [],
        expiresInSeconds: o.expiresInSeconds ?? 3600,
      }),
    load: async (partnerId, rows) => {
      await loadColumns(store, partnerId, rows);
    },
    get: (url, token, headers = {}) =>
      app.inject({
        method: 'GET',
        url,
        headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers },
      }),
    close: async () => {
      try {
        await app.close();
      } finally {
        await closeStore();
      }
    },
  };
}

/** Parses a JSON response body, failing loudly on anything else. */
export function json<T = Record<string, unknown>>(res: LightMyRequestResponse): T {
  expectJsonContentType(res);
  return JSON.parse(res.body) as T;
}

function expectJsonContentType(res: LightMyRequestResponse): void {
  const type = res.headers['content-type'];
  if (type !== 'application/json; charset=utf-8') {
    throw new Error(
      `expected JSON content type, got ${String(type)} (status ${res.statusCode}): ${res.body.slice(0, 200)}`,
    );
  }
}
