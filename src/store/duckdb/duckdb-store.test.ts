/**
 * DuckDB-specific behaviour beyond the shared contract (test/contract/): arbitrary Unicode through
 * the load, request checks, retention, the write queue and close, the connection pool.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DeploymentRow, emptyRowColumns, pushRow, type RowColumns } from '../../domain/row.ts';
import { feedRowColumns } from '../../ingest/row-files.ts';
import type { ColumnarResult, LoadOutcome, LoadSink, Store } from '../store.ts';
import { openDuckDbStore } from './duckdb-store.ts';

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
const load = (store: Store, rows: readonly DeploymentRow[], partnerId = P, dates?: string[]) =>
  store.load({ partnerId, source: 'test', ...(dates === undefined ? {} : { dates }) }, (sink) =>
    feedRowColumns(cols(rows), 'test', sink),
  );
const page = async (store: Store, day: string, partnerId = P) =>
  (
    await store.deploymentPage({
      partnerId,
      processedDate: day,
      filter: null,
      groupBy: [],
      top: 10_000,
      skip: 0,
    })
  ).rows;
const snapshots = async (store: Store, partnerId = P) =>
  (await store.listSnapshots(partnerId)).map((s) => s.processedDate);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-duckdb-test-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * DuckDB's `lower` applies each code point's simple lower-case mapping; JavaScript's
 * `toLowerCase` the full one, which differs for U+0130 (İ → i̇) and a final Σ (→ ς).
 */
function simpleLowerCase(text: string): string {
  return [...text].map((c) => (c === '\u0130' ? 'i' : c.toLowerCase())).join('');
}

