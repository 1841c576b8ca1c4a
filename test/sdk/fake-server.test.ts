/**
 * The SDK against a scripted fake Partner Center on a real listener: retries, 429, errors,
 * credentials refresh, byte-order marks, link styles, cancellation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { DeploymentRow } from '../../src/sdk/index.ts';
import { createPartnerClient, PartnerCenterError, where } from '../../src/sdk/index.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

interface Fake {
  readonly url: string;
  readonly requests: { url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

let fake: Fake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function serve(handler: Handler): Promise<Fake> {
  const requests: Fake['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    handler(req, res, requests.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
  return fake;
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    .end(typeof body === 'string' ? body : JSON.stringify(body));

const FAST = { delaysMs: [10, 20, 30] };
const row = (i: number) => ({ customerName: `C${i}`, licensesDeployed: i, licensesSold: i + 1 });

describe('SDK transport', () => {
  it('tolerates a UTF-8 byte-order mark and reads envelope keys in any case', async () => {
    const f = await serve((_req, res) =>
      send(res, 200, `\uFEFF{"value":[{"a":1}],"@NextLink":null,"totalcount":7}`),
    );
    const client = createPartnerClient({ baseUrl: f.url, credentials: 't', retry: FAST });
    const page = await client.analytics.commercial.deployment.license.get();
    expect(page).toEqual({ value: [{ a: 1 }], nextLink: null, totalCount: 7 });
  });

  it('503, 503, 200 succeeds, with one MS-RequestId across the attempts', async () => {
    const f = await serve((_req, res, n) =>
      n < 3
        ? send(res, 503, { code: 800003, description: 'busy' })
        : send(res, 200, { totalCount: 0, items: [] }),
    );
    const client = createPartnerClient({
      baseUrl: f.url,
      credentials: 't',
      retry: FAST,
      correlationId: 'corr-1',
    });
    const result = await client.analytics.licenses.deployment.get();
    expect(result.items).toEqual([]);
    expect(f.requests).toHaveLength(3);
    const ids = new Set(f.requests.map((r) => r.headers['ms-requestid']));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(f.requests.every((r) => r.headers['ms-correlationid'] === 'corr-1')).toBe(true);
    expect(f.requests[0]!.headers['x-locale']).toBe('en-US');
    expect(f.requests[0]!.headers.accept).toBe('application/json');
    expect(f.requests[0]!.headers.authorization).toBe('Bearer t');
  });

  it('gives up after three retries of a 5xx and surfaces the last error', async () => {
    const f = await serve((_req, res) => send(res, 500, { code: 800003, description: 'boom' }));
    const client = createPartnerClient({ baseUrl: f.url, credentials: 't', retry: FAST });
    const err = await client.analytics.licenses.deployment.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerCenterError);
    expect(err).toMatchObject({ status: 500, code: 800003, description: 'boom' });
    expect(f.requests).toHaveLength(4);
  });

  it('waits out a 429 with Retry-After: 1', async () => {
    const f = await serve((_req, res, n) =>
      n === 1
        ? send(
            res,
            429,
            { statusCode: 429, message: 'Rate limit is exceeded. Try again in 1 seconds.' },
            { 'retry-after': '1' },
          )
        : send(res, 200, { totalCount: 1, items: [{ x: 1 }] }),
    );
    const client = createPartnerClient({ baseUrl: f.url, credentials: 't', retry: FAST });
    const started = Date.now();
    const result = await client.analytics.licenses.deployment.get();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(result.totalCount).toBe(1);
    expect(f.requests).toHaveLength(2);
  });

  it('surfaces a 429 with retryAfter when retrying it is turned off', async () => {
    const f = await serve((_req, res) =>
      send(
        res,
        429,
        { statusCode: 429, message: 'Rate limit is exceeded. Try again in 7 seconds.' },
        { 'retry-after': '7' },
      ),
    );
    const client = createPartnerClient({
      baseUrl: f.url,
      credentials: 't',
      retry: { ...FAST, retryOn429: false },
    });
    const err = await client.analytics.licenses.deployment.get().catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 429,
      retryAfter: 7,
      description: 'Rate limit is exceeded. Try again in 7 seconds.',
    });
    expect(f.requests).toHaveLength(1);
  });

  it('does not retry a 400 and surfaces its code, description and ids', async () => {
    const f = await serve((_req, res) =>
      send(
        res,
        400,
        { code: 3000, description: "Unknown field 'colour'.", data: [], source: 'x' },
        { 'ms-requestid': 'srv-req' },
      ),
    );
    const client = createPartnerClient({ baseUrl: f.url, credentials: 't', retry: FAST });
    const err = await client.analytics.commercial.deployment.license
      .get({ filter: "colour eq 'red'" })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 400,
      code: 3000,
      description: "Unknown field 'colour'.",
      requestId: 'srv-req',
    });
    expect(f.requests).toHaveLength(1);
    expect(f.requests[0]!.url).toBe(
      '/v1/analytics/commercial/deployment/license/?filter=colour%20eq%20%27red%27',
    );
  });

  it.each([403, 404, 409])('does not retry %i', async (status) => {
    const f = await serve((_req, res) => send(res, status, { code: 1, description: 'no' }));
    const client = createPartnerClient({ baseUrl: f.url, credentials: 't', retry: FAST });
    await expect(client.analytics.licenses.deployment.get()).rejects.toMatchObject({ status });
    expect(f.requests).toHaveLength(1);
  });

  it('asks the credentials function again, once, after a 401', async () => {
    const f = await serve((req, res) =>
      req.headers.authorization === 'Bearer fresh'
        ? send(res, 200, { totalCount: 0, items: [] })
        : send(res, 401, { code: 800001, description: 'expired' }, { 'www-authenticate': 'Bearer' }),
    );
    const calls: boolean[] = [];
    const client = createPartnerClient({
      baseUrl: f.url,
      retry: FAST,
      credentials: async ({ forceRefresh }) => {
        calls.push(forceRefresh);
        return forceRefresh ? 'fresh' : 'stale';
      },
    });
    await client.analytics.licenses.deployment.get();
    expect(calls).toEqual([false, true]);
    const stubborn = createPartnerClient({ baseUrl: f.url, retry: FAST, credentials: async () => 'stale' });
    await expect(stubborn.analytics.licenses.deployment.get()).rejects.toMatchObject({
      status: 401,
      code: 800001,
    });
  });

  it('retries network failures and reports status 0 when they persist', async () => {
    const f = await serve((_req, res) => res.destroy());
    const client = createPartnerClient({ baseUrl: f.url, credentials: 't', retry: FAST });
    const err = await client.analytics.licenses.deployment.get().catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 0 });
    expect(f.requests).toHaveLength(4);
  });

  it('stops when the AbortSignal fires, also while waiting to retry', async () => {
    const f = await serve((_req, res) => send(res, 503, { code: 1, description: 'busy' }));
    const client = createPartnerClient({ baseUrl: f.url, credentials: 't', retry: { delaysMs: [5000] } });
    const controller = new AbortController();
    const pending = client.analytics.licenses.deployment.get({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by test')), 100);
    await expect(pending).rejects.toThrow('cancelled by test');
    expect(f.requests).toHaveLength(1);
  });

  it('iterate follows root-relative, absolute and segment-relative links, and falls back to skip', async () => {
    const f = await serve((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const skip = Number(u.searchParams.get('skip') ?? 0);
      const base = `http://${req.headers.host}`;
      const path = '/v1/analytics/commercial/deployment/license/';
      const links: (string | null)[] = [
        `${path}?top=2&skip=2`, // root-relative
        `${base}${path}?top=2&skip=4`, // absolute
        '?top=2&skip=6', // segment-relative
        null, // no link although rows remain: page by skip
        null,
      ];
      const value = [row(skip), row(skip + 1)].filter((r) => r.licensesDeployed < 9);
      send(res, 200, { Value: value, '@nextLink': links[skip / 2] ?? null, TotalCount: 9 });
    });
    const client = createPartnerClient({ baseUrl: f.url, credentials: 't', retry: FAST });
    const seen: number[] = [];
    for await (const r of client.analytics.commercial.deployment.license.iterate({
      top: 2,
      groupby: ['customerName'],
    })) {
      seen.push(r.licensesDeployed);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(f.requests.map((r) => r.url)).toEqual([
      '/v1/analytics/commercial/deployment/license/?groupby=customerName&top=2',
      '/v1/analytics/commercial/deployment/license/?top=2&skip=2',
      '/v1/analytics/commercial/deployment/license/?top=2&skip=4',
      '/v1/analytics/commercial/deployment/license/?top=2&skip=6',
      '/v1/analytics/commercial/deployment/license/?groupby=customerName&top=2&skip=8',
    ]);
  });
});

describe('filter builder', () => {
  it('renders the filter language with quotes doubled', () => {
    const f = where('serviceCode').eq('o365').and(where('channel').ne('direct'));
    expect(String(f)).toBe("(serviceCode eq 'o365' and channel ne 'direct')");
    expect(String(where('customerName').eq("O'Neil & Sons").or("productName eq 'X'"))).toBe(
      "(customerName eq 'O''Neil & Sons' or productName eq 'X')",
    );
  });
});

describe('row types', () => {
  it('grouped rows have exactly the groupby fields and the two sums; ungrouped rows the full row', async () => {
    const f = await serve((_req, res) => send(res, 200, { Value: [], '@nextLink': null, TotalCount: 0 }));
    const license = createPartnerClient({ baseUrl: f.url, credentials: 't' }).analytics.commercial.deployment
      .license;
    const grouped = await license.get({ groupby: ['serviceCode', 'channel'] });
    expectTypeOf<(typeof grouped.value)[number]>().toEqualTypeOf<
      {
        readonly serviceCode: string;
        readonly channel: string;
      } & { readonly licensesDeployed: number; readonly licensesSold: number }
    >();
    // @ts-expect-error customerName is not part of a serviceCode,channel grouping
    grouped.value[0]?.customerName;
    const rows = await license.get({ filter: where('channel').eq('reseller') });
    expectTypeOf<(typeof rows.value)[number]>().toEqualTypeOf<DeploymentRow>();
    expectTypeOf<(typeof rows.value)[number]['licensesSold']>().toEqualTypeOf<number>();
    expect(grouped.totalCount).toBe(0);
  });
});
