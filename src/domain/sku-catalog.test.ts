import { describe, expect, it } from 'vitest';
import { classifySku, DEFAULT_CLASSIFICATION } from './classify.ts';
import { parseSkuCatalog, skuCatalog } from './sku-catalog.ts';

describe('skuCatalog', () => {
  it('loads the bundled SKUs with upper-case ids and Partner Center product names', () => {
    const catalog = skuCatalog();
    expect(catalog).toHaveLength(34);
    expect(catalog.find((s) => s.partNumber === 'ENTERPRISEPACK')).toEqual({
      skuId: '6FD2C87F-B296-42F0-B197-1E91E994B900',
      partNumber: 'ENTERPRISEPACK',
      displayName: 'Office 365 E3',
      productName: 'OFFICE 365 E3',
      serviceCode: 'o365',
      serviceName: 'Microsoft Office 365',
    });
    expect(new Set(catalog.map((s) => `${s.serviceCode}|${s.serviceName}`))).toEqual(
      new Set(['o365|Microsoft Office 365', 'crm|Microsoft Dynamics']),
    );
  });

  it('stores the same classification the rule table computes', () => {
    for (const sku of skuCatalog()) {
      expect(classifySku(sku), sku.partNumber).toEqual({
        serviceCode: sku.serviceCode,
        serviceName: sku.serviceName,
      });
    }
  });

  it('trims stray spaces and NBSPs, reads quoted fields and a BOM, and rejects bad GUIDs', () => {
    const text =
      '\ufeffString_Id,GUID,Product_Display_Name,serviceCode,serviceName\r\n' +
      ' X_SKU\t,cdd28e44-67e3-425e-be4c-737fab2899d3 ,"Name, with ""quotes""\u00a0",o365,Microsoft Office 365\r\n';
    expect(parseSkuCatalog(text)).toEqual([
      {
        skuId: 'CDD28E44-67E3-425E-BE4C-737FAB2899D3',
        partNumber: 'X_SKU',
        displayName: 'Name, with "quotes"',
        productName: 'NAME, WITH "QUOTES"',
        serviceCode: 'o365',
        serviceName: 'Microsoft Office 365',
      },
    ]);
    expect(() =>
      parseSkuCatalog('String_Id,GUID,Product_Display_Name,serviceCode,serviceName\nA,nope,B,o365,C\n'),
    ).toThrow('SKU catalog record 2: GUID nope is not a GUID');
  });
});

describe('classifySku', () => {
  it.each([
    ['DYN365_ENTERPRISE_SALES', 'Anything', 'crm'],
    ['D365_SALES_PRO', 'Sales Pro', 'crm'],
    ['crmstandard', 'Microsoft Dynamics CRM Online', 'crm'],
    ['SOMETHING_NEW', 'Dynamics 365 Field Service', 'crm'],
    ['ENTERPRISEPACK', 'Office 365 E3', 'o365'],
    ['POWER_BI_PRO', 'Power BI Pro', 'o365'],
  ])('%s / %s → %s', (partNumber, displayName, code) => {
    expect(classifySku({ partNumber, displayName }).serviceCode).toBe(code);
  });

  it('takes a user table instead of the default', () => {
    const table = {
      rules: [
        {
          match: 'partNumberPrefix' as const,
          prefix: 'POWER_',
          serviceCode: 'pbi',
          serviceName: 'Power Platform',
        },
      ],
      fallback: DEFAULT_CLASSIFICATION.fallback,
    };
    expect(classifySku({ partNumber: 'POWER_BI_PRO', displayName: 'Power BI Pro' }, table)).toEqual({
      serviceCode: 'pbi',
      serviceName: 'Power Platform',
    });
    expect(classifySku({ partNumber: 'DYN365_X', displayName: 'Dynamics 365 X' }, table).serviceCode).toBe(
      'o365',
    );
  });
});
