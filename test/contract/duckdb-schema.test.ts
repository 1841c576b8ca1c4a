/**
 * Schema versions of the DuckDB store, against a file written by release 0.1.0 (made as
 * test/fixtures/schema/README.md says): it opens, is migrated to the current version and serves
 * the rows of the CSV files it was made from; a file from a newer Seatwise and a read-only open of
 * an unmigrated file are refused and leave the file as it was.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { issueLocalToken, keyPathFor, loadOrCreateIssuerKey } from '../../src/auth/local-issuer.ts';
import { PARTNER_CENTER_AUDIENCE } from '../../src/auth/principal.ts';
import { createTokenVerifier } from '../../src/auth/verify.ts';
import type { DeploymentRow } from '../../src/domain/row.ts';
import { buildApp } from '../../src/http/app.ts';
import { DeploymentService } from '../../src/service/deployment-service.ts';
import { InsightsService } from '../../src/service/insights-service.ts';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { SCHEMA_TABLE, SCHEMA_VERSION, SchemaVersionError } from '../../src/store/schema-version.ts';
import { VERSION } from '../../src/version.ts';
import { canonicalOrder, compareBytes } from '../fixtures/contract-rows.ts';
import { E5, type Page, wireRow } from '../support/wire.ts';
import { allRows, expectedGroups, pageRow, plan, rowsOf } from './contract-helpers.ts';

const FIXTURES = new URL('../fixtures/schema/', import.meta.url);
const FIXTURE_DB = new URL('seatwise-0.1.0.duckdb', FIXTURES);

/** The partners and the files imported for each (README.md). */
const PARTNER_A = '3F2C8A10-7B4E-4D21-9C5A-0E6B1D2F3A41';
const PARTNER_B = '8E7D6C5B-4A39-4281-B7C6-D5E4F3A2B190';
/** When 0.1.0 imported each partner's file, as `seatwise snapshots` shows it (whole seconds, UTC). */
const IMPORTED_AT: Record<string, string> = {
  [PARTNER_A]: '2026-11-30T21:52:04Z',
  [PARTNER_B]: '2026-11-30T21:52:05Z',
};

function csvRecords(name: string): Record<string, string>[] {
  return parse(readFileSync(new URL(name, FIXTURES)), { columns: true, bom: true }) as Record<
    string,
    string
  >[];
}

/** The CSV files hold every value in its stored form already, so a row is its record, typed. */
function csvRows(name: string): DeploymentRow[] {
  return csvRecords(name).map((r) => ({
    processedDate: r.processedDateTime!,
    serviceCode: r.serviceCode!,
    serviceName: r.serviceName!,
    channel: r.channel!,
    customerTenantId: r.customerTenantId!,
    customerName: r.customerName!,
    productId: r.productId!,
    productName: r.productName!,
    licensesDeployed: Number(r.licensesDeployed),
    licensesSold: Number(r.licensesSold),
  }));
}

const INPUT: Record<string, DeploymentRow[]> = {
  [PARTNER_A]: csvRows('seatwise-0.1.0-rows.csv'),
  [PARTNER_B]: csvRows('seatwise-0.1.0-rows-b.csv'),
};

const datesOf = (rows: readonly DeploymentRow[]): string[] =>
  [...new Set(rows.map((r) => r.processedDate))].sort().reverse();

function expectedSnapshots(partnerId: string) {
  const rows = INPUT[partnerId]!;
  return datesOf(rows).map((date) => {
    const day = rows.filter((r) => r.processedDate === date);
    return {
      processedDate: date,
      rows: day.length,
      customers: new Set(day.map((r) => r.customerTenantId)).size,
      products: new Set(day.map((r) => r.productId)).size,
      importedAt: IMPORTED_AT[partnerId],
      source: 'import rows',
      missingCustomers: [],
    };
  });
}

const dir = mkdtempSync(join(tmpdir(), 'seatwise-schema-'));
let next = 0;

/** A fresh copy of the 0.1.0 file. */
function fixtureCopy(): string {
  const path = join(dir, `copy-${next++}.duckdb`);
  copyFileSync(FIXTURE_DB, path);
  return path;
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface VersionRow {
  version: number;
  description: string;
  seatwise_version: string;
  applied_at: string;
}

/** Reads a file with DuckDB itself, past the store. */
async function withDuckDb<T>(path: string, fn: (run: (sql: string) => Promise<unknown[]>) => Promise<T>) {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    return await fn(async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson());
  } finally {
    connection.disconnectSync();
    instance.closeSync();
  }
}

