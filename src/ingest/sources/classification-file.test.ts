import { describe, expect, it } from 'vitest';
import { classifySku, DEFAULT_CLASSIFICATION } from '../../domain/classify.ts';
import { parseClassificationText } from './classification-file.ts';

describe('parseClassificationText', () => {
  it('reads rules in order, comments skipped, with a fallback row', () => {
    const table = parseClassificationText(
      '\ufeffmatch,prefix,serviceCode,serviceName\n# Dynamics first\npartNumberPrefix,DYN365,CRM,Microsoft Dynamics\n' +
        'displayNamePrefix, Power BI ,pbi,"Power BI, Fabric"\n*,,O365,Microsoft Office 365\n',
      'c.csv',
    );
    expect(table).toEqual({
      rules: [
        {
          match: 'partNumberPrefix',
          prefix: 'DYN365',
          serviceCode: 'crm',
          serviceName: 'Microsoft Dynamics',
        },
        {
          match: 'displayNamePrefix',
          prefix: 'Power BI',
          serviceCode: 'pbi',
          serviceName: 'Power BI, Fabric',
        },
      ],
      fallback: { serviceCode: 'o365', serviceName: 'Microsoft Office 365' },
    });
    expect(classifySku({ partNumber: 'POWER_BI_PRO', displayName: 'Power BI Pro' }, table).serviceCode).toBe(
      'pbi',
    );
  });

  it('reads displayNameContains rules, which match anywhere in the name', () => {
    const table = parseClassificationText(
      'match,prefix,serviceCode,serviceName\ndisplayNameContains,Dynamics,crm,Microsoft Dynamics\n',
      'c.csv',
    );
    expect(table.rules).toEqual([
      {
        match: 'displayNameContains',
        prefix: 'Dynamics',
        serviceCode: 'crm',
        serviceName: 'Microsoft Dynamics',
      },
    ]);
    expect(classifySku({ partNumber: '', displayName: 'DYNAMICS AX TASK' }, table).serviceCode).toBe('crm');
    expect(classifySku({ partNumber: '', displayName: 'Microsoft Dynamics CRM' }, table).serviceCode).toBe(
      'crm',
    );
  });

  it('falls back to the default fallback without a * row', () => {
    const table = parseClassificationText('match,prefix,serviceCode,serviceName\n', 'c.csv');
    expect(table.fallback).toEqual(DEFAULT_CLASSIFICATION.fallback);
  });

  it('throws file:line errors', () => {
    const head = 'match,prefix,serviceCode,serviceName\n';
    expect(() => parseClassificationText('a,b\n', 'c.csv')).toThrow('c.csv:1: expected the header');
    expect(() => parseClassificationText(`${head}skuId,X,a,b\n`, 'c.csv')).toThrow(
      'c.csv:2: match "skuId" is not partNumberPrefix, displayNamePrefix, displayNameContains or *',
    );
    expect(() => parseClassificationText(`${head}partNumberPrefix,,a,b\n`, 'c.csv')).toThrow(
      'c.csv:2: prefix is empty',
    );
    expect(() => parseClassificationText(`${head}*,,a,b\n*,,c,d\n`, 'c.csv')).toThrow(
      'c.csv:3: a second fallback',
    );
    expect(() => parseClassificationText(`${head}*,,,b\n`, 'c.csv')).toThrow('c.csv:2: serviceCode is empty');
  });
});
