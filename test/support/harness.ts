/**
 * In-process test harness: a real DuckDB file in a temp directory, the real local issuer, the real
 * app — driven with `app.inject()`.
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
import { DeploymentService } from '../../src/service/deployment-service.ts';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import type { Store } from '../../src/store/store.ts';
import { loadColumns } from './load.ts';

export interface Harness {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly key: LocalIssuerKey;
  readonly dir: string;
  readonly dbPath: string;
  token(
    partnerId: string,
    options?: { appOnly?: boolean; expiresInSeconds?: number; roles?: string[] },
  ): Promise<string>;
  load(partnerId: string, rows: RowColumns): Promise<void>;
  get(url: string, token?: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly byteOrderMark?: boolean;
  /** Replaces the default gate (local issuer only, no roles, no rate limit). */
  readonly gate?: (localKey: LocalIssuerKey) => AccessGate;
  readonly trustProxy?: boolean;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-test-'));
  const dbPath = join(dir, 'test.duckdb');
  const store = await openDuckDbStore({ path: dbPath });
  const key = await loadOrCreateIssuerKey(keyPathFor(dbPath));
  const app = await buildApp({
    service: new DeploymentService(store),
    gate: options.gate?.(key) ?? {
      verify: createTokenVerifier({ localKey: key, issuers: [], audience: PARTNER_CENTER_AUDIENCE }),
      policy: { allowedRoles: null },
      limiter: null,
    },
    trustProxy: options.trustProxy ?? false,
    serverId: '102030524',
    byteOrderMark: options.byteOrderMark ?? false,
    logLevel: 'silent',
    version: 'test',
    storeName: store.kind,
  });
  await app.ready();
  return {
    app,
    store,
    key,
    dir,
    dbPath,
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
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
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
