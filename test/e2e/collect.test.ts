/**
 * `seatwise collect` run as a user would (the real bin, a child process) against a fake Partner
 * Center on a real port: paging, byte-order marks, throttling, transient and permanent failures.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLASSIFICATION } from '../../src/domain/classify.ts';
import { skuCatalog } from '../../src/domain/sku-catalog.ts';
import { DEFAULT_EXCLUSIONS } from '../../src/domain/sku-exclusions.ts';
import { readPartnerCenterDir } from '../../src/ingest/sources/partner-center.ts';
import type { SubscriptionRecord } from '../../src/store/store.ts';
import { queryAll, runCli } from '../support/cli.ts';
import {
  FAKE_SKUS,
  type FakeCustomer,
  type FakePartnerCenter,
  fakeCustomers,
  fakeSubscriptions,
  startFakePartnerCenter,
} from '../support/fake-partner-center.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { storeSkipped } from '../support/stores.ts';

const PARTNER = '5eab0000-0000-4000-8000-00000000c011';
const DATE = '2026-01-05';
const ENV = { SEATWISE_COLLECT_RETRY_DELAYS_MS: '10,20,30' };
const HEADER =
  'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold';
const SEED_TENANT = '0a0a0a0a-0000-4000-8000-000000000001';

let dir: string;
let db: string;
let fake: FakePartnerCenter | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-collect-'));
  db = join(dir, 'collect.duckdb');
  // A snapshot of the same day already in the store: a failed collect must leave it as it is.
  const seed = join(dir, 'seed.csv');
  await writeFile(
    seed,
    `${HEADER}\n${DATE},o365,Microsoft Office 365,reseller,${SEED_TENANT},Seed,6fd2c87f-b296-42f0-b197-1e91e994b900,OFFICE 365 E3,1,2\n`,
  );
  const r = await runCli(['import', seed, '--db', db, '--partner', PARTNER]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface StoredRow {
  customerTenantId: string;
  productId: string;
  licensesSold: number;
  licensesDeployed: number;
}

function storedRows(): Promise<StoredRow[]> {
  return queryAll<StoredRow>(db, PARTNER, DATE);
}

/** 7 customers over 3 pages; a 429 on page 2, two 503s for one customer, one that always fails. */
async function scriptedFake(): Promise<{
  customers: FakeCustomer[];
  flaky: FakeCustomer;
  broken: FakeCustomer;
}> {
  const customers = fakeCustomers(7);
  const flaky = customers[1]!;
  const broken = customers[4]!;
  fake = await startFakePartnerCenter({
    customers,
    pageSize: 3,
    acceptToken: (t) => t === 'tok-123',
    faults: [
      { match: (r) => r.kind === 'customers' && r.page === 1, status: 429, retryAfterSeconds: 1, times: 1 },
      { match: (r) => r.customerId === flaky.id, status: 503, times: 2 },
      { match: (r) => r.customerId === broken.id, status: 500, times: Infinity },
    ],
  });
  return { customers, flaky, broken };
}

function collectArgs(...extra: string[]): string[] {
  return [
    'collect',
    '--base-url',
    fake!.baseUrl,
    '--token-command',
    'echo tok-123',
    '--date',
    DATE,
    '--partner',
    PARTNER,
    '--db',
    db,
    ...extra,
  ];
}

