/**
 * `--rate-limit` across servers: two real servers (`startServer`, each on its own DuckDB file and
 * port) given one `--redis-url` draw on one budget per partner; so do two servers on one PostgreSQL
 * database without Redis; and a server whose Redis does not answer keeps serving, counting on its
 * own. Needs a Redis (`$SEATWISE_TEST_REDIS`, default redis://127.0.0.1:6379) and a PostgreSQL
 * server (`$SEATWISE_TEST_PG`, default postgres://postgres@127.0.0.1:5432/postgres, where a database
 * is made for this file and dropped after it); each part without its service is skipped with one
 * line saying so.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLocalToken, loadOrCreateIssuerKey } from '../../src/auth/local-issuer.ts';
import { REDIS_KEY_PREFIX } from '../../src/auth/redis-rate-limiter.ts';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import { E5 } from '../support/wire.ts';

const REDIS_URL = process.env.SEATWISE_TEST_REDIS ?? 'redis://127.0.0.1:6379';

async function redisAnswers(url: string): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    await client.close();
    return true;
  } catch {
    if (client.isOpen) client.destroy();
    return false;
  }
}

const PG_ADMIN_URL = process.env.SEATWISE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client(PG_ADMIN_URL);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const available = await redisAnswers(REDIS_URL);
if (!available) console.warn(`skipping the two-server Redis rate-limit test: no Redis at ${REDIS_URL}`);
const pgAvailable = await postgresAnswers(PG_ADMIN_URL);
if (!pgAvailable) {
  console.warn(`skipping the two-server PostgreSQL rate-limit test: no PostgreSQL at ${PG_ADMIN_URL}`);
}

let dir: string;
let keyFile: string;
const servers: RunningServer[] = [];

/**
 * A server on a free port, on its own DuckDB file (or the given PostgreSQL database); all of them
 * accept one issuer key.
 */
async function serve(
  name: string,
  redisUrl: string | undefined,
  rateLimit: string,
  db = join(dir, `${name}.duckdb`),
): Promise<RunningServer> {
  const config = loadConfig({ db, port: 0, logLevel: 'silent', rateLimit, redisUrl, keyFile }, {});
  const server = await startServer(config);
  servers.push(server);
  return server;
}

async function tokenFor(partnerId: string): Promise<string> {
  return issueLocalToken(await loadOrCreateIssuerKey(keyFile), { partnerId, expiresInSeconds: 600 });
}

function get(server: RunningServer, token: string): Promise<Response> {
  return fetch(`${server.url}${E5}`, { headers: { authorization: `Bearer ${token}` } });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-shared-limit-'));
  keyFile = join(dir, 'issuer.key.json');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!available)('two servers sharing one Redis', () => {
  const partner = randomUUID();
  const other = randomUUID();

  afterAll(async () => {
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    // Keys expire on their own; these go now. Partner ids are kept upper-case.
    await client.del([partner, other].map((id) => `${REDIS_KEY_PREFIX}tid:${id.toUpperCase()}`));
    await client.close();
  });

  it('draw on one budget per partner: 429 with Retry-After on both once it is spent', async () => {
    const [a, b] = [await serve('a', REDIS_URL, '4/1m'), await serve('b', REDIS_URL, '4/1m')];
    const token = await tokenFor(partner);
    const statuses = [];
    for (const server of [a, b, a, b]) statuses.push((await get(server, token)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    for (const server of [a, b]) {
      const limited = await get(server, token);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('15');
      expect(await limited.json()).toEqual({
        statusCode: 429,
        message: 'Rate limit is exceeded. Try again in 15 seconds.',
      });
      expect(limited.headers.get('ms-requestid')).toBeTruthy();
    }
    // Another partner has its own budget.
    expect((await get(a, await tokenFor(other))).status).toBe(200);
  });
});

describe.skipIf(!pgAvailable)('two servers on one PostgreSQL database, without Redis', () => {
  const dbName = `seatwise_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const dbUrl = (() => {
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    return url.toString();
  })();
  const mine: RunningServer[] = [];

  beforeAll(async () => {
    await asAdmin(`CREATE DATABASE ${dbName}`);
  });

  afterAll(async () => {
    await Promise.all(mine.map((s) => s.close()));
    await asAdmin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  it('draw on one budget per partner, counted in the database', async () => {
    // One after the other: the first creates the schema.
    mine.push(await serve('pg-a', undefined, '3/1m', dbUrl));
    mine.push(await serve('pg-b', undefined, '3/1m', dbUrl));
    const [a, b] = mine as [RunningServer, RunningServer];
    const token = await tokenFor(randomUUID());
    const statuses = [];
    for (const server of [a, b, a, b]) statuses.push((await get(server, token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await get(a, token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
    expect(await limited.json()).toEqual({
      statusCode: 429,
      message: 'Rate limit is exceeded. Try again in 20 seconds.',
    });
  });
});

describe('a server whose Redis does not answer', () => {
  it('serves every request, holding the limit on its own', async () => {
    const server = await serve('c', 'redis://seatwise:s3cret@127.0.0.1:1', '2/1m');
    const token = await tokenFor(randomUUID());
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(server, token)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});
