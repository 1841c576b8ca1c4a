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

  it("matches header names without case, spaces and underscores (Microsoft's `String_ Id`)", () => {
    const text =
      'String_ Id,guid,Product Display Name,ServiceCode,service_name\n' +
      'CRMSTANDARD,d17b27af-3f49-4822-99f9-56a661538792,Microsoft Dynamics CRM Online,crm,Microsoft Dynamics\n';
    expect(parseSkuCatalog(text).map((s) => [s.partNumber, s.skuId, s.serviceCode])).toEqual([
      ['CRMSTANDARD', 'D17B27AF-3F49-4822-99F9-56A661538792', 'crm'],
    ]);
    expect(() => parseSkuCatalog('StringId,GUID\n')).toThrow(
      'SKU catalog: missing column Product_Display_Name',
    );
  });
});

describe('classifySku', () => {
  it.each([
    ['DYN365_ENTERPRISE_SALES', 'Anything', 'crm'],
    ['D365_SALES_PRO', 'Sales Pro', 'crm'],
    ['DYNAMICS_AX_TASK', '', 'crm'],
    ['crmstandard', 'Microsoft Dynamics CRM Online', 'crm'],
    ['SOMETHING_NEW', 'Dynamics 365 Field Service', 'crm'],
    // Partner Center's own E5 examples: Dynamics AX, by name alone, upper-cased as it shows them.
    ['', 'DYNAMICS AX TASK', 'crm'],
    ['', 'DYNAMICS AX ENTERPRISE', 'crm'],
    ['', 'Microsoft Dynamics AX7 User', 'crm'],
    ['', 'Power Apps for dynamics users', 'crm'],
    ['ENTERPRISEPACK', 'Office 365 E3', 'o365'],
    ['POWER_BI_PRO', 'Power BI Pro', 'o365'],
    ['', 'DYNAMIC DATA MASKING', 'o365'],
  ])('%s / %s → %s', (partNumber, displayName, code) => {
    expect(classifySku({ partNumber, displayName })).toEqual(
      code === 'crm'
        ? { serviceCode: 'crm', serviceName: 'Microsoft Dynamics' }
        : { serviceCode: 'o365', serviceName: 'Microsoft Office 365' },
    );
  });

  it('tests displayNameContains anywhere in the name and prefixes only at the start', () => {
    const table = {
      rules: [
        {
          match: 'displayNameContains' as const,
          prefix: 'Teams',
          serviceCode: 'teams',
          serviceName: 'Teams',
        },
        { match: 'partNumberPrefix' as const, prefix: 'MCO', serviceCode: 'voice', serviceName: 'Voice' },
      ],
      fallback: DEFAULT_CLASSIFICATION.fallback,
    };
    const code = (partNumber: string, displayName: string) =>
      classifySku({ partNumber, displayName }, table).serviceCode;
    expect(code('X', 'Microsoft teams Phone')).toBe('teams');
    expect(code('MCOEV', 'Phone System')).toBe('voice');
    expect(code('X_MCO', 'Phone System')).toBe('o365');
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
