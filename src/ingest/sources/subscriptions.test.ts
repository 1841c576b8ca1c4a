/**
 * Subscriptions in Partner Center input: `subscriptions/<customer-id>.json` files of a directory
 * and fetched bodies, mapped to the records a snapshot stores and matched to licensed products.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, FIXTURES, fixtureOptions, TENANT } from '../../../test/fixtures/sources/expected.ts';
import type { SubscriptionRecord } from '../../store/store.ts';
import { buildPartnerCenterSnapshot, readPartnerCenterDir } from './partner-center.ts';
import type { SourceOptions } from './types.ts';

let options: SourceOptions;
let dir: string;
let next = 0;

beforeAll(async () => {
  options = await fixtureOptions();
  dir = await mkdtemp(join(tmpdir(), 'seatwise-subs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const E3 = '6FD2C87F-B296-42F0-B197-1E91E994B900';
const SALES = '1E1A282C-9C54-43A2-9310-98EF728FAACE';
const BASIC = '3B555118-DA6A-4418-894F-7DF1E2096870';

function item(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    offerId: 'CFQ7TTC0LFLX:0001:CFQ7TTC0LFLX',
    offerName: 'Office 365 E3',
    friendlyName: 'Office 365 E3',
    quantity: 50,
    unitType: 'Licenses',
    creationDate: '2025-12-01T10:11:12.1234567Z',
    commitmentEndDate: '2026-11-30T00:00:00Z',
    status: 'Active',
    autoRenewEnabled: true,
    isTrial: false,
    billingType: 'license',
    billingCycle: 'Monthly',
    termDuration: 'p1y',
    attributes: { objectType: 'Subscription' },
    ...over,
  };
}

/** A pretty-printed response: item k starts on line k + 3. */
function response(items: readonly unknown[]): string {
  return `{\n  "totalCount": ${items.length},\n  "items": [\n${items.map((i) => `    ${JSON.stringify(i)}`).join(',\n')}\n  ]\n}\n`;
}

function record(customerTenantId: string, over: Partial<SubscriptionRecord>): SubscriptionRecord {
  return {
    processedDate: DAY,
    customerTenantId,
    subscriptionId: '',
    offerId: 'CFQ7TTC0LFLX:0001:CFQ7TTC0LFLX',
    offerName: 'Office 365 E3',
    friendlyName: 'Office 365 E3',
    quantity: 50,
    unitType: 'Licenses',
    status: 'active',
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    commitmentEndDate: '2026-11-30',
    autoRenewEnabled: true,
    isTrial: false,
    parentSubscriptionId: null,
    productId: E3,
    match: 'name',
    ...over,
  };
}

/** A copy of the Partner Center fixture directory with these subscriptions files. */
async function withSubscriptions(files: Record<string, string>): Promise<string> {
  const root = join(dir, `pc-${next++}`);
  await cp(FIXTURES.partnerCenterDir, root, { recursive: true });
  await mkdir(join(root, 'subscriptions'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, 'subscriptions', name), text);
  return root;
}

