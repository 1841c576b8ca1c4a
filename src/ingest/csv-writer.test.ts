import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BB, E3, PARTNER, type ScratchDir, scratchDir, T1, T2 } from '../../test/support/test-files.ts';
import { emptyRowColumns, pushRow, type RowColumns } from '../domain/row.ts';
import { csvField, writeRowsCsv } from './csv-writer.ts';
import { readRowFiles } from './read-row-files.ts';

let tmp: ScratchDir;
beforeAll(async () => {
  tmp = await scratchDir();
});
afterAll(() => tmp.remove());

async function roundTrip(cols: RowColumns, name: string): Promise<RowColumns> {
  const path = `${tmp.dir}/${name}`;
  await writeRowsCsv(cols, path);
  const result = await readRowFiles([path], { partnerId: PARTNER });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.load.rows;
}

describe('writeRowsCsv', () => {
  it('quotes only fields that need it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Acme, Inc.')).toBe('"Acme, Inc."');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField("O'Brien & Söhne")).toBe("O'Brien & Söhne");
  });

  it('writes the canonical header, E5 timestamps and upper-case GUIDs', async () => {
    const cols = emptyRowColumns();
    pushRow(cols, {
      processedDate: '2026-03-01',
      serviceCode: 'o365',
      serviceName: 'Microsoft Office 365',
      channel: 'reseller',
      customerTenantId: T1.toLowerCase(),
      customerName: 'Acme, Inc.',
      productId: E3.toLowerCase(),
      productName: 'OFFICE 365 E3',
      licensesDeployed: 3,
      licensesSold: 4,
    });
    const path = `${tmp.dir}/one.csv`;
    await writeRowsCsv(cols, path);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(path, 'utf8')).toBe(
      'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold\n' +
        `2026-03-01T00:00:00,o365,Microsoft Office 365,reseller,${T1},"Acme, Inc.",${E3},OFFICE 365 E3,3,4\n`,
    );
  });

  it('round-trips names with quotes, commas, line breaks and Unicode', async () => {
    const names = [
      'Smith & "Jones", LLP',
      'two\r\nlines\nhere',
      '株式会社山田製作所',
      'שלום בע"מ',
      'Ærø 🚀 Ltd',
    ];
    const cols = emptyRowColumns();
    names.forEach((customerName, i) => {
      pushRow(cols, {
        processedDate: '2026-03-0' + (i + 1),
        serviceCode: 'crm',
        serviceName: 'Microsoft Dynamics',
        channel: 'direct',
        customerTenantId: i % 2 ? T1 : T2,
        customerName,
        productId: BB,
        productName: customerName.toUpperCase(),
        licensesDeployed: i,
        licensesSold: 2 ** 31 - 1 - i,
      });
    });
    expect(await roundTrip(cols, 'unicode.csv')).toEqual(cols);
  });

  it('round-trips random valid row sets (property)', async () => {
    const text = fc
      .string({
        unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r\n', "'", '&', 'é', '株', '🚀', 'x'),
        minLength: 1,
        maxLength: 12,
      })
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const guid = fc.uuid().map((u) => u.toUpperCase());
    const row = fc.record({
      processedDate: fc
        .integer({ min: 0, max: 400 })
        .map((d) => new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10)),
      serviceCode: fc.constantFrom('o365', 'crm'),
      serviceName: text,
      channel: fc.constantFrom('reseller', 'direct', 'a,b', 'x"y'),
      customerTenantId: guid,
      customerName: text,
      productId: guid,
      productName: text,
      licensesDeployed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      licensesSold: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(row, {
          maxLength: 30,
          selector: (r) => `${r.processedDate}|${r.customerTenantId}|${r.productId}|${r.channel}`,
        }),
        async (rows) => {
          const cols = emptyRowColumns();
          for (const r of rows) pushRow(cols, r);
          expect(await roundTrip(cols, `prop-${run++}.csv`)).toEqual(cols);
        },
      ),
      { numRuns: 60 },
    );
  });
});
