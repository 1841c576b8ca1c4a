import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUST, DAY_2, loadBothPartners, PARTNER_A, PARTNER_B, PROD } from '../fixtures/http-rows.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';

const E1 = '/v1/analytics/licenses/deployment';
const e3 = (id: string) => `/v1/customers/${id}/analytics/licenses/deployment`;

describeOnStores('legacy endpoints', (kind) => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await loadBothPartners(h);
    token = await h.token(PARTNER_A);
  });
  afterAll(() => h?.close());

  describe('E1 GET /v1/analytics/licenses/deployment', () => {
    it('returns one item per (service, channel) of the latest snapshot with license-weighted percentages', async () => {
      const res = await h.get(E1, token);
      expect(res.statusCode).toBe(200);
      // Day 2 of partner A:
      //   crm/direct:    sold 3, capped deployed 1                   → 33.33
      //   crm/reseller:  sold 5+8=13, capped 5+3=8                   → 61.54
      //   o365/direct:   sold 2, capped 2                            → 100
      //   o365/reseller: sold 50+25+10+9+120=214, capped 40+0+10+7+100=157 → 73.36
      const ts = `${DAY_2}T00:00:00+00:00`;
      const item = (serviceName: string, channel: string, licensesSold: number, pct: number) => ({
        proratedDeploymentPercent: pct,
        licensesSold,
        processedDateTime: ts,
        serviceName,
        channel,
        attributes: { objectType: 'PartnerLicensesDeploymentInsights' },
      });
      expect(json(res)).toEqual({
        totalCount: 4,
        items: [
          item('crm', 'direct', 3, 33.33),
          item('crm', 'reseller', 13, 61.54),
          item('o365', 'direct', 2, 100),
          item('o365', 'reseller', 214, 73.36),
        ],
        attributes: { objectType: 'Collection' },
      });
    });

    it('is an empty collection for a partner with no data', async () => {
      const res = await h.get(E1, await h.token('99999999-9999-4999-8999-999999999999'));
      expect(json(res)).toEqual({ totalCount: 0, items: [], attributes: { objectType: 'Collection' } });
    });
  });

  describe('E3 GET /v1/customers/{id}/analytics/licenses/deployment', () => {
    it("returns the customer's products with deployment capped at sold", async () => {
      const res = await h.get(e3(CUST.tokyo), token);
      expect(res.statusCode).toBe(200);
      const common = {
        customerId: CUST.tokyo,
        customerName: '株式会社テスト',
        serviceCode: 'o365',
        serviceName: 'Microsoft Office 365',
        channel: 'reseller',
        processedDateTime: `${DAY_2}T00:00:00+00:00`,
        attributes: { objectType: 'CustomerLicensesDeploymentInsights' },
      };
      // Ordered by productId: 3B55… (Business Basic) before 6FD2… (E3); 12 deployed of 10 sold caps at 100 %.
      const body = json<{ items: Record<string, unknown>[] }>(res);
      expect(body).toEqual({
        totalCount: 2,
        items: [
          {
            licensesDeployed: 0,
            licensesSold: 25,
            deploymentPercent: 0,
            ...common,
            productName: 'MICROSOFT 365 BUSINESS BASIC',
          },
          {
            licensesDeployed: 12,
            licensesSold: 10,
            deploymentPercent: 100,
            ...common,
            productName: 'OFFICE 365 E3',
          },
        ],
        attributes: { objectType: 'Collection' },
      });
      expect(Object.keys(body.items[0]!)).toEqual([
        'licensesDeployed',
        'licensesSold',
        'deploymentPercent',
        'customerId',
        'customerName',
        'productName',
        'serviceCode',
        'serviceName',
        'channel',
        'processedDateTime',
        'attributes',
      ]);
    });

    it('accepts the id in lower case and with braces', async () => {
      for (const id of [CUST.oneil.toLowerCase(), `{${CUST.oneil}}`, `%7B${CUST.oneil.toLowerCase()}%7D`]) {
        const res = await h.get(e3(id), token);
        expect(res.statusCode, id).toBe(200);
        const body = json<{
          totalCount: number;
          items: { productName: string; channel: string; deploymentPercent: number }[];
        }>(res);
        expect(body.items.map((i) => [i.productName, i.channel, i.deploymentPercent])).toEqual([
          ['DYNAMICS 365 FOR SALES ENTERPRISE EDITION', 'direct', 33.33],
          ['DYNAMICS 365 FOR SALES ENTERPRISE EDITION', 'reseller', 100],
          ['OFFICE 365 E3', 'reseller', 80],
        ]);
      }
    });

    it('a non-GUID id is 400 code 900118', async () => {
      for (const id of ['not-a-guid', '12345', `${CUST.oneil}0`, `{${CUST.oneil}`]) {
        const res = await h.get(e3(encodeURIComponent(id)), token);
        expect(res.statusCode, id).toBe(400);
        expect(json(res)).toMatchObject({ code: 900118 });
      }
    });

    it("another partner's customer is a 404 exactly like an unknown one", async () => {
      const tokenB = await h.token(PARTNER_B);
      const unknown = await h.get(e3('0F0F0F0F-0000-4000-8000-00000000000F'), tokenB);
      const othersOnly = await h.get(e3(CUST.tokyo), tokenB);
      expect(unknown.statusCode).toBe(404);
      expect(othersOnly.statusCode).toBe(404);
      const strip = (b: string) => b.replace(/[0-9A-F-]{36}/gi, 'ID');
      expect(strip(othersOnly.body)).toBe(strip(unknown.body));
      // A shared customer id shows only the caller's own rows.
      const shared = json<{ items: { customerName: string; licensesSold: number; productName: string }[] }>(
        await h.get(e3(CUST.oneil), tokenB),
      );
      expect(shared.items).toEqual([
        expect.objectContaining({
          customerName: 'Other Partner View',
          licensesSold: 1000,
          productName: 'OFFICE 365 E3',
        }),
      ]);
      expect(JSON.stringify(shared)).not.toContain(PROD.sales);
    });
  });
});
