import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E3, PARTNER, type ScratchDir, scratchDir, T1, T2 } from '../../test/support/test-files.ts';
import { readRowFiles } from './read-row-files.ts';

const FIXTURES = 'test/fixtures/ingest';
const DS = '1E1A282C-9C54-43A2-9310-98EF728FAACE';
let tmp: ScratchDir;
beforeAll(async () => {
  tmp = await scratchDir();
});
afterAll(() => tmp.remove());

const EXPECTED_ROWS = {
  processedDate: ['2026-03-01', '2026-03-01'],
  serviceCode: ['o365', 'crm'],
  serviceName: ['Microsoft Office 365', 'Microsoft Dynamics'],
  channel: ['reseller', 'direct'],
  customerTenantId: [T1, T2],
  customerName: ['Acme, Inc.', 'Müller Bäckerei GmbH'],
  productId: [E3, DS],
  productName: ['OFFICE 365 E3', 'DYNAMICS 365 FOR SALES ENTERPRISE EDITION'],
  licensesDeployed: [7, 3],
  licensesSold: [10, 3],
};

function row(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    processedDateTime: '2026-03-01T00:00:00',
    serviceCode: 'o365',
    serviceName: 'Microsoft Office 365',
    channel: 'reseller',
    customerTenantId: T1,
    customerName: 'Contoso',
    productId: E3,
    productName: 'OFFICE 365 E3',
    licensesDeployed: 1,
    licensesSold: 2,
    ...fields,
  };
}

async function errorsOf(path: string): Promise<string[]> {
  const result = await readRowFiles([path], { partnerId: PARTNER });
  if (result.ok) throw new Error('expected errors');
  return result.errors.map((e) => `${e.file}:${e.line}: ${e.reason}`);
}

describe('readRowFiles: JSON', () => {
  it('reads an array of rows (field names in any case, digit strings, unknown fields ignored)', async () => {
    const result = await readRowFiles([`${FIXTURES}/rows.json`], { partnerId: PARTNER });
    expect(result.ok && result.load.rows).toEqual(EXPECTED_ROWS);
  });

  it('reads an E5 response body {"Value": [...]}', async () => {
    const result = await readRowFiles([`${FIXTURES}/envelope.json`], { partnerId: PARTNER });
    expect(result.ok && result.load.rows).toEqual(EXPECTED_ROWS);
    const lower = await tmp.write('lower.json', JSON.stringify({ totalCount: 1, value: [row()] }));
    const again = await readRowFiles([lower], { partnerId: PARTNER });
    expect(again.ok && again.summary.rows).toBe(1);
  });

  it('reports bad rows at the line their object starts on', async () => {
    const rows = [
      row(),
      row({ customerTenantId: T2, licensesDeployed: 1.5 }),
      'not a row',
      row({ customerTenantId: T2, productId: 42, licensesSold: '7', customerName: undefined }),
      row({ customerTenantId: T2, channel: 'direct', licensesSold: -2, serviceName: '  ' }),
      row({ licensesDeployed: '12', processedDateTime: '2026-03-01' }),
    ];
    const f = await tmp.write(
      'bad.json',
      `\ufeff${JSON.stringify({ Value: rows, '@nextLink': null }, null, 2)}\n`,
    );
    // Each row object spans 12 lines when pretty-printed; the array opens on line 2.
    expect(await errorsOf(f)).toEqual([
      `${f}:15: licensesDeployed 1.5 is not a non-negative integer`,
      `${f}:27: row is not a JSON object`,
      `${f}:28: customerName is missing`,
      `${f}:28: productId must be a string, got 42`,
      `${f}:39: serviceName is empty`,
      `${f}:39: licensesSold -2 is not a non-negative integer`,
      `${f}:51: duplicate row for processed date 2026-03-01, customerTenantId ${T1}, productId ${E3}, channel "reseller"; first at ${f}:3`,
    ]);
  });

  it('reports a syntax error with its line', async () => {
    const f = await tmp.write('syntax.json', '[\n  {"a": 1},\n  {"b": }\n]\n');
    expect(await errorsOf(f)).toEqual([`${f}:3: invalid JSON: unexpected character "}"`]);
    const g = await tmp.write('open.json', '[\n  {"a": 1},\n');
    expect(await errorsOf(g)).toEqual([`${g}:3: invalid JSON: unexpected end of JSON`]);
    const h = await tmp.write('tail.json', '[]\n[]');
    expect(await errorsOf(h)).toEqual([`${h}:2: invalid JSON: unexpected text after the JSON value`]);
  });

  it('requires an array or an object with a Value array', async () => {
    const f = await tmp.write('obj.json', '{"items": []}');
    expect(await errorsOf(f)).toEqual([
      `${f}:1: invalid JSON: expected a JSON array of rows or an object with a "Value" array`,
    ]);
  });

  it('reads an empty array as zero rows and a minified file with line 1 for every row', async () => {
    const empty = await tmp.write('empty.json', '  []  ');
    const r = await readRowFiles([empty], { partnerId: PARTNER });
    expect(r.ok && r.summary.rows).toBe(0);
    const f = await tmp.write('min.json', JSON.stringify([row(), row({ licensesSold: 'x' })]));
    expect(await errorsOf(f)).toEqual([`${f}:1: licensesSold "x" is not a non-negative integer`]);
  });

  it('gives the same result whatever the chunk size', async () => {
    const whole = await readRowFiles([`${FIXTURES}/envelope.json`], { partnerId: PARTNER });
    const split = await readRowFiles([`${FIXTURES}/envelope.json`], { partnerId: PARTNER, chunkBytes: 3 });
    expect(split).toEqual(whole);
  });
});
