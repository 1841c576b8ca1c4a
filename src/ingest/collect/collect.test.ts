import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakePartnerCenter,
  fakeCustomers,
  startFakePartnerCenter,
} from '../../../test/support/fake-partner-center.ts';
import { createPartnerClient } from '../../sdk/index.ts';
import { CollectError, collectPartnerCenter, type PartnerCenterReader } from './collect.ts';
import { commandTokenSource, staticTokenSource, tokenCredentials } from './token-source.ts';

let fake: FakePartnerCenter | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const FAST = [5, 10, 15];

/** The SDK's client, as `seatwise collect` makes it. */
function client(baseUrl: string, tokens = staticTokenSource('tok'), extra: { timeoutMs?: number } = {}) {
  return createPartnerClient({
    baseUrl,
    credentials: tokenCredentials(tokens),
    correlationId: 'corr-1',
    retry: { delaysMs: FAST, max429Retries: 6 },
    ...extra,
  });
}

describe('collectPartnerCenter', () => {
  it('follows continuation tokens across pages, strips the BOM and reads every customer', async () => {
    const customers = fakeCustomers(7);
    fake = await startFakePartnerCenter({ customers, pageSize: 3 });
    const progress: [number, number][] = [];
    const result = await collectPartnerCenter({
      client: client(`${fake.baseUrl}/`),
      concurrency: 2,
      onProgress: (d, t) => progress.push([d, t]),
    });
    expect(result.pages).toHaveLength(3);
    expect(result.customers).toHaveLength(7);
    expect([...result.subscribedSkus.keys()].sort()).toEqual(customers.map((c) => c.id).sort());
    expect(result.failures).toEqual([]);
    expect(progress.at(-1)).toEqual([7, 7]);
    const pages = fake.requests.filter((r) => r.kind === 'customers');
    expect(pages.map((r) => r.page)).toEqual([0, 1, 2]);
    expect(pages[0]?.continuationToken).toBeUndefined();
    expect(pages[1]?.continuationToken).toMatch(/^ct-1-/);
    expect(fake.requests.every((r) => r.correlationId === 'corr-1' && r.locale === 'en-US')).toBe(true);
    expect(new Set(fake.requests.map((r) => r.requestId)).size).toBe(fake.requests.length);
    expect(result.requests).toBe(fake.requests.length);
  });

  it('keeps at most `concurrency` subscribedskus calls in flight', async () => {
    fake = await startFakePartnerCenter({ customers: fakeCustomers(12) });
    let inFlight = 0;
    let most = 0;
    const base = client(fake.baseUrl);
    // The SDK's client, with each subscribed SKUs call counted while it is in flight.
    const counting: PartnerCenterReader = {
      customers: {
        pages: (query, options) => base.customers.pages(query, options),
        byId: (id) => ({
          subscribedSkus: {
            get: async (options) => {
              inFlight++;
              most = Math.max(most, inFlight);
              try {
                await new Promise((r) => setTimeout(r, 5));
                return await base.customers.byId(id).subscribedSkus.get(options);
              } finally {
                inFlight--;
              }
            },
          },
        }),
      },
    };
    await collectPartnerCenter({ client: counting, concurrency: 3 });
    expect(most).toBe(3);
  });

  it('retries 503s with the same MS-RequestId and waits out a 429 for Retry-After', async () => {
    const customers = fakeCustomers(3);
    const first = customers[0]!.id;
    fake = await startFakePartnerCenter({
      customers,
      faults: [
        { match: (r) => r.customerId === first, status: 503, times: 2 },
        { match: (r) => r.kind === 'customers', status: 429, retryAfterSeconds: 1, times: 1 },
      ],
    });
    const result = await collectPartnerCenter({ client: client(fake.baseUrl) });
    expect(result.failures).toEqual([]);
    const calls = fake.requests.filter((r) => r.customerId === first);
    expect(calls.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(calls.map((r) => r.requestId)).size).toBe(1);
    const pages = fake.requests.filter((r) => r.kind === 'customers');
    expect(pages.map((r) => r.status)).toEqual([429, 200]);
    expect(pages[0]?.requestId).toBe(pages[1]?.requestId);
    expect(pages[1]!.at - pages[0]!.at).toBeGreaterThanOrEqual(950);
    expect(result.retries).toBe(3);
  });

  it('reports a customer that fails after every retry, and does not retry a 404', async () => {
    const customers = fakeCustomers(4);
    const [bad, gone] = [customers[1]!, customers[2]!];
    fake = await startFakePartnerCenter({
      customers,
      faults: [
        { match: (r) => r.customerId === bad.id, status: 500, times: Infinity },
        { match: (r) => r.customerId === gone.id, status: 404, times: Infinity },
      ],
    });
    const result = await collectPartnerCenter({ client: client(fake.baseUrl) });
    expect(result.subscribedSkus.size).toBe(2);
    const byId = new Map(result.failures.map((f) => [f.id, f]));
    expect(byId.get(bad.id)?.error).toMatch(/HTTP 500: scripted 500/);
    expect(byId.get(bad.id)?.tenantId).toBe(bad.tenantId.toUpperCase());
    expect(fake.requests.filter((r) => r.customerId === bad.id)).toHaveLength(4);
    expect(fake.requests.filter((r) => r.customerId === gone.id)).toHaveLength(1);
    expect(result.requests).toBe(fake.requests.length);
  });

  it('with failFast starts no new customer after a failure', async () => {
    const customers = fakeCustomers(10);
    fake = await startFakePartnerCenter({
      customers,
      faults: [{ match: (r) => r.customerId === customers[0]!.id, status: 403, times: Infinity }],
    });
    const result = await collectPartnerCenter({
      client: client(fake.baseUrl),
      concurrency: 1,
      failFast: true,
    });
    expect(result.failures.map((f) => f.id)).toEqual([customers[0]!.id]);
    expect(result.skipped).toBe(9);
  });

  it('retries a call that times out', async () => {
    const customers = fakeCustomers(1);
    fake = await startFakePartnerCenter({
      customers,
      faults: [{ match: (r) => r.kind === 'subscribedskus', status: 200, delayMs: 300, times: 1 }],
    });
    const result = await collectPartnerCenter({
      client: client(fake.baseUrl, staticTokenSource('tok'), { timeoutMs: 100 }),
    });
    expect(result.failures).toEqual([]);
    expect(fake.requests.filter((r) => r.kind === 'subscribedskus')).toHaveLength(2);
  });

  it('runs the token command again after a 401, and gives up on a fixed token', async () => {
    let issued = 0;
    const tokens = commandTokenSource('unused', { run: async () => `tok-${++issued}` });
    fake = await startFakePartnerCenter({
      customers: fakeCustomers(2),
      acceptToken: (t) => t !== 'tok-1',
    });
    const result = await collectPartnerCenter({ client: client(fake.baseUrl, tokens), concurrency: 1 });
    expect(result.failures).toEqual([]);
    expect(issued).toBe(2);
    expect(fake.requests[0]?.authorization).toBe('Bearer tok-1');
    expect(fake.requests.slice(1).every((r) => r.authorization === 'Bearer tok-2')).toBe(true);

    const before = fake.requests.length;
    await expect(
      collectPartnerCenter({ client: client(fake.baseUrl, staticTokenSource('tok-1')) }),
    ).rejects.toThrow(/HTTP 401/);
    // A fixed token has no replacement: the 401 is not retried.
    expect(fake.requests.length - before).toBe(1);
  });

  it('fails the run when a customers page has the wrong shape', async () => {
    // A 200 whose body has no items array.
    fake = await startFakePartnerCenter({
      customers: fakeCustomers(1),
      faults: [{ match: (r) => r.kind === 'customers', status: 200 }],
    });
    const run = collectPartnerCenter({ client: client(fake.baseUrl) });
    await expect(run).rejects.toThrow(CollectError);
    await expect(run).rejects.toThrow(
      new RegExp(
        `^HTTP 200: the customers page has no items array \\(GET ${fake.baseUrl}/v1/customers\\?size=500, MS-RequestId [0-9a-f-]{36}\\)$`,
      ),
    );
  });
});
