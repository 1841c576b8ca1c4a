import { describe, expect, it } from 'vitest';
import { skuCatalog } from '../../domain/sku-catalog.ts';
import { DEFAULT_EXCLUSIONS, isExcluded, mergeExclusions } from '../../domain/sku-exclusions.ts';
import { parseExclusionText } from './exclusion-file.ts';

const sku = (partNumber: string, displayName = '', skuId = '00000000-0000-4000-8000-000000000000') => ({
  skuId,
  partNumber,
  displayName,
});

describe('DEFAULT_EXCLUSIONS', () => {
  it('leaves out free, viral and trial SKUs by part number or name word', () => {
    for (const p of [
      'FLOW_FREE',
      'power_bi_standard',
      'TEAMS_EXPLORATORY',
      'POWERAPPS_VIRAL',
      'RIGHTSMANAGEMENT_ADHOC',
    ])
      expect(isExcluded(sku(p)), p).toBe(true);
    expect(isExcluded(sku('NEW_PLAN', 'Contoso Suite Trial'))).toBe(true);
    expect(isExcluded(sku('SOMETHING_VIRAL_2'))).toBe(true);
    expect(isExcluded(sku('FREEDOM_PACK', 'Freedom'))).toBe(false);
  });

  it('leaves out viral trials ("vTrial") and developer SKUs', () => {
    const excluded: [string, string][] = [
      ['DEVELOPERPACK', 'Office 365 E3 Developer'],
      ['DEVELOPERPACK_E5', 'Microsoft 365 E5 Developer (without Windows and Audio Conferencing)'],
      ['CONTOSO_DEVELOPERPLAN', ''],
      ['', 'Microsoft Power Apps for Developer'],
      ['CONTOSO_SALES_VTRIAL', ''],
      ['CONTOSOVTRIAL', ''],
      ['DYN365_CUSTOMER_INSIGHTS_VIRAL', 'Dynamics 365 Customer Insights vTrial'],
      ['CONTOSO_SERVICE', 'Dynamics 365 Customer Service Enterprise Viral Trial'],
    ];
    for (const [partNumber, displayName] of excluded)
      expect(isExcluded(sku(partNumber, displayName)), `${partNumber} / ${displayName}`).toBe(true);
    // Neither word occurs here, though "DEV" and "TRIAL"-like letters do.
    expect(isExcluded(sku('DEVICE_PLAN', 'Contoso Devices'))).toBe(false);
    expect(isExcluded(sku('CONTOSO_INDUSTRIAL', 'Contoso Industrial'))).toBe(false);
    expect(DEFAULT_EXCLUSIONS.nameFragments).toEqual(['VTRIAL', 'DEVELOPER']);
  });

  it('keeps every SKU of the bundled catalog', () => {
    expect(skuCatalog().filter((s) => isExcluded(s, DEFAULT_EXCLUSIONS))).toEqual([]);
  });
});

describe('parseExclusionText', () => {
  it('reads part numbers, ids and words; merges with the defaults', () => {
    const list = parseExclusionText(
      '\ufeffmatch,value,note\n# mine\npartNumber, contoso_free_thing ,free\nskuId,{aaaaaaaa-0000-4000-8000-00000000000a},x\nnameWord,preview,\n',
      'x.csv',
    );
    expect([...list.partNumbers]).toEqual(['CONTOSO_FREE_THING']);
    expect([...list.skuIds]).toEqual(['AAAAAAAA-0000-4000-8000-00000000000A']);
    expect(list.nameWords).toEqual(['PREVIEW']);
    expect(list.nameFragments).toEqual([]);
    expect(isExcluded(sku('X', '', 'aaaaaaaa-0000-4000-8000-00000000000a'), list)).toBe(true);
    expect(isExcluded(sku('FLOW_FREE'), list)).toBe(false);
    const merged = mergeExclusions(DEFAULT_EXCLUSIONS, list);
    expect(isExcluded(sku('FLOW_FREE'), merged) && isExcluded(sku('A', 'Copilot Preview'), merged)).toBe(
      true,
    );
  });

  it('reads name fragments, found anywhere in the part number or name', () => {
    const list = parseExclusionText('match,value\nnameFragment, sandbox \n', 'x.csv');
    expect(list.nameFragments).toEqual(['SANDBOX']);
    expect(isExcluded(sku('CONTOSO_SANDBOXTIER2'), list)).toBe(true);
    expect(isExcluded(sku('X', 'Contoso Sandboxes'), list)).toBe(true);
    expect(isExcluded(sku('DEVELOPERPACK'), list)).toBe(false);
    const merged = mergeExclusions(DEFAULT_EXCLUSIONS, list);
    expect(merged.nameFragments).toEqual(['VTRIAL', 'DEVELOPER', 'SANDBOX']);
  });

  it('throws file:line errors', () => {
    expect(() => parseExclusionText('kind,value\n', 'x.csv')).toThrow(
      'x.csv:1: expected the header match,value',
    );
    expect(() => parseExclusionText('match,value\nskuId,nope\n', 'x.csv')).toThrow(
      'x.csv:2: skuId "nope" is not a GUID',
    );
    expect(() => parseExclusionText('match,value\nnameWord,two words\n', 'x.csv')).toThrow(
      'x.csv:2: nameWord',
    );
    expect(() => parseExclusionText('match,value\nsku,X\n', 'x.csv')).toThrow(
      'x.csv:2: match "sku" is not partNumber, skuId, nameWord or nameFragment',
    );
    expect(() => parseExclusionText('match,value\npartNumber,\n', 'x.csv')).toThrow(
      'x.csv:2: value is empty',
    );
  });
});
