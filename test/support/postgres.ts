/**
 * A real PostgreSQL server for the tests: `$SEATWISE_TEST_PG`, or the local default. The server is
 * probed once per test file (vitest isolates each file's modules); each test database is created
 * here under a name no other process picks (`seatwise_test_<pid>_<random>`) and dropped, with any
 * connection still on it, by `drop()` or at the latest when the file ends.
 *
 * Only a server that does not answer (refused, unreachable, timed out) skips the PostgreSQL tests,
 * with one printed line; a server that answers but refuses us (a wrong password, no right to create
 * a database) fails them, since that is a broken setup rather than a missing server.
 */
import { randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import pg from 'pg';
import { afterAll, expect } from 'vitest';
import { redactDbUrl } from '../../src/config.ts';

export const DEFAULT_TEST_PG = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of a database the tests connect to in order to create and drop their own. */
export const ADMIN_URL = process.env.SEATWISE_TEST_PG || DEFAULT_TEST_PG;

const CONNECT_TIMEOUT_MS = 3_000;

export type PostgresProbe =
  | { readonly state: 'available' }
  /** No server answered: the PostgreSQL tests are skipped. */
  | { readonly state: 'absent'; readonly reason: string }
  /** A server answered but the probe failed: the PostgreSQL tests run and fail with `reason`. */
  | { readonly state: 'broken'; readonly reason: string };

/** Error codes of a connection no server answered. */
const NO_SERVER = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENOENT',
]);

function noServer(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NO_SERVER.has(code)) return true;
  if (err instanceof AggregateError) return err.errors.some(noServer);
  // pg's own connect timeout and a socket closed before the server spoke.
  return /timeout|Connection terminated unexpectedly/i.test(err.message);
}

/** The error's message without the admin URL's password, wherever pg may have quoted it. */
function describeError(err: unknown): string {
  const message =
    err instanceof Error ? err.message || String((err as { code?: unknown }).code) : String(err);
  const password = safeUrl(ADMIN_URL)?.password;
  const redacted = password ? message.split(decodeURIComponent(password)).join('***') : message;
  return redactDbUrl(redacted);
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: ADMIN_URL,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'seatwise-tests',
  });
  // A connection the server drops between queries must not crash the test process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

let probed: Promise<PostgresProbe> | undefined;

/** Connects to the admin database, once per file; the answer says whether a server is there. */
export function probePostgres(): Promise<PostgresProbe> {
  probed ??= withAdmin((client) => client.query('SELECT 1')).then(
    (): PostgresProbe => ({ state: 'available' }),
    (err: unknown): PostgresProbe =>
      noServer(err)
        ? { state: 'absent', reason: describeError(err) }
        : { state: 'broken', reason: describeError(err) },
  );
  return probed;
}

let warned = false;

/** Prints, once per file, the line saying this file skips its PostgreSQL tests and why. */
export function warnPostgresSkipped(probe: Extract<PostgresProbe, { state: 'absent' }>): void {
  if (warned) return;
  warned = true;
  const unset = process.env.SEATWISE_TEST_PG ? '' : ' (set SEATWISE_TEST_PG)';
  console.warn(
    `skipping PostgreSQL tests in ${currentTestFile()}: no server answers at ${redactDbUrl(ADMIN_URL)}${unset} [${probe.reason}]`,
  );
}

/** The test file being collected, relative to the working directory. */
function currentTestFile(): string {
  const path = expect.getState().testPath;
  return path ? relative(process.cwd(), path) : 'this test file';
}

export interface TestDatabase {
  /** Connection string of the new, empty database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database, ending any connection still on it; a second call does nothing. */
  drop(): Promise<void>;
}

/** Databases this file created and has not dropped yet: `afterAll` below drops them. */
const live = new Map<string, TestDatabase>();

afterAll(async () => {
  await Promise.all([...live.values()].map((db) => db.drop()));
});

/** Creates an empty database on the test server (failing with the probe's reason if it is broken). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const probe = await probePostgres();
  if (probe.state !== 'available') {
    throw new Error(`PostgreSQL at ${redactDbUrl(ADMIN_URL)} is not usable: ${probe.reason}`);
  }
  const name = `seatwise_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  // template0 so that nothing added to template1 on this server leaks in, and so that concurrent
  // CREATE DATABASE calls do not trip over each other's connections to the template.
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  const db: TestDatabase = {
    url: url.toString(),
    name,
    drop: () => {
      dropped ??= withAdmin(async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }).finally(() => live.delete(name));
      return dropped;
    },
  };
  live.set(name, db);
  return db;
}
