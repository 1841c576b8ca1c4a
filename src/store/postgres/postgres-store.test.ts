/**
 * What only the PostgreSQL adapter has to prove (the shared behaviour is the store contract's):
 * several processes on one database, its locks, schema versions, the issuer key, passwords.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_1, PARTNER_A, PARTNER_B, toColumns } from '../../../test/fixtures/contract-rows.ts';
import { loadColumns } from '../../../test/support/load.ts';
import { dayPartitions } from '../../../test/support/pg-sql.ts';
import {
  createTestDatabase,
  probePostgres,
  type TestDatabase,
  warnPostgresSkipped,
} from '../../../test/support/postgres.ts';
import { e3Customers, rowValues } from '../../../test/support/row-csv.ts';
import { scratchDir } from '../../../test/support/test-files.ts';
import { feedRowFiles } from '../../ingest/row-files.ts';
import { SCHEMA_VERSION } from '../schema-version.ts';
import type { Store } from '../store.ts';
import { openPostgresStore } from './postgres-store.ts';

const probe = await probePostgres();
const absent = probe.state === 'absent';
if (probe.state === 'absent') warnPostgresSkipped(probe);

const { rows, csvFor } = e3Customers('0A0A0A0A');

describe.skipIf(absent)('postgres store', () => {
  let db: TestDatabase;
  let store: Store;
  let admin: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await openPostgresStore({ url: db.url });
    admin = new pg.Client(db.url);
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await store?.close();
    await db?.drop();
  });

  it('records its schema version and opens again without migrating twice', async () => {
    const again = await openPostgresStore({ url: db.url });
    await again.close();
    const r = await admin.query('SELECT version, seatwise_version FROM seatwise_schema ORDER BY version');
    // A new database starts at 2 (the first release that speaks PostgreSQL), then every later step.
    expect(r.rows.map((row) => row.version)).toEqual([2, 3, 4, 5, SCHEMA_VERSION]);
  });

  it('creates a day partition without waiting for a load that holds the table', async () => {
    await loadColumns(store, PARTNER_A, toColumns(rows(DAY_1, 3, 5, 'First')));
    const holder = new pg.Client(db.url);
    await holder.connect();
    try {
      // An open transaction writing to deployment, as a long load would.
      await holder.query('BEGIN');
      await holder.query(
        "INSERT INTO deployment SELECT 'HOLDER', processed_date, ord, service_code, service_name, channel," +
          ' customer_tenant_id, customer_name, product_id, product_name, licenses_deployed, licenses_sold' +
          ' FROM deployment WHERE processed_date = $1',
        [DAY_1],
      );
      const started = Date.now();
      const loaded = await loadColumns(store, PARTNER_B, toColumns(rows('2026-07-04', 2, 3, 'Other')));
      expect(loaded.dates).toEqual(['2026-07-04']);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await store.latestSnapshot(PARTNER_B)).toBe('2026-07-04');
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(await dayPartitions(db.url)).toEqual(['deployment_p20260301', 'deployment_p20260704']);
  });

  it('never mixes two concurrent loads of one partner and day: the second waits, then replaces', async () => {
    const a = rows(DAY_1, 1500, 10, 'Alpha');
    const b = rows(DAY_1, 1200, 20, 'Beta');
    const other = await openPostgresStore({ url: db.url });
    try {
      const [ra, rb] = await Promise.all([
        loadColumns(store, PARTNER_A, toColumns(a)),
        loadColumns(other, PARTNER_A, toColumns(b)),
      ]);
      expect([ra.rows, rb.rows].sort()).toEqual([1200, 1500]);
    } finally {
      await other.close();
    }
    const r = await admin.query<{ n: string; names: string[]; sold: string }>(
      "SELECT count(*) AS n, array_agg(DISTINCT split_part(customer_name, ' ', 1)) AS names, sum(licenses_sold) AS sold" +
        ' FROM deployment WHERE partner_id = $1 AND processed_date = $2',
      [PARTNER_A, DAY_1],
    );
    const row = r.rows[0]!;
    const expected =
      row.names[0] === 'Alpha'
        ? { n: '1500', sold: String(1500 * 10) }
        : { n: '1200', sold: String(1200 * 20) };
    expect(row.names).toHaveLength(1);
    expect({ n: row.n, sold: row.sold }).toEqual(expected);
    const [snapshot] = (await store.listSnapshots(PARTNER_A)).filter((s) => s.processedDate === DAY_1);
    expect(snapshot?.rows).toBe(Number(expected.n));
  });

  it('refuses a value holding U+0000 with its file and line, and changes nothing', async () => {
    const before = await store.listSnapshots(PARTNER_A);
    const good = rows(DAY_1, 2, 4, 'Fine');
    const outcome = await store.load({ partnerId: PARTNER_A, source: 'test' }, (sink) =>
      sink.rows('rows.json', [
        { line: 6, values: rowValues(good[0]!) },
        { line: 7, values: rowValues({ ...good[1]!, customerName: 'nul\u0000inside' }) },
      ]),
    );
    expect(outcome).toEqual({
      ok: false,
      truncated: false,
      errors: [
        {
          file: 'rows.json',
          line: 7,
          reason:
            'customerName holds the character U+0000, which PostgreSQL cannot store; remove it from the value',
        },
      ],
    });
    expect(await store.listSnapshots(PARTNER_A)).toEqual(before);
  });

  it("stages a load in tables of its own that it drops, and a store opening drops a dead load's", async () => {
    const staging = async () =>
      (
        await admin.query<{ name: string }>(
          "SELECT relname AS name FROM pg_class WHERE relname LIKE 'seatwise\\_load\\_%' ORDER BY relname",
        )
      ).rows.map((r) => r.name);
    const files = await scratchDir();
    try {
      const csv = await files.write('day.csv', csvFor(DAY_1, 4, 3, 'Staged'));
      const outcome = await store.load({ partnerId: PARTNER_B, source: 'test' }, (sink) =>
        feedRowFiles([csv], sink),
      );
      expect(outcome).toMatchObject({ ok: true, rows: 4, customers: 4, products: 1 });
    } finally {
      await files.remove();
    }
    expect(await staging()).toEqual([]);

    // What a load killed with its connection leaves, and what a running load has.
    const dead = new pg.Client(db.url);
    await dead.connect();
    const deadPid = (await dead.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await dead.query(`CREATE UNLOGGED TABLE seatwise_load_${deadPid}_rows (x text)`);
    await dead.end();
    const livePid = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await admin.query(`CREATE UNLOGGED TABLE seatwise_load_${livePid}_rows (x text)`);
    while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [deadPid])).rowCount) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await staging()).toEqual(
      [`seatwise_load_${deadPid}_rows`, `seatwise_load_${livePid}_rows`].sort(),
    );

    const again = await openPostgresStore({ url: db.url });
    await again.close();
    expect(await staging()).toEqual([`seatwise_load_${livePid}_rows`]);
    await admin.query(`DROP TABLE seatwise_load_${livePid}_rows`);
  });

  it('keeps one issuer key, even when first asked for it twice at once', async () => {
    const [one, two] = await Promise.all([
      store.issuerKey!('{"candidate":1}'),
      store.issuerKey!('{"candidate":2}'),
    ]);
    expect(one).toBe(two);
    expect(['{"candidate":1}', '{"candidate":2}']).toContain(one);
    expect(await store.issuerKey!('{"candidate":3}')).toBe(one);
  });

  it('refuses a database written by a newer Seatwise, before changing it', async () => {
    const newer = await createTestDatabase();
    try {
      const s = await openPostgresStore({ url: newer.url });
      await s.close();
      const c = new pg.Client(newer.url);
      await c.connect();
      try {
        await c.query(
          "INSERT INTO seatwise_schema (version, description, seatwise_version) VALUES (99, 'future', '9.0.0')",
        );
        await expect(openPostgresStore({ url: newer.url })).rejects.toThrow(
          /was written by a newer Seatwise \(schema version 99\); Seatwise .* understands schema versions up to 6\. Upgrade Seatwise/,
        );
        const versions = await c.query('SELECT version FROM seatwise_schema ORDER BY version');
        expect(versions.rows.map((r) => r.version)).toEqual([2, 3, 4, 5, SCHEMA_VERSION, 99]);
      } finally {
        await c.end();
      }
    } finally {
      await newer.drop();
    }
  });

  it('names neither the password of an unreachable server nor of a missing database', async () => {
    /** The error opening the test database with a password and `change`d, or 'opened'. */
    const openingWith = (change: (url: URL) => void): Promise<string> => {
      const url = new URL(db.url);
      url.password = 'pa55-w0rd-secret';
      change(url);
      return openPostgresStore({ url: url.toString() }).then(
        () => 'opened',
        (err: Error) => err.message,
      );
    };
    const refused = await openingWith((url) => {
      url.port = '1';
    });
    expect(refused).toMatch(/^cannot reach PostgreSQL at postgres:\/\/.*:\*\*\*@.*; check the host and port/);
    expect(refused).not.toContain('pa55-w0rd-secret');
    const message = await openingWith((url) => {
      url.pathname = '/seatwise_no_such_database';
    });
    expect(message).toContain('database "seatwise_no_such_database" does not exist');
    expect(message).toContain('create it first');
    expect(message).not.toContain('pa55-w0rd-secret');
  });
});
