/**
 * `GET /seatwise/v1/renewals` through the front door, on every store, against the hand-computed
 * fixture of test/fixtures/insights.ts: active subscriptions whose term ends within the window
 * (counted from the snapshot's date), a product's unassigned seats given to its subscriptions in
 * the order they renew, prices matched to the subscription's own term and billing cycle, totals
 * per currency, paging, filter and bad parameters as ApiFaults.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CUST, PARTNER_A, PARTNER_B, PROD } from '../fixtures/http-rows.ts';
import { loadInsights, NAMES, UNMATCHED_SUBSCRIPTION } from '../fixtures/insights.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';

const RENEWALS = '/seatwise/v1/renewals';

interface Renewals {
  processedDate: string | null;
  withinDays: number;
  value: Record<string, string | number | boolean | null>[];
  '@nextLink'?: string;
  totalCount: number;
  totals: { currency: string; items: number; reducibleSeats: number; monthlyCostReducible: number }[];
}
interface Fault {
  code: number;
  description: string;
}

const E3_OFFER = { offerId: 'CFQ7TTC0LF8R:0001:CFQ7TTC0LF8R', offerName: 'Office 365 E3' };
const SALES_OFFER = { offerId: 'CFQ7TTC0LH1G:0002:CFQ7TTC0LH1G', offerName: 'Dynamics 365 Sales Enterprise' };
const SALES = { productId: PROD.sales, productName: 'DYNAMICS 365 FOR SALES ENTERPRISE EDITION' };
const E3 = { productId: PROD.e3, productName: 'OFFICE 365 E3' };
const EURO = { unitPrice: 33.75, currency: 'EUR', billingPlan: 'monthly', monthlyUnitPrice: 33.75 };
// The sheet's price for a year billed monthly, the term and cycle of S4 and S6.
const SALES_P1Y_MONTHLY = {
  unitPrice: 99.75,
  currency: 'USD',
  billingPlan: 'monthly',
  monthlyUnitPrice: 99.75,
};

// In the window of 30 days from 2026-11-30, by end date:
// S7: an add-on no product was matched to: nothing known to drop.
const S7 = {
  customerTenantId: CUST.oneil,
  customerName: NAMES.oneil,
  subscriptionId: UNMATCHED_SUBSCRIPTION,
  offerId: 'CFQ7TTC0ZZZZ:0001:CFQ7TTC0ZZZZ',
  offerName: 'Some add-on',
  friendlyName: '',
  productId: null,
  productName: null,
  quantity: 4,
  termDuration: 'P1Y',
  billingCycle: 'monthly',
  commitmentEndDate: '2026-12-01',
  daysUntilEnd: 1,
  autoRenewEnabled: null,
  licensesUnassigned: null,
  reducibleSeats: 0,
};
// S5: Smith's Skype, 10 − 3 = 7 unassigned, all in this subscription of 10; no price.
const S5 = {
  customerTenantId: CUST.smith,
  customerName: NAMES.smith,
  subscriptionId: 'S5',
  offerId: 'CFQ7TTC0XXXX:0001:CFQ7TTC0XXXX',
  offerName: 'Skype for Business Online (Plan 2)',
  friendlyName: '',
  productId: PROD.skype,
  productName: 'SKYPE FOR BUSINESS ONLINE (PLAN 2)',
  quantity: 10,
  termDuration: 'P1Y',
  billingCycle: 'monthly',
  commitmentEndDate: '2026-12-05',
  daysUntilEnd: 5,
  autoRenewEnabled: false,
  licensesUnassigned: 7,
  reducibleSeats: 7,
};
// S1 renews before S2: Oneil's 13 unassigned E3 seats all fit in S1's 50 (13 × €33.75 = €438.75),
// leaving none for S2.
const S1 = {
  customerTenantId: CUST.oneil,
  customerName: NAMES.oneil,
  subscriptionId: 'S1',
  ...E3_OFFER,
  friendlyName: 'E3 main',
  ...E3,
  quantity: 50,
  termDuration: 'P1Y',
  billingCycle: 'monthly',
  commitmentEndDate: '2026-12-10',
  daysUntilEnd: 10,
  autoRenewEnabled: true,
  licensesUnassigned: 13,
  reducibleSeats: 13,
  ...EURO,
  monthlyCostReducible: 438.75,
};
const S2 = {
  ...S1,
  subscriptionId: 'S2',
  friendlyName: 'E3 extra',
  quantity: 5,
  termDuration: 'P1M',
  commitmentEndDate: '2026-12-15',
  daysUntilEnd: 15,
  autoRenewEnabled: false,
  reducibleSeats: 0,
  monthlyCostReducible: 0,
};
// S6: Cairo's Sales is fully assigned.
const S6 = {
  customerTenantId: CUST.cairo,
  customerName: NAMES.cairo,
  subscriptionId: 'S6',
  ...SALES_OFFER,
  friendlyName: '',
  ...SALES,
  quantity: 5,
  termDuration: 'P1Y',
  billingCycle: 'monthly',
  commitmentEndDate: '2026-12-20',
  daysUntilEnd: 20,
  autoRenewEnabled: true,
  licensesUnassigned: 0,
  reducibleSeats: 0,
  ...SALES_P1Y_MONTHLY,
  monthlyCostReducible: 0,
};
// S4, on the window's last day: Oneil's Sales, 3 − 1 = 2 seats × $99.75 = $199.50.
const S4 = {
  ...S6,
  customerTenantId: CUST.oneil,
  customerName: NAMES.oneil,
  subscriptionId: 'S4',
  quantity: 3,
  commitmentEndDate: '2026-12-30',
  daysUntilEnd: 30,
  licensesUnassigned: 2,
  reducibleSeats: 2,
  monthlyCostReducible: 199.5,
};
// S3, 91 days out: Tokyo's 25 unassigned Business Basic seats; the sheet has no annual billing
// for it, so its lowest monthly price, $6: $150.
const S3 = {
  customerTenantId: CUST.tokyo,
  customerName: NAMES.tokyo,
  subscriptionId: 'S3',
  offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0LH18',
  offerName: 'Microsoft 365 Business Basic',
  friendlyName: '',
  productId: PROD.bizBasic,
  productName: 'MICROSOFT 365 BUSINESS BASIC',
  quantity: 25,
  termDuration: 'P1Y',
  billingCycle: 'annual',
  commitmentEndDate: '2027-03-01',
  daysUntilEnd: 91,
  autoRenewEnabled: true,
  licensesUnassigned: 25,
  reducibleSeats: 25,
  unitPrice: 6,
  currency: 'USD',
  billingPlan: 'monthly',
  monthlyUnitPrice: 6,
  monthlyCostReducible: 150,
};

describeOnStores('GET /seatwise/v1/renewals', (kind) => {
  let h: Harness;
  let tokenA: string;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await loadInsights(h.store);
    tokenA = await h.token(PARTNER_A);
  });
  afterAll(async () => {
    await h?.close();
  });

  const get = async (query: string, token = tokenA) => {
    const res = await h.get(`${RENEWALS}${query}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return json<Renewals>(res);
  };

  it('lists the active subscriptions ending within 30 days of the snapshot, by end date', async () => {
    // Not listed: S3 (91 days out), S8 (suspended), S9 (ended the day before the snapshot).
    expect(await get('')).toEqual({
      processedDate: '2026-11-30',
      withinDays: 30,
      value: [S7, S5, S1, S2, S6, S4],
      totalCount: 6,
      totals: [
        { currency: 'EUR', items: 2, reducibleSeats: 13, monthlyCostReducible: 438.75 },
        { currency: 'USD', items: 2, reducibleSeats: 2, monthlyCostReducible: 199.5 },
      ],
    });
  });

  it('takes the window from withinDays', async () => {
    const wide = await get('?withinDays=120');
    expect(wide.value).toEqual([S7, S5, S1, S2, S6, S4, S3]);
    expect(wide.totals).toEqual([
      { currency: 'EUR', items: 2, reducibleSeats: 13, monthlyCostReducible: 438.75 },
      { currency: 'USD', items: 3, reducibleSeats: 27, monthlyCostReducible: 349.5 },
    ]);
    expect((await get('?withinDays=5')).value).toEqual([S7, S5]);
    expect((await get('?withinDays=0')).value).toEqual([]);
  });

  it('pages, and filters by customer and product', async () => {
    const first = await get('?top=4');
    expect(first.value).toEqual([S7, S5, S1, S2]);
    expect(first['@nextLink']).toBe(`${RENEWALS}?top=4&skip=4`);
    const second = await get(first['@nextLink']!.slice(RENEWALS.length));
    expect(second.value).toEqual([S6, S4]);
    expect(second['@nextLink']).toBeUndefined();

    const sales = await get(`?filter=${encodeURIComponent(`productId eq '${PROD.sales}'`)}`);
    expect(sales.value).toEqual([S6, S4]);
    const smith = await get(`?filter=${encodeURIComponent("customerName eq 'SMITH'")}`);
    expect(smith.value).toEqual([S5]);
    expect(smith.totals).toEqual([]);
  });

  it("reads only the caller's subscriptions", async () => {
    const b = await get('', await h.token(PARTNER_B));
    expect(b).toEqual({ processedDate: '2026-11-30', withinDays: 30, value: [], totalCount: 0, totals: [] });
  });

  it('answers bad parameters with ApiFaults that say what to fix', async () => {
    const cases: [string, number, RegExp][] = [
      ['?withinDays=soon', 800002, /'withinDays' must be a whole number of days from 0 to 3660/],
      ['?withinDays=-1', 800002, /'withinDays'/],
      ['?withinDays=3661', 800002, /'withinDays'/],
      ['?withinDays=1&WITHINDAYS=2', 800002, /given more than once/],
      [
        `?filter=${encodeURIComponent("channel eq 'direct'")}`,
        3000,
        /'channel' at position 0 cannot filter renewals/,
      ],
      [
        `?filter=${encodeURIComponent("customerName eq 'a' or serviceCode eq 'o365'")}`,
        3000,
        /'serviceCode' at position 23/,
      ],
      ['?top=x', 800002, /'top'/],
    ];
    for (const [query, code, message] of cases) {
      const res = await h.get(`${RENEWALS}${query}`, tokenA);
      expect(res.statusCode, query).toBe(400);
      const fault = json<Fault>(res);
      expect(fault.code, query).toBe(code);
      expect(fault.description, query).toMatch(message);
    }
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
    const op = doc.paths[RENEWALS]?.get;
    expect(op?.tags).toEqual(['seatwise']);
    expect(op?.parameters.map((p) => p.name).sort()).toEqual([
      'filter',
      'processedDateTime',
      'skip',
      'top',
      'withinDays',
    ]);
    const body = op?.responses['200']?.content['application/json']?.schema.properties ?? {};
    expect(Object.keys(body).sort()).toEqual([
      '@nextLink',
      'processedDate',
      'totalCount',
      'totals',
      'value',
      'withinDays',
    ]);
  });
});
