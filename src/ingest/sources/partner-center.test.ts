import { cp, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAY,
  EXCLUDED,
  FIXTURES,
  fixtureOptions,
  PARTNER_CENTER_ROWS,
  rowsOf,
  TENANT,
} from '../../../test/fixtures/sources/expected.ts';
import { buildPartnerCenterSnapshot, readPartnerCenterDir } from './partner-center.ts';
import type { SourceOptions } from './types.ts';

let options: SourceOptions;
let dir: string;

beforeAll(async () => {
  options = await fixtureOptions();
  dir = await mkdtemp(join(tmpdir(), 'seatwise-pc-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const C = '7A7A7A7A-0000-4000-8000-000000000007';
const customer = { id: C.toLowerCase(), companyProfile: { tenantId: C, companyName: ' Ünïcode & "Co" ' } };

function sku(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    activeUnits: 4,
    warningUnits: 1,
    totalUnits: 5,
    consumedUnits: 2,
    suspendedUnits: 0,
    capabilityStatus: 'Enabled',
    productSku: {
      id: '18181a46-0d4e-45cd-891e-60aabd171b4e',
      name: 'Office 365 E1',
      skuPartNumber: 'STANDARDPACK',
      targetType: 'User',
    },
    ...over,
  };
}

describe('readPartnerCenterDir', () => {
  it('maps the collect --save-raw layout to exactly the expected rows', async () => {
    const r = await readPartnerCenterDir(FIXTURES.partnerCenterDir, options);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(rowsOf(r.load.rows)).toEqual(PARTNER_CENTER_ROWS);
    expect(r.summary).toEqual({
      rows: 9,
      customers: 4,
      products: 9,
      dates: [DAY],
      files: 5,
      excluded: EXCLUDED,
      missingCustomers: [],
    });
    expect(r.load.missingCustomers).toBeUndefined();
  });

  it('reads a customer without a subscribedskus file as a partial snapshot that names it', async () => {
    const root = join(dir, 'partial');
    await cp(FIXTURES.partnerCenterDir, root, { recursive: true });
    await unlink(join(root, 'subscribedskus', `${TENANT.cairo.toLowerCase()}.json`));
    const r = await readPartnerCenterDir(root, options);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.load.missingCustomers).toEqual([TENANT.cairo]);
    expect(rowsOf(r.load.rows)).toEqual(
      PARTNER_CENTER_ROWS.filter((x) => x.customerTenantId !== TENANT.cairo),
    );
    expect(r.summary).toEqual({
      rows: 7,
      customers: 3,
      products: 7,
      dates: [DAY],
      files: 4,
      excluded: EXCLUDED,
      missingCustomers: [TENANT.cairo],
    });
  });

  it('refuses a directory in which no listed customer has a file, or without subscribedskus/', async () => {
    const empty = join(dir, 'no-files');
    await mkdir(join(empty, 'subscribedskus'), { recursive: true });
    await cp(join(FIXTURES.partnerCenterDir, 'customers.json'), join(empty, 'customers.json'));
    expect(await readPartnerCenterDir(empty, options)).toEqual({
      ok: false,
      truncated: false,
      errors: [
        {
          file: join(empty, 'subscribedskus'),
          line: 0,
          reason:
            'none of the 4 customers in customers.json has a subscribedskus/<customer-id>.json file; ' +
            'save their subscribedskus responses there (collect --save-raw writes one per customer)',
        },
      ],
    });
    await rm(join(empty, 'subscribedskus'), { recursive: true });
    expect(await readPartnerCenterDir(empty, options)).toEqual({
      ok: false,
      truncated: false,
      errors: [
        {
          file: join(empty, 'subscribedskus'),
          line: 0,
          reason:
            'cannot read the subscribedskus/ folder: there is none beside customers.json; pass the directory ' +
            'that holds customers.json and subscribedskus/ (as `seatwise collect --save-raw DIR` writes it)',
        },
      ],
    });
  });

  it('says what to pass when given a part of the directory instead of the directory', async () => {
    const one = join(FIXTURES.partnerCenterDir, 'subscribedskus', `${TENANT.tokyo.toLowerCase()}.json`);
    const customers = join(FIXTURES.partnerCenterDir, 'customers.json');
    const folder = join(FIXTURES.partnerCenterDir, 'subscribedskus');
    const reasons = async (path: string) => {
      const r = await readPartnerCenterDir(path, options);
      return r.ok ? [] : r.errors.map((e) => `${e.file}:${e.line}: ${e.reason}`);
    };
    expect(await reasons(one)).toEqual([
      `${one}:0: looks like one customer's Partner Center subscribedskus response; ` +
        'pass the directory that holds customers.json and subscribedskus/ instead',
    ]);
    expect(await reasons(customers)).toEqual([
      `${customers}:0: looks like a Partner Center customers response (customers.json); pass the directory ` +
        'that holds customers.json and subscribedskus/ instead, or name it with --customers when importing ' +
        'Graph subscribedSkus files',
    ]);
    expect(await reasons(folder)).toEqual([
      `${folder}:0: looks like the subscribedskus/ folder of a Partner Center directory; ` +
        `pass its parent directory ${FIXTURES.partnerCenterDir} instead`,
    ]);
    expect(await reasons(FIXTURES.graphDir)).toEqual([
      `${FIXTURES.graphDir}:0: no customers.json in this directory; pass the directory that holds ` +
        'customers.json and subscribedskus/ (as `seatwise collect --save-raw DIR` writes it)',
    ]);
    expect(await reasons(FIXTURES.catalog)).toEqual([
      `${FIXTURES.catalog}:0: is a file, not a directory; pass the directory that holds customers.json and ` +
        'subscribedskus/ (as `seatwise collect --save-raw DIR` writes it)',
    ]);
  });

  it('reports a subscribed SKUs file of an unknown customer and bad items with their lines', async () => {
    const root = join(dir, 'bad');
    await cp(FIXTURES.partnerCenterDir, root, { recursive: true });
    const stray = join(root, 'subscribedskus', `${C}.json`);
    await writeFile(stray, JSON.stringify({ items: [sku()] }));
    const tokyo = join(root, 'subscribedskus', '1b1b1b1b-2222-4222-8222-000000000002.json');
    const items = [
      sku(),
      sku({ consumedUnits: -4 }),
      sku({ productSku: { id: 'nope' } }),
      sku({ productSku: null }),
    ];
    await writeFile(
      tokyo,
      `{\n  "items": [\n${items.map((i) => `    ${JSON.stringify(i)}`).join(',\n')}\n  ]\n}\n`,
    );
    const r = await readPartnerCenterDir(root, options);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { file: tokyo, line: 4, reason: 'consumedUnits -4 is not a non-negative integer' },
      { file: tokyo, line: 5, reason: 'skuId "nope" is not a GUID' },
      { file: tokyo, line: 6, reason: 'productSku is missing' },
      {
        file: stray,
        line: 1,
        reason: `subscribed SKUs of customer ${C}: no such customer in the customers list`,
      },
    ]);
  });

  it('reports a missing customers.json', async () => {
    const r = await readPartnerCenterDir(join(dir, 'missing'), options);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({ file: join(dir, 'missing', 'customers.json'), line: 0 });
  });
});

