/**
 * Read half of the store contract: fixtures are loaded once through `Store.load`, then every read
 * of the port (deploymentPage, latestSnapshot, listSnapshots, serviceTotals,
 * customerLatestSnapshot, customerProducts) is compared by VALUE with a plain-TypeScript reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dimension } from '../../src/domain/fields.ts';
import type { DeploymentRow } from '../../src/domain/row.ts';
import type { FilterExpr } from '../../src/query/ast.ts';
import type { QueryPlan, TrendPlan } from '../../src/query/query-plan.ts';
import type { ServiceTotals, Store } from '../../src/store/store.ts';
import {
  CUSTOMER,
  canonicalOrder,
  compareBytes,
  DAY_1,
  DAY_2,
  MAX_COUNT,
  NAME,
  PARTNER_A,
  PARTNER_A_INPUT,
  PARTNER_A_ROWS,
  PARTNER_B,
  PARTNER_B_INPUT,
  PARTNER_B_ROWS,
  PRODUCT,
  toColumns,
} from '../fixtures/contract-rows.ts';
import { loadColumns } from '../support/load.ts';
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
  ['a trimmed value, other case', cmp('productName', 'eq', 'MICROSOFT 365 BUSINESS BASIC')],
  ['non-ASCII name eq, other case', cmp('customerName', 'eq', 'ÄRZTE ZENTRUM')],
  ['non-ASCII name ne, other case', cmp('customerName', 'ne', 'ärzte zentrum')],
  ['full-width name eq, other case', cmp('customerName', 'eq', 'ｚｅｎｉｔｈ WIDE')],
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
  ['customerTenantId'],
  ['productId'],
  ['serviceName', 'productName'],
];

export function describeReads(open: () => Promise<Store>): void {
  let store: Store;
  const page = async (p: QueryPlan): Promise<Row[]> => {
    const result = await store.deploymentPage(p);
    expect(result.rows.rowCount).toBe(rowsOf(result.rows).length);
    return rowsOf(result.rows);
  };
  const count = async (p: QueryPlan): Promise<number> => (await store.deploymentPage(p)).totalCount;

  beforeAll(async () => {
    store = await open();
    expect(await loadColumns(store, PARTNER_A, toColumns(PARTNER_A_INPUT))).toEqual({
      ok: true,
      rows: 16,
      customers: 11,
      products: 3,
      dates: [DAY_1, DAY_2],
    });
    expect(await loadColumns(store, PARTNER_B, toColumns(PARTNER_B_INPUT))).toEqual({
      ok: true,
      rows: 2,
      customers: 2,
      products: 2,
      dates: [DAY_2],
    });
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

    it('round-trips Unicode and awkward text exactly, and the largest count as an exact number', async () => {
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
      const party = rows.find((r) => r.customerTenantId === CUSTOMER.party)!;
      expect([party.licensesDeployed, party.licensesSold]).toEqual([MAX_COUNT - 1, MAX_COUNT]);
    });

    it('holds values in stored form: trimmed, lower-case codes and channels, upper-case GUIDs, UTC days', async () => {
      const rows = await page(plan(PARTNER_A, DAY_2));
      // Loaded as '  Microsoft 365 Business Basic  ', '\u00a0a corp\r\n' and '\u3000Ärzte Zentrum\ufeff'.
      expect(new Set(rows.map((r) => r.productName))).toEqual(
        new Set(['OFFICE 365 E3', 'Microsoft 365 Business Basic', 'DYNAMICS 365 "SALES", ENTERPRISE']),
      );
      expect(rows.filter((r) => r.customerTenantId === CUSTOMER.lower).map((r) => r.customerName)).toEqual([
        'a corp',
      ]);
      expect(rows.filter((r) => r.customerTenantId === CUSTOMER.umlaut).map((r) => r.customerName)).toEqual([
        'Ärzte Zentrum',
      ]);
      // Loaded as 'Reseller', 'Direct', ' RESELLER\t', 'DIRECT'; 'O365'.
      expect(new Set(rows.map((r) => r.channel))).toEqual(new Set(['direct', 'reseller']));
      expect(new Set(rows.map((r) => r.serviceCode))).toEqual(new Set(['crm', 'o365']));
      // Loaded as a braced lower-case customer id and a lower-case product id.
      expect(rows.filter((r) => r.customerTenantId === CUSTOMER.oneil).map((r) => r.productId)).toEqual([
        PRODUCT.sales,
        PRODUCT.sales,
        PRODUCT.e3,
      ]);
      expect(rows.find((r) => r.customerTenantId === CUSTOMER.upper)?.productId).toBe(PRODUCT.e3);
      // Loaded as `${DAY_1}T23:30:00-01:00`, which is DAY_2 in UTC, and `${DAY_2}T09:15:00Z`.
      expect(rows.map((r) => r.customerTenantId)).toContain(CUSTOMER.cairo);
      expect((await page(plan(PARTNER_A, DAY_1))).map((r) => r.customerTenantId)).not.toContain(
        CUSTOMER.cairo,
      );
    });

    it.each(FILTERS)('filters: %s', async (_label, filter) => {
      const expected = canonicalOrder(A_DAY_2.filter((r) => matches(r, filter)));
      // Guards against a vacuous pass: every case selects some rows but not all of them.
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(A_DAY_2.length);
      expect(await page(plan(PARTNER_A, DAY_2, { filter }))).toEqual(expected.map(pageRow));
      expect(await count(plan(PARTNER_A, DAY_2, { filter }))).toBe(expected.length);
    });

    it.each([
      ['a value no row holds', cmp('customerName', 'eq', 'nobody at all')],
      [
        'a literal with the spaces the input had',
        cmp('productName', 'eq', '  Microsoft 365 Business Basic  '),
      ],
      ['a literal with the braces the input had, on a text field', cmp('customerName', 'eq', '{a corp}')],
    ])('returns nothing for %s', async (_label, filter) => {
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

    it('grouped sums equal the sums of the ungrouped rows the store returns, past 32 bits', async () => {
      const ungrouped = await page(plan(PARTNER_A, DAY_2));
      const grouped = await page(plan(PARTNER_A, DAY_2, { groupBy: ['serviceCode'] }));
      for (const g of grouped) {
        const members = ungrouped.filter((r) => r.serviceCode === g.serviceCode);
        expect(g.licensesDeployed).toBe(members.reduce((n, r) => n + Number(r.licensesDeployed), 0));
        expect(g.licensesSold).toBe(members.reduce((n, r) => n + Number(r.licensesSold), 0));
      }
      expect(grouped).toEqual([
        { serviceCode: 'crm', licensesDeployed: 109, licensesSold: 136 },
        { serviceCode: 'o365', licensesDeployed: MAX_COUNT - 1 + 72, licensesSold: MAX_COUNT + 108 },
      ]);
      expect(Number(grouped[1]!.licensesSold)).toBeGreaterThan(2 ** 31);
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
      // Channels were loaded in five spellings; they group as their two stored values.
      const channels = await page(plan(PARTNER_A, DAY_2, { groupBy: ['channel'] }));
      expect(channels.map((r) => r.channel)).toEqual(['direct', 'reseller']);
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
        expect(await count(plan(PARTNER_A, DAY_2, { groupBy, top, skip }))).toBe(all.length);
        seen.push(...chunk);
      }
      expect(seen).toEqual(all);
    });

    it('pages a filtered snapshot by position among the matching rows', async () => {
      const filter = cmp('channel', 'eq', 'reseller');
      const expected = canonicalOrder(A_DAY_2.filter((r) => matches(r, filter))).map(pageRow);
      expect(expected).toHaveLength(9);
      expect(await page(plan(PARTNER_A, DAY_2, { filter, top: 4, skip: 3 }))).toEqual(expected.slice(3, 7));
      expect(await page(plan(PARTNER_A, DAY_2, { filter, top: 4, skip: 8 }))).toEqual(expected.slice(8));
    });

    it('returns no rows past the end or for top=0, while the count stays real', async () => {
      expect(await page(plan(PARTNER_A, DAY_2, { skip: 10_000 }))).toEqual([]);
      expect(await page(plan(PARTNER_A, DAY_2, { top: 0 }))).toEqual([]);
      expect(await count(plan(PARTNER_A, DAY_2, { skip: 10_000 }))).toBe(A_DAY_2.length);
      expect(await count(plan(PARTNER_A, DAY_2, { top: 0 }))).toBe(A_DAY_2.length);
      expect(await count(plan(PARTNER_A, DAY_2, { top: 0, groupBy: ['channel'] }))).toBe(2);
      expect(await page(plan(PARTNER_A, DAY_2, { skip: Number.MAX_SAFE_INTEGER }))).toEqual([]);
    });

    it('scopes every read to one partner, even for shared customer and product ids', async () => {
      expect(await page(plan(PARTNER_B, DAY_2))).toEqual(canonicalOrder(PARTNER_B_ROWS).map(pageRow));
      expect(await page(plan(PARTNER_B, DAY_1))).toEqual([]);
      expect(await count(plan(PARTNER_B, DAY_1))).toBe(0);
      const shared = cmp('customerTenantId', 'eq', CUSTOMER.oneil);
      expect((await page(plan(PARTNER_B, DAY_2, { filter: shared }))).map((r) => r.customerName)).toEqual([
        'Other Partner View',
      ]);
      const grouped = await page(plan(PARTNER_B, DAY_2, { groupBy: ['productId'] }));
      expect(grouped).toEqual(expectedGroups(PARTNER_B_ROWS, ['productId']));
      expect(await count(plan('C0000000-0000-4000-8000-00000000000C', DAY_2))).toBe(0);
    });

    it('sums a trend per processed date and groupby fields over a range, per partner', async () => {
      const trend = async (partnerId: string, p: Partial<Omit<TrendPlan, 'partnerId'>> = {}) =>
        rowsOf(await store.trend({ partnerId, from: null, to: null, groupBy: [], filter: null, ...p }));
      const expected = (
        rows: readonly DeploymentRow[],
        days: readonly string[],
        groupBy: readonly Dimension[] = [],
      ): Row[] =>
        days.flatMap((day) =>
          expectedGroups(
            rows.filter((r) => r.processedDate === day),
            groupBy,
          ).map((g) => ({ processedDate: day, ...g })),
        );
      expect(await trend(PARTNER_A)).toEqual(expected(PARTNER_A_ROWS, [DAY_1, DAY_2]));
      for (const groupBy of GROUPINGS) {
        expect(await trend(PARTNER_A, { groupBy })).toEqual(
          expected(PARTNER_A_ROWS, [DAY_1, DAY_2], groupBy),
        );
      }
      expect(await trend(PARTNER_A, { from: DAY_2 })).toEqual(expected(PARTNER_A_ROWS, [DAY_2]));
      expect(await trend(PARTNER_A, { to: DAY_1, groupBy: ['channel'] })).toEqual(
        expected(PARTNER_A_ROWS, [DAY_1], ['channel']),
      );
      expect(await trend(PARTNER_A, { from: DAY_2, to: DAY_1 })).toEqual([]);
      const reseller = cmp('channel', 'eq', 'RESELLER');
      expect(await trend(PARTNER_A, { filter: reseller, groupBy: ['productId'] })).toEqual(
        expected(
          PARTNER_A_ROWS.filter((r) => matches(r, reseller)),
          [DAY_1, DAY_2],
          ['productId'],
        ),
      );
      expect(await trend(PARTNER_B)).toEqual(expected(PARTNER_B_ROWS, [DAY_2]));
      expect(await trend('C0000000-0000-4000-8000-00000000000C')).toEqual([]);
    });

    it('lists the rows that differ between two snapshots, per partner, filtered', async () => {
      const changes = async (
        partnerId: string,
        from: string,
        to: string,
        filter: FilterExpr | null = null,
      ) => {
        const rows = rowsOf(await store.changes({ partnerId, from, to, filter, top: 10_000, skip: 0 }));
        // Every row carries the number of changes in all.
        for (const r of rows) expect(Number(r.total)).toBe(rows.length);
        return rows.map(({ total: _total, ...r }) => r);
      };
      const expected = (rows: readonly DeploymentRow[], from: string, to: string): Row[] => {
        const key = (r: DeploymentRow) => JSON.stringify([r.customerTenantId, r.productId, r.channel]);
        const before = new Map(rows.filter((r) => r.processedDate === from).map((r) => [key(r), r]));
        const after = new Map(rows.filter((r) => r.processedDate === to).map((r) => [key(r), r]));
        const out: Row[] = [];
        for (const k of new Set([...before.keys(), ...after.keys()])) {
          const b = before.get(k);
          const a = after.get(k);
          if (a && b && a.licensesSold === b.licensesSold && a.licensesDeployed === b.licensesDeployed)
            continue;
          const r = (a ?? b)!;
          out.push({
            customerTenantId: r.customerTenantId,
            customerName: r.customerName,
            productId: r.productId,
            productName: r.productName,
            serviceCode: r.serviceCode,
            serviceName: r.serviceName,
            channel: r.channel,
            soldBefore: b?.licensesSold ?? null,
            deployedBefore: b?.licensesDeployed ?? null,
            soldAfter: a?.licensesSold ?? null,
            deployedAfter: a?.licensesDeployed ?? null,
          });
        }
        return out.sort((x, y) => {
          for (const f of ['customerTenantId', 'productId', 'channel']) {
            const c = compareBytes(String(x[f]), String(y[f]));
            if (c !== 0) return c;
          }
          return 0;
        });
      };
      const diff = expected(PARTNER_A_ROWS, DAY_1, DAY_2);
      expect(diff.length).toBeGreaterThan(0);
      expect(await changes(PARTNER_A, DAY_1, DAY_2)).toEqual(diff);
      expect(await changes(PARTNER_A, DAY_2, DAY_1)).toEqual(expected(PARTNER_A_ROWS, DAY_2, DAY_1));
      expect(await changes(PARTNER_A, DAY_2, DAY_2)).toEqual([]);
      const reseller = cmp('channel', 'eq', 'RESELLER');
      expect(await changes(PARTNER_A, DAY_1, DAY_2, reseller)).toEqual(
        expected(
          PARTNER_A_ROWS.filter((r) => matches(r, reseller)),
          DAY_1,
          DAY_2,
        ),
      );
      expect(await changes(PARTNER_B, DAY_1, DAY_2)).toEqual(expected(PARTNER_B_ROWS, DAY_1, DAY_2));
      // One page of them, in the same order, each row with the total of all pages.
      const page = rowsOf(
        await store.changes({ partnerId: PARTNER_A, from: DAY_1, to: DAY_2, filter: null, top: 2, skip: 1 }),
      );
      expect(page.map(({ total: _total, ...r }) => r)).toEqual(diff.slice(1, 3));
      expect(page.map((r) => Number(r.total))).toEqual(diff.slice(1, 3).map(() => diff.length));
      const past = { partnerId: PARTNER_A, from: DAY_1, to: DAY_2, filter: null, top: 2, skip: diff.length };
      expect((await store.changes(past)).rowCount).toBe(0);
    });

    it('finds the latest snapshot and lists snapshots with their counts', async () => {
      expect(await store.latestSnapshot(PARTNER_A)).toBe(DAY_2);
      expect(await store.latestSnapshot(PARTNER_B)).toBe(DAY_2);
      expect(await store.latestSnapshot('C0000000-0000-4000-8000-00000000000C')).toBeNull();
      const list = await store.listSnapshots(PARTNER_A);
      for (const s of list) expect(s.importedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(list.map(({ importedAt: _at, ...s }) => s)).toEqual([
        { processedDate: DAY_2, rows: 13, customers: 10, products: 3, source: 'test', missingCustomers: [] },
        { processedDate: DAY_1, rows: 3, customers: 3, products: 2, source: 'test', missingCustomers: [] },
      ]);
      expect((await store.listSnapshots(PARTNER_B)).map(({ importedAt: _at, ...s }) => s)).toEqual([
        { processedDate: DAY_2, rows: 2, customers: 2, products: 2, source: 'test', missingCustomers: [] },
      ]);
      expect(await store.listSnapshots('C0000000-0000-4000-8000-00000000000C')).toEqual([]);
    });

    it('summarises per (service code, channel) for E1, per partner', async () => {
      const expected = (rows: readonly DeploymentRow[]): ServiceTotals[] => {
        const sums = new Map<string, ServiceTotals>();
        for (const r of rows) {
          const key = `${r.serviceCode}\u0000${r.channel}`;
          const s = sums.get(key) ?? {
            serviceCode: r.serviceCode,
            channel: r.channel,
            licensesSold: 0,
            cappedDeployed: 0,
          };
          sums.set(key, {
            ...s,
            licensesSold: s.licensesSold + r.licensesSold,
            cappedDeployed: s.cappedDeployed + Math.min(r.licensesDeployed, r.licensesSold),
          });
        }
        return [...sums.values()].sort(
          (a, b) => compareBytes(a.serviceCode, b.serviceCode) || compareBytes(a.channel, b.channel),
        );
      };
      expect(await store.serviceTotals(PARTNER_A, DAY_2)).toEqual(expected(A_DAY_2));
      // Written out once, so a reference that drifted with the store would still be caught.
      expect(await store.serviceTotals(PARTNER_A, DAY_2)).toEqual([
        { serviceCode: 'crm', channel: 'direct', licensesSold: 3, cappedDeployed: 1 },
        { serviceCode: 'crm', channel: 'reseller', licensesSold: 133, cappedDeployed: 108 },
        { serviceCode: 'o365', channel: 'direct', licensesSold: 18, cappedDeployed: 17 },
        {
          serviceCode: 'o365',
          channel: 'reseller',
          licensesSold: MAX_COUNT + 90,
          cappedDeployed: MAX_COUNT + 52,
        },
      ]);
      expect(await store.serviceTotals(PARTNER_B, DAY_2)).toEqual(expected(PARTNER_B_ROWS));
      expect(await store.serviceTotals(PARTNER_B, DAY_1)).toEqual([]);
    });

    it('finds a customer’s latest date and products for E3, per partner', async () => {
      expect(await store.customerLatestSnapshot(PARTNER_A, CUSTOMER.oneil)).toBe(DAY_2);
      expect(await store.customerLatestSnapshot(PARTNER_A, CUSTOMER.gone)).toBe(DAY_1);
      expect(await store.customerLatestSnapshot(PARTNER_B, CUSTOMER.gone)).toBeNull();
      expect(await store.customerLatestSnapshot(PARTNER_B, CUSTOMER.cairo)).toBeNull();

      const products = async (partner: string, rows: readonly DeploymentRow[]) =>
        expect(await store.customerProducts(partner, CUSTOMER.oneil, DAY_2)).toEqual(
          canonicalOrder(
            rows.filter((r) => r.customerTenantId === CUSTOMER.oneil && r.processedDate === DAY_2),
          ).map(({ processedDate: _date, ...rest }) => rest),
        );
      await products(PARTNER_A, PARTNER_A_ROWS);
      await products(PARTNER_B, PARTNER_B_ROWS);
      expect((await store.customerProducts(PARTNER_A, CUSTOMER.oneil, DAY_2)).length).toBe(3);
      expect(await store.customerProducts(PARTNER_A, CUSTOMER.gone, DAY_2)).toEqual([]);
      expect(await store.customerProducts(PARTNER_B, CUSTOMER.cairo, DAY_2)).toEqual([]);
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
        expect(await store.latestSnapshot(value)).toBeNull();
        expect(await store.listSnapshots(value)).toEqual([]);
        expect(await store.customerLatestSnapshot(PARTNER_A, value)).toBeNull();
        expect(await store.customerProducts(value, CUSTOMER.oneil, DAY_2)).toEqual([]);
        expect(await store.serviceTotals(value, DAY_2)).toEqual([]);
      }
      // A stored value that looks like SQL matches exactly itself.
      const bobby = await page(plan(PARTNER_A, DAY_2, { filter: cmp('customerName', 'eq', NAME.bobby) }));
      expect(bobby.map((r) => r.customerTenantId)).toEqual([CUSTOMER.bobby]);
      expect(await count(plan(PARTNER_A, DAY_2))).toBe(A_DAY_2.length);
    });
  });
}