const versionRows = (path: string): Promise<VersionRow[]> =>
  withDuckDb(path, (run) => run(`SELECT * FROM ${SCHEMA_TABLE} ORDER BY version`) as Promise<VersionRow[]>);

const tableNames = (path: string): Promise<string[]> =>
  withDuckDb(path, async (run) =>
    (
      (await run('SELECT table_name FROM duckdb_tables() ORDER BY table_name')) as { table_name: string }[]
    ).map((r) => r.table_name),
  );

describe('a DuckDB file written by Seatwise 0.1.0', () => {
  it('is release 0.1.0 layout: no version table', async () => {
    const path = fixtureCopy();
    expect(await tableNames(path)).toEqual(['deployment', 'sku_catalog', 'snapshots']);
  });

  it('opens, is migrated to the current version, and records versions 1 to 6', async () => {
    const path = fixtureCopy();
    const started = Date.now();
    const store = await openDuckDbStore({ path });
    await store.close();
    expect(SCHEMA_VERSION).toBe(6);
    const rows = await versionRows(path);
    expect(rows.map((r) => [r.version, r.seatwise_version])).toEqual([
      [1, VERSION],
      [2, VERSION],
      [3, VERSION],
      [4, VERSION],
      [5, VERSION],
      [6, VERSION],
    ]);
    expect(rows[0]!.description).toMatch(/^the layout of release 0\.1\.0.*found in place/);
    expect(rows[1]!.description).toBe(`the version table, ${SCHEMA_TABLE}`);
    expect(rows[2]!.description).toBe('subscriptions: Partner Center subscriptions stored with a snapshot');
    expect(rows[3]!.description).toBe('collection_runs: the outcome of each scheduled collection run');
    expect(rows[4]!.description).toBe(
      "prices and alert_state: the partner's unit prices and the alerts that fired",
    );
    expect(await tableNames(path)).toEqual([
      'alert_state',
      'collection_runs',
      'deployment',
      'prices',
      SCHEMA_TABLE,
      'sku_catalog',
      'snapshots',
      'subscriptions',
    ]);
    for (const r of rows) {
      // applied_at is UTC with no zone; it falls within this test.
      const at = Date.parse(`${r.applied_at.replace(' ', 'T')}Z`);
      expect(at).toBeGreaterThanOrEqual(started - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    }
  });

  it('serves the rows of the CSV files it was made from', async () => {
    const store = await openDuckDbStore({ path: fixtureCopy() });
    try {
      for (const partnerId of [PARTNER_A, PARTNER_B]) {
        const input = INPUT[partnerId]!;
        expect(await store.listSnapshots(partnerId)).toEqual(expectedSnapshots(partnerId));
        expect(await store.latestSnapshot(partnerId)).toBe(datesOf(input)[0]);
        for (const date of datesOf(input)) {
          const day = input.filter((r) => r.processedDate === date);
          expect(await allRows(store, partnerId, date)).toEqual(canonicalOrder(day).map(pageRow));
          const grouped = await store.deploymentPage(
            plan(partnerId, date, { groupBy: ['customerName', 'channel'] }),
          );
          expect(rowsOf(grouped.rows)).toEqual(expectedGroups(day, ['customerName', 'channel']));
          // 0.1.0 stored no subscriptions; the table version 3 added is there, and empty.
          expect(await store.listSubscriptions(partnerId, date)).toEqual([]);
          expect(await store.listCollectionRuns(partnerId, 10)).toEqual([]);
          expect(await store.listPrices(partnerId)).toEqual([]);
        }
      }
      expect(await store.catalog()).toEqual(
        csvRecords('seatwise-0.1.0-catalog.csv')
          .map((r) => ({
            skuId: r.GUID,
            partNumber: r.String_Id,
            displayName: r.Product_Display_Name,
            productName: r.Product_Display_Name!.toUpperCase(),
            serviceCode: r.ServiceCode,
            serviceName: r.ServiceName,
          }))
          .sort((a, b) => compareBytes(a.skuId!, b.skuId!)),
      );
      // École Dupont: the non-ASCII name came through 0.1.0's load and the migration intact.
      expect((await allRows(store, PARTNER_A, '2026-03-01')).map((r) => r.customerName)).toContain(
        'École Dupont',
      );
    } finally {
      await store.close();
    }
  });

  it('is served over HTTP once migrated', async () => {
    const path = fixtureCopy();
    const store = await openDuckDbStore({ path });
    const key = await loadOrCreateIssuerKey(keyPathFor(path));
    const app = await buildApp({
      service: new DeploymentService(store),
      insights: new InsightsService(store),
      gate: {
        verify: createTokenVerifier({ localKey: key, issuers: [], audience: PARTNER_CENTER_AUDIENCE }),
        policy: { allowedRoles: null },
        limiter: null,
      },
      serverId: '102030524',
      byteOrderMark: false,
      logLevel: 'silent',
      version: 'test',
      storeName: store.kind,
    });
    try {
      await app.ready();
      const token = await issueLocalToken(key, {
        partnerId: PARTNER_A,
        appOnly: false,
        roles: [],
        expiresInSeconds: 3600,
      });
      const res = await app.inject({ method: 'GET', url: E5, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, res.body).toBe(200);
      const page = JSON.parse(res.body) as Page;
      const latest = INPUT[PARTNER_A]!.filter((r) => r.processedDate === '2026-03-02');
      expect(page.Value).toEqual(canonicalOrder(latest).map((r) => wireRow(r)));
      expect(page.TotalCount).toBe(latest.length);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('is not migrated again when reopened', async () => {
    const path = fixtureCopy();
    await (await openDuckDbStore({ path })).close();
    const first = await versionRows(path);
    await (await openDuckDbStore({ path })).close();
    await (await openDuckDbStore({ path, readOnly: true })).close();
    expect(await versionRows(path)).toEqual(first);
    expect(first).toHaveLength(SCHEMA_VERSION);
  });

  it('is refused, unchanged, by a read-only open before it is migrated', async () => {
    const path = fixtureCopy();
    const before = readFileSync(path);
    const open = openDuckDbStore({ path, readOnly: true });
    await expect(open).rejects.toThrow(SchemaVersionError);
    await expect(open).rejects.toThrow(
      `${path} has schema version 1, from an older Seatwise (Seatwise ${VERSION} reads version 6), and a ` +
        'read-only open does not migrate. Open it once without read-only so that it is migrated',
    );
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe('schema versions of a DuckDB file', () => {
  it('a new file gets the current version, every step recorded as applied', async () => {
    const path = join(dir, `fresh-${next++}.duckdb`);
    await (await openDuckDbStore({ path })).close();
    const rows = await versionRows(path);
    expect(rows.map((r) => [r.version, r.seatwise_version])).toEqual([
      [1, VERSION],
      [2, VERSION],
      [3, VERSION],
      [4, VERSION],
      [5, VERSION],
      [6, VERSION],
    ]);
    expect(rows[0]!.description).toBe('the layout of release 0.1.0: deployment, snapshots, sku_catalog');
    expect(await tableNames(path)).toEqual([
      'alert_state',
      'collection_runs',
      'deployment',
      'prices',
      SCHEMA_TABLE,
      'sku_catalog',
      'snapshots',
      'subscriptions',
    ]);
  });

  it('a file from a newer Seatwise is refused before anything is written, writable or read-only', async () => {
    const path = fixtureCopy();
    await (await openDuckDbStore({ path })).close();
    await withDuckDb(path, async (run) => {
      await run(
        `INSERT INTO ${SCHEMA_TABLE} VALUES (99, 'from the future', '99.0.0', TIMESTAMP '2030-01-01 00:00:00')`,
      );
      await run("DELETE FROM snapshots WHERE processed_date = DATE '2026-03-01'");
      await run('CHECKPOINT');
    });
    const before = readFileSync(path);
    const message =
      `${path} was written by a newer Seatwise (schema version 99); Seatwise ${VERSION} understands ` +
      'schema versions up to 6. Upgrade Seatwise to open it, or point --db at another database.';
    for (const readOnly of [false, true]) {
      const open = openDuckDbStore({ path, readOnly });
      await expect(open).rejects.toThrow(SchemaVersionError);
      await expect(open).rejects.toThrow(message);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect((await versionRows(path)).map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 99]);
  });

  it('a file holding only some of Seatwise’s tables and no version table is refused', async () => {
    const path = join(dir, `foreign-${next++}.duckdb`);
    await withDuckDb(path, (run) => run('CREATE TABLE deployment (x INTEGER)'));
    await expect(openDuckDbStore({ path })).rejects.toThrow(
      `${path} holds the table(s) deployment but not snapshots, sku_catalog and no ${SCHEMA_TABLE} table`,
    );
    expect(await tableNames(path)).toEqual(['deployment']);
  });
});
