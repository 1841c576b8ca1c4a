/**
 * `GET /seatwise/v1/trend` through the front door, on every store: sums per processed date (and
 * groupby fields) against a hand-computed fixture, the range and filter, tenant isolation, and
 * bad parameters as 400 ApiFaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { D1, D2, D3, EXTENSION_A_ROWS, EXTENSION_B_ROWS } from '../fixtures/extension-rows.ts';
import { CUST, columns, PARTNER_A, PARTNER_B } from '../fixtures/http-rows.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';

const TREND = '/seatwise/v1/trend';

interface Trend {
  value: Record<string, string | number>[];
  totalCount: number;
}
interface Fault {
  code: number;
  description: string;
}

describeOnStores('GET /seatwise/v1/trend', (kind) => {
  let h: Harness;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await h.load(PARTNER_A, columns(EXTENSION_A_ROWS));
    await h.load(PARTNER_B, columns(EXTENSION_B_ROWS));
    tokenA = await h.token(PARTNER_A);
    tokenB = await h.token(PARTNER_B);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function trend(query: string, token = tokenA): Promise<Trend> {
    const res = await h.get(`${TREND}${query}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return json<Trend>(res);
  }

  async function fault(query: string): Promise<Fault> {
    const res = await h.get(`${TREND}${query}`, tokenA);
    expect(res.statusCode, res.body).toBe(400);
    return json<Fault>(res);
  }

  it('sums sold and deployed per processed date over every snapshot of the partner', async () => {
    expect(await trend('')).toEqual({
      value: [
        { processedDate: D1, licensesSold: 15, licensesDeployed: 9 },
        { processedDate: D2, licensesSold: 18, licensesDeployed: 9 },
        { processedDate: D3, licensesSold: 7, licensesDeployed: 7 },
      ],
      totalCount: 3,
    });
  });

  it('splits each day by the groupby fields, ordered by date then byte-wise', async () => {
    expect((await trend('?groupby=serviceCode')).value).toEqual([
      { processedDate: D1, serviceCode: 'o365', licensesSold: 15, licensesDeployed: 9 },
      { processedDate: D2, serviceCode: 'crm', licensesSold: 3, licensesDeployed: 1 },
      { processedDate: D2, serviceCode: 'o365', licensesSold: 15, licensesDeployed: 8 },
      { processedDate: D3, serviceCode: 'crm', licensesSold: 7, licensesDeployed: 7 },
    ]);
    expect((await trend(`?groupby=customerTenantId&from=${D2}`)).value).toEqual([
      { processedDate: D2, customerTenantId: CUST.oneil, licensesSold: 13, licensesDeployed: 7 },
      { processedDate: D2, customerTenantId: CUST.tokyo, licensesSold: 5, licensesDeployed: 2 },
      { processedDate: D3, customerTenantId: CUST.tokyo, licensesSold: 7, licensesDeployed: 7 },
    ]);
  });

  it('keeps to the range from..to (inclusive) and applies the E5 filter', async () => {
    expect((await trend(`?from=${D2}&to=${D2}`)).value).toEqual([
      { processedDate: D2, licensesSold: 18, licensesDeployed: 9 },
    ]);
    expect((await trend(`?to=${D1}`)).value).toEqual([
      { processedDate: D1, licensesSold: 15, licensesDeployed: 9 },
    ]);
    const direct = encodeURIComponent("channel eq 'DIRECT'");
    expect((await trend(`?filter=${direct}&to=${D2}`)).value).toEqual([
      { processedDate: D1, licensesSold: 0, licensesDeployed: 0 },
      { processedDate: D2, licensesSold: 3, licensesDeployed: 1 },
    ]);
    expect((await trend(`?filter=${direct}&groupby=channel,productName`)).value).toEqual([
      {
        processedDate: D2,
        channel: 'direct',
        productName: 'DYNAMICS 365 FOR SALES ENTERPRISE EDITION',
        licensesSold: 3,
        licensesDeployed: 1,
      },
      {
        processedDate: D3,
        channel: 'direct',
        productName: 'DYNAMICS 365 FOR SALES ENTERPRISE EDITION',
        licensesSold: 7,
        licensesDeployed: 7,
      },
    ]);
    const customer = encodeURIComponent(`customerTenantId eq '${CUST.oneil.toLowerCase()}'`);
    expect((await trend(`?filter=${customer}`)).value).toEqual([
      { processedDate: D1, licensesSold: 10, licensesDeployed: 4 },
      { processedDate: D2, licensesSold: 13, licensesDeployed: 7 },
      { processedDate: D3, licensesSold: 0, licensesDeployed: 0 },
    ]);
  });

  it("shows a partner only its own snapshots (the token's tid)", async () => {
    expect(await trend('', tokenB)).toEqual({
      value: [{ processedDate: D1, licensesSold: 100, licensesDeployed: 50 }],
      totalCount: 1,
    });
    expect(await trend(`?from=${D2}`, tokenB)).toEqual({ value: [], totalCount: 0 });
    expect(await trend('', await h.token('33333333-CCCC-4CCC-8CCC-333333333333'))).toEqual({
      value: [],
      totalCount: 0,
    });
  });

  it('answers bad parameters with 400 ApiFaults naming them', async () => {
    const badDay = await fault('?from=2026-13-01');
    expect(badDay.code).toBe(800002);
    expect(badDay.description).toContain("'from'");
    expect((await fault('?to=yesterday')).description).toContain("'to'");
    expect((await fault(`?from=${D3}&to=${D1}`)).description).toContain('after');
    expect((await fault(`?from=${D1}&FROM=${D2}`)).description).toContain('more than once');
    const badField = await fault('?groupby=bogus');
    expect(badField.code).toBe(3000);
    expect(badField.description).toContain('bogus');
    expect((await fault(`?filter=${encodeURIComponent('serviceCode eq')}`)).code).toBe(800002);
    expect((await fault(`?filter=${encodeURIComponent("colour eq 'red'")}`)).code).toBe(3000);
  });

  describe('the rest of the front door', () => {
    it('needs a token and refuses other methods', async () => {
      expect((await h.get(TREND)).statusCode).toBe(401);
      const res = await h.app.inject({
        method: 'POST',
        url: TREND,
        headers: { authorization: `Bearer ${tokenA}` },
      });
      expect(res.statusCode).toBe(405);
    });

    it('is in the OpenAPI document with its parameters', async () => {
      const doc = json<{
        paths: Record<string, { get: { parameters: { name: string }[]; tags: string[] } }>;
      }>(await h.get('/openapi.json'));
      const op = doc.paths[TREND]?.get;
      expect(op?.tags).toEqual(['seatwise']);
      expect(op?.parameters.map((p) => p.name).sort()).toEqual(['filter', 'from', 'groupby', 'to']);
    });
  });
});