describe('subscriptions in a Partner Center directory', () => {
  it('maps each subscription and matches it to a product exactly, by name, by catalog, or not', async () => {
    const root = await withSubscriptions({
      [`${TENANT.oneil.toLowerCase()}.json`]: response([
        item('sub-exact', { offerId: E3.toLowerCase(), offerName: 'Renamed by hand', friendlyName: '' }),
        item('sub-name', {
          offerId: 'CFQ7TTC0LH18:0001',
          offerName: '  dynamics 365 for SALES   enterprise edition ',
          friendlyName: 'Sales team',
          quantity: 5,
          commitmentEndDate: '2027-01-01T01:00:00+02:00',
          billingCycle: 'annual',
        }),
        item('sub-catalog', {
          offerId: 'CFQ7TTC0LH0R:0002',
          offerName: 'Microsoft 365 Business Basic',
          friendlyName: null,
          quantity: 0,
          status: 'suspended',
          autoRenewEnabled: false,
        }),
        item('sub-none', {
          offerId: '91FD106F-4B2C-4938-95AC-F54F74E9A239',
          offerName: 'Azure plan',
          friendlyName: 'Azure',
          quantity: 1,
          unitType: 'Usage-based',
          commitmentEndDate: '0001-01-01T00:00:00',
          autoRenewEnabled: null,
          isTrial: undefined,
          billingCycle: 'none',
          termDuration: undefined,
          parentSubscriptionId: 'sub-exact',
        }),
      ]),
      // A customer with no subscriptions at all.
      [`${TENANT.cairo.toLowerCase()}.json`]: '{"totalCount":0,"items":[]}',
    });
    const r = await readPartnerCenterDir(root, options);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.load.subscriptions).toEqual([
      record(TENANT.oneil, {
        subscriptionId: 'sub-exact',
        offerId: E3.toLowerCase(),
        offerName: 'Renamed by hand',
        friendlyName: '',
        match: 'exact',
      }),
      record(TENANT.oneil, {
        subscriptionId: 'sub-name',
        offerId: 'CFQ7TTC0LH18:0001',
        offerName: 'dynamics 365 for SALES   enterprise edition',
        friendlyName: 'Sales team',
        quantity: 5,
        commitmentEndDate: '2026-12-31',
        billingCycle: 'annual',
        productId: SALES,
        match: 'name',
      }),
      record(TENANT.oneil, {
        subscriptionId: 'sub-catalog',
        offerId: 'CFQ7TTC0LH0R:0002',
        offerName: 'Microsoft 365 Business Basic',
        friendlyName: '',
        quantity: 0,
        status: 'suspended',
        autoRenewEnabled: false,
        productId: BASIC,
        match: 'catalog',
      }),
      record(TENANT.oneil, {
        subscriptionId: 'sub-none',
        offerId: '91FD106F-4B2C-4938-95AC-F54F74E9A239',
        offerName: 'Azure plan',
        friendlyName: 'Azure',
        quantity: 1,
        unitType: 'Usage-based',
        commitmentEndDate: null,
        autoRenewEnabled: null,
        isTrial: null,
        billingCycle: 'none',
        termDuration: '',
        parentSubscriptionId: 'sub-exact',
        productId: null,
        match: 'none',
      }),
    ]);
    expect(r.summary.subscriptions).toEqual({
      subscriptions: 4,
      customers: 2,
      byMatch: { exact: 1, name: 1, catalog: 1, none: 1 },
    });
    expect(r.summary.files).toBe(7);
    expect(r.summary.rows).toBe(9);
  });

  it('imports a directory without subscriptions/ as before, with no subscriptions', async () => {
    const r = await readPartnerCenterDir(FIXTURES.partnerCenterDir, options);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.load.subscriptions).toBeUndefined();
    expect(r.summary.subscriptions).toBeUndefined();
  });

  it('does not match by a name two of the customer’s SKUs share, nor by an unknown one', () => {
    const C = '7A7A7A7A-0000-4000-8000-000000000007';
    const skuItem = (id: string, name: string) => ({
      totalUnits: 1,
      consumedUnits: 1,
      productSku: { id, name, skuPartNumber: `P_${id.slice(0, 4)}`, targetType: 'User' },
    });
    const r = buildPartnerCenterSnapshot(
      {
        customers: [{ id: C, companyProfile: { tenantId: C, companyName: 'Twins' } }],
        subscribedSkus: new Map([
          [
            C,
            {
              items: [
                skuItem('aaaaaaaa-0000-4000-8000-000000000001', 'Contoso Seat'),
                skuItem('aaaaaaaa-0000-4000-8000-000000000002', 'contoso seat'),
              ],
            },
          ],
        ]),
        subscriptions: new Map([
          [
            C.toLowerCase(),
            {
              items: [
                item('twin', { offerName: 'Contoso Seat', friendlyName: '' }),
                // The friendly name is tried after the offer name.
                item('by-friendly', { offerName: 'Unknown offer', friendlyName: 'Office 365 E3' }),
                // A part number of the catalog names its SKU too.
                item('by-part', { offerName: 'ENTERPRISEPACK', friendlyName: '' }),
              ],
            },
          ],
        ]),
      },
      options,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.load.subscriptions?.map((s) => [s.subscriptionId, s.productId, s.match])).toEqual([
      ['twin', null, 'none'],
      ['by-friendly', E3, 'catalog'],
      ['by-part', E3, 'catalog'],
    ]);
    expect(r.summary.subscriptions?.customers).toBe(1);
  });

  it('reports bad JSON, a wrong shape and bad items as file:line, and an unknown customer', async () => {
    const oneil = `${TENANT.oneil.toLowerCase()}.json`;
    const tokyo = `${TENANT.tokyo.toLowerCase()}.json`;
    const cairo = `${TENANT.cairo.toLowerCase()}.json`;
    const stray = '7a7a7a7a-0000-4000-8000-000000000007.json';
    const root = await withSubscriptions({
      [oneil]: response([
        item('ok'),
        item('bad-quantity', { quantity: -1 }),
        item('ok'),
        item('', {}),
        item('bad-fields', { commitmentEndDate: '2026-02-30', autoRenewEnabled: 'yes', offerName: 7 }),
        'not an object',
      ]),
      [tokyo]: '{\n  "items": [\n    {"id": "x",\n  ]\n}\n',
      [cairo]: '{"value": []}',
      [stray]: '{"items": []}',
    });
    const r = await readPartnerCenterDir(root, options);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const at = (name: string) => join(root, 'subscriptions', name);
    expect(r.errors).toEqual([
      {
        file: at(oneil),
        line: 5,
        reason: 'subscription bad-quantity: quantity -1 is not a non-negative integer',
      },
      { file: at(oneil), line: 6, reason: 'subscription id ok appears twice; first at line 4' },
      { file: at(oneil), line: 7, reason: 'subscription id is missing' },
      {
        file: at(oneil),
        line: 8,
        reason:
          'subscription bad-fields: offerName 7 is not text; commitmentEndDate "2026-02-30" is not a date (YYYY-MM-DD or an ISO 8601 date-time); autoRenewEnabled "yes" is not true or false',
      },
      { file: at(oneil), line: 9, reason: 'items[5] is not a JSON object' },
      { file: at(tokyo), line: 4, reason: 'invalid JSON: expected a property name' },
      { file: at(cairo), line: 1, reason: 'expected a subscriptions response {"items": [...]}' },
      {
        file: at(stray),
        line: 1,
        reason:
          'subscriptions of customer 7A7A7A7A-0000-4000-8000-000000000007: no such customer in the customers list',
      },
    ]);
  });
});