describe('seatwise collect', () => {
  it('without --allow-partial, a customer failing after retries fails the run and writes nothing', async () => {
    const { broken } = await scriptedFake();
    const before = await storedRows();
    const r = await runCli(collectArgs('--concurrency', '1'), ENV);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(broken.tenantId.toUpperCase());
    expect(r.stderr).toMatch(/HTTP 500: scripted 500/);
    expect(r.stderr).toMatch(/nothing written/);
    expect(r.stderr).not.toContain('tok-123');
    expect(await storedRows()).toEqual(before);
    expect(before.map((row) => row.customerTenantId)).toEqual([SEED_TENANT.toUpperCase()]);
    // The broken customer was retried 3 times under one MS-RequestId.
    const calls = fake!.requests.filter((q) => q.customerId === broken.id);
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((c) => c.requestId)).size).toBe(1);
  });

  it('with --allow-partial stores the rest, reports the missing customer, honours paging, 429 and 503', async () => {
    const { customers, flaky, broken } = await scriptedFake();
    const raw = join(dir, 'raw');
    const r = await runCli(collectArgs('--allow-partial', '--json', '--save-raw', raw), ENV);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      partnerId: PARTNER.toUpperCase(),
      processedDate: DATE,
      written: true,
      customersListed: 7,
      customersCollected: 6,
      customers: 6,
      rawDir: raw,
    });
    expect(summary.missingCustomers).toEqual([
      expect.objectContaining({
        customerId: broken.id,
        tenantId: broken.tenantId.toUpperCase(),
        error: expect.stringMatching(/500/),
      }),
    ]);

    // Every collected customer is stored; the broken one and the seeded row (same day) are not.
    const rows = await storedRows();
    const tenants = new Set(rows.map((row) => row.customerTenantId));
    expect([...tenants].sort()).toEqual(
      customers
        .filter((c) => c !== broken)
        .map((c) => c.tenantId.toUpperCase())
        .sort(),
    );
    const e3 = rows.find(
      (row) =>
        row.customerTenantId === customers[0]!.tenantId.toUpperCase() &&
        row.productId === FAKE_SKUS.e3.id.toUpperCase(),
    );
    expect(e3).toMatchObject({ licensesSold: 10, licensesDeployed: 5 });

    // The partial snapshot says which customer it misses, in `seatwise snapshots`.
    const listed = await runCli(['snapshots', '--db', db, '--partner', PARTNER, '--json']);
    expect(listed.code).toBe(0);
    const snapshot = (
      JSON.parse(listed.stdout) as { processedDate: string; source: string; missingCustomers: string[] }[]
    ).find((s) => s.processedDate === DATE);
    expect(snapshot).toMatchObject({ source: 'collect', missingCustomers: [broken.tenantId.toUpperCase()] });
    const table = await runCli(['snapshots', '--db', db, '--partner', PARTNER]);
    expect(table.stdout).toMatch(new RegExp(`${DATE}\\s+\\d+\\s+6\\s+\\d+\\s+no: 1 missing\\s+collect`));
    expect(table.stdout).toContain(`${DATE} is missing customers: ${broken.tenantId.toUpperCase()}`);

    const log = fake!.requests;
    expect(log.every((q) => q.authorization === 'Bearer tok-123')).toBe(true);
    expect(new Set(log.map((q) => q.correlationId)).size).toBe(1);
    // Paging: three pages, the 2nd and 3rd asked for with the token the previous page handed out.
    const pages = log.filter((q) => q.kind === 'customers');
    expect(pages.map((q) => [q.page, q.status])).toEqual([
      [0, 200],
      [1, 429],
      [1, 200],
      [2, 200],
    ]);
    expect(pages.slice(1).every((q) => q.continuationToken?.startsWith('ct-'))).toBe(true);
    // 429: the retry waited Retry-After (1 s) and kept its MS-RequestId.
    expect(pages[2]!.at - pages[1]!.at).toBeGreaterThanOrEqual(950);
    expect(pages[2]!.requestId).toBe(pages[1]!.requestId);
    // 503s: retried under the same MS-RequestId until it answered.
    const flakyCalls = log.filter((q) => q.customerId === flaky.id && q.kind === 'subscribedskus');
    expect(flakyCalls.map((q) => q.status)).toEqual([503, 503, 200]);
    expect(new Set(flakyCalls.map((q) => q.requestId)).size).toBe(1);

    // --save-raw: the layout `import --format partner-center` reads, byte-order marks removed.
    const customersJson = await readFile(join(raw, 'customers.json'), 'utf8');
    expect(customersJson.charCodeAt(0)).not.toBe(0xfeff);
    const savedPages = JSON.parse(customersJson) as { items: unknown[] }[];
    expect(savedPages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    const files = (await readdir(join(raw, 'subscribedskus'))).sort();
    expect(files).toEqual(
      customers
        .filter((c) => c !== broken)
        .map((c) => `${c.id}.json`)
        .sort(),
    );
    expect((await readdir(join(raw, 'subscriptions'))).sort()).toEqual(files);
    const one = await readFile(join(raw, 'subscribedskus', `${flaky.id}.json`), 'utf8');
    expect(one.charCodeAt(0)).not.toBe(0xfeff);
    expect((JSON.parse(one) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    const reread = await readPartnerCenterDir(raw, {
      partnerId: PARTNER,
      processedDate: DATE,
      channel: 'reseller',
      catalog: new Map(skuCatalog().map((s) => [s.skuId, s])),
      classification: DEFAULT_CLASSIFICATION,
      exclusions: DEFAULT_EXCLUSIONS,
    });
    expect(reread.ok && reread.summary.rows).toBe(summary.rows);
  });

  it('prints a human summary and reads the token from --token-env', async () => {
    fake = await startFakePartnerCenter({ customers: fakeCustomers(2), acceptToken: (t) => t === 'env-tok' });
    const args = ['collect', '--base-url', fake.baseUrl, '--token-env', 'PC_TOKEN', '--date', '2026-01-06'];
    const ok = await runCli([...args, '--partner', PARTNER, '--db', db], { ...ENV, PC_TOKEN: 'env-tok' });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/collected \d+ rows \(2 customers, 2 products\)/);
    expect(ok.stdout).toMatch(/customers: 2 of 2 read/);

    const denied = await runCli([...args, '--partner', PARTNER, '--db', db], { ...ENV, PC_TOKEN: 'wrong' });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/HTTP 401/);
    expect(denied.stderr).not.toContain('wrong');
  });

  it('rejects bad flags with exit code 2', async () => {
    const noToken = await runCli(['collect', '--base-url', 'http://127.0.0.1:1', '--db', db]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/--token-command/);
    const badDate = await runCli(
      ['collect', '--base-url', 'http://127.0.0.1:1', '--token-env', 'X', '--date', '2026-13-01', '--db', db],
      { X: 't' },
    );
    expect(badDate.code).toBe(2);
  });
});

