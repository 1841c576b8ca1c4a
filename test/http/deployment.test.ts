import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentRow } from '../../src/domain/row.ts';
import {
  CUST,
  canonicalOrder,
  columns,
  DAY_1,
  DAY_2,
  loadBothPartners,
  PARTNER_A,
  PARTNER_A_ROWS,
  PROD,
  toRow,
} from '../fixtures/http-rows.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';
import { E5, type Page, wireRow } from '../support/wire.ts';

/**
 * Partner Center's field order of an ungrouped row, spelled out here rather than taken from
 * src/domain/fields.ts, so the test checks the code instead of repeating it.
 */
const WIRE_FIELDS = [
  'processedDateTime',
  'serviceCode',
  'serviceName',
  'channel',
  'customerTenantId',
  'customerName',
  'productId',
  'productName',
  'licensesDeployed',
  'licensesSold',
];
/** The seven fields E5 groups and filters by. */
const WIRE_DIMENSIONS = WIRE_FIELDS.slice(1, -2);

describeOnStores('E5', (kind) => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await loadBothPartners(h);
    token = await h.token(PARTNER_A);
  });
  afterAll(() => h?.close());

  const latestRows = () => canonicalOrder(PARTNER_A_ROWS.filter((r) => r.processedDate === DAY_2));

  async function page(url: string, t = token): Promise<Page> {
    const res = await h.get(url, t);
    expect(res.statusCode, res.body).toBe(200);
    return json<Page>(res);
  }

  async function followAll(
    url: string,
  ): Promise<{ rows: Record<string, unknown>[]; pages: number; totals: Set<number> }> {
    const rows: Record<string, unknown>[] = [];
    const totals = new Set<number>();
    let next: string | null = url;
    let pages = 0;
    while (next !== null) {
      const p = await page(next);
      rows.push(...p.Value);
      totals.add(p.TotalCount);
      next = p['@nextLink'];
      pages++;
      if (pages > 1000) throw new Error('paging does not terminate');
    }
    return { rows, pages, totals };
  }

  describe('E5 GET /v1/analytics/commercial/deployment/license/', () => {
    it('returns the latest snapshot of the caller, ten fields per row, in canonical order', async () => {
      const p = await page(E5);
      expect(p).toEqual({ Value: latestRows().map((r) => wireRow(r)), '@nextLink': null, TotalCount: 9 });
      expect(Object.keys(p.Value[0]!)).toEqual(WIRE_FIELDS);
    });

    it('serves the same resource under /partner/v1 and with or without the trailing slash', async () => {
      const expected = await page(E5);
      for (const url of [E5.slice(0, -1), `/partner${E5}`, `/partner${E5.slice(0, -1)}`]) {
        expect(await page(url)).toEqual(expected);
      }
    });

    it("answers the documented request example (serviceCode eq 'O365' matches o365)", async () => {
      const p = await page(`${E5}?filter=serviceCode%20eq%20'O365'`);
      expect(p.Value.map((r) => r.serviceCode)).toEqual(Array(6).fill('o365'));
      expect(p.TotalCount).toBe(6);
      const q = await page(`${E5}?filter=serviceCode+eq+'O365'+or+(channel+eq+'Reseller')`);
      expect(q.TotalCount).toBe(
        latestRows().filter((r) => r.serviceCode === 'o365' || r.channel === 'reseller').length,
      );
    });

    it('filters with and/or precedence, ne, doubled quotes, Unicode and GUIDs in any case', async () => {
      const rows = latestRows();
      const cases: [string, (r: DeploymentRow) => boolean][] = [
        ["customerName eq 'O''Neil & Sons, Ltd.'", (r) => r.customerTenantId === CUST.oneil],
        ["customerName eq '株式会社テスト'", (r) => r.customerTenantId === CUST.tokyo],
        ["CUSTOMERNAME EQ 'SMITH & JONES'", (r) => r.customerTenantId === CUST.smith],
        [`customerTenantId eq '${CUST.zeta.toLowerCase()}'`, (r) => r.customerTenantId === CUST.zeta],
        [`productId eq '{${PROD.e3.toLowerCase()}}'`, (r) => r.productId === PROD.e3],
        ["channel ne 'reseller'", (r) => r.channel !== 'reseller'],
        [
          "serviceCode eq 'crm' or channel eq 'direct' and productName eq 'skype for business online (plan 2)'",
          (r) => r.serviceCode === 'crm' || (r.channel === 'direct' && r.productId === PROD.skype),
        ],
        [
          "(serviceCode eq 'crm' or channel eq 'direct') and customerName ne 'smith & jones'",
          (r) => (r.serviceCode === 'crm' || r.channel === 'direct') && r.customerTenantId !== CUST.smith,
        ],
        ["customerName eq 'x'' or ''1''=''1'", () => false],
      ];
      for (const [filter, pred] of cases) {
        const p = await page(`${E5}?filter=${encodeURIComponent(filter)}`);
        expect(p.Value, filter).toEqual(rows.filter(pred).map((r) => wireRow(r)));
        expect(p.TotalCount, filter).toBe(rows.filter(pred).length);
      }
    });

    it('groups: the groupby fields in the order given plus the two sums, ordered byte-wise', async () => {
      const p = await page(`${E5}?groupby=channel,%20SERVICECODE,channel`);
      const sums = new Map<string, [number, number]>();
      for (const r of latestRows()) {
        const k = `${r.channel}|${r.serviceCode}`;
        const s = sums.get(k) ?? [0, 0];
        sums.set(k, [s[0] + r.licensesDeployed, s[1] + r.licensesSold]);
      }
      const expected = [...sums.entries()]
        .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
        .map(([k, [d, s]]) => {
          const [channel, serviceCode] = k.split('|');
          return { channel, serviceCode, licensesDeployed: d, licensesSold: s };
        });
      expect(p).toEqual({ Value: expected, '@nextLink': null, TotalCount: expected.length });
      expect(Object.keys(p.Value[0]!)).toEqual([
        'channel',
        'serviceCode',
        'licensesDeployed',
        'licensesSold',
      ]);
    });

    it('orders grouped names byte-wise (upper case before lower case, Latin before Arabic before CJK)', async () => {
      const p = await page(`${E5}?groupby=customerName`);
      expect(p.Value.map((r) => r.customerName)).toEqual([
        "O'Neil & Sons, Ltd.",
        'smith & jones',
        'Ärzte Zentrum 🩺',
        'شركة القاهرة',
        '株式会社テスト',
      ]);
    });

    it('selects a snapshot by processedDateTime: a date, a date-time, an offset that crosses midnight', async () => {
      const day1 = canonicalOrder(PARTNER_A_ROWS.filter((r) => r.processedDate === DAY_1)).map((r) =>
        wireRow(r),
      );
      expect((await page(`${E5}?processedDateTime=${DAY_1}`)).Value).toEqual(day1);
      expect((await page(`${E5}?processedDateTime=${DAY_1}T23:59:59`)).Value).toEqual(day1);
      // 2026-11-18T22:00:00-05:00 is 2026-11-19T03:00:00Z: day 1.
      expect((await page(`${E5}?processedDateTime=2026-11-18T22:00:00-05:00`)).Value).toEqual(day1);
      const none = await page(`${E5}?processedDateTime=2020-01-01`);
      expect(none).toEqual({ Value: [], '@nextLink': null, TotalCount: 0 });
    });

    it('top=0 returns no rows but the real TotalCount; skip past the end is an empty last page', async () => {
      expect(await page(`${E5}?top=0`)).toEqual({ Value: [], '@nextLink': null, TotalCount: 9 });
      expect(await page(`${E5}?skip=9`)).toEqual({ Value: [], '@nextLink': null, TotalCount: 9 });
      expect(await page(`${E5}?skip=99999999999999999999999`)).toEqual({
        Value: [],
        '@nextLink': null,
        TotalCount: 9,
      });
    });

    it('caps top at 10000 and writes the effective size into @nextLink', async () => {
      const p = await page(`${E5}?top=2&skip=1&filter=channel%20eq%20'reseller'&x-unknown=keep%20me`);
      expect(p.Value).toEqual(
        latestRows()
          .filter((r) => r.channel === 'reseller')
          .slice(1, 3)
          .map((r) => wireRow(r)),
      );
      expect(p['@nextLink']).toBe(
        `${E5}?top=2&skip=3&filter=channel%20eq%20'reseller'&x-unknown=keep%20me&processedDateTime=${DAY_2}`,
      );
      const big = await page(`${E5}?top=20000`);
      expect(big.Value).toHaveLength(9);
    });

    it('paging by @nextLink visits every row or group exactly once, for any filter, groupby and page size', async () => {
      const filters = [
        undefined,
        "channel eq 'reseller'",
        "serviceCode ne 'crm' or customerName eq 'smith & jones'",
        "customerName eq 'nobody'",
      ];
      const groupbys = [
        undefined,
        'customerTenantId',
        'serviceCode,channel',
        'productName,customerName,channel',
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...filters),
          fc.constantFrom(...groupbys),
          fc.integer({ min: 1, max: 11 }),
          fc.boolean(),
          async (filter, groupby, top, partnerPrefix) => {
            const params = new URLSearchParams();
            if (filter) params.set('filter', filter);
            if (groupby) params.set('groupby', groupby);
            const all = await page(`${E5}?${params}`);
            params.set('top', String(top));
            const path = partnerPrefix ? `/partner${E5}` : E5;
            const walked = await followAll(`${path}?${params}`);
            expect(walked.rows).toEqual(all.Value);
            expect([...walked.totals]).toEqual([all.TotalCount]);
            expect(walked.pages).toBe(Math.max(1, Math.ceil(all.TotalCount / top)));
          },
        ),
        { numRuns: 40 },
      );
    });

    it('grouped sums equal the sums of the ungrouped rows for every dimension', async () => {
      const rows = (await page(E5)).Value;
      for (const field of WIRE_DIMENSIONS) {
        const groups = (await page(`${E5}?groupby=${field}`)).Value;
        for (const g of groups) {
          const members = rows.filter((r) => r[field] === g[field]);
          expect(g.licensesSold).toBe(members.reduce((s, r) => s + Number(r.licensesSold), 0));
          expect(g.licensesDeployed).toBe(members.reduce((s, r) => s + Number(r.licensesDeployed), 0));
        }
        expect(groups.reduce((s, g) => s + Number(g.licensesSold), 0)).toBe(
          rows.reduce((s, r) => s + Number(r.licensesSold), 0),
        );
      }
    });

    it('pins @nextLink to the first page snapshot, so an import between pages cannot shift rows', async () => {
      const own = await createHarness({ store: kind });
      try {
        await own.load(PARTNER_A, columns(PARTNER_A_ROWS));
        const t = await own.token(PARTNER_A);
        const first = json<Page>(await own.get(`${E5}?top=4`, t));
        const next = first['@nextLink']!;
        expect(next).toContain(`processedDateTime=${DAY_2}`);
        await own.load(
          PARTNER_A,
          columns([toRow('2026-11-21', [CUST.oneil, 'New Day Co', PROD.e3, 'reseller', 1, 1])]),
        );
        expect(json<Page>(await own.get(E5, t)).TotalCount).toBe(1);
        const second = json<Page>(await own.get(next, t));
        const third = json<Page>(await own.get(second['@nextLink']!, t));
        expect(third['@nextLink']).toBeNull();
        expect([...first.Value, ...second.Value, ...third.Value]).toEqual(
          latestRows().map((r) => wireRow(r)),
        );
      } finally {
        await own.close();
      }
    });

    it('a partner with no data gets an empty page', async () => {
      const stranger = await h.token('99999999-9999-4999-8999-999999999999');
      expect(await page(E5, stranger)).toEqual({ Value: [], '@nextLink': null, TotalCount: 0 });
    });
  });
});
