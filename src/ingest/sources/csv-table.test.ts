import { describe, expect, it } from 'vitest';
import { decodeText, headerKey } from './csv-table.ts';

describe('decodeText', () => {
  it('reads valid UTF-8 as UTF-8, dropping a byte-order mark', () => {
    const bytes = Buffer.from('\ufeffContoso\u00ae \u2019\u2122', 'utf8');
    expect(decodeText(bytes)).toEqual({ text: 'Contoso\u00ae \u2019\u2122', encoding: 'utf-8' });
  });

  it('reads other bytes as Windows-1252, including its 0x80-0x9F characters', () => {
    const bytes = Uint8Array.from([
      0x80, 0x85, 0x92, 0x93, 0x94, 0x96, 0x97, 0x99, 0x9f, 0xae, 0xe9, 0x81, 0x41,
    ]);
    expect(decodeText(bytes)).toEqual({
      text: '\u20ac\u2026\u2019\u201c\u201d\u2013\u2014\u2122\u0178\u00ae\u00e9\u0081A',
      encoding: 'windows-1252',
    });
  });
});

describe('headerKey', () => {
  it('ignores case, spaces and underscores', () => {
    expect(['String_Id', 'String_ Id', ' string id\t', 'STRINGID', '\ufeffString_Id'].map(headerKey)).toEqual(
      ['stringid', 'stringid', 'stringid', 'stringid', 'stringid'],
    );
  });
});
