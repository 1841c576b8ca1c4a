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

  it('keeps at most `concurrency` customer calls in flight', async () => {
    fake = await startFakePartnerCenter({ customers: fakeCustomers(12) });
    let inFlight = 0;
    let most = 0;
    const base = client(fake.baseUrl);
    // The SDK's client, with each customer call counted while it is in flight.
    const counted = async <T>(call: () => Promise<T>): Promise<T> => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 5));
        return await call();
      } finally {
        inFlight--;
      }
    };
    const counting: PartnerCenterReader = {
      customers: {
        pages: (query, options) => base.customers.pages(query, options),
        byId: (id) => ({
          subscribedSkus: {
            get: (options) => counted(() => base.customers.byId(id).subscribedSkus.get(options)),
          },
          subscriptions: {
            get: (options) => counted(() => base.customers.byId(id).subscriptions.get(options)),
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
    const calls = fake.requests.filter((r) => r.customerId === first && r.kind === 'subscribedskus');
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

  it('reads each customer’s subscriptions after its subscribed SKUs and hands both on to be saved', async () => {
    const customers = fakeCustomers(3);
    const subscriptions = [
      {
        id: 'S-1',
        offerId: 'CFQ7TTC0LFLX:0001',
        offerName: 'Office 365 E3',
        quantity: 12,
        billingCycle: 'annual',
      },
    ];
    const one = { ...customers[1]!, subscriptions };
    fake = await startFakePartnerCenter({ customers: [customers[0]!, one, customers[2]!] });
    const saved: string[] = [];
    const result = await collectPartnerCenter({
      client: client(fake.baseUrl),
      concurrency: 1,
      onSubscribedSkus: async (id) => {
        saved.push(`skus ${id}`);
      },
      onSubscriptions: async (id, text) => {
        saved.push(`subscriptions ${id} ${(JSON.parse(text) as { items: unknown[] }).items.length}`);
      },
    });
    expect(result.failures).toEqual([]);
    expect([...result.subscriptions.keys()]).toEqual(customers.map((c) => c.id));
    const body = result.subscriptions.get(one.id) as { items: Record<string, unknown>[] };
    expect(
      body.items.map((i) => [i.id, i.offerId, i.offerName, i.quantity, i.billingCycle, i.status]),
    ).toEqual([['S-1', 'CFQ7TTC0LFLX:0001', 'Office 365 E3', 12, 'annual', 'active']]);
    expect(saved).toEqual([
      `skus ${customers[0]!.id}`,
      // fakeCustomers: every third has Sales beside E3, and one default subscription per SKU.
      `subscriptions ${customers[0]!.id} 2`,
      `skus ${one.id}`,
      `subscriptions ${one.id} 1`,
      `skus ${customers[2]!.id}`,
      `subscriptions ${customers[2]!.id} 1`,
    ]);
    // One customer at a time: its subscribedskus call, then its subscriptions call.
    expect(fake.requests.filter((r) => r.kind !== 'customers').map((r) => [r.kind, r.customerId])).toEqual(
      customers.flatMap((c) => [
        ['subscribedskus', c.id],
        ['subscriptions', c.id],
      ]),
    );
  });

  it('counts a customer whose subscriptions call fails as failed: neither response is kept or saved', async () => {
    const customers = fakeCustomers(3);
    const bad = customers[1]!;
    fake = await startFakePartnerCenter({
      customers,
      faults: [
        { match: (r) => r.kind === 'subscriptions' && r.customerId === bad.id, status: 500, times: Infinity },
      ],
    });
    const saved: string[] = [];
    const save = async (id: string) => {
      saved.push(id);
    };
    const result = await collectPartnerCenter({
      client: client(fake.baseUrl),
      onSubscribedSkus: save,
      onSubscriptions: save,
    });
    expect(result.failures.map((f) => [f.id, f.error])).toEqual([
      [
        bad.id,
        expect.stringMatching(
          new RegExp(`^HTTP 500: scripted 500 \\(GET .*/v1/customers/${bad.id}/subscriptions, `),
        ),
      ],
    ]);
    expect(result.subscribedSkus.has(bad.id)).toBe(false);
    expect(result.subscriptions.has(bad.id)).toBe(false);
    expect(result.subscribedSkus.size).toBe(2);
    expect(result.subscriptions.size).toBe(2);
    expect(saved).not.toContain(bad.id);
    expect(saved).toHaveLength(4);
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
