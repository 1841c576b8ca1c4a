import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../../test/fixtures/sources/expected.ts';
import { skuCatalog } from '../../domain/sku-catalog.ts';
import { parseCatalogText, readCatalogFile } from './catalog-file.ts';

describe('readCatalogFile', () => {
  it("collapses Microsoft's rows to one SKU per GUID despite BOM, tabs, NBSP and duplicates", async () => {
    const r = await readCatalogFile(FIXTURES.catalog);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.summary).toEqual({ skus: 8, rows: 10, duplicates: 1 });
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
    const wrong = parseCatalogText('a,b\n1,2\n', 'rows.csv');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.errors[0]).toMatchObject({ file: 'rows.csv', line: 1 });
  });

  it('reports an unreadable file on line 0', async () => {
    const r = await readCatalogFile('/nonexistent/catalog.csv');
    expect(r).toMatchObject({ ok: false, errors: [{ file: '/nonexistent/catalog.csv', line: 0 }] });
  });
});
