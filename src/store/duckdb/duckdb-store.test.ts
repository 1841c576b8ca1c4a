/**
 * DuckDB-specific behaviour beyond the shared contract (test/contract/): the staging format's
 * round trip over arbitrary Unicode, empty snapshots, retention, typed duplicate errors, the
 * connection pool.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DeploymentRow, emptyRowColumns, pushRow, type RowColumns } from '../../domain/row.ts';
import { compileDeploymentPage, compileLatestSnapshot, compileSnapshotList } from '../../sql/compile.ts';
import type { ColumnarResult, Store } from '../store.ts';
import { openDuckDbStore } from './duckdb-store.ts';
import { DuplicateRowError } from './replace-snapshots.ts';

const P = 'A0000000-0000-4000-8000-00000000000A';
const Q = 'B0000000-0000-4000-8000-00000000000B';

function row(day: string, i: number, overrides: Partial<DeploymentRow> = {}): DeploymentRow {
  return {
    processedDate: day,
    serviceCode: 'o365',
    serviceName: 'Microsoft Office 365',
    channel: 'reseller',
    customerTenantId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    customerName: `Customer ${i}`,
    productId: '6FD2C87F-B296-42F0-B197-1E91E994B900',
    productName: 'OFFICE 365 E3',
    licensesDeployed: i,
    licensesSold: i + 1,
    ...overrides,
  };
}

function cols(rows: readonly DeploymentRow[]): RowColumns {
  const c = emptyRowColumns();
  for (const r of rows) pushRow(c, r);
  return c;
}

const column = (r: ColumnarResult, name: string) => r.columns[name] ?? [];

let dir: string;
let n = 0;
const opened: Store[] = [];
async function fresh(): Promise<Store> {
  const store = await openDuckDbStore({ path: join(dir, `s${n++}.duckdb`) });
  opened.push(store);
  return store;
}
const page = (store: Store, day: string, partnerId = P) =>
  store.select(
    compileDeploymentPage(
      { partnerId, processedDate: day, filter: null, groupBy: [], top: 10_000, skip: 0 },
      store.dialect,
    ),
  );
const snapshots = async (store: Store, partnerId = P) =>
  column(await store.select(compileSnapshotList(partnerId, store.dialect)), 'processedDate');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-duckdb-test-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openDuckDbStore', () => {
  it('round-trips arbitrary Unicode text exactly through the staging file', async () => {
    const store = await fresh();
    // A leading U+FEFF is dropped by the driver's TextDecoder on read (see test/contract/duckdb.test.ts).
    const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.startsWith('\uFEFF'));
    const control = fc.string({
      unit: fc.constantFrom('\t', '\n', '\r', '\u0000', '\\', '1', '5', '"', "'"),
      maxLength: 12,
    });
    const values = fc.sample(fc.oneof(text, control), { numRuns: 400, seed: 20261121 });
    const rows = values.map((v, i) => row('2026-03-02', i, { customerName: v, productName: v, channel: v }));
    await store.replaceSnapshots([{ partnerId: P, rows: cols(rows) }]);
    const result = await page(store, '2026-03-02');
    for (const name of ['customerName', 'productName', 'channel'])
      expect(column(result, name)).toEqual(values);
  });

  it('replaces a snapshot listed in `dates` with an empty one', async () => {
    const store = await fresh();
    await store.replaceSnapshots([
      { partnerId: P, rows: cols([row('2026-03-01', 1), row('2026-03-02', 2)]) },
    ]);
    const result = await store.replaceSnapshots([
      { partnerId: P, rows: emptyRowColumns(), dates: ['2026-03-02'] },
    ]);
    expect(result).toEqual({ rows: 0, dates: ['2026-03-02'] });
    expect((await page(store, '2026-03-02')).rowCount).toBe(0);
    expect((await page(store, '2026-03-01')).rowCount).toBe(1);
    const latest = await store.select(compileLatestSnapshot(P, store.dialect));
    expect(column(latest, 'processedDate')).toEqual(['2026-03-02']);
    const list = await store.select(compileSnapshotList(P, store.dialect));
    expect(column(list, 'rowCount')).toEqual([0, 1]);
    await expect(
      store.replaceSnapshots([{ partnerId: P, rows: emptyRowColumns(), dates: ['03/02/2026'] }]),
    ).rejects.toThrow(/not a date/);
  });

  it('deletes snapshots before a date, per partner or for all, and counts what went', async () => {
    const store = await fresh();
    const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
    await store.replaceSnapshots([
      { partnerId: P, rows: cols(days.flatMap((d) => [row(d, 1), row(d, 2)])) },
      { partnerId: Q, rows: cols(days.map((d) => row(d, 1))) },
    ]);
    expect(await store.deleteSnapshotsBefore('2026-03-02', P)).toEqual({ snapshots: 1, rows: 2 });
    expect(await snapshots(store, P)).toEqual(['2026-03-03', '2026-03-02']);
    expect(await snapshots(store, Q)).toEqual(['2026-03-03', '2026-03-02', '2026-03-01']);
    expect(await store.deleteSnapshotsBefore('2026-03-03')).toEqual({ snapshots: 3, rows: 4 });
    expect(await snapshots(store, P)).toEqual(['2026-03-03']);
    expect(await snapshots(store, Q)).toEqual(['2026-03-03']);
    await expect(store.deleteSnapshotsBefore("2026-03-03' OR 1=1 --")).rejects.toThrow(RangeError);
  });

  it('reports a duplicate key as a DuplicateRowError naming it, and changes nothing', async () => {
    const store = await fresh();
    await store.replaceSnapshots([{ partnerId: P, rows: cols([row('2026-03-02', 1)]) }]);
    const load = store.replaceSnapshots([
      { partnerId: P, rows: cols([row('2026-03-02', 7), row('2026-03-02', 7)]) },
    ]);
    await expect(load).rejects.toBeInstanceOf(DuplicateRowError);
    await expect(load).rejects.toThrow(/00000000-0000-4000-8000-000000000007/);
    expect(column(await page(store, '2026-03-02'), 'customerName')).toEqual(['Customer 1']);
  });

  it('serves more concurrent reads than it has connections', async () => {
    const store = await fresh();
    await store.replaceSnapshots([
      { partnerId: P, rows: cols([row('2026-03-02', 1), row('2026-03-02', 2)]) },
    ]);
    const results = await Promise.all(Array.from({ length: 20 }, () => page(store, '2026-03-02')));
    for (const r of results) expect(column(r, 'licensesSold')).toEqual([2, 3]);
  });

  it('refuses writes when read-only', async () => {
    const path = join(dir, 'ro.duckdb');
    await (await openDuckDbStore({ path })).close();
    const store = await openDuckDbStore({ path, readOnly: true });
    opened.push(store);
    await expect(store.deleteSnapshotsBefore('2026-03-02')).rejects.toThrow(/read-only/);
    await expect(
      store.replaceSnapshots([{ partnerId: P, rows: cols([row('2026-03-02', 1)]) }]),
    ).rejects.toThrow(/read-only/);
  });
});