describe('openDuckDbStore', () => {
  it('round-trips arbitrary Unicode text through the load, trimmed', async () => {
    const store = await fresh();
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const control = fc.string({
      unit: fc.constantFrom('\t', '\n', '\r', '\u0000', '\\', '1', '5', '"', "'", ' ', '\uFEFF'),
      maxLength: 12,
    });
    // A value that trims to nothing is an error (see the contract suite), not a round trip.
    const values = fc
      .sample(fc.oneof(text, control), { numRuns: 400, seed: 20261121 })
      .filter((v) => v.trim() !== '');
    expect(values.length).toBeGreaterThan(300);
    const rows = values.map((v, i) => row('2026-03-02', i, { customerName: v, productName: v, channel: v }));
    expect(await load(store, rows)).toMatchObject({ ok: true, rows: values.length });
    const result = await page(store, '2026-03-02');
    const trimmed = values.map((v) => v.trim());
    for (const name of ['customerName', 'productName']) expect(column(result, name)).toEqual(trimmed);
    expect(column(result, 'channel')).toEqual(trimmed.map(simpleLowerCase));
  });

  it('refuses a `dates` entry that is no YYYY-MM-DD day, before staging anything', async () => {
    const store = await fresh();
    await load(store, [row('2026-03-01', 1)]);
    let fed = false;
    await expect(
      store.load({ partnerId: P, source: 'test', dates: ['03/02/2026'] }, async () => {
        fed = true;
      }),
    ).rejects.toThrow(RangeError);
    expect(fed).toBe(false);
    expect(await snapshots(store)).toEqual(['2026-03-01']);
  });

  it('deletes snapshots before a date, per partner or for all, and counts what went', async () => {
    const store = await fresh();
    const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
    await load(
      store,
      days.flatMap((d) => [row(d, 1), row(d, 2)]),
    );
    await load(
      store,
      days.map((d) => row(d, 1)),
      Q,
    );
    expect(await store.deleteSnapshotsBefore('2026-03-02', P)).toEqual({ snapshots: 1, rows: 2 });
    expect(await snapshots(store, P)).toEqual(['2026-03-03', '2026-03-02']);
    expect(await snapshots(store, Q)).toEqual(['2026-03-03', '2026-03-02', '2026-03-01']);
    expect(await store.deleteSnapshotsBefore('2026-03-03')).toEqual({ snapshots: 3, rows: 4 });
    expect(await snapshots(store, P)).toEqual(['2026-03-03']);
    expect(await snapshots(store, Q)).toEqual(['2026-03-03']);
    await expect(store.deleteSnapshotsBefore("2026-03-03' OR 1=1 --")).rejects.toThrow(RangeError);
    expect(await snapshots(store, P)).toEqual(['2026-03-03']);
  });

  it('refuses a duplicate key after deleting the snapshot it replaces, and rolls the delete back', async () => {
    const store = await fresh();
    await load(store, [row('2026-03-02', 1)]);
    const outcome = await load(store, [row('2026-03-02', 7), row('2026-03-02', 7, { channel: 'RESELLER' })]);
    expect(outcome).toEqual({
      ok: false,
      errors: [
        {
          file: 'test',
          line: 0,
          reason:
            'duplicate row for processed date 2026-03-02, customerTenantId 00000000-0000-4000-8000-000000000007, ' +
            'productId 6FD2C87F-B296-42F0-B197-1E91E994B900, channel "reseller"; first at test:0',
        },
      ],
      truncated: false,
    });
    expect(column(await page(store, '2026-03-02'), 'customerName')).toEqual(['Customer 1']);
    expect(await store.listSnapshots(P)).toMatchObject([{ processedDate: '2026-03-02', rows: 1 }]);
  });

  it('serves more concurrent reads than it has connections', async () => {
    const store = await fresh();
    await load(store, [row('2026-03-02', 1), row('2026-03-02', 2)]);
    const results = await Promise.all(Array.from({ length: 20 }, () => page(store, '2026-03-02')));
    for (const r of results) expect(column(r, 'licensesSold')).toEqual([2, 3]);
  });

  it('plans its kept statements again after a write: longer values and new rows read whole', async () => {
    const store = await fresh();
    const day = '2026-03-02';
    const filtered = (skip: number) =>
      store.deploymentPage({
        partnerId: P,
        processedDate: day,
        filter: {
          kind: 'comparison',
          field: 'serviceCode',
          op: 'eq',
          value: 'o365',
          span: { start: 0, end: 0 },
        },
        groupBy: [],
        top: 10,
        skip,
      });
    const grouped = () =>
      store.deploymentPage({
        partnerId: P,
        processedDate: day,
        filter: null,
        groupBy: ['customerName'],
        top: 10,
        skip: 0,
      });
    // Read (and planned) while the table holds short values only.
    await load(store, [row(day, 1, { customerName: 'A' })]);
    for (let i = 0; i < 3; i++) {
      expect(column((await filtered(0)).rows, 'customerName')).toEqual(['A']);
      expect((await grouped()).totalCount).toBe(1);
      expect(await store.catalog()).toEqual([]);
    }
    const long = 'Customer with a name far longer than any value the first plan saw 🎉';
    await load(store, [row(day, 1, { customerName: 'A' }), row(day, 2, { customerName: long })]);
    await store.upsertCatalog([
      {
        skuId: '6FD2C87F-B296-42F0-B197-1E91E994B900',
        partNumber: 'PART_LONG_NUMBER',
        displayName: long,
        productName: long,
        serviceCode: 'o365',
        serviceName: 'Microsoft Office 365',
      },
    ]);
    for (let i = 0; i < 3; i++) {
      const page = await filtered(0);
      expect(column(page.rows, 'customerName')).toEqual(['A', long]);
      expect(page.totalCount).toBe(2);
      expect(column((await grouped()).rows, 'customerName')).toEqual(['A', long]);
      expect((await store.catalog()).map((s) => s.displayName)).toEqual([long]);
    }
    // Pages past the end: no rows, the total still counted, whichever form the statement took.
    const past = { rows: expect.objectContaining({ rowCount: 0 }), totalCount: 2 };
    expect(await filtered(5)).toEqual(past);
    const plan = { partnerId: P, processedDate: day, filter: null, top: 10, skip: 5 };
    expect(await store.deploymentPage({ ...plan, groupBy: ['customerName'] })).toEqual(past);
    expect(await store.deploymentPage({ ...plan, groupBy: [] })).toEqual(past);
    expect(await store.deploymentPage({ ...plan, groupBy: [], top: 0, skip: 0 })).toEqual(past);
  });

  it('reads the latest snapshot again once a write moved the generation on', async () => {
    const store = await fresh();
    expect(await store.latestSnapshot(P)).toBeNull();
    await load(store, [row('2026-03-01', 1)]);
    expect(await store.latestSnapshot(P)).toBe('2026-03-01');
    await load(store, [row('2026-03-03', 1)]);
    expect(await Promise.all([store.latestSnapshot(P), store.latestSnapshot(Q)])).toEqual([
      '2026-03-03',
      null,
    ]);
    await store.deleteSnapshotsBefore('2026-03-04', P);
    expect(await store.latestSnapshot(P)).toBeNull();
  });

  it('runs one write at a time: a load starts feeding only when the previous write is done', async () => {
    const store = await fresh();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const feed =
      (name: string, day: string, wait?: Promise<void>) =>
      async (sink: LoadSink): Promise<void> => {
        events.push(`${name} starts`);
        await wait;
        await feedRowColumns(cols([row(day, 1)]), name, sink);
        events.push(`${name} ends`);
      };
    const first = store.load({ partnerId: P, source: 'first' }, feed('first', '2026-03-01', gate));
    const second = store.load({ partnerId: P, source: 'second' }, feed('second', '2026-03-02'));
    const retention = store.deleteSnapshotsBefore('2026-03-02', P).then((r) => {
      events.push('retention');
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual(['first starts']);
    // Reads are not queued behind the write.
    expect(await snapshots(store)).toEqual([]);
    release();
    expect(await first).toMatchObject({ ok: true, dates: ['2026-03-01'] });
    expect(await second).toMatchObject({ ok: true, dates: ['2026-03-02'] });
    expect(await retention).toEqual({ snapshots: 1, rows: 1 });
    expect(events).toEqual(['first starts', 'first ends', 'second starts', 'second ends', 'retention']);
    expect(await snapshots(store)).toEqual(['2026-03-02']);
  });

  it('keeps writing after a write that failed', async () => {
    const store = await fresh();
    const failing = store.load({ partnerId: P, source: 'test' }, async () => {
      throw new Error('source gone');
    });
    const next = load(store, [row('2026-03-02', 1)]);
    await expect(failing).rejects.toThrow('source gone');
    expect(await next).toMatchObject({ ok: true, rows: 1 });
  });

  it('close waits for queued writes, then refuses new work', async () => {
    const path = join(dir, `s${n++}.duckdb`);
    const store = await openDuckDbStore({ path });
    const loads: Promise<LoadOutcome>[] = ['2026-03-01', '2026-03-02', '2026-03-03'].map((d) =>
      load(store, [row(d, 1), row(d, 2)]),
    );
    const closed = store.close();
    await expect(load(store, [row('2026-03-04', 1)])).rejects.toThrow('the store is closed');
    for (const outcome of await Promise.all(loads)) expect(outcome).toMatchObject({ ok: true, rows: 2 });
    await closed;
    await expect(store.latestSnapshot(P)).rejects.toThrow('the store is closed');

    const reopened = await openDuckDbStore({ path, readOnly: true });
    opened.push(reopened);
    expect(await snapshots(reopened)).toEqual(['2026-03-03', '2026-03-02', '2026-03-01']);
  });

  it('refuses a CSV file that mixes line endings as a whole, naming line 0', async () => {
    const store = await fresh();
    await load(store, [row('2026-03-02', 1)]);
    const header =
      'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold';
    const line = (i: number) =>
      `2026-03-02,o365,S,reseller,00000000-0000-4000-8000-00000000000${i},N,6FD2C87F-B296-42F0-B197-1E91E994B900,P,1,2`;
    const path = join(dir, 'mixed.csv');
    await writeFile(path, `${header}\r\n${line(2)}\n${line(3)}\r\n`);
    const outcome = await store.load({ partnerId: P, source: 'test' }, (sink) =>
      sink.csvFile(path, 'mixed.csv'),
    );
    expect(outcome).toEqual({
      ok: false,
      errors: [
        {
          file: 'mixed.csv',
          line: 0,
          reason:
            'cannot read this file as CSV: it mixes line endings (LF and CRLF) or holds a stray carriage return; save it with one kind of line ending',
        },
      ],
      truncated: false,
    });
    expect(column(await page(store, '2026-03-02'), 'customerName')).toEqual(['Customer 1']);
  });

  it('refuses writes when read-only', async () => {
    const path = join(dir, 'ro.duckdb');
    await (await openDuckDbStore({ path })).close();
    const store = await openDuckDbStore({ path, readOnly: true });
    opened.push(store);
    await expect(store.deleteSnapshotsBefore('2026-03-02')).rejects.toThrow(/read-only/);
    await expect(load(store, [row('2026-03-02', 1)])).rejects.toThrow(/read-only/);
    await expect(store.upsertCatalog([])).rejects.toThrow(/read-only/);
    expect(await snapshots(store)).toEqual([]);
  });
});
