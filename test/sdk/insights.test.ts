/**
 * `client.seatwise.shelfware(...)` and `client.seatwise.renewals(...)` against a real listener on the
 * insights fixture: every page read (one item per page here) gives exactly the server's one-page
 * answer, the parameters are sent as given (days from Dates, filter builders, withinDays), and a
 * bad parameter is thrown as a PartnerCenterError carrying the ApiFault.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createPartnerClient, PartnerCenterError, type PartnerClient, where } from '../../src/sdk/index.ts';
import { CUST, PARTNER_A } from '../fixtures/http-rows.ts';
import { EARLY, loadInsights } from '../fixtures/insights.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';

let h: Harness;
let token: string;
let client: PartnerClient;

beforeAll(async () => {
  h = await createHarness();
  await loadInsights(h.store);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  token = await h.token(PARTNER_A);
  client = createPartnerClient({ baseUrl: base, credentials: token });
});
afterAll(() => h.close());

/** The server's own answer in one page, without `@nextLink`. */
async function onePage(path: string): Promise<Record<string, unknown>> {
  const res = await h.get(path, token);
  expect(res.statusCode, res.body).toBe(200);
  const { '@nextLink': _next, ...body } = json(res);
  return body;
}

describe('client.seatwise.shelfware', () => {
  it('reads every page: the same items and totals as the server gives in one', async () => {
    const shelfware = await client.seatwise.shelfware({ top: 1 });
    expectTypeOf(shelfware.value[0]!.monthlyCostUnassigned).toEqualTypeOf<number | undefined>();
    expect(shelfware.value).toHaveLength(4);
    expect(shelfware).toEqual(await onePage('/seatwise/v1/shelfware'));
    expect(shelfware.totals.map((t) => [t.currency, t.monthlyCostUnassigned])).toEqual([
      ['EUR', 438.75],
      ['USD', 340],
    ]);
  });

  it('sends the snapshot and the filter', async () => {
    const early = await client.seatwise.shelfware({ processedDateTime: new Date(`${EARLY}T22:00:00Z`) });
    expect(early.processedDate).toBe(EARLY);
    expect(early.value.map((i) => i.monthlyCostUnassigned)).toEqual([1350]);
    const oneil = await client.seatwise.shelfware({ filter: where('customerTenantId').eq(CUST.oneil) });
    expect(oneil.value.map((i) => i.productName)).toEqual([
      'OFFICE 365 E3',
      'DYNAMICS 365 FOR SALES ENTERPRISE EDITION',
    ]);
  });
});

describe('client.seatwise.renewals', () => {
  it('reads every page within the window asked for', async () => {
    const renewals = await client.seatwise.renewals({ withinDays: 120, top: 2 });
    expect(renewals.value).toHaveLength(7);
    expect(renewals).toEqual(await onePage('/seatwise/v1/renewals?withinDays=120'));
    expect(renewals.withinDays).toBe(120);
    const soon = await client.seatwise.renewals();
    expect(soon.withinDays).toBe(30);
    expect(soon.value.map((r) => r.subscriptionId)).toEqual(['S7-ADDON', 'S5', 'S1', 'S2', 'S6', 'S4']);
  });

  it('throws a bad parameter as a PartnerCenterError with the ApiFault', async () => {
    const err = await client.seatwise
      .renewals({ filter: where('channel').eq('direct') })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerCenterError);
    expect((err as PartnerCenterError).status).toBe(400);
    expect((err as PartnerCenterError).code).toBe(3000);
    expect((err as PartnerCenterError).message).toMatch(/cannot filter renewals/);
  });
});
