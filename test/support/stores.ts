/**
 * Every store adapter a suite runs on, each against a real database: a DuckDB file in a temp
 * directory, and a PostgreSQL database of its own on the test server (test/support/postgres.ts).
 * A suite written once with `describeOnStores` runs on each; the PostgreSQL half is skipped, with
 * one printed line, where no server answers.
 *
 * @example
 *   describeOnStores('E5', (kind) => {
 *     let h: Harness;
 *     beforeAll(async () => { h = await createHarness({ store: kind }); });
 *     afterAll(() => h.close());
 *     it('…', async () => { … });
 *   });
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestDatabase, probePostgres, warnPostgresSkipped } from './postgres.ts';

export const STORE_KINDS = ['duckdb', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** Probed while the test file is collected, so that `describe.skipIf` knows before any test runs. */
const postgres = await probePostgres();

/**
 * Whether this file skips the suites of `kind` (PostgreSQL without a server answering); the first
 * time it says yes, it prints the line saying so.
 */
export function storeSkipped(kind: StoreKind): boolean {
  if (kind !== 'postgres' || postgres.state !== 'absent') return false;
  warnPostgresSkipped(postgres);
  return true;
}

/** `describe(`${title} [${kind}]`, …)` once per store kind, skipping the kinds with no server. */
export function describeOnStores(title: string, body: (kind: StoreKind) => void): void {
  for (const kind of STORE_KINDS) {
    describe.skipIf(storeSkipped(kind))(`${title} [${kind}]`, () => body(kind));
  }
}

export interface TestStore {
  readonly kind: StoreKind;
  readonly store: Store;
  /** The DuckDB file, or the PostgreSQL database's connection string. */
  readonly db: string;
  /** Closes the store, then removes its file or drops its database (also when closing fails). */
  close(): Promise<void>;
}

/**
 * Opens a fresh, empty store of `kind`: a DuckDB file at `duckdbPath` (default: a new temp
 * directory, removed on close), or a new PostgreSQL database, dropped on close.
 */
export async function openTestStore(
  kind: StoreKind,
  options: { duckdbPath?: string } = {},
): Promise<TestStore> {
  if (kind === 'duckdb') {
    const dir =
      options.duckdbPath === undefined ? await mkdtemp(join(tmpdir(), 'seatwise-store-')) : undefined;
    const path = options.duckdbPath ?? join(dir!, 'test.duckdb');
    const remove = async () => {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    };
    let store: Store;
    try {
      store = await openDuckDbStore({ path });
    } catch (err) {
      await remove();
      throw err;
    }
    return { kind, store, db: path, close: () => closeThen(store, remove) };
  }
  const database = await createTestDatabase();
  let store: Store;
  try {
    const { openPostgresStore } = await import('../../src/store/postgres/postgres-store.ts');
    store = await openPostgresStore({ url: database.url });
  } catch (err) {
    await database.drop();
    throw err;
  }
  return { kind, store, db: database.url, close: () => closeThen(store, database.drop) };
}

async function closeThen(store: Store, cleanup: () => Promise<void>): Promise<void> {
  try {
    await store.close();
  } finally {
    await cleanup();
  }
}

/**
 * The store itself, whose `close()` also removes its database: what the store contract's `open`
 * returns, since the suite closes what it opens and knows nothing else.
 */
export async function openOwnedStore(kind: StoreKind, options: { duckdbPath?: string } = {}): Promise<Store> {
  const opened = await openTestStore(kind, options);
  return new Proxy(opened.store, {
    get(target, property) {
      if (property === 'close') return opened.close;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
