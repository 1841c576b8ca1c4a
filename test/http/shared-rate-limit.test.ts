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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLocalToken, loadOrCreateIssuerKey } from '../../src/auth/local-issuer.ts';
import { REDIS_KEY_PREFIX } from '../../src/auth/redis-rate-limiter.ts';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/main.ts';
import {
  createTestDatabase,
  probePostgres,
  type TestDatabase,
  warnPostgresSkipped,
} from '../support/postgres.ts';
import { probeRedis, TEST_REDIS_URL, warnRedisSkipped, withRedis } from '../support/redis.ts';
import { E5 } from '../support/wire.ts';

const available = await probeRedis();
if (!available) warnRedisSkipped();
const pgProbe = await probePostgres();
const pgAvailable = pgProbe.state !== 'absent';
if (pgProbe.state === 'absent') warnPostgresSkipped(pgProbe);

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

/** A refusal of the rate limit, telling the client to come back in `seconds`. */
async function expectLimited(res: Response, seconds: number): Promise<void> {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe(String(seconds));
  expect(await res.json()).toEqual({
    statusCode: 429,
    message: `Rate limit is exceeded. Try again in ${seconds} seconds.`,
  });
}

/** The statuses of one request to each server in `order`, one after the other. */
async function statusesOf(order: RunningServer[], token: string): Promise<number[]> {
  const statuses = [];
  for (const server of order) statuses.push((await get(server, token)).status);
  return statuses;
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
    // Keys expire on their own; these go now. Partner ids are kept upper-case.
    await withRedis((client) =>
      client.del([partner, other].map((id) => `${REDIS_KEY_PREFIX}tid:${id.toUpperCase()}`)),
    );
  });

  it('draw on one budget per partner: 429 with Retry-After on both once it is spent', async () => {
    const [a, b] = [await serve('a', TEST_REDIS_URL, '4/1m'), await serve('b', TEST_REDIS_URL, '4/1m')];
    const token = await tokenFor(partner);
    expect(await statusesOf([a, b, a, b], token)).toEqual([200, 200, 200, 200]);
    for (const server of [a, b]) {
      const limited = await get(server, token);
      await expectLimited(limited, 15);
      expect(limited.headers.get('ms-requestid')).toBeTruthy();
    }
    // Another partner has its own budget.
    expect((await get(a, await tokenFor(other))).status).toBe(200);
  });
});

describe.skipIf(!pgAvailable)('two servers on one PostgreSQL database, without Redis', () => {
  let db: TestDatabase;
  const mine: RunningServer[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await Promise.all(mine.map((s) => s.close()));
    await db?.drop();
  });

  it('draw on one budget per partner, counted in the database', async () => {
    // One after the other: the first creates the schema.
    mine.push(await serve('pg-a', undefined, '3/1m', db.url));
    mine.push(await serve('pg-b', undefined, '3/1m', db.url));
    const [a, b] = mine as [RunningServer, RunningServer];
    const token = await tokenFor(randomUUID());
    expect(await statusesOf([a, b, a, b], token)).toEqual([200, 200, 200, 429]);
    await expectLimited(await get(a, token), 20);
  });
});

describe('a server whose Redis does not answer', () => {
  it('serves every request, holding the limit on its own', async () => {
    const server = await serve('c', 'redis://seatwise:s3cret@127.0.0.1:1', '2/1m');
    const token = await tokenFor(randomUUID());
    expect(await statusesOf([server, server, server], token)).toEqual([200, 200, 429]);
  });
});
