/**
 * The request examples of the two seed documents ("Get licenses deployment information" and "Get
 * partner licenses deployment information"), sent as written, against the demo dataset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_ID, generateDemo } from '../../src/ingest/demo.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';

const EXAMPLE_HEADERS = {
  accept: 'application/json',
  'ms-requestid': '25b6edd5-1f53-456b-b48c-c64f60ec2dda',
  'ms-correlationid': '6492b9d6-5629-429b-934c-040b1946e760',
  'x-locale': 'en-US',
  host: 'api.partnercenter.microsoft.com',
};

describeOnStores('seed documents', (kind) => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await h.load(
      DEMO_PARTNER_ID,
      generateDemo({ partnerId: DEMO_PARTNER_ID, customers: 60, days: 3, seed: 3, endDate: '2026-11-20' }),
    );
    token = await h.token(DEMO_PARTNER_ID);
  });
  afterAll(() => h?.close());

  function expectExampleHeaders(headers: Record<string, unknown>): void {
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(headers['ms-requestid']).toBe(EXAMPLE_HEADERS['ms-requestid']);
    expect(headers['ms-correlationid']).toBe(EXAMPLE_HEADERS['ms-correlationid']);
    expect(headers['ms-cv']).toMatch(/\.0$/);
    expect(headers['ms-serverid']).toBeTruthy();
    expect(headers.date).toBeTruthy();
  }

  describe('seed document request examples', () => {
    it('GET /v1/analytics/commercial/deployment/license/ answers like the documented response', async () => {
      const res = await h.get('/v1/analytics/commercial/deployment/license/', token, EXAMPLE_HEADERS);
      expect(res.statusCode).toBe(200);
      expectExampleHeaders(res.headers);
      const body = json<{ Value: Record<string, unknown>[]; '@nextLink': null; TotalCount: number }>(res);
      expect(Object.keys(body)).toEqual(['Value', '@nextLink', 'TotalCount']);
      expect(body.TotalCount).toBe(body.Value.length);
      expect(body['@nextLink']).toBeNull();
      const first = body.Value[0]!;
      expect(first.processedDateTime).toBe('2026-11-20T00:00:00');
      expect(first.customerTenantId).toMatch(
        /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/,
      );
      expect(first.productName).toBe(String(first.productName).toUpperCase());
      expect(new Set(body.Value.map((r) => `${r.serviceCode}|${r.serviceName}`))).toEqual(
        new Set(['o365|Microsoft Office 365', 'crm|Microsoft Dynamics']),
      );
    });

    it('GET /v1/analytics/licenses/deployment answers like the documented response', async () => {
      const res = await h.get('/v1/analytics/licenses/deployment', token, EXAMPLE_HEADERS);
      expect(res.statusCode).toBe(200);
      expectExampleHeaders(res.headers);
      const body = json<{ totalCount: number; items: Record<string, unknown>[]; attributes: unknown }>(res);
      expect(body.attributes).toEqual({ objectType: 'Collection' });
      expect(body.totalCount).toBe(body.items.length);
      expect(body.items.map((i) => i.serviceName)).toEqual(expect.arrayContaining(['crm', 'o365']));
      for (const item of body.items) {
        expect(Object.keys(item)).toEqual([
          'proratedDeploymentPercent',
          'licensesSold',
          'processedDateTime',
          'serviceName',
          'channel',
          'attributes',
        ]);
        expect(item.processedDateTime).toBe('2026-11-20T00:00:00+00:00');
        expect(item.proratedDeploymentPercent).toBeGreaterThanOrEqual(0);
        expect(item.proratedDeploymentPercent).toBeLessThanOrEqual(100);
      }
      // E1's licensesSold per (service, channel) equals E5's grouped sums.
      const grouped = json<{ Value: { serviceCode: string; channel: string; licensesSold: number }[] }>(
        await h.get('/v1/analytics/commercial/deployment/license/?groupby=serviceCode,channel', token),
      );
      expect(body.items.map((i) => [i.serviceName, i.channel, i.licensesSold])).toEqual(
        grouped.Value.map((g) => [g.serviceCode, g.channel, g.licensesSold]),
      );
    });
  });
});