describe('seatwise collect: subscriptions', () => {
  const E3 = FAKE_SKUS.e3.id.toUpperCase();
  const SALES = FAKE_SKUS.sales.id.toUpperCase();
  const BASIC = '3B555118-DA6A-4418-894F-7DF1E2096870';
  const [a, b] = fakeCustomers(2) as [FakeCustomer, FakeCustomer];
  const A: FakeCustomer = {
    ...a,
    subscriptions: [
      // Two subscriptions of one SKU: both name the E3 the deployment rows carry.
      {
        id: 'A-E3-MONTHLY',
        offerId: 'CFQ7TTC0LFLX:0001:CFQ7TTC0LFLX',
        offerName: 'Office 365 E3',
        quantity: 7,
      },
      {
        id: 'A-E3-ANNUAL',
        offerId: 'CFQ7TTC0LFLX:0001',
        offerName: 'Office 365 E3',
        quantity: 3,
        billingCycle: 'annual',
      },
      {
        id: 'A-SALES',
        offerId: FAKE_SKUS.sales.id,
        offerName: 'Sales, as the partner named it',
        quantity: 4,
      },
      {
        id: 'A-BASIC',
        offerId: 'CFQ7TTC0LH0R:0002',
        offerName: 'Microsoft 365 Business Basic',
        quantity: 2,
        status: 'suspended',
      },
      { id: 'A-AZURE', offerId: 'DZH318Z0BPS6:0001', offerName: 'Azure plan', quantity: 1 },
    ],
  };
  const common = {
    processedDate: DATE,
    unitType: 'Licenses',
    status: 'active',
    termDuration: 'P1M',
    billingCycle: 'monthly',
    commitmentEndDate: '2026-06-01',
    autoRenewEnabled: true,
    isTrial: false,
    parentSubscriptionId: null,
  } as const;
  const sub = (
    customer: FakeCustomer,
    id: string,
    offerId: string,
    offerName: string,
    quantity: number,
    productId: string | null,
    match: SubscriptionRecord['match'],
    over: Partial<SubscriptionRecord> = {},
  ): SubscriptionRecord => ({
    ...common,
    customerTenantId: customer.tenantId.toUpperCase(),
    subscriptionId: id,
    offerId,
    offerName,
    friendlyName: offerName,
    quantity,
    productId,
    match,
    ...over,
  });
  // Stored order: customer, then subscription id byte-wise.
  const expected: SubscriptionRecord[] = [
    sub(A, 'A-AZURE', 'DZH318Z0BPS6:0001', 'Azure plan', 1, null, 'none'),
    sub(A, 'A-BASIC', 'CFQ7TTC0LH0R:0002', 'Microsoft 365 Business Basic', 2, BASIC, 'catalog', {
      status: 'suspended',
    }),
    sub(A, 'A-E3-ANNUAL', 'CFQ7TTC0LFLX:0001', 'Office 365 E3', 3, E3, 'name', { billingCycle: 'annual' }),
    sub(A, 'A-E3-MONTHLY', 'CFQ7TTC0LFLX:0001:CFQ7TTC0LFLX', 'Office 365 E3', 7, E3, 'name'),
    sub(A, 'A-SALES', FAKE_SKUS.sales.id, 'Sales, as the partner named it', 4, SALES, 'exact'),
    // The fake's default: one subscription per SKU whose offer id is the SKU id.
    ...fakeSubscriptions(b).map((s) => sub(b, s.id, s.offerId, s.offerName, s.quantity, E3, 'exact')),
  ];

  it('stores every customer’s subscriptions with the snapshot, readable back; --save-raw re-imports them on PostgreSQL too', async () => {
    fake = await startFakePartnerCenter({ customers: [A, b], acceptToken: (t) => t === 'tok-123' });
    const raw = join(dir, 'raw-subscriptions');
    const r = await runCli(collectArgs('--json', '--save-raw', raw), ENV);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      written: true,
      customersCollected: 2,
      subscriptions: { subscriptions: 6, customers: 2, byMatch: { exact: 2, name: 2, catalog: 1, none: 1 } },
    });
    expect(
      fake.requests
        .filter((q) => q.kind === 'subscriptions')
        .map((q) => q.customerId)
        .sort(),
    ).toEqual([A.id, b.id].sort());

    const listed = await runCli([
      'subscriptions',
      '--db',
      db,
      '--partner',
      PARTNER,
      '--date',
      DATE,
      '--json',
    ]);
    expect(listed.stderr).toBe('');
    expect(JSON.parse(listed.stdout)).toEqual(expected);
    const table = await runCli(['subscriptions', '--db', db, '--partner', PARTNER, '--date', DATE]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /A-E3-ANNUAL\s+Office 365 E3\s+3\s+active\s+P1M annual\s+2026-06-01\s+yes\s+6FD2C87F-B296-42F0-B1\S*\s+name/,
    );
    expect(table.stdout).toContain(`6 subscription(s), snapshot ${DATE}`);

    // The deployment rows of the same snapshot are those of the subscribed SKUs, as before.
    expect((await storedRows()).map((row) => [row.customerTenantId, row.productId]).sort()).toEqual(
      [
        [A.tenantId.toUpperCase(), E3],
        [A.tenantId.toUpperCase(), SALES],
        [b.tenantId.toUpperCase(), E3],
      ].sort(),
    );

    // --save-raw wrote subscriptions/<id>.json; the directory imports with them, on PostgreSQL.
    expect((await readdir(join(raw, 'subscriptions'))).sort()).toEqual(
      [`${A.id}.json`, `${b.id}.json`].sort(),
    );
    if (storeSkipped('postgres')) return;
    const pg = await createTestDatabase();
    try {
      const imported = await runCli(['import', raw, '--db', pg.url, '--partner', PARTNER, '--date', DATE]);
      expect(imported.stderr).toBe('');
      expect(imported.stdout).toContain(
        'subscriptions: 6 of 2 customer(s) stored; matched to a product exactly 2, by name 2, by catalog 1, not matched 1',
      );
      const again = await runCli(['subscriptions', '--db', pg.url, '--partner', PARTNER, '--json']);
      expect(JSON.parse(again.stdout)).toEqual(expected);
    } finally {
      await pg.drop();
    }
  });

  it('a customer whose subscriptions call fails is missing: the run fails, or with --allow-partial lacks it', async () => {
    fake = await startFakePartnerCenter({
      customers: [A, b],
      acceptToken: (t) => t === 'tok-123',
      faults: [
        { match: (q) => q.kind === 'subscriptions' && q.customerId === A.id, status: 500, times: Infinity },
      ],
    });
    const day = '2026-01-07';
    const args = (...extra: string[]) => collectArgs(...extra).map((x) => (x === DATE ? day : x));
    const failed = await runCli(args('--concurrency', '1'), ENV);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(
      new RegExp(`${A.tenantId.toUpperCase()}.*HTTP 500: scripted 500 \\(GET .*/subscriptions`),
    );
    expect(failed.stderr).toMatch(/nothing written/);

    const partial = await runCli(args('--allow-partial', '--json'), ENV);
    expect(partial.code).toBe(0);
    expect(JSON.parse(partial.stdout)).toMatchObject({
      customersCollected: 1,
      missingCustomers: [expect.objectContaining({ customerId: A.id })],
      subscriptions: { subscriptions: 1, customers: 1 },
    });
    const listed = await runCli(['subscriptions', '--db', db, '--partner', PARTNER, '--date', day, '--json']);
    expect((JSON.parse(listed.stdout) as SubscriptionRecord[]).map((s) => s.customerTenantId)).toEqual([
      b.tenantId.toUpperCase(),
    ]);
    // Pruning removes them with their snapshot.
    const pruned = await runCli(['prune', '--keep-days', '1', '--db', db, '--partner', PARTNER]);
    expect(pruned.code).toBe(0);
    const gone = await runCli(['subscriptions', '--db', db, '--partner', PARTNER, '--date', day, '--json']);
    expect(JSON.parse(gone.stdout)).toEqual([]);
  });
});
