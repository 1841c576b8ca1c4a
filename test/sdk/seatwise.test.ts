/**
 * `client.seatwise.trend(...)` and `client.seatwise.changes(...)` against a real listener: the typed items, the parameters as sent
 * (days from Dates, groupby, filter builders), the partner's scope, and a bad parameter thrown as a
 * PartnerCenterError carrying the ApiFault.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createPartnerClient, PartnerCenterError, type PartnerClient, where } from '../../src/sdk/index.ts';
import { CUST, columns, PARTNER_A, PARTNER_B, PROD, toRow } from '../fixtures/http-rows.ts';
import { createHarness, type Harness } from '../support/harness.ts';

const D1 = '2026-11-01';
const D2 = '2026-11-02';

let h: Harness;
let base: string;
let client: PartnerClient;

beforeAll(async () => {
  h = await createHarness();
  await h.load(
    PARTNER_A,
    columns([
      toRow(D1, [CUST.oneil, 'Oneil', PROD.e3, 'reseller', 4, 10]),
      toRow(D2, [CUST.oneil, 'Oneil', PROD.e3, 'reseller', 6, 10]),
      toRow(D2, [CUST.tokyo, 'Tokyo', PROD.sales, 'direct', 1, 3]),
    ]),
  );
  await h.load(PARTNER_B, columns([toRow(D1, [CUST.oneil, 'Other', PROD.e3, 'reseller', 50, 100])]));
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  client = createPartnerClient({
    baseUrl: base,
    credentials: await h.token(PARTNER_A),
  });
});
afterAll(() => h.close());

describe('client.seatwise.changes', () => {
  it('reads the rows added, removed or changed between two snapshots', async () => {
    const changes = await client.seatwise.changes({ from: new Date(`${D1}T23:00:00Z`), to: D2 });
    expectTypeOf(changes.value[0]!.kind).toEqualTypeOf<'added' | 'removed' | 'changed'>();
    expect(changes).toEqual({
      from: D1,
      to: D2,
      value: [
        {
          customerTenantId: CUST.oneil,
          customerName: 'Oneil',
          productId: PROD.e3,
          productName: 'OFFICE 365 E3',
          serviceCode: 'o365',
          serviceName: 'Microsoft Office 365',
          channel: 'reseller',
          kind: 'changed',
          licensesSoldBefore: 10,
          licensesSoldAfter: 10,
          licensesSoldDelta: 0,
          licensesDeployedBefore: 4,
          licensesDeployedAfter: 6,
          licensesDeployedDelta: 2,
        },
        {
          customerTenantId: CUST.tokyo,
          customerName: 'Tokyo',
          productId: PROD.sales,
          productName: 'DYNAMICS 365 FOR SALES ENTERPRISE EDITION',
          serviceCode: 'crm',
          serviceName: 'Microsoft Dynamics',
          channel: 'direct',
          kind: 'added',
          licensesSoldBefore: 0,
          licensesSoldAfter: 3,
          licensesSoldDelta: 3,
          licensesDeployedBefore: 0,
          licensesDeployedAfter: 1,
          licensesDeployedDelta: 1,
        },
      ],
      totalCount: 2,
    });
    const paged = await client.seatwise.changes({ from: D1, to: D2, top: 1 });
    expect(paged).toEqual(changes);
    const filtered = await client.seatwise.changes({
      from: D1,
      to: D2,
      filter: where('serviceCode').eq('CRM'),
    });
    expect(filtered.value.map((c) => [c.customerTenantId, c.kind])).toEqual([[CUST.tokyo, 'added']]);
  });
});

describe('client.seatwise.trend', () => {
  it('reads the sums per processed date', async () => {
    const trend = await client.seatwise.trend();
    expect(trend).toEqual({
      value: [
        { processedDate: D1, licensesSold: 10, licensesDeployed: 4 },
        { processedDate: D2, licensesSold: 13, licensesDeployed: 7 },
      ],
      totalCount: 2,
    });
  });

  it('types the groupby fields of each item and sends the range and filter', async () => {
    const trend = await client.seatwise.trend({
      from: new Date(`${D2}T12:00:00Z`),
      to: D2,
      groupby: ['serviceCode', 'channel'],
      filter: where('channel').ne('reseller'),
    });
    expectTypeOf(trend.value[0]!.serviceCode).toEqualTypeOf<string>();
    expectTypeOf(trend.value[0]!.licensesSold).toEqualTypeOf<number>();
    expect(trend.value).toEqual([
      { processedDate: D2, serviceCode: 'crm', channel: 'direct', licensesSold: 3, licensesDeployed: 1 },
    ]);
  });

  it("reads only the token's partner", async () => {
    const other = createPartnerClient({ baseUrl: base, credentials: await h.token(PARTNER_B) });
    expect((await other.seatwise.trend()).value).toEqual([
      { processedDate: D1, licensesSold: 100, licensesDeployed: 50 },
    ]);
  });

  it('throws a bad parameter as a PartnerCenterError with the ApiFault', async () => {
    const missing = await client.seatwise.changes({ from: D1, to: '2026-11-09' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PartnerCenterError);
    expect((missing as PartnerCenterError).status).toBe(404);
    expect((missing as PartnerCenterError).code).toBe(1000);
    const err = await client.seatwise.trend({ from: '2026-02-30' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerCenterError);
    expect((err as PartnerCenterError).status).toBe(400);
    expect((err as PartnerCenterError).code).toBe(800002);
    expect((err as PartnerCenterError).description).toContain("'from'");
  });
});
