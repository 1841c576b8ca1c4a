/**
 * Write half of the store contract: `replaceSnapshots` replaces exactly the (partner, date)
 * snapshots it is given, atomically, one load at a time. Each case opens its own fresh store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type DeploymentRow, emptyRowColumns, type RowColumns } from '../../src/domain/row.ts';
import { compileDeploymentPage, compileLatestSnapshot, compileSnapshotList } from '../../src/sql/compile.ts';
import type { SnapshotLoad, Store } from '../../src/store/store.ts';
import {
  CUSTOMER,
  canonicalOrder,
  DAY_1,
  DAY_2,
  PARTNER_A,
  PARTNER_A_ROWS,
  PARTNER_B,
  PARTNER_B_ROWS,
  PRODUCT,
  toColumns,
} from '../fixtures/contract-rows.ts';
import { dump, pageRow, plan, rowsOf } from './contract-helpers.ts';

const FIXTURE_LOADS: readonly SnapshotLoad[] = [
  { partnerId: PARTNER_A, rows: toColumns(PARTNER_A_ROWS) },
  { partnerId: PARTNER_B, rows: toColumns(PARTNER_B_ROWS) },
];

function simpleRow(
  day: string,
  customer: string,
  product: string,
  channel: string,
  n: number,
): DeploymentRow {
  return {
    processedDate: day,
    serviceCode: 'o365',
    serviceName: 'Microsoft Office 365',
    channel,
    customerTenantId: customer,
    customerName: `Customer ${customer.slice(0, 2)}`,
    productId: product,
    productName: 'OFFICE 365 E3',
    licensesDeployed: n,
    licensesSold: n + 1,
  };
}

function corrupt(
  rows: RowColumns,
  edit: (cols: { -readonly [K in keyof RowColumns]: RowColumns[K] }) => void,
): RowColumns {
  const copy = { ...emptyRowColumns() } as { -readonly [K in keyof RowColumns]: RowColumns[K] };
  for (const key of Object.keys(rows) as (keyof RowColumns)[]) (copy[key] as unknown[]) = [...rows[key]];
  edit(copy);
  return copy;
}

export function describeWrites(open: () => Promise<Store>): void {
  describe('replaceSnapshots', () => {
    const opened: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const store = await open();
      opened.push(store);
      await store.replaceSnapshots(FIXTURE_LOADS);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const latest = async (store: Store, partner: string) =>
      rowsOf(await store.select(compileLatestSnapshot(partner, store.dialect)))[0]?.processedDate;

    it('numbers rows 0..n-1 per snapshot in canonical order', async () => {
      const store = await fresh();
      const { deployment } = await dump(store);
      for (const [partner, rows] of [
        [PARTNER_A, PARTNER_A_ROWS],
        [PARTNER_B, PARTNER_B_ROWS],
      ] as const) {
        for (const day of [DAY_1, DAY_2]) {
          const stored = deployment.filter((r) => r.partner_id === partner && r.day === day);
          const expected = canonicalOrder(rows.filter((r) => r.processedDate === day));
          expect(stored.map((r) => r.ord)).toEqual(expected.map((_, i) => i));
          expect(stored.map((r) => r.customer_name)).toEqual(expected.map((r) => r.customerName));
        }
      }
    });

    it('replaces only the (partner, date) snapshots present and keeps every other one', async () => {
      const store = await fresh();
      const before = await dump(store);
      const replacement = [
        simpleRow(DAY_2, CUSTOMER.tokyo, PRODUCT.e3, 'reseller', 7),
        simpleRow(DAY_2, CUSTOMER.oneil, PRODUCT.e3, 'direct', 3),
      ];
      expect(await store.replaceSnapshots([{ partnerId: PARTNER_A, rows: toColumns(replacement) }])).toEqual({
        rows: 2,
        dates: [DAY_2],
      });
      const after = await dump(store);
      const untouched = (r: Record<string, unknown>) => !(r.partner_id === PARTNER_A && r.day === DAY_2);
      expect(after.deployment.filter(untouched)).toEqual(before.deployment.filter(untouched));
      expect(after.snapshots.filter(untouched)).toEqual(before.snapshots.filter(untouched));
      const page = rowsOf(await store.select(compileDeploymentPage(plan(PARTNER_A, DAY_2), store.dialect)));
      expect(page).toEqual(canonicalOrder(replacement).map(pageRow));
      const list = rowsOf(await store.select(compileSnapshotList(PARTNER_A, store.dialect)));
      expect(list.map((s) => [s.processedDate, s.rowCount, s.customerCount, s.productCount])).toEqual([
        [DAY_2, 2, 2, 1],
        [DAY_1, 3, 3, 2],
      ]);
    });

    it('keeps the latest date when an older one is loaded, and moves it for a newer one', async () => {
      const store = await fresh();
      const older = '2026-02-27';
      const newer = '2026-03-05';
      await store.replaceSnapshots([
        {
          partnerId: PARTNER_A,
          rows: toColumns([simpleRow(older, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1)]),
        },
      ]);
      expect(await latest(store, PARTNER_A)).toBe(DAY_2);
      const result = await store.replaceSnapshots([
        {
          partnerId: PARTNER_B,
          rows: toColumns([simpleRow(newer, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1)]),
        },
        {
          partnerId: PARTNER_A,
          rows: toColumns([
            simpleRow(newer, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1),
            simpleRow(older, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 2),
          ]),
        },
      ]);
      expect(result).toEqual({ rows: 3, dates: [older, newer] });
      expect(await latest(store, PARTNER_A)).toBe(newer);
      expect(await latest(store, PARTNER_B)).toBe(newer);
      const list = rowsOf(await store.select(compileSnapshotList(PARTNER_A, store.dialect)));
      expect(list.map((r) => [r.processedDate, r.rowCount])).toEqual([
        [newer, 1],
        [DAY_2, 13],
        [DAY_1, 3],
        [older, 1],
      ]);
    });

    const BAD_LOADS: readonly (readonly [label: string, loads: () => SnapshotLoad[]])[] = [
      [
        'a duplicate key within one load',
        () => [
          {
            partnerId: PARTNER_A,
            rows: toColumns([
              simpleRow(DAY_2, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1),
              simpleRow(DAY_2, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 2),
            ]),
          },
        ],
      ],
      [
        'a duplicate key across two loads of one partner',
        () => [
          {
            partnerId: PARTNER_B,
            rows: toColumns([simpleRow(DAY_1, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1)]),
          },
          {
            partnerId: PARTNER_B,
            rows: toColumns([simpleRow(DAY_1, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 2)]),
          },
        ],
      ],
      [
        "a bad count in the second partner's rows",
        () => [
          {
            partnerId: PARTNER_A,
            rows: toColumns([simpleRow(DAY_2, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1)]),
          },
          {
            partnerId: PARTNER_B,
            rows: corrupt(toColumns(PARTNER_B_ROWS), (c) => {
              c.licensesSold[1] = Number.NaN;
            }),
          },
        ],
      ],
      [
        "a bad date in the second partner's rows",
        () => [
          {
            partnerId: PARTNER_A,
            rows: toColumns([simpleRow(DAY_2, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1)]),
          },
          {
            partnerId: PARTNER_B,
            rows: corrupt(toColumns(PARTNER_B_ROWS), (c) => {
              c.processedDate[1] = '2026-02-30';
            }),
          },
        ],
      ],
      [
        'columns of different lengths',
        () => [
          {
            partnerId: PARTNER_A,
            rows: corrupt(toColumns(PARTNER_A_ROWS), (c) => {
              c.customerName.pop();
            }),
          },
        ],
      ],
    ];

    it.each(BAD_LOADS)('rejects %s and leaves the store exactly as it was', async (_label, loads) => {
      const store = await fresh();
      const before = await dump(store);
      await expect(store.replaceSnapshots(loads())).rejects.toThrow();
      expect(await dump(store)).toEqual(before);
      // The store is still usable: the next good load goes through.
      const good = [simpleRow(DAY_2, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1)];
      expect(await store.replaceSnapshots([{ partnerId: PARTNER_B, rows: toColumns(good) }])).toEqual({
        rows: 1,
        dates: [DAY_2],
      });
    });

    it('changes nothing for an empty load', async () => {
      const store = await fresh();
      const before = await dump(store);
      expect(await store.replaceSnapshots([])).toEqual({ rows: 0, dates: [] });
      expect(await store.replaceSnapshots([{ partnerId: PARTNER_A, rows: emptyRowColumns() }])).toEqual({
        rows: 0,
        dates: [],
      });
      expect(await dump(store)).toEqual(before);
    });

    it('records where a snapshot came from and which customers a partial load misses (issue #4)', async () => {
      const store = await fresh();
      const partner = 'C0C0C0C0-0000-4000-8000-00000000000C';
      const c1 = 'A1000000-0000-4000-8000-000000000001';
      const e3 = '6FD2C87F-B296-42F0-B197-1E91E994B900';
      await store.replaceSnapshots([
        {
          partnerId: partner,
          rows: toColumns([simpleRow('2026-03-01', c1, e3, 'reseller', 4)]),
          source: 'collect',
          missingCustomers: ['F2000000-0000-4000-8000-000000000002', 'B3000000-0000-4000-8000-000000000003'],
        },
      ]);
      const [snap] = rowsOf(await store.select(compileSnapshotList(partner, store.dialect)));
      expect(snap).toMatchObject({
        processedDate: '2026-03-01',
        rowCount: 1,
        source: 'collect',
        missingCustomers: '["B3000000-0000-4000-8000-000000000003","F2000000-0000-4000-8000-000000000002"]',
      });
    });

    it('replaces a date listed in `dates` even without rows, leaving an empty snapshot', async () => {
      const store = await fresh();
      expect(
        await store.replaceSnapshots([{ partnerId: PARTNER_A, rows: emptyRowColumns(), dates: [DAY_2] }]),
      ).toEqual({
        rows: 0,
        dates: [DAY_2],
      });
      const list = rowsOf(await store.select(compileSnapshotList(PARTNER_A, store.dialect)));
      expect(list.map((s) => [s.processedDate, s.rowCount])).toEqual([
        [DAY_2, 0],
        [DAY_1, 3],
      ]);
      expect(
        rowsOf(await store.select(compileDeploymentPage(plan(PARTNER_A, DAY_2), store.dialect))),
      ).toEqual([]);
    });

    it('deletes snapshots before a day, for one partner or all, and nothing else', async () => {
      const store = await fresh();
      const before = await dump(store);
      expect(await store.deleteSnapshotsBefore(DAY_1, PARTNER_A)).toEqual({ snapshots: 0, rows: 0 });
      expect(await dump(store)).toEqual(before);
      expect(await store.deleteSnapshotsBefore(DAY_2, PARTNER_A)).toEqual({ snapshots: 1, rows: 3 });
      const after = await dump(store);
      const day1OfA = (r: Record<string, unknown>) => r.partner_id === PARTNER_A && r.day === DAY_1;
      expect(after.deployment).toEqual(before.deployment.filter((r) => !day1OfA(r)));
      expect(after.snapshots).toEqual(before.snapshots.filter((r) => !day1OfA(r)));
      const everyone = await store.deleteSnapshotsBefore('2999-01-01');
      expect(everyone.snapshots).toBe(after.snapshots.length);
      expect(await dump(store)).toEqual({ deployment: [], snapshots: [] });
    });

    it('runs concurrent loads one at a time while reads go on', async () => {
      const store = await fresh();
      const days = ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04'];
      const loads = days.map((day, i) =>
        store.replaceSnapshots([
          {
            partnerId: PARTNER_A,
            rows: toColumns([
              simpleRow(day, CUSTOMER.tokyo, PRODUCT.e3, 'direct', i),
              simpleRow(day, CUSTOMER.oneil, PRODUCT.e3, 'direct', i),
            ]),
          },
        ]),
      );
      const reads = days.map(() =>
        store.select(compileDeploymentPage(plan(PARTNER_A, DAY_2), store.dialect)),
      );
      expect((await Promise.all(loads)).map((r) => r.dates)).toEqual(days.map((d) => [d]));
      for (const r of await Promise.all(reads)) expect(r.rowCount).toBe(13);
      const list = rowsOf(await store.select(compileSnapshotList(PARTNER_A, store.dialect)));
      expect(list.map((r) => [r.processedDate, r.rowCount])).toEqual([
        ...[...days].reverse().map((d) => [d, 2]),
        [DAY_2, 13],
        [DAY_1, 3],
      ]);
    });

    it('closes idempotently and refuses work afterwards', async () => {
      const store = await open();
      await store.close();
      await store.close();
      await expect(store.select(compileLatestSnapshot(PARTNER_A, store.dialect))).rejects.toThrow();
      await expect(store.replaceSnapshots(FIXTURE_LOADS)).rejects.toThrow();
    });
  });
}
