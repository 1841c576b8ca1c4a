import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correlationIds } from '../../src/http/request-context.ts';
import { columns, PARTNER_A, PARTNER_A_ROWS } from '../fixtures/http-rows.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';
import { E5 } from '../support/wire.ts';

interface Fault {
  code: number;
  description: string;
  data: unknown[];
  source: string;
}

describeOnStores('errors and headers', (kind) => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await h.load(PARTNER_A, columns(PARTNER_A_ROWS));
    token = await h.token(PARTNER_A);
  });
  afterAll(() => h?.close());

  function expectNoInternals(body: string): void {
    expect(body).not.toMatch(/\bat .+\.(ts|js):\d+|SELECT |FROM "|duckdb|postgres|relation "|Error:|stack/i);
  }

  async function fault(url: string, status: number, code: number): Promise<Fault> {
    const res = await h.get(url, token);
    expect(res.statusCode, res.body).toBe(status);
    const body = json<Fault>(res);
    expect(Object.keys(body)).toEqual(['code', 'description', 'data', 'source']);
    expect(body.code, body.description).toBe(code);
    expect(body.source).toBe('Seatwise');
    expectNoInternals(res.body);
    return body;
  }

  describe('malformed requests are 400 ApiFaults naming the problem', () => {
    it.each([
      ['top=-1', /top/],
      ['top=1.5', /top/],
      ['top=abc', /top/],
      ['top=', /top/],
      ['skip=-5', /skip/],
      ['skip=1e3', /skip/],
      ['top=1&top=2', /top/],
      ['processedDateTime=yesterday', /processedDateTime/],
      ['processedDateTime=2026-02-30', /processedDateTime/],
      ['groupby=', /groupby/],
      ['groupby=channel,,serviceCode', /groupby/],
    ])('%s', async (query, mention) => {
      const body = await fault(`${E5}?${query}`, 400, 800002);
      expect(body.description).toMatch(mention);
    });

    it('an unknown groupby or filter field is invalid property 3000, named in the description', async () => {
      expect((await fault(`${E5}?groupby=channel,licenseCount`, 400, 3000)).description).toMatch(
        /licenseCount/,
      );
      expect(
        (await fault(`${E5}?filter=${encodeURIComponent("colour eq 'red'")}`, 400, 3000)).description,
      ).toMatch(/colour/);
    });

    it.each([
      ["serviceCode gt 'o365'", 12],
      ['serviceCode eq o365', 15],
      ["serviceCode eq 'o365", 15],
      ["(serviceCode eq 'o365'", 22],
      ["serviceCode eq 'o365')", 21],
      ["serviceCode eq 'o365' and", 25],
      ["serviceCode eq 'o365' channel eq 'x'", 22],
    ])('filter %s fails at position %i', async (filter, position) => {
      const body = await fault(`${E5}?filter=${encodeURIComponent(filter)}`, 400, 800002);
      expect(body.data[0]).toMatchObject({ position });
      expect(body.description).toContain(String(position));
    });

    it('an empty filter is an error, unknown parameters are ignored', async () => {
      await fault(`${E5}?filter=`, 400, 800002);
      await fault(`${E5}?filter=%20%20`, 400, 800002);
      const res = await h.get(`${E5}?$top=abc&foo=bar&top=1`, token);
      expect(res.statusCode).toBe(200);
      expect(json<{ Value: unknown[] }>(res).Value).toHaveLength(1);
    });

    it('random filter strings never produce anything but 200 or a 400 ApiFault', async () => {
      const alphabet = fc.constantFrom(
        'serviceCode',
        'channel',
        'customerName',
        ' eq ',
        ' ne ',
        ' and ',
        ' or ',
        '(',
        ')',
        "'",
        "''",
        "'o365'",
        ' ',
        'x',
        '%',
        '\\',
        '"',
        ';',
        '--',
        '株',
        '\u0000',
        '\uFFFF',
        'gt',
        ',',
      );
      const filters = fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.array(alphabet, { maxLength: 30 }).map((a) => a.join('')),
      );
      await fc.assert(
        fc.asyncProperty(filters, async (filter) => {
          const res = await h.get(`${E5}?filter=${encodeURIComponent(filter)}`, token);
          expect([200, 400], `${filter} → ${res.body}`).toContain(res.statusCode);
          const body = json(res);
          if (res.statusCode === 400) {
            expect([800002, 3000]).toContain(body.code);
            expectNoInternals(res.body);
          }
        }),
        { numRuns: 300 },
      );
    });

    it('raw percent-encoding oddities in the query are client errors or ignored, never 500', async () => {
      for (const q of ['filter=%', 'filter=%E0%A4%A', 'top=%00', 'groupby=%FF', 'filter=%27%27%27']) {
        const res = await h.get(`${E5}?${q}`, token);
        expect([200, 400], q).toContain(res.statusCode);
        json(res);
      }
    });
  });

  describe('routes and methods', () => {
    it('unknown routes are JSON 404 ApiFaults, with or without a token', async () => {
      for (const t of [token, undefined]) {
        const res = await h.get('/v1/analytics/nothing-here', t);
        expect(res.statusCode).toBe(404);
        expect(json<Fault>(res)).toMatchObject({ code: 1000, source: 'Seatwise' });
      }
    });

    it('other methods on known routes are JSON 405 with Allow', async () => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        for (const url of [E5, '/v1/analytics/licenses/deployment']) {
          const res = await h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
          expect(res.statusCode, `${method} ${url}`).toBe(405);
          expect(res.headers.allow).toBe('GET, HEAD');
          expect(json<Fault>(res).code).toBe(1000);
        }
      }
    });

    it('a malformed URL path is a 400 ApiFault', async () => {
      const res = await h.get('/v1/customers/%E0%A4%A/analytics/licenses/deployment', token);
      expect(res.statusCode).toBe(400);
      expect(json<Fault>(res).code).toBe(800002);
    });
  });

  describe('response headers', () => {
    it('echo MS-RequestId and MS-CorrelationId and carry MS-CV, MS-ServerId, Date on success and on errors', async () => {
      const ids = {
        'ms-requestid': '25b6edd5-1f53-456b-b48c-c64f60ec2dda',
        'ms-correlationid': '6492b9d6-5629-429b-934c-040b1946e760',
      };
      for (const [url, t, status] of [
        [E5, token, 200],
        [`${E5}?top=-1`, token, 400],
        [E5, undefined, 401],
        ['/nowhere', token, 404],
      ] as const) {
        const res = await h.get(url, t, {
          ...ids,
          accept: 'application/json',
          'x-locale': 'en-US',
          'ms-contract-version': 'v1',
        });
        expect(res.statusCode).toBe(status);
        expect(res.headers['ms-requestid']).toBe(ids['ms-requestid']);
        expect(res.headers['ms-correlationid']).toBe(ids['ms-correlationid']);
        expect(res.headers['ms-cv']).toMatch(/^[A-Za-z0-9_-]{16}\.0$/);
        expect(res.headers['ms-serverid']).toBe('102030524');
        expect(new Date(String(res.headers.date)).getTime()).toBeGreaterThan(0);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      }
    });

    it('generate GUIDs when the ids are absent, and a new MS-CV per response', async () => {
      const a = await h.get(E5, token);
      const b = await h.get(E5, token);
      const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      expect(a.headers['ms-requestid']).toMatch(guid);
      expect(a.headers['ms-correlationid']).toMatch(guid);
      expect(a.headers['ms-requestid']).not.toBe(b.headers['ms-requestid']);
      expect(a.headers['ms-cv']).not.toBe(b.headers['ms-cv']);
      // Across more vectors than one fill of the random pool they are drawn from, none repeats.
      const vectors = Array.from({ length: 1100 }, () => correlationIds({}).correlationVector);
      expect(new Set(vectors).size).toBe(1100);
      for (const v of vectors) expect(v).toMatch(/^[A-Za-z0-9_-]{16}\.0$/);
    });

    it('prefixes bodies with a byte-order mark only when asked to', async () => {
      const withBom = await createHarness({ store: kind, byteOrderMark: true });
      try {
        const t = await withBom.token(PARTNER_A);
        const res = await withBom.get(E5, t);
        expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
        expect(JSON.parse(res.body.slice(1))).toEqual({ Value: [], '@nextLink': null, TotalCount: 0 });
        const err = await withBom.get(E5);
        expect(err.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      } finally {
        await withBom.close();
      }
      const plain = await h.get(E5, token);
      expect(plain.rawPayload[0]).toBe('{'.charCodeAt(0));
    });
  });

  describe('service routes', () => {
    it('/healthz needs no token', async () => {
      const res = await h.get('/healthz');
      expect(res.statusCode).toBe(200);
      expect(json(res)).toEqual({ status: 'ok', store: kind, version: 'test' });
    });

    it('/openapi.json describes the three endpoints with the shared schemas', async () => {
      const res = await h.get('/openapi.json');
      expect(res.statusCode).toBe(200);
      const doc = json<{
        openapi: string;
        paths: Record<string, unknown>;
        components: { schemas: Record<string, unknown> };
      }>(res);
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          E5,
          `/partner${E5}`,
          '/v1/analytics/licenses/deployment',
          '/v1/customers/{customerId}/analytics/licenses/deployment',
        ]),
      );
      expect(Object.keys(doc.components.schemas)).toEqual(
        expect.arrayContaining([
          'ApiFault',
          'DeploymentRow',
          'DeploymentPage',
          'PartnerLicensesDeploymentInsights',
        ]),
      );
      const params = (doc.paths[E5] as { get: { parameters: { name: string }[] } }).get.parameters.map(
        (p) => p.name,
      );
      expect(params.sort()).toEqual(['filter', 'groupby', 'processedDateTime', 'skip', 'top']);
    });
  });
});
