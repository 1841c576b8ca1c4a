/**
 * A real Redis for the tests: `$SEATWISE_TEST_REDIS`, or the local default. Probed once per test
 * file; where none answers, the Redis tests are skipped with one printed line. The Redis may be
 * shared, so tests write keys of their own (a random id in each) and delete them afterwards.
 */
import { relative } from 'node:path';
import { createClient, type RedisClientType } from 'redis';
import { expect } from 'vitest';
import { redactDbUrl } from '../../src/config.ts';

export const TEST_REDIS_URL = process.env.SEATWISE_TEST_REDIS || 'redis://127.0.0.1:6379';

let probed: Promise<boolean> | undefined;

/** Whether a Redis answers a PING at TEST_REDIS_URL within a second; asked once per file. */
export function probeRedis(): Promise<boolean> {
  probed ??= (async () => {
    const client = createClient({
      url: TEST_REDIS_URL,
      socket: { connectTimeout: 1000, reconnectStrategy: false },
    });
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
  })();
  return probed;
}

let warned = false;

/** Prints, once per file, the line saying this file skips its Redis tests. */
export function warnRedisSkipped(): void {
  if (warned) return;
  warned = true;
  const path = expect.getState().testPath;
  const file = path ? relative(process.cwd(), path) : 'this test file';
  const unset = process.env.SEATWISE_TEST_REDIS ? '' : ' (set SEATWISE_TEST_REDIS)';
  console.warn(`skipping Redis tests in ${file}: no Redis answers at ${redactDbUrl(TEST_REDIS_URL)}${unset}`);
}

/** Runs `body` with a client of the test's own on TEST_REDIS_URL, closed afterwards. */
export async function withRedis<T>(body: (client: RedisClientType) => Promise<T>): Promise<T> {
  const client: RedisClientType = createClient({ url: TEST_REDIS_URL });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}
