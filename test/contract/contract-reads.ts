/**
 * Read half of the store contract: fixtures are loaded once, then every compiled query is run
 * through `store.select` and its VALUES compared with a plain-TypeScript reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dimension } from '../../src/domain/fields.ts';
import type { DeploymentRow } from '../../src/domain/row.ts';
import type { FilterExpr } from '../../src/query/ast.ts';
import {
  compileCustomerLatestDate,
  compileCustomerProducts,
  compileDeploymentCount,
  compileDeploymentPage,
  compileLatestSnapshot,
  compilePartnerSummary,
  compileSnapshotList,
} from '../../src/sql/compile.ts';
import type { SqlQuery, Store } from '../../src/store/store.ts';
import {
  CUSTOMER,
  canonicalOrder,
  compareBytes,
  DAY_1,
  DAY_2,
  NAME,
  PARTNER_A,
  PARTNER_A_ROWS,
  PARTNER_B,
  PARTNER_B_ROWS,
  PRODUCT,
  toColumns,
} from '../fixtures/contract-rows.ts';
import {
  and,
  cmp,
  expectedGroups,
  matches,
  or,
  pageRow,
  plan,
  type Row,
  rowsOf,
} from './contract-helpers.ts';

const A_DAY_2 = PARTNER_A_ROWS.filter((r) => r.processedDate === DAY_2);

const FILTERS: readonly (readonly [label: string, filter: FilterExpr])[] = [
  ['name eq, other case', cmp('customerName', 'eq', "o'neil & SONS, ltd.")],
  ['name ne, other case', cmp('customerName', 'ne', "O'NEIL & SONS, LTD.")],
  ['channel eq matches every case of the value', cmp('channel', 'eq', 'RESELLER')],
  ['serviceCode eq upper-case code', cmp('serviceCode', 'eq', 'CRM')],
  ['spaces are significant', cmp('productName', 'eq', '  microsoft 365 business basic  ')],
  ['GUID eq, lower-case', cmp('customerTenantId', 'eq', CUSTOMER.tokyo.toLowerCase())],
  ['GUID eq, braced lower-case', cmp('productId', 'eq', `{${PRODUCT.sales.toLowerCase()}}`)],
  ['GUID ne', cmp('customerTenantId', 'ne', CUSTOMER.oneil.toLowerCase())],
  ['Unicode value', cmp('customerName', 'eq', NAME.tokyo)],
  ['awkward value', cmp('customerName', 'eq', NAME.escapes)],
  [
    'and binds tighter than or',
    or(
      cmp('channel', 'eq', 'direct'),
      and(cmp('serviceCode', 'eq', 'O365'), cmp('productId', 'ne', PRODUCT.e3)),
    ),
  ],
  [
    'parenthesised or under and',
    and(
      or(cmp('channel', 'eq', 'direct'), cmp('serviceCode', 'eq', 'o365')),
      cmp('productId', 'ne', PRODUCT.e3),
    ),
  ],
];

const GROUPINGS: readonly (readonly Dimension[])[] = [
  ['customerName'],
  ['productName', 'channel'],
  ['channel'],
  ['serviceCode', 'customerTenantId'],
  ['productId'],
  ['serviceName', 'productName'],
];

export function describeReads(open: () => Promise<Store>): void {
  let store: Store;
  const select = async (q: SqlQuery): Promise<Row[]> => rowsOf(await store.select(q));
  const page = (p: Parameters<typeof compileDeploymentPage>[0]) =>
    select(compileDeploymentPage(p, store.dialect));
  const count = async (p: Parameters<typeof compileDeploymentCount>[0]): Promise<number> => {
    const rows = await select(compileDeploymentCount(p, store.dialect));
    expect(rows).toHaveLength(1);
    return Number(rows[0]!.total);
  };

  beforeAll(async () => {
    store = await open();
    const result = await store.replaceSnapshots([
      { partnerId: PARTNER_A, rows: toColumns(PARTNER_A_ROWS) },
      { partnerId: PARTNER_B, rows: toColumns(PARTNER_B_ROWS) },
    ]);
    expect(result).toEqual({ rows: PARTNER_A_ROWS.length + PARTNER_B_ROWS.length, dates: [DAY_1, DAY_2] });
  });
  afterAll(async () => {
    await store?.close();
  });

  describe('reads', () => {
    it('returns a snapshot in (customer, product, channel) byte-wise order with exact values', async () => {
      expect(await page(plan(PARTNER_A, DAY_2))).toEqual(canonicalOrder(A_DAY_2).map(pageRow));
      expect(await count(plan(PARTNER_A, DAY_2))).toBe(A_DAY_2.length);
      expect(await page(plan(PARTNER_A, DAY_1))).toEqual(
        canonicalOrder(PARTNER_A_ROWS.filter((r) => r.processedDate === DAY_1)).map(pageRow),
      );
    });

    it('round-trips Unicode and awkward text exactly, and 64-bit counts as exact numbers', async () => {
      const rows = await page(plan(PARTNER_A, DAY_2));
      const names = new Set(rows.map((r) => r.customerName));
      for (const name of [
        NAME.oneil,
        NAME.tokyo,
        NAME.cairo,
        NAME.party,
        NAME.wide,
        NAME.escapes,
        NAME.bobby,
      ]) {
        expect(names).toContain(name);
      }
      expect(rows.map((r) => r.productName)).toContain('  Microsoft 365 Business Basic  ');
      const party = rows.find((r) => r.customerTenantId === CUSTOMER.party)!;
      expect([party.licensesDeployed, party.licensesSold]).toEqual([9_000_000_000, 9_000_000_001]);
    });

    it.each(FILTERS)('filters: %s', async (_label, filter) => {
      const expected = canonicalOrder(A_DAY_2.filter((r) => matches(r, filter)));
      // Guards against a vacuous pass: every case selects some rows but not all of them.
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(A_DAY_2.length);
      expect(await page(plan(PARTNER_A, DAY_2, { filter }))).toEqual(expected.map(pageRow));
      expect(await count(plan(PARTNER_A, DAY_2, { filter }))).toBe(expected.length);
    });

    it('returns nothing for a value no row holds', async () => {
      const filter = cmp('customerName', 'eq', 'nobody at all');
      expect(await page(plan(PARTNER_A, DAY_2, { filter }))).toEqual([]);
      expect(await count(plan(PARTNER_A, DAY_2, { filter }))).toBe(0);
    });

    it.each(GROUPINGS)(
      'groups by %s: sums per group, byte-wise order, count of groups',
      async (...groupBy) => {
        for (const filter of [null, cmp('channel', 'ne', 'direct')]) {
          const rows = filter === null ? A_DAY_2 : A_DAY_2.filter((r) => matches(r, filter));
          const expected = expectedGroups(rows, groupBy);
          expect(await page(plan(PARTNER_A, DAY_2, { groupBy, filter }))).toEqual(expected);
          expect(await count(plan(PARTNER_A, DAY_2, { groupBy, filter }))).toBe(expected.length);
        }
      },
    );

    it('grouped sums equal the sums of the ungrouped rows the store returns', async () => {
      const ungrouped = await page(plan(PARTNER_A, DAY_2));
      const grouped = await page(plan(PARTNER_A, DAY_2, { groupBy: ['serviceCode'] }));
      for (const g of grouped) {
        const members = ungrouped.filter((r) => r.serviceCode === g.serviceCode);
        expect(g.licensesDeployed).toBe(members.reduce((n, r) => n + Number(r.licensesDeployed), 0));
        expect(g.licensesSold).toBe(members.reduce((n, r) => n + Number(r.licensesSold), 0));
      }
      expect(grouped.map((g) => g.serviceCode)).toEqual(['crm', 'o365']);
    });

    it('orders groups by bytes, not by locale or UTF-16 code units', async () => {
      const names = (await page(plan(PARTNER_A, DAY_2, { groupBy: ['customerName'] }))).map(
        (r) => r.customerName,
      );
      // Byte order; a locale would put 'a…' before 'B…' and UTF-16 would put '🎉' before 'Ｚ'.
      const byteOrder: readonly unknown[] = [
        NAME.upper,
        NAME.lower,
        NAME.umlaut,
        NAME.tokyo,
        NAME.wide,
        NAME.party,
      ];
      expect(names.filter((n) => byteOrder.includes(n))).toEqual(byteOrder);
      const channels = (await page(plan(PARTNER_A, DAY_2, { groupBy: ['channel'] }))).map((r) => r.channel);
      expect(channels).toEqual(['Direct', 'Reseller', 'direct', 'reseller']);
    });

    it.each([
      ['ungrouped', [] as Dimension[], 3],
      ['grouped', ['customerName'] as Dimension[], 4],
    ])('pages %s rows with top/skip, visiting every row exactly once', async (_label, groupBy, top) => {
      const all = await page(plan(PARTNER_A, DAY_2, { groupBy }));
      const seen: Row[] = [];
      for (let skip = 0; skip < all.length + top; skip += top) {
        const chunk = await page(plan(PARTNER_A, DAY_2, { groupBy, top, skip }));
        expect(chunk.length).toBe(Math.max(0, Math.min(top, all.length - skip)));
        seen.push(...chunk);
      }
      expect(seen).toEqual(all);
    });

    it('returns no rows past the end or for top=0, while the count stays real', async () => {
      expect(await page(plan(PARTNER_A, DAY_2, { skip: 10_000 }))).toEqual([]);
      expect(await page(plan(PARTNER_A, DAY_2, { top: 0 }))).toEqual([]);
      expect(await count(plan(PARTNER_A, DAY_2, { skip: 10_000 }))).toBe(A_DAY_2.length);
    });

    it('scopes every read to one partner, even for shared customer and product ids', async () => {
      expect(await page(plan(PARTNER_B, DAY_2))).toEqual(canonicalOrder(PARTNER_B_ROWS).map(pageRow));
      expect(await page(plan(PARTNER_B, DAY_1))).toEqual([]);
      const shared = cmp('customerTenantId', 'eq', CUSTOMER.oneil);
      expect((await page(plan(PARTNER_B, DAY_2, { filter: shared }))).map((r) => r.customerName)).toEqual([
        'Other Partner View',
      ]);
      const grouped = await page(plan(PARTNER_B, DAY_2, { groupBy: ['productId'] }));
      expect(grouped).toEqual(expectedGroups(PARTNER_B_ROWS, ['productId']));
      expect(await count(plan('C0000000-0000-4000-8000-00000000000C', DAY_2))).toBe(0);
    });

    it('finds the latest snapshot and lists snapshots with their counts', async () => {
      expect(await select(compileLatestSnapshot(PARTNER_A, store.dialect))).toEqual([
        { processedDate: DAY_2 },
      ]);
      expect(await select(compileLatestSnapshot(PARTNER_B, store.dialect))).toEqual([
        { processedDate: DAY_2 },
      ]);
      expect(await select(compileLatestSnapshot('nobody', store.dialect))).toEqual([]);
      const list = await select(compileSnapshotList(PARTNER_A, store.dialect));
      for (const s of list) expect(String(s.importedAt)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(list.map(({ importedAt: _at, ...s }) => s)).toEqual([
        {
          processedDate: DAY_2,
          rowCount: 13,
          customerCount: 10,
          productCount: 3,
          source: '',
          missingCustomers: '[]',
        },
        {
          processedDate: DAY_1,
          rowCount: 3,
          customerCount: 3,
          productCount: 2,
          source: '',
          missingCustomers: '[]',
        },
      ]);
    });

    it('summarises per (service code, channel) for E1, per partner', async () => {
      const expected = (rows: readonly DeploymentRow[]): Row[] => {
        const sums = new Map<string, Row>();
        for (const r of rows) {
          const key = `${r.serviceCode}\u0000${r.channel}`;
          const s = sums.get(key) ?? {
            serviceCode: r.serviceCode,
            channel: r.channel,
            licensesSold: 0,
            cappedDeployed: 0,
          };
          s.licensesSold = Number(s.licensesSold) + r.licensesSold;
          s.cappedDeployed = Number(s.cappedDeployed) + Math.min(r.licensesDeployed, r.licensesSold);
          sums.set(key, s);
        }
        return [...sums.values()].sort(
          (a, b) =>
            compareBytes(String(a.serviceCode), String(b.serviceCode)) ||
            compareBytes(String(a.channel), String(b.channel)),
        );
      };
      expect(await select(compilePartnerSummary(PARTNER_A, DAY_2, store.dialect))).toEqual(expected(A_DAY_2));
      expect(await select(compilePartnerSummary(PARTNER_B, DAY_2, store.dialect))).toEqual(
        expected(PARTNER_B_ROWS),
      );
    });

    it('finds a customer’s latest date and products for E3, per partner', async () => {
      const latest = (partner: string, customer: string) =>
        select(compileCustomerLatestDate(partner, customer, store.dialect));
      expect(await latest(PARTNER_A, CUSTOMER.oneil)).toEqual([{ processedDate: DAY_2 }]);
      expect(await latest(PARTNER_A, `{${CUSTOMER.oneil.toLowerCase()}}`)).toEqual([
        { processedDate: DAY_2 },
      ]);
      expect(await latest(PARTNER_A, CUSTOMER.gone)).toEqual([{ processedDate: DAY_1 }]);
      expect(await latest(PARTNER_B, CUSTOMER.gone)).toEqual([]);
      expect(await latest(PARTNER_B, CUSTOMER.cairo)).toEqual([]);

      const products = (partner: string, rows: readonly DeploymentRow[]) =>
        expect(
          select(compileCustomerProducts(partner, CUSTOMER.oneil, DAY_2, store.dialect)),
        ).resolves.toEqual(
          canonicalOrder(
            rows.filter((r) => r.customerTenantId === CUSTOMER.oneil && r.processedDate === DAY_2),
          ).map(({ processedDate: _date, ...rest }) => rest),
        );
      await products(PARTNER_A, PARTNER_A_ROWS);
      await products(PARTNER_B, PARTNER_B_ROWS);
    });

    it('treats hostile literals as plain values', async () => {
      const hostile = ["x' OR '1'='1", "'; DROP TABLE deployment; --", "\\'", '" OR ""="', '%', '_', '*'];
      for (const value of hostile) {
        for (const field of ['customerName', 'productId', 'channel'] as const) {
          expect(await count(plan(PARTNER_A, DAY_2, { filter: cmp(field, 'eq', value) }))).toBe(0);
          expect(await count(plan(PARTNER_A, DAY_2, { filter: cmp(field, 'ne', value) }))).toBe(
            A_DAY_2.length,
          );
          expect(
            await page(plan(PARTNER_A, DAY_2, { filter: cmp(field, 'eq', value), groupBy: [field] })),
          ).toEqual([]);
        }
        expect(await select(compileLatestSnapshot(value, store.dialect))).toEqual([]);
        expect(await select(compileCustomerLatestDate(PARTNER_A, value, store.dialect))).toEqual([]);
      }
      // A stored value that looks like SQL matches exactly itself.
      const bobby = await page(plan(PARTNER_A, DAY_2, { filter: cmp('customerName', 'eq', NAME.bobby) }));
      expect(bobby.map((r) => r.customerTenantId)).toEqual([CUSTOMER.bobby]);
      expect(await count(plan(PARTNER_A, DAY_2))).toBe(A_DAY_2.length);
    });
  });
}
