import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakePartnerCenter,
  fakeCustomers,
  startFakePartnerCenter,
} from '../../../test/support/fake-partner-center.ts';
import { CollectError, collectPartnerCenter } from './collect.ts';
import { createCollectHttp } from './http-client.ts';
import { commandTokenSource, staticTokenSource } from './token-source.ts';

let fake: FakePartnerCenter | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const FAST = [5, 10, 15];

function http(tokens = staticTokenSource('tok'), extra: { timeoutMs?: number } = {}) {
  return createCollectHttp({ tokens, correlationId: 'corr-1', retryDelaysMs: FAST, ...extra });
}

describe('collectPartnerCenter', () => {
  it('follows continuation tokens across pages, strips the BOM and reads every customer', async () => {
    const customers = fakeCustomers(7);
    fake = await startFakePartnerCenter({ customers, pageSize: 3 });
    const progress: [number, number][] = [];
    const result = await collectPartnerCenter({
      baseUrl: `${fake.baseUrl}/`,
      http: http(),
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
    const base = http();
    const counting = {
      getJson: async (url: string, headers?: Readonly<Record<string, string>>) => {
        inFlight++;
        most = Math.max(most, inFlight);
        try {
          await new Promise((r) => setTimeout(r, 5));
          return await base.getJson(url, headers);
        } finally {
          inFlight--;
        }
      },
    };
    await collectPartnerCenter({ baseUrl: fake.baseUrl, http: counting, concurrency: 3 });
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
    const result = await collectPartnerCenter({ baseUrl: fake.baseUrl, http: http() });
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
    const result = await collectPartnerCenter({ baseUrl: fake.baseUrl, http: http() });
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
      baseUrl: fake.baseUrl,
      http: http(),
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
      baseUrl: fake.baseUrl,
      http: http(staticTokenSource('tok'), { timeoutMs: 100 }),
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
    const result = await collectPartnerCenter({ baseUrl: fake.baseUrl, http: http(tokens), concurrency: 1 });
    expect(result.failures).toEqual([]);
    expect(issued).toBe(2);
    expect(fake.requests[0]?.authorization).toBe('Bearer tok-1');
    expect(fake.requests.slice(1).every((r) => r.authorization === 'Bearer tok-2')).toBe(true);

    await expect(
      collectPartnerCenter({ baseUrl: fake.baseUrl, http: http(staticTokenSource('tok-1')) }),
    ).rejects.toThrow(/HTTP 401/);
  });

  it('fails the run when a customers page has the wrong shape', async () => {
    fake = await startFakePartnerCenter({ customers: [] });
    const broken = {
      getJson: async () => ({ text: '{}', body: {}, requestId: 'r', retries: 0 }),
    };
    await expect(collectPartnerCenter({ baseUrl: fake.baseUrl, http: broken })).rejects.toThrow(CollectError);
  });
});
