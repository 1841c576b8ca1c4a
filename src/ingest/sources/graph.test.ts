import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAY,
  EXCLUDED,
  FIXTURES,
  fixtureOptions,
  GRAPH_ROWS,
  PARTNER,
  rowsOf,
  TENANT,
} from '../../../test/fixtures/sources/expected.ts';
import { classifySku, DEFAULT_CLASSIFICATION } from '../../domain/classify.ts';
import { exclusionList } from '../../domain/sku-exclusions.ts';
import { openDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import { feedRowColumns } from '../row-files.ts';
import { readGraphFiles } from './graph.ts';
import type { SourceOptions } from './types.ts';

let options: SourceOptions;
let dir: string;

beforeAll(async () => {
  options = await fixtureOptions();
  dir = await mkdtemp(join(tmpdir(), 'seatwise-graph-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const T = '9E9E9E9E-0000-4000-8000-000000000009';
const E3 = '6fd2c87f-b296-42f0-b197-1e91e994b900';

function item(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    skuId: E3,
    skuPartNumber: 'ENTERPRISEPACK',
    appliesTo: 'User',
    capabilityStatus: 'Enabled',
    consumedUnits: 3,
    prepaidUnits: { enabled: 5, warning: 1, suspended: 0, lockedOut: 0 },
    ...over,
  };
}

async function write(name: string, body: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return path;
}

describe('readGraphFiles', () => {
  it('maps the fixture directory to exactly the expected rows and says what it left out', async () => {
    const r = await readGraphFiles([FIXTURES.graphDir], {
      ...options,
      customersFile: FIXTURES.graphCustomers,
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.load.partnerId).toBe(PARTNER);
    expect(rowsOf(r.load.rows)).toEqual(GRAPH_ROWS);
    expect(r.summary).toEqual({
      rows: 9,
      customers: 4,
      products: 9,
      dates: [DAY],
      files: 4,
      excluded: EXCLUDED,
    });
  });

  it('names raw-file customers by their tenant id without a customers file', async () => {
    const r = await readGraphFiles([FIXTURES.graphDir], options);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const names = new Map(rowsOf(r.load.rows).map((x) => [x.customerTenantId, x.customerName]));
    expect(names.get(TENANT.tokyo)).toBe(TENANT.tokyo);
    expect(names.get(TENANT.oneil)).toBe("O'Neil & Sons, Ltd.");
  });

  it('classifies with a user table when one is given', async () => {
    const table = { rules: [], fallback: { serviceCode: 'other', serviceName: 'Other' } };
    const r = await readGraphFiles([FIXTURES.graphDir], { ...options, classification: table });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(new Set(r.load.rows.serviceCode)).toEqual(new Set(['other']));
    expect(classifySku({ partNumber: 'DYN365_X', displayName: '' }, DEFAULT_CLASSIFICATION).serviceCode).toBe(
      'crm',
    );
  });

  it('uses the exclusion list it is given', async () => {
    const none = exclusionList({});
    const r = await readGraphFiles([FIXTURES.graphDir], { ...options, exclusions: none });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.summary.rows).toBe(11);
    expect(r.summary.excluded.map((e) => e.reason)).toEqual(['company-wide', 'no-paid-seats']);
  });

  it('reports invalid ids and counts as file:line errors', async () => {
    const path = await write(`${T}.json`, {
      value: [
        item(),
        item({ skuId: 'not-a-guid' }),
        item({ consumedUnits: -1 }),
        item({ prepaidUnits: { enabled: 2.5 } }),
        item({ prepaidUnits: undefined }),
      ],
    });
    const r = await readGraphFiles([path], options);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // Pretty-printed with two spaces, the five items start on lines 3, 16, 29, 42 and 52.
    expect(r.errors).toEqual([
      { file: path, line: 16, reason: 'skuId "not-a-guid" is not a GUID' },
      { file: path, line: 29, reason: 'consumedUnits -1 is not a non-negative integer' },
      { file: path, line: 42, reason: 'prepaidUnits.enabled 2.5 is not a non-negative integer' },
      { file: path, line: 52, reason: 'prepaidUnits is missing' },
    ]);
  });

  it("keeps each row's file and line, so the store names both files of a repeated SKU", async () => {
    const a = await write('dup-a.json', { customerTenantId: T, value: [item()] });
    const b = await write(`${T.toLowerCase()}.json`, { value: [item({ skuId: E3.toUpperCase() })] });
    const r = await readGraphFiles([a, b], options);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.load.origin).toEqual({ files: [a, b], lines: [4, 3] });
    const store = await openDuckDbStore({ path: join(dir, 'dup.duckdb') });
    try {
      const outcome = await store.load({ partnerId: PARTNER, source: 'test' }, (sink) =>
        feedRowColumns(r.load.rows, 'graph', sink, r.load.origin),
      );
      expect(outcome).toEqual({
        ok: false,
        truncated: false,
        errors: [
          {
            file: b,
            line: 3,
            reason:
              `duplicate row for processed date ${DAY}, customerTenantId ${T}, productId ${E3.toUpperCase()},` +
              ` channel "reseller"; first at ${a}:4`,
          },
        ],
      });
    } finally {
      await store.close();
    }
  });

  it('reports bad JSON, a missing tenant and a missing value array', async () => {
    const bad = await write(`${T}.json`, '{\n  "value": [\n    {"skuId": }\n  ]\n}');
    const anon = await write('customer.json', { value: [item()] });
    const shape = await write('shape.json', { items: [] });
    const r = await readGraphFiles([bad, anon, shape], options);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.file, e.line, e.reason.slice(0, 30)])).toEqual([
      [bad, 3, 'invalid JSON: unexpected chara'],
      [anon, 1, 'no customerTenantId in the fil'],
      [shape, 1, 'expected a Graph subscribedSku'],
    ]);
  });

  it('says what to pass instead of a single subscribedSku or a Partner Center response', async () => {
    const single = await write(`${T}.json`, {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscribedSkus/$entity',
      ...item(),
    });
    const pcSkus = join(FIXTURES.partnerCenterDir, 'subscribedskus', `${TENANT.tokyo.toLowerCase()}.json`);
    const pcCustomers = join(FIXTURES.partnerCenterDir, 'customers.json');
    const r = await readGraphFiles([single, pcSkus, pcCustomers], options);
    expect(r).toEqual({
      ok: false,
      truncated: false,
      errors: [
        {
          file: single,
          line: 1,
          reason:
            'looks like a single Graph subscribedSku (the response of GET /subscribedSkus/{id}); pass the ' +
            'response of GET /subscribedSkus instead, an object whose "value" array lists every SKU of the tenant',
        },
        {
          file: pcSkus,
          line: 1,
          reason:
            "looks like one customer's Partner Center subscribedskus response; pass the directory that " +
            'holds customers.json and subscribedskus/ instead',
        },
        {
          file: pcCustomers,
          line: 1,
          reason:
            'looks like a Partner Center customers response (customers.json); pass the directory that holds ' +
            'customers.json and subscribedskus/ instead, or name it with --customers when importing Graph ' +
            'subscribedSkus files',
        },
      ],
    });
  });

  it('reports a missing path and stops after maxErrors', async () => {
    const path = await write(`${T}.json`, { value: Array.from({ length: 5 }, () => item({ skuId: 'x' })) });
    const r = await readGraphFiles([join(dir, 'nope'), path], { ...options, maxErrors: 3 });
    expect(r).toMatchObject({ ok: false, truncated: true });
    if (r.ok) return;
    expect(r.errors[0]).toMatchObject({ file: join(dir, 'nope'), line: 0 });
    expect(r.errors).toHaveLength(3);
  });

  it('rejects a bad partner id or date as a programming error', async () => {
    await expect(readGraphFiles([], { ...options, partnerId: 'x' })).rejects.toThrow(RangeError);
    await expect(readGraphFiles([], { ...options, processedDate: '2026-02-30' })).rejects.toThrow(RangeError);
  });
});
