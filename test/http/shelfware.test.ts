/**
 * `GET /seatwise/v1/shelfware` through the front door, on every store, against the hand-computed
 * fixture of test/fixtures/insights.ts: unassigned seats per customer and product, priced by the
 * partner's override (euros) or the price sheet's lowest monthly price (dollars, annual and monthly
 * billing), sorted by cost, totals per currency, paging, filter, snapshot choice, tenant isolation
 * and bad parameters as ApiFaults.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CUST, PARTNER_A, PARTNER_B, PROD } from '../fixtures/http-rows.ts';
import { EARLY, loadInsights, NAMES } from '../fixtures/insights.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';

const SHELFWARE = '/seatwise/v1/shelfware';

interface Shelfware {
  processedDate: string | null;
  value: Record<string, string | number>[];
  '@nextLink'?: string;
  totalCount: number;
  totals: { currency: string; items: number; licensesUnassigned: number; monthlyCostUnassigned: number }[];
  unpriced: { items: number; licensesUnassigned: number };
}
interface Fault {
  code: number;
  description: string;
}

// Oneil's E3: sold 50 + 5, deployed 40 + 2 → 13 unassigned × €33.75 (the override) = €438.75.
const ONEIL_E3 = {
  customerTenantId: CUST.oneil,
  customerName: NAMES.oneil,
  productId: PROD.e3,
  productName: 'OFFICE 365 E3',
  licensesSold: 55,
  licensesDeployed: 42,
  licensesUnassigned: 13,
  unitPrice: 33.75,
  currency: 'EUR',
  billingPlan: 'monthly',
  termDuration: 'P1Y',
  monthlyUnitPrice: 33.75,
  monthlyCostUnassigned: 438.75,
};
// Oneil's Sales: 3 − 1 = 2 × $95 (annual billing, $1,140 a year: the sheet's lowest) = $190.
const ONEIL_SALES = {
  customerTenantId: CUST.oneil,
  customerName: NAMES.oneil,
  productId: PROD.sales,
  productName: 'DYNAMICS 365 FOR SALES ENTERPRISE EDITION',
  licensesSold: 3,
  licensesDeployed: 1,
  licensesUnassigned: 2,
  unitPrice: 1140,
  currency: 'USD',
  billingPlan: 'annual',
  termDuration: 'P1Y',
  monthlyUnitPrice: 95,
  monthlyCostUnassigned: 190,
};
// Tokyo's Business Basic: 25 − 0 = 25 × $6 = $150.
const TOKYO_BASIC = {
  customerTenantId: CUST.tokyo,
  customerName: NAMES.tokyo,
  productId: PROD.bizBasic,
  productName: 'MICROSOFT 365 BUSINESS BASIC',
  licensesSold: 25,
  licensesDeployed: 0,
  licensesUnassigned: 25,
  unitPrice: 6,
  currency: 'USD',
  billingPlan: 'monthly',
  termDuration: 'P1Y',
  monthlyUnitPrice: 6,
  monthlyCostUnassigned: 150,
};
// Smith's Skype: 10 − 3 = 7, no price known.
const SMITH_SKYPE = {
  customerTenantId: CUST.smith,
  customerName: NAMES.smith,
  productId: PROD.skype,
  productName: 'SKYPE FOR BUSINESS ONLINE (PLAN 2)',
  licensesSold: 10,
  licensesDeployed: 3,
  licensesUnassigned: 7,
};

describeOnStores('GET /seatwise/v1/shelfware', (kind) => {
  let h: Harness;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await loadInsights(h.store);
    tokenA = await h.token(PARTNER_A);
    tokenB = await h.token(PARTNER_B);
  });
  afterAll(async () => {
    await h?.close();
  });

  const get = async (query: string, token = tokenA) => {
    const res = await h.get(`${SHELFWARE}${query}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return json<Shelfware>(res);
  };

  it('lists the latest snapshot’s unassigned seats by cost, unpriced last, with totals per currency', async () => {
    const body = await get('');
    expect(body).toEqual({
      processedDate: '2026-11-30',
      value: [ONEIL_E3, ONEIL_SALES, TOKYO_BASIC, SMITH_SKYPE],
      totalCount: 4,
      // Never summed across currencies: €438.75 alone; $190 + $150 = $340 over 2 + 25 seats.
      totals: [
        { currency: 'EUR', items: 1, licensesUnassigned: 13, monthlyCostUnassigned: 438.75 },
        { currency: 'USD', items: 2, licensesUnassigned: 27, monthlyCostUnassigned: 340 },
      ],
      unpriced: { items: 1, licensesUnassigned: 7 },
    });
  });

  it('pages with top and skip, the totals always over every item', async () => {
    const first = await get('?top=2');
    expect(first.value).toEqual([ONEIL_E3, ONEIL_SALES]);
    expect(first['@nextLink']).toBe(`${SHELFWARE}?top=2&skip=2`);
    expect(first.totalCount).toBe(4);
    expect(first.totals.map((t) => t.monthlyCostUnassigned)).toEqual([438.75, 340]);
    const second = await get(first['@nextLink']!.slice(SHELFWARE.length));
    expect(second.value).toEqual([TOKYO_BASIC, SMITH_SKYPE]);
    expect(second['@nextLink']).toBeUndefined();
    const none = await get('?top=0');
    expect(none.value).toEqual([]);
    expect(none.totalCount).toBe(4);
  });

  it('filters the rows before they are summed, in the E5 filter language', async () => {
    // Only the reseller channel: Oneil's E3 is 50 − 40 = 10 seats × €33.75 = €337.50.
    const reseller = await get(`?filter=${encodeURIComponent("channel eq 'reseller'")}`);
    expect(reseller.value).toEqual([
      {
        ...ONEIL_E3,
        licensesSold: 50,
        licensesDeployed: 40,
        licensesUnassigned: 10,
        monthlyCostUnassigned: 337.5,
      },
      TOKYO_BASIC,
      SMITH_SKYPE,
    ]);
    expect(reseller.totals).toEqual([
      { currency: 'EUR', items: 1, licensesUnassigned: 10, monthlyCostUnassigned: 337.5 },
      { currency: 'USD', items: 1, licensesUnassigned: 25, monthlyCostUnassigned: 150 },
    ]);
    const oneil = await get(
      `?filter=${encodeURIComponent(`customerTenantId eq '${CUST.oneil.toLowerCase()}'`)}`,
    );
    expect(oneil.value).toEqual([ONEIL_E3, ONEIL_SALES]);
  });

  it('reads the snapshot processedDateTime names, and an empty list for a day without one', async () => {
    // 2026-11-01: Oneil's E3 50 − 10 = 40 × €33.75 = €1,350.
    const early = await get(`?processedDateTime=${EARLY}T00:00:00Z`);
    expect(early.processedDate).toBe(EARLY);
    expect(early.value).toEqual([
      {
        ...ONEIL_E3,
        licensesSold: 50,
        licensesDeployed: 10,
        licensesUnassigned: 40,
        monthlyCostUnassigned: 1350,
      },
    ]);
    const none = await get('?processedDateTime=2026-10-01');
    expect(none).toEqual({
      processedDate: '2026-10-01',
      value: [],
      totalCount: 0,
      totals: [],
      unpriced: { items: 0, licensesUnassigned: 0 },
    });
  });

  it("reads only the caller's rows and prices", async () => {
    // Partner B: the same customer and product ids, 100 − 50 = 50 seats × its own £99 = £4,950.
    const b = await get('', tokenB);
    expect(b.value).toEqual([
      {
        ...ONEIL_E3,
        customerName: 'Other',
        licensesSold: 100,
        licensesDeployed: 50,
        licensesUnassigned: 50,
        unitPrice: 99,
        currency: 'GBP',
        monthlyUnitPrice: 99,
        monthlyCostUnassigned: 4950,
      },
    ]);
    const stranger = await get('', await h.token('99999999-0000-4000-8000-000000000009'));
    expect(stranger).toMatchObject({ processedDate: null, value: [], totalCount: 0 });
  });

  it('answers bad parameters with ApiFaults that say what to fix', async () => {
    const cases: [string, number, number, RegExp][] = [
      ['?top=ten', 400, 800002, /'top' must be a whole number/],
      ['?skip=-1', 400, 800002, /'skip' must be a whole number/],
      ['?processedDateTime=yesterday', 400, 800002, /'processedDateTime' must be a date/],
      [`?filter=${encodeURIComponent("seats eq '1'")}`, 400, 3000, /seats/],
      [`?filter=${encodeURIComponent("channel eq 'x' and")}`, 400, 800002, /position/],
      ['?top=1&TOP=2', 400, 800002, /given more than once/],
    ];
    for (const [query, status, code, message] of cases) {
      const res = await h.get(`${SHELFWARE}${query}`, tokenA);
      expect(res.statusCode, query).toBe(status);
      const fault = json<Fault>(res);
      expect(fault.code, query).toBe(code);
      expect(fault.description, query).toMatch(message);
    }
    expect((await h.get(SHELFWARE)).statusCode).toBe(401);
    const post = await h.app.inject({
      method: 'POST',
      url: SHELFWARE,
      headers: { authorization: `Bearer ${tokenA}` },
    });
    expect(post.statusCode).toBe(405);
  });

  it('is in the OpenAPI document under the seatwise tag, with its parameters and body', async () => {
    const doc = json<{
      paths: Record<
        string,
        {
          get: {
            parameters: { name: string }[];
            tags: string[];
            responses: Record<string, { content: Record<string, { schema: { properties: object } }> }>;
          };
        }
      >;
    }>(await h.get('/openapi.json'));
    const op = doc.paths[SHELFWARE]?.get;
    expect(op?.tags).toEqual(['seatwise']);
    expect(op?.parameters.map((p) => p.name).sort()).toEqual(['filter', 'processedDateTime', 'skip', 'top']);
    const body = op?.responses['200']?.content['application/json']?.schema.properties ?? {};
    expect(Object.keys(body).sort()).toEqual([
      '@nextLink',
      'processedDate',
      'totalCount',
      'totals',
      'unpriced',
      'value',
    ]);
  });
});
