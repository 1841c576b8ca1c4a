/**
 * The SDK's customer calls — the customers list, a customer's subscribed SKUs and subscriptions —
 * against the fake Partner Center on a real listener: continuation pages, byte-order marks, 429,
 * 5xx retries and failures, credentials refresh, timeouts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { AttemptInfo, Customer, SubscribedSku, Subscription } from '../../src/sdk/index.ts';
import { createPartnerClient, PartnerCenterError } from '../../src/sdk/index.ts';
import { parseRetryAfter } from '../../src/sdk/transport.ts';
import {
  FAKE_SKUS,
  type FakePartnerCenter,
  type FakePartnerCenterOptions,
  fakeCustomers,
  fakeSubscriptions,
  startFakePartnerCenter,
} from '../support/fake-partner-center.ts';

let fake: FakePartnerCenter | undefined;
let server: Server | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  server?.closeAllConnections();
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

const FAST = { delaysMs: [10, 20, 30] };

async function start(options: FakePartnerCenterOptions) {
  fake = await startFakePartnerCenter(options);
  const client = createPartnerClient({
    baseUrl: fake.baseUrl,
    credentials: 'tok',
    retry: FAST,
    correlationId: 'corr-7',
  });
  return { fake, client };
}

describe('customers.pages / customers.iterate', () => {
  it('follows MS-ContinuationToken page after page and stops after the last', async () => {
    const customers = fakeCustomers(7);
    const { fake, client } = await start({ customers, pageSize: 3 });

    const pages = [];
    for await (const page of client.customers.pages({ size: 3 })) pages.push(page);

    expect(pages.map((p) => p.items.map((c) => c.id))).toEqual([
      customers.slice(0, 3).map((c) => c.id),
      customers.slice(3, 6).map((c) => c.id),
      customers.slice(6).map((c) => c.id),
    ]);
    expect(pages.map((p) => p.totalCount)).toEqual([3, 3, 1]);
    expect(pages[0]!.items[0]).toMatchObject({
      id: customers[0]!.id,
      companyProfile: { tenantId: customers[0]!.tenantId, companyName: 'Customer 1 & Sons' },
      relationshipToPartner: 'reseller',
    });
    expect(pages[0]!.continuationToken).toMatch(/^ct-1-/);
    expect(pages[1]!.continuationToken).toMatch(/^ct-2-/);
    expect(pages[2]!.continuationToken).toBeNull();
    expect(pages[2]!.links.next).toBeUndefined();

    // Exactly three requests: the first without a token, each next one with the previous page's.
    const log = fake.requests;
    expect(log.map((r) => [r.kind, r.page])).toEqual([
      ['customers', 0],
      ['customers', 1],
      ['customers', 2],
    ]);
    expect(log[0]!.path).toBe('/v1/customers?size=3');
    expect(log[0]!.continuationToken).toBeUndefined();
    expect(log[1]!.continuationToken).toBe(pages[0]!.continuationToken);
    expect(log[2]!.continuationToken).toBe(pages[1]!.continuationToken);
    expect(log[1]!.path).toBe('/v1/customers?size=3&seekOperation=Next');
    // Every page is a call of its own: a new MS-RequestId, the client's MS-CorrelationId.
    expect(new Set(log.map((r) => r.requestId)).size).toBe(3);
    expect(log.every((r) => r.correlationId === 'corr-7' && r.authorization === 'Bearer tok')).toBe(true);

    const ids: string[] = [];
    for await (const c of client.customers.iterate({ size: 3 })) ids.push(c.id);
    expect(ids).toEqual(customers.map((c) => c.id));
    expectTypeOf(client.customers.iterate()).toEqualTypeOf<AsyncIterableIterator<Customer>>();
  });

  it('pages on a body continuationToken alone, and resumes from a given token', async () => {
    const customers = fakeCustomers(5);
    const { fake, client } = await start({ customers, pageSize: 2, continuation: 'body' });
    const pages = [];
    for await (const page of client.customers.pages({ size: 2 })) pages.push(page);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/v1/customers?size=2',
      '/v1/customers?size=2&seekOperation=Next',
      '/v1/customers?size=2&seekOperation=Next',
    ]);
    expect(fake.requests.map((r) => r.page)).toEqual([0, 1, 2]);

    const rest: string[] = [];
    for await (const c of client.customers.iterate({
      size: 2,
      continuationToken: pages[0]!.continuationToken!,
    }))
      rest.push(c.id);
    expect(rest).toEqual(customers.slice(2).map((c) => c.id));
  });

  it('asks for 500 customers a page by default and stops after a page without a token', async () => {
    const { fake, client } = await start({ customers: fakeCustomers(2) });
    const ids: string[] = [];
    for await (const c of client.customers.iterate()) ids.push(c.id);
    expect(ids).toHaveLength(2);
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/customers?size=500']);
  });

  it('reads pages and SKUs sent after a UTF-8 byte-order mark', async () => {
    const customers = fakeCustomers(2);
    const { fake, client } = await start({ customers, bom: true });
    // The fake really sends the mark: the raw bytes start with EF BB BF.
    const raw = await fetch(`${fake.baseUrl}/v1/customers/${customers[0]!.id}/subscribedskus`, {
      headers: { authorization: 'Bearer tok' },
    });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

    const tenants: (string | undefined)[] = [];
    for await (const page of client.customers.pages())
      tenants.push(...page.items.map((c) => c.companyProfile?.tenantId));
    expect(tenants).toEqual(customers.map((c) => c.tenantId));
    const skus = await client.customers.byId(customers[0]!.id).subscribedSkus.get();
    expect(skus.totalCount).toBe(2);
    expect(skus.items.map((s) => [s.productSku.skuPartNumber, s.totalUnits, s.consumedUnits])).toEqual([
      [FAKE_SKUS.e3.partNumber, 10, 5],
      [FAKE_SKUS.sales.partNumber, 4, 3],
    ]);
  });

  it('fails instead of paging forever when a token comes back', async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ totalCount: 1, items: [{ id: req.url }], continuationToken: 'same' }));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = createPartnerClient({ baseUrl: url, credentials: 't', retry: FAST });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const c of client.customers.iterate({ size: 1 })) seen.push(c.id);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerCenterError);
    expect(err).toMatchObject({ status: 200, url: `${url}/v1/customers?size=1&seekOperation=Next` });
    expect(seen).toEqual(['/v1/customers?size=1', '/v1/customers?size=1&seekOperation=Next']);
  });
});

describe('customers.byId(id).subscribedSkus / .subscriptions', () => {
  it('returns the subscribed SKUs and subscriptions, typed', async () => {
    const customers = fakeCustomers(1);
    const { fake, client } = await start({ customers });
    const customer = client.customers.byId(customers[0]!.id);
    const skus = await customer.subscribedSkus.get();
    const subs = await customer.subscriptions.get();
    expectTypeOf(skus.items).toEqualTypeOf<readonly SubscribedSku[]>();
    expectTypeOf(subs.items).toEqualTypeOf<readonly Subscription[]>();
    expect(skus.items[0]).toMatchObject({
      productSku: { id: FAKE_SKUS.e3.id, name: 'Office 365 E3', targetType: 'User' },
      capabilityStatus: 'Enabled',
      totalUnits: 10,
      consumedUnits: 5,
      availableUnits: 5,
    });
    const expected = fakeSubscriptions(customers[0]!);
    expect(subs.totalCount).toBe(2);
    expect(subs.items.map((s) => [s.id, s.offerId, s.offerName, s.quantity, s.status, s.unitType])).toEqual(
      expected.map((s) => [s.id, s.offerId, s.offerName, s.quantity, 'active', 'Licenses']),
    );
    expect(fake.requests.map((r) => r.path)).toEqual([
      `/v1/customers/${customers[0]!.id}/subscribedskus`,
      `/v1/customers/${customers[0]!.id}/subscriptions`,
    ]);
  });

  it('retries a 5xx with the same MS-RequestId until it answers, reporting each attempt', async () => {
    const customers = fakeCustomers(2);
    const target = customers[1]!.id;
    const { fake, client } = await start({
      customers,
      faults: [
        { match: (r) => r.customerId === target, status: 503, times: 1 },
        { match: (r) => r.customerId === target, status: 500, times: 1 },
      ],
    });
    const attempts: AttemptInfo[] = [];
    const skus = await client.customers
      .byId(target)
      .subscribedSkus.get({ onAttempt: (a) => attempts.push(a) });
    expect(skus.items.map((s) => s.productSku.id)).toEqual([FAKE_SKUS.e3.id]);
    expect(skus.items[0]!.totalUnits).toBe(11);

    const calls = fake.requests.filter((r) => r.customerId === target);
    expect(calls.map((r) => r.status)).toEqual([503, 500, 200]);
    expect(new Set(calls.map((r) => r.requestId)).size).toBe(1);
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 503],
      [2, 500],
      [3, 200],
    ]);
    expect(attempts.every((a) => a.requestId === calls[0]!.requestId)).toBe(true);
    expect(attempts[0]!.url).toBe(`${fake.baseUrl}/v1/customers/${target}/subscribedskus`);
  });

  it('surfaces a 5xx that never recovers as a PartnerCenterError, after three retries', async () => {
    const customers = fakeCustomers(1);
    const id = customers[0]!.id;
    const { fake, client } = await start({
      customers,
      faults: [{ match: (r) => r.kind === 'subscriptions', status: 502, times: Infinity }],
    });
    const err = await client.customers
      .byId(id)
      .subscriptions.get()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartnerCenterError);
    const calls = fake.requests.filter((r) => r.kind === 'subscriptions');
    expect(calls).toHaveLength(4);
    expect(err).toMatchObject({
      status: 502,
      code: 800003,
      description: 'scripted 502',
      requestId: calls[0]!.requestId,
      correlationId: 'corr-7',
      url: `${fake.baseUrl}/v1/customers/${id}/subscriptions`,
    });
    expect((err as Error).message).toBe('HTTP 502 (code 800003): scripted 502');
  });

  it('does not retry a 404 for an unknown customer', async () => {
    const { fake, client } = await start({ customers: fakeCustomers(1) });
    await expect(client.customers.byId('no-such').subscribedSkus.get()).rejects.toMatchObject({
      status: 404,
      code: 900118,
    });
    expect(fake.requests).toHaveLength(1);
  });
});

describe('429 and other retries on the customer calls', () => {
  it('waits out a 429 for Retry-After on a continuation page, keeping the MS-RequestId and token', async () => {
    const customers = fakeCustomers(4);
    const { fake, client } = await start({
      customers,
      pageSize: 2,
      faults: [
        { match: (r) => r.kind === 'customers' && r.page === 1, status: 429, retryAfterSeconds: 1, times: 1 },
      ],
    });
    const attempts: AttemptInfo[] = [];
    const ids: string[] = [];
    for await (const c of client.customers.iterate({ size: 2 }, { onAttempt: (a) => attempts.push(a) }))
      ids.push(c.id);
    expect(ids).toEqual(customers.map((c) => c.id));
    const log = fake.requests;
    expect(log.map((r) => [r.page, r.status])).toEqual([
      [0, 200],
      [1, 429],
      [1, 200],
    ]);
    expect(log[2]!.at - log[1]!.at).toBeGreaterThanOrEqual(950);
    expect(log[2]!.requestId).toBe(log[1]!.requestId);
    expect(log[2]!.continuationToken).toBe(log[1]!.continuationToken);
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 200],
      [1, 429],
      [2, 200],
    ]);
  });

  it('waits out at most max429Retries 429s, counted apart from 5xx retries', async () => {
    const customers = fakeCustomers(1);
    const { fake } = await start({
      customers,
      faults: [
        { match: (r) => r.kind === 'subscribedskus', status: 503, times: 2 },
        { match: (r) => r.kind === 'subscribedskus', status: 429, retryAfterSeconds: 0, times: Infinity },
      ],
    });
    const client = createPartnerClient({
      baseUrl: fake.baseUrl,
      credentials: 'tok',
      retry: { delaysMs: [5, 5], max429Retries: 4 },
    });
    const err = await client.customers
      .byId(customers[0]!.id)
      .subscribedSkus.get()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, retryAfter: 0 });
    // 2 × 503, then 5 × 429 (the first and 4 waited out).
    expect(fake.requests.map((r) => r.status)).toEqual([503, 503, 429, 429, 429, 429, 429]);
  });

  it('surfaces a Retry-After beyond maxRetryAfterSeconds without waiting', async () => {
    const customers = fakeCustomers(1);
    const { fake } = await start({
      customers,
      faults: [{ match: (r) => r.kind === 'customers', status: 429, retryAfterSeconds: 3600, times: 1 }],
    });
    const client = createPartnerClient({ baseUrl: fake.baseUrl, credentials: 'tok', retry: FAST });
    const started = Date.now();
    await expect(client.customers.pages().next()).rejects.toMatchObject({ status: 429, retryAfter: 3600 });
    expect(Date.now() - started).toBeLessThan(900);
    expect(fake.requests).toHaveLength(1);
  });

  it('retries an attempt that times out, under the same MS-RequestId', async () => {
    const customers = fakeCustomers(1);
    const { fake } = await start({
      customers,
      faults: [{ match: (r) => r.kind === 'subscriptions', status: 200, delayMs: 400, times: 1 }],
    });
    const client = createPartnerClient({
      baseUrl: fake.baseUrl,
      credentials: 'tok',
      retry: FAST,
      timeoutMs: 100,
    });
    const attempts: number[] = [];
    const subs = await client.customers
      .byId(customers[0]!.id)
      .subscriptions.get({ onAttempt: (a) => attempts.push(a.status) });
    expect(subs.items).toHaveLength(2);
    expect(attempts).toEqual([0, 200]);
    const calls = fake.requests.filter((r) => r.kind === 'subscriptions');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.requestId).toBe(calls[1]!.requestId);
  });

  it('retries a body that stalls halfway, and ignores next-link headers that would replace its own', async () => {
    let n = 0;
    const seen: { id: string | undefined; auth: string | undefined; token: string | undefined }[] = [];
    server = createServer((req, res) => {
      n++;
      const h = (name: string) => req.headers[name] as string | undefined;
      seen.push({ id: h('ms-requestid'), auth: h('authorization'), token: h('ms-continuationtoken') });
      res.writeHead(200, { 'content-type': 'application/json' });
      if (n === 1) {
        res.write('\uFEFF{"totalCount":1,"items":[{"id":"a"}],'); // …and nothing more
        return;
      }
      const more = n === 2;
      res.end(
        JSON.stringify({
          totalCount: 1,
          items: [{ id: more ? 'a' : 'b' }],
          ...(more
            ? {
                links: {
                  next: {
                    uri: '/customers?size=1&seekOperation=Next',
                    method: 'GET',
                    headers: [
                      { key: 'MS-ContinuationToken', value: 'p2' },
                      { key: 'Authorization', value: 'Bearer planted' },
                    ],
                  },
                },
              }
            : {}),
        }),
      );
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = createPartnerClient({ baseUrl: url, credentials: 't', retry: FAST, timeoutMs: 150 });
    const ids: string[] = [];
    for await (const c of client.customers.iterate({ size: 1 })) ids.push(c.id);
    expect(ids).toEqual(['a', 'b']);
    expect(seen).toHaveLength(3);
    expect(seen[0]!.id).toBe(seen[1]!.id);
    expect(seen[2]).toMatchObject({ auth: 'Bearer t', token: 'p2' });
  });

  it('after a 401 asks for a new token naming the refused one; the same token again ends the call', async () => {
    const customers = fakeCustomers(1);
    const { fake } = await start({ customers, acceptToken: (t) => t === 'fresh' });
    const asked: { forceRefresh: boolean; rejectedToken?: string }[] = [];
    const client = createPartnerClient({
      baseUrl: fake.baseUrl,
      retry: FAST,
      credentials: async (o) => {
        asked.push(o);
        return o.forceRefresh ? 'fresh' : 'stale';
      },
    });
    const skus = await client.customers.byId(customers[0]!.id).subscribedSkus.get();
    expect(skus.items).toHaveLength(2);
    expect(asked).toEqual([{ forceRefresh: false }, { forceRefresh: true, rejectedToken: 'stale' }]);
    expect(fake.requests.map((r) => [r.authorization, r.status])).toEqual([
      ['Bearer stale', 401],
      ['Bearer fresh', 200],
    ]);

    const stuck = createPartnerClient({
      baseUrl: fake.baseUrl,
      retry: FAST,
      credentials: async () => 'stale',
    });
    await expect(stuck.customers.byId(customers[0]!.id).subscriptions.get()).rejects.toMatchObject({
      status: 401,
      code: 800001,
    });
    expect(fake.requests).toHaveLength(3);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(' 12 ')).toBe(12);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(new Date(Date.now() - 5000).toUTCString())).toBe(0);
    const inTen = parseRetryAfter(new Date(Date.now() + 10_000).toUTCString());
    expect(inTen).toBeGreaterThanOrEqual(9);
    expect(inTen).toBeLessThanOrEqual(11);
  });
});