describe('buildPartnerCenterSnapshot', () => {
  it('maps fetched bodies: totalUnits, else active + warning; names trimmed and kept', () => {
    const r = buildPartnerCenterSnapshot(
      {
        customers: [customer],
        subscribedSkus: new Map([
          [
            C,
            {
              items: [
                sku(),
                sku({
                  totalUnits: undefined,
                  productSku: {
                    id: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
                    name: 'Microsoft 365 Business Premium',
                    targetType: 'User',
                  },
                }),
              ],
            },
          ],
        ]),
      },
      options,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(
      rowsOf(r.load.rows).map((x) => [x.customerName, x.productName, x.licensesDeployed, x.licensesSold]),
    ).toEqual([
      ['Ünïcode & "Co"', 'OFFICE 365 E1', 2, 5],
      ['Ünïcode & "Co"', 'MICROSOFT 365 BUSINESS PREMIUM', 2, 5],
    ]);
    expect(r.summary.files).toBe(0);
  });

  it('names the source and the customer item in errors', () => {
    const r = buildPartnerCenterSnapshot(
      {
        customers: [customer, { id: 'bad' }],
        subscribedSkus: new Map([[C, { items: [sku({ totalUnits: 'many' })] }]]),
      },
      { ...options, source: 'https://api.partnercenter.microsoft.com' },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { file: 'https://api.partnercenter.microsoft.com', line: 0, reason: 'customer id "bad" is not a GUID' },
      {
        file: 'https://api.partnercenter.microsoft.com',
        line: 0,
        reason: `customer ${C}: items[0]: totalUnits "many" is not a non-negative integer`,
      },
    ]);
  });

  it('files Dynamics AX under Microsoft Dynamics and leaves out vTrial and developer SKUs', () => {
    const product = (id: string, name: string, skuPartNumber?: string) =>
      sku({ productSku: { id, name, targetType: 'User', ...(skuPartNumber ? { skuPartNumber } : {}) } });
    const r = buildPartnerCenterSnapshot(
      {
        customers: [customer],
        subscribedSkus: new Map([
          [
            C,
            {
              items: [
                product('ffffffff-0000-4000-8000-0000000000f1', 'DYNAMICS AX TASK'),
                product('ffffffff-0000-4000-8000-0000000000f2', 'Dynamics AX Enterprise'),
                product('ffffffff-0000-4000-8000-0000000000f3', 'Customer Insights vTrial', 'CONTOSO_CI'),
                product(
                  'ffffffff-0000-4000-8000-0000000000f4',
                  'Microsoft 365 E5 Developer',
                  'DEVELOPERPACK_E5',
                ),
                product('ffffffff-0000-4000-8000-0000000000f5', 'Office 365 E3 Developer', 'DEVELOPERPACK'),
              ],
            },
          ],
        ]),
      },
      options,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(rowsOf(r.load.rows).map((x) => [x.productName, x.serviceCode, x.serviceName])).toEqual([
      ['DYNAMICS AX TASK', 'crm', 'Microsoft Dynamics'],
      ['DYNAMICS AX ENTERPRISE', 'crm', 'Microsoft Dynamics'],
    ]);
    expect(r.summary.excluded).toEqual([
      { reason: 'free-or-trial', count: 3, examples: ['CONTOSO_CI', 'DEVELOPERPACK_E5', 'DEVELOPERPACK'] },
    ]);
    // Missing customers are collect's to report, not the mapping's.
    expect(r.summary.missingCustomers).toBeUndefined();
  });

  it('excludes tenant-wide SKUs and SKUs with neither sold nor assigned seats', () => {
    const r = buildPartnerCenterSnapshot(
      {
        customers: [customer],
        subscribedSkus: new Map([
          [
            C,
            {
              items: [
                sku({
                  productSku: {
                    id: '99049c9c-6011-4908-bf17-15f496e6519d',
                    skuPartNumber: 'SHAREPOINTSTORAGE',
                    targetType: 'Tenant',
                  },
                }),
                sku({ totalUnits: 0, consumedUnits: 0, suspendedUnits: 5, capabilityStatus: 'Suspended' }),
              ],
            },
          ],
        ]),
      },
      options,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.summary.rows).toBe(0);
    expect(r.summary.dates).toEqual([]);
    expect(r.summary.excluded).toEqual([
      { reason: 'company-wide', count: 1, examples: ['SHAREPOINTSTORAGE'] },
      { reason: 'no-paid-seats', count: 1, examples: ['STANDARDPACK'] },
    ]);
  });
});
