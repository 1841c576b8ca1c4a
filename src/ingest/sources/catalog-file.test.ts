import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../../../test/fixtures/sources/expected.ts';
import { skuCatalog } from '../../domain/sku-catalog.ts';
import { parseCatalogText, readCatalogFile } from './catalog-file.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-catalog-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readCatalogFile', () => {
  it("collapses Microsoft's rows to one SKU per GUID despite BOM, tabs, NBSP and duplicates", async () => {
    const r = await readCatalogFile(FIXTURES.catalog);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.summary).toEqual({
      skus: 8,
      rows: 10,
      duplicates: 1,
      renamed: [
        {
          skuId: '6FD2C87F-B296-42F0-B197-1E91E994B900',
          partNumber: 'ENTERPRISEPACK',
          kept: 'Office 365 E3',
          others: ['Office 365 E3 (renamed)'],
        },
      ],
      encoding: 'utf-8',
    });
    const by = new Map(r.skus.map((s) => [s.skuId, s]));
    expect(by.get('6FD2C87F-B296-42F0-B197-1E91E994B900')).toEqual({
      skuId: '6FD2C87F-B296-42F0-B197-1E91E994B900',
      partNumber: 'ENTERPRISEPACK',
      displayName: 'Office 365 E3',
      productName: 'OFFICE 365 E3',
      serviceCode: 'o365',
      serviceName: 'Microsoft Office 365',
    });
    expect(by.get('1E1A282C-9C54-43A2-9310-98EF728FAACE')).toMatchObject({
      partNumber: 'DYN365_ENTERPRISE_SALES',
      productName: 'DYNAMICS 365 FOR SALES ENTERPRISE EDITION',
      serviceCode: 'crm',
    });
    expect(by.get('AAAAAAAA-0000-4000-8000-00000000000A')?.productName).toBe('CONTOSO ADD-ON, PLUS EDITION');
    expect(by.get('99049C9C-6011-4908-BF17-15F496E6519D')?.partNumber).toBe('SHAREPOINTSTORAGE');
    // One String_Id, two GUIDs: both kept.
    expect(r.skus.filter((s) => s.partNumber === 'CONTOSO_ROOMS').map((s) => s.skuId)).toEqual([
      'BBBBBBBB-0000-4000-8000-00000000000B',
      'BBBBBBBB-0000-4000-8000-00000000000C',
    ]);
    // Classified by display name alone.
    expect(by.get('CCCCCCCC-0000-4000-8000-00000000000C')?.serviceCode).toBe('crm');
  });

  it("reads Microsoft's Windows-1252 edition with the `String_ Id` header", async () => {
    const r = await readCatalogFile(FIXTURES.catalogWindows1252);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.summary).toEqual({
      skus: 3,
      rows: 6,
      duplicates: 1,
      renamed: [
        {
          skuId: 'EEEEEEEE-0000-4000-8000-00000000000E',
          partNumber: 'CONTOSO_WIDGETS',
          kept: 'Contoso Widgets\u00ae Plus \u2013 Partner\u2019s Edition\u2122',
          others: ['Contoso Widgets Plus'],
        },
      ],
      encoding: 'windows-1252',
    });
    expect(r.skus).toEqual([
      {
        skuId: '06EBC4EE-1BB5-47DD-8120-11324BC54E06',
        partNumber: 'SPE_E5',
        displayName: 'Microsoft 365 E5',
        productName: 'MICROSOFT 365 E5',
        serviceCode: 'o365',
        serviceName: 'Microsoft Office 365',
      },
      {
        skuId: 'EEEEEEEE-0000-4000-8000-00000000000E',
        partNumber: 'CONTOSO_WIDGETS',
        displayName: 'Contoso Widgets\u00ae Plus \u2013 Partner\u2019s Edition\u2122',
        productName: 'CONTOSO WIDGETS\u00ae PLUS \u2013 PARTNER\u2019S EDITION\u2122',
        serviceCode: 'o365',
        serviceName: 'Microsoft Office 365',
      },
      {
        skuId: 'FFFFFFFF-0000-4000-8000-00000000000F',
        partNumber: 'CONTOSO_AX_ENT',
        displayName: 'Dynamics AX Enterprise',
        productName: 'DYNAMICS AX ENTERPRISE',
        serviceCode: 'crm',
        serviceName: 'Microsoft Dynamics',
      },
    ]);
  });

  it('reads UTF-8 bytes as UTF-8 and matches header names without case, spaces or underscores', async () => {
    const path = join(dir, 'utf8.csv');
    // The same characters as the Windows-1252 fixture, in UTF-8: \u00ae is C2 AE, not AE.
    await writeFile(
      path,
      'productdisplayname,"String_ Id", GUID \nContoso\u00ae Suite,CONTOSO_SUITE,{eeeeeeee-0000-4000-8000-0000000000e1}\n',
    );
    const r = await readCatalogFile(path);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.summary.encoding).toBe('utf-8');
    expect(r.skus.map((s) => [s.skuId, s.partNumber, s.displayName])).toEqual([
      ['EEEEEEEE-0000-4000-8000-0000000000E1', 'CONTOSO_SUITE', 'Contoso\u00ae Suite'],
    ]);
  });

  it('lists each renamed SKU once, with every other name in the order read', () => {
    const text =
      'Product_Display_Name,String_Id,GUID\n' +
      'Contoso One,C1,eeeeeeee-0000-4000-8000-0000000000e1\n' +
      'Contoso Two,C2,eeeeeeee-0000-4000-8000-0000000000e2\n' +
      'Contoso One (new),C1,eeeeeeee-0000-4000-8000-0000000000e1\n' +
      'Contoso One,C1_NEW,eeeeeeee-0000-4000-8000-0000000000e1\n' +
      'Contoso One (newer),C1,eeeeeeee-0000-4000-8000-0000000000e1\n' +
      'Contoso One (new),C1,eeeeeeee-0000-4000-8000-0000000000e1\n';
    const r = parseCatalogText(text, 'c.csv');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    // Rows 3, 4 (another String_Id), 5 and 6 repeat a GUID under other names; row 4 only its part number.
    expect(r.summary).toEqual({
      skus: 2,
      rows: 6,
      duplicates: 4,
      renamed: [
        {
          skuId: 'EEEEEEEE-0000-4000-8000-0000000000E1',
          partNumber: 'C1',
          kept: 'Contoso One',
          others: ['Contoso One (new)', 'Contoso One (newer)'],
        },
      ],
      encoding: 'utf-8',
    });
  });

  it('reads the bundled format to the bundled catalog', async () => {
    const path = fileURLToPath(new URL('../../domain/sku-catalog.csv', import.meta.url));
    const r = await readCatalogFile(path);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.skus).toEqual(skuCatalog());
  });

  it('reports bad GUIDs with their lines and a file without the columns', () => {
    const text =
      'GUID,String_Id,Product_Display_Name\nnot-a-guid,X,Y\n,Z,W\n6fd2c87f-b296-42f0-b197-1e91e994b900,,\n';
    const r = parseCatalogText(text, 'cat.csv');
    expect(r).toEqual({
      ok: false,
      errors: [
        { file: 'cat.csv', line: 2, reason: 'GUID "not-a-guid" is not a GUID' },
        { file: 'cat.csv', line: 3, reason: 'GUID is empty' },
        { file: 'cat.csv', line: 4, reason: 'Product_Display_Name and String_Id are both empty' },
      ],
    });
    expect(parseCatalogText('GUID,Product_Display_Name\n1,2\n', 'rows.csv')).toEqual({
      ok: false,
      errors: [
        {
          file: 'rows.csv',
          line: 1,
          reason:
            'not a SKU catalog: no String_Id column; expected Microsoft\'s "Product names and service plan ' +
            'identifiers for licensing" CSV (Product_Display_Name, String_Id, GUID, ...)',
        },
      ],
    });
  });

  it('reports an unreadable file on line 0', async () => {
    const r = await readCatalogFile('/nonexistent/catalog.csv');
    expect(r).toMatchObject({ ok: false, errors: [{ file: '/nonexistent/catalog.csv', line: 0 }] });
  });
});
