import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type CatalogSku, skuCatalog } from '../../domain/sku-catalog.ts';
import type { SubscriptionRecord } from '../../store/store.ts';
import { detectFormat } from './detect-format.ts';
import {
  matchPriceSheet,
  type PriceSheetRead,
  type PriceSheetRow,
  parsePricesText,
  parseTerm,
  readPricesFile,
} from './prices-file.ts';

const fixture = (name: string): string =>
  new URL(`../../../test/fixtures/prices/${name}`, import.meta.url).pathname;

const E3 = '6FD2C87F-B296-42F0-B197-1E91E994B900';
const E5 = 'C7DF2760-2C81-4EF7-B578-5B5392B571DF';
const BASIC = '3B555118-DA6A-4418-894F-7DF1E2096870';
const EXO1 = '4B9405B0-7788-4568-ADD1-99614E613B69';

const OVERRIDE_HEADER = 'skuId,unitPrice,currency,billingPlan,termDuration';
const SHEET_HEADER = 'ProductId,SkuId,SkuTitle,TermDuration,BillingPlan,Currency,UnitPrice';

/** The errors of a file that must be refused, as `file:line: reason`. */
function errorsOf(text: string, file = 'p.csv'): string[] {
  const read = parsePricesText(text, file);
  if (read.ok) throw new Error('expected the file to be refused');
  return read.errors.map((e) => `${e.file}:${e.line}: ${e.reason}`);
}

function sheetOf(text: string): PriceSheetRead {
  const read = parsePricesText(text, 'sheet.csv');
  if (!read.ok || read.shape !== 'price-sheet') throw new Error(JSON.stringify(read));
  return read;
}

describe('the partner price list (overrides)', () => {
  it('reads the fixture: GUIDs normalised, plans and terms normalised, monthly price per seat', async () => {
    const read = await readPricesFile(fixture('overrides.csv'));
    expect(read).toEqual({
      ok: true,
      shape: 'override',
      prices: [
        {
          source: 'override',
          skuId: E3,
          currency: 'EUR',
          unitPrice: 33.75,
          billingPlan: 'monthly',
          termDuration: 'P1Y',
          monthlyPrice: 33.75,
          title: 'Office 365 E3',
          offerId: '',
        },
        {
          source: 'override',
          skuId: E5,
          currency: 'USD',
          unitPrice: 684,
          billingPlan: 'annual',
          termDuration: 'P1Y',
          monthlyPrice: 57,
          title: 'Microsoft 365 E5',
          offerId: '',
        },
        {
          source: 'override',
          skuId: BASIC,
          currency: 'EUR',
          unitPrice: 5.5,
          billingPlan: 'monthly',
          termDuration: '',
          monthlyPrice: 5.5,
          title: 'Microsoft 365 Business Basic',
          offerId: '',
        },
      ],
    });
  });

  it('takes the header in any case and order, with a byte-order mark, and a header-only file as empty', () => {
    const read = parsePricesText(
      `\ufeff TERMDURATION , Currency,UNITPRICE,BillingPlan,SKUID\nP3Y,eur,360,triennial,${E3}\n`,
      'p.csv',
    );
    expect(read).toMatchObject({ ok: true, shape: 'override' });
    expect(read.ok && read.shape === 'override' && read.prices[0]).toMatchObject({
      skuId: E3,
      billingPlan: 'triennial',
      termDuration: 'P3Y',
      monthlyPrice: 10,
      title: '',
    });
    expect(parsePricesText(`${OVERRIDE_HEADER}\n`, 'p.csv')).toEqual({
      ok: true,
      shape: 'override',
      prices: [],
    });
  });

  it('normalises every accepted billing plan', () => {
    const rows = [
      ['monthly', 'P1Y', 12, 'monthly', 12],
      ['Annual', 'P1Y', 120, 'annual', 10],
      ['ANNUALLY', 'P3Y', 120, 'annual', 10],
      ['yearly', '', 120, 'annual', 10],
      ['Triennial', 'P3Y', 360, 'triennial', 10],
      ['OneTime', 'P1M', 9, 'onetime', 9],
      ['one time', 'p1y', 120, 'onetime', 10],
      ['none', 'P3Y', 360, 'onetime', 10],
      ['none', 'P6M', 60, 'onetime', 10],
    ] as const;
    const guid = (i: number) => `00000000-0000-4000-8000-00000000000${i}`;
    const text = `${OVERRIDE_HEADER}\n${rows.map(([plan, term, price], i) => `${guid(i)},${price},EUR,${plan},${term}`).join('\n')}\n`;
    const read = parsePricesText(text, 'p.csv');
    if (!read.ok || read.shape !== 'override') throw new Error(JSON.stringify(read));
    expect(read.prices.map((p) => [p.billingPlan, p.monthlyPrice])).toEqual(
      rows.map(([, , , plan, monthly]) => [plan, monthly]),
    );
    // Full precision, no rounding.
    const third = parsePricesText(`${OVERRIDE_HEADER}\n${E3},10,EUR,annual,P1Y\n`, 'p.csv');
    expect(third.ok && third.shape === 'override' && third.prices[0]!.monthlyPrice).toBe(10 / 12);
  });

  it('names the file and line of every problem, saying what to do', () => {
    const text = [
      `${OVERRIDE_HEADER},productName`,
      `${E3},"1,234.00",EUR,monthly,P1Y,a`,
      `${E5},12,50,EUR,monthly,P1Y`,
      `${BASIC},20,EUR,quarterly,P1Y,c`,
      `{${E3.toLowerCase()}},30,EUR,monthly,P1Y,d`,
      `E3,30,EUR,monthly,P1Y,e`,
      `,30,EUR,monthly,P1Y,f`,
      `${EXO1},,EUR,monthly,P1Y,g`,
      `00000000-0000-4000-8000-000000000001,-3,EUR,monthly,P1Y,h`,
      `00000000-0000-4000-8000-000000000002,3 EUR,EUR,monthly,P1Y,i`,
      `00000000-0000-4000-8000-000000000003,3,euro,monthly,P1Y,j`,
      `00000000-0000-4000-8000-000000000004,3,,monthly,P1Y,k`,
      `00000000-0000-4000-8000-000000000005,3,EUR,onetime,,l`,
      `00000000-0000-4000-8000-000000000006,3,EUR,monthly,1 year,m`,
      `00000000-0000-4000-8000-000000000007,3,EUR,,P1Y,n`,
    ].join('\n');
    expect(errorsOf(text)).toEqual([
      `p.csv:2: unitPrice "1,234.00" has a comma, space or apostrophe in it; write the number with '.' as the decimal separator and no thousands separators (e.g. 1234.50)`,
      'p.csv:3: currency "50" is not a three-letter ISO 4217 code (e.g. EUR)',
      'p.csv:4: billingPlan "quarterly" is not accepted; use one of monthly, annual (or annually, yearly), triennial, onetime (or one time, none)',
      `p.csv:5: skuId ${E3} is priced on line 2 already; the price list holds one row per skuId, keep one`,
      'p.csv:6: skuId "E3" is not a GUID; an override names the licensed product by its SKU GUID (the productId of deployment rows)',
      'p.csv:7: skuId is empty; give the SKU GUID of the licensed product (the productId of deployment rows)',
      'p.csv:8: unitPrice is empty; give the price of one seat for one billing period (e.g. 33.75)',
      'p.csv:9: unitPrice "-3" is negative; a price is 0 or more',
      `p.csv:10: unitPrice "3 EUR" is not a number; write it with '.' as the decimal separator (e.g. 1234.50)`,
      'p.csv:11: currency "euro" is not a three-letter ISO 4217 code (e.g. EUR)',
      'p.csv:12: currency is empty; give the ISO 4217 code (e.g. EUR)',
      'p.csv:13: billingPlan "onetime" is paid once for the term, but termDuration is empty; give the term (e.g. P1Y)',
      'p.csv:14: termDuration "1 year" is not an ISO 8601 duration in years or months (P1M, P1Y, P3Y, ...)',
      'p.csv:15: billingPlan is empty; use one of monthly, annual (or annually, yearly), triennial, onetime (or one time, none)',
    ]);
    expect(errorsOf(`${OVERRIDE_HEADER}\n${E3},"12,50",EUR,monthly,P1Y\n`)).toEqual([
      `p.csv:2: unitPrice "12,50" has a comma, space or apostrophe in it; write the number with '.' as the decimal separator and no thousands separators (e.g. 1234.50)`,
    ]);
  });

  it('refuses a file that is neither shape, or misses a column, on line 1', () => {
    expect(errorsOf('skuId,price\nx,1\n')).toEqual([
      "p.csv:1: not a price file: expected the partner's price list (skuId,unitPrice,currency,billingPlan,termDuration) or Partner Center's license-based price sheet (ProductId, SkuId, SkuTitle, UnitPrice, Currency, TermDuration, BillingPlan, ...)",
    ]);
    expect(errorsOf('skuId,unitPrice,termDuration\n')).toEqual([
      'p.csv:1: no currency, billingPlan column; the price list needs the columns skuId,unitPrice,currency,billingPlan,termDuration (termDuration may be empty)',
    ]);
    expect(errorsOf('ProductId,SkuId,UnitPrice,Currency,BillingPlan\n')).toEqual([
      "p.csv:1: no termDuration column; Partner Center's price sheet needs the columns ProductId, SkuId, UnitPrice, Currency, TermDuration and BillingPlan",
    ]);
    expect(errorsOf('')).toEqual(['p.csv:1: the file is empty (no header)']);
  });
});

describe("Partner Center's price sheet", () => {
  it('reads the fixture: Commercial rows of the first tier, one currency, plans normalised', async () => {
    const read = await readPricesFile(fixture('price-sheet.csv'));
    if (!read.ok || read.shape !== 'price-sheet') throw new Error(JSON.stringify(read));
    expect(read.currency).toBe('USD');
    expect([...read.skippedSegments]).toEqual([
      ['Education', 1],
      ['Government', 1],
    ]);
    expect(read.skippedTiers).toBe(1);
    const row = (line: number, offerId: string, title: string, r: [number, string, string, number]) => ({
      line,
      offerId,
      title,
      currency: 'USD',
      unitPrice: r[0],
      billingPlan: r[1],
      termDuration: r[2],
      monthlyPrice: r[3],
    });
    expect(read.rows).toEqual([
      row(2, 'CFQ7TTC0LH18:0001', 'Microsoft 365 Business Basic', [6, 'monthly', 'P1Y', 6]),
      row(3, 'CFQ7TTC0LH18:0001', 'Microsoft 365 Business Basic', [72, 'annual', 'P1Y', 6]),
      row(4, 'CFQ7TTC0LH18:0001', 'Microsoft 365 Business Basic', [7.2, 'monthly', 'P1M', 7.2]),
      row(6, 'CFQ7TTC0LF8R:0001', 'Office 365 E3 (no Teams)', [276, 'annual', 'P1Y', 23]),
      row(7, 'CFQ7TTC0LF8R:0001', 'Office 365 E3 (no Teams)', [27.6, 'monthly', 'P1M', 27.6]),
      row(8, 'CFQ7TTC0LH16:0001', 'Exchange Online (Plan 1)', [48, 'annual', 'P1Y', 4]),
      row(10, 'CFQ7TTC0WDGT:0002', 'Contoso Widget Plan', [5, 'monthly', 'P1M', 5]),
    ]);
  });

  it('keeps the row without tiers and the tier starting at 0 or 1; without a Segment column every row counts', () => {
    const header = `${SHEET_HEADER},PricingTierRangeMin`;
    const read = sheetOf(
      [
        header,
        'CFQ7TTC0LH18,0001,Basic,P1Y,Annual,USD,72,',
        'CFQ7TTC0LH16,0001,EXO,P1Y,Annual,USD,48,0',
        'CFQ7TTC0LH16,0001,EXO,P1Y,Annual,USD,45,1001',
        'CFQ7TTC0LH16,0001,EXO,P1Y,Annual,USD,40,5001',
        'cfq7ttc0lf8r,0001,E3,P1Y,Annual,USD,276,1',
      ].join('\n'),
    );
    expect(read.rows.map((r) => [r.line, r.offerId, r.unitPrice])).toEqual([
      [2, 'CFQ7TTC0LH18:0001', 72],
      [3, 'CFQ7TTC0LH16:0001', 48],
      [6, 'CFQ7TTC0LF8R:0001', 276],
    ]);
    expect(read.skippedTiers).toBe(2);
    expect(read.skippedSegments.size).toBe(0);
  });

  it('refuses a second currency, naming the line and what to do instead', async () => {
    const file = fixture('two-currencies.csv');
    const read = await readPricesFile(file);
    expect(read).toEqual({
      ok: false,
      errors: [
        {
          file,
          line: 3,
          reason:
            "Currency EUR differs from USD on line 2; a price sheet import holds one currency: import one market's sheet at a time and give prices in other currencies as overrides",
        },
      ],
    });
  });

  it('names the file and line of every problem', () => {
    const text = [
      `${SHEET_HEADER},PricingTierRangeMin,Segment`,
      'CFQ7TTC0LH18,0001,Basic,P1Y,Annual,USD,72,,Commercial',
      'CFQ7TTC0LH18,0001,Basic again,P1Y,annually,usd,70,,commercial',
      'CFQ7TTC0LH18,0001,Basic,,Annual,USD,72,,Commercial',
      ',0001,Basic,P1Y,Annual,USD,72,,Commercial',
      'CFQ7TTC0LH18,,Basic,P1Y,Annual,USD,72,,Commercial',
      'CFQ7TTC0LH18,0001,Basic,P1Y,Annual,USD,72,one,Commercial',
      'CFQ7TTC0LH18,0001,Basic,P1Y,Annual,USD,"1,000",,Commercial',
      'CFQ7TTC0LH18,0001,Basic,P1Y,Annual,USD,"1,000",,Education',
      'CFQ7TTC0LH18:0001,0001,Basic,P1M,Monthly,USD,6,,Commercial',
    ].join('\n');
    expect(errorsOf(text, 'sheet.csv')).toEqual([
      'sheet.csv:3: CFQ7TTC0LH18:0001 USD P1Y annual is priced on line 2 already (same product, currency, term and billing plan); keep one of the two rows',
      'sheet.csv:4: TermDuration is empty; give an ISO 8601 duration such as P1M, P1Y or P3Y',
      'sheet.csv:5: ProductId is empty; a price-sheet row names its product as ProductId and SkuId (e.g. CFQ7TTC0LH18 and 0001)',
      'sheet.csv:6: SkuId is empty; a price-sheet row names its product as ProductId and SkuId (e.g. CFQ7TTC0LH18 and 0001)',
      `sheet.csv:7: PricingTierRangeMin "one" is not a number; leave it empty or give the tier's first seat`,
      `sheet.csv:8: UnitPrice "1,000" has a comma, space or apostrophe in it; write the number with '.' as the decimal separator and no thousands separators (e.g. 1234.50)`,
      `sheet.csv:10: ProductId "CFQ7TTC0LH18:0001" or SkuId "0001" holds a ':'; give them as two columns (e.g. CFQ7TTC0LH18 and 0001)`,
    ]);
  });

  it('is told from an override list by its header, also by `import --format auto`', async () => {
    expect(parsePricesText(`${SHEET_HEADER}\n`, 's.csv')).toMatchObject({ ok: true, shape: 'price-sheet' });
    expect(await detectFormat([fixture('price-sheet.csv')])).toBe('prices');
    expect(await detectFormat([fixture('overrides.csv')])).toBe('prices');
    // The fixture starts with a byte-order mark, as Partner Center's download does.
    expect((await readFile(fixture('price-sheet.csv')))[0]).toBe(0xef);
  });

  it('parses ISO 8601 terms of years and months only', () => {
    expect(parseTerm('P1M')).toEqual({ text: 'P1M', months: 1 });
    expect(parseTerm('p3y')).toEqual({ text: 'P3Y', months: 36 });
    expect(parseTerm('P18M')).toEqual({ text: 'P18M', months: 18 });
    expect(parseTerm('P0Y')).toBeUndefined();
    expect(parseTerm('P1D')).toBeUndefined();
    expect(parseTerm('P1Y6M')).toBeUndefined();
  });
});

describe('matching price-sheet rows to licensed products', () => {
  const catalog = new Map<string, CatalogSku>(skuCatalog().map((s) => [s.skuId, s]));
  const subscription = (
    processedDate: string,
    offerId: string,
    productId: string | null,
  ): SubscriptionRecord => ({
    processedDate,
    customerTenantId: '0A0A0A0A-1111-4111-8111-000000000001',
    subscriptionId: `${processedDate}-${offerId}`,
    offerId,
    offerName: '',
    friendlyName: '',
    quantity: 1,
    unitType: '',
    status: 'active',
    termDuration: '',
    billingCycle: '',
    commitmentEndDate: null,
    autoRenewEnabled: null,
    isTrial: null,
    parentSubscriptionId: null,
    productId,
    match: productId === null ? 'none' : 'exact',
  });
  const row = (line: number, offerId: string, title: string, changes: Partial<PriceSheetRow> = {}) => ({
    line,
    offerId,
    title,
    currency: 'USD',
    unitPrice: 12,
    billingPlan: 'annual',
    termDuration: 'P1Y',
    monthlyPrice: 1,
    ...changes,
  });

  it('matches by subscription first (newest snapshot first), then by a catalog title naming one SKU', () => {
    const rows = [
      row(2, 'CFQ7TTC0LF8R:0001', 'Office 365 E3 (no Teams)'),
      row(3, 'CFQ7TTC0LF8R:0001', 'Office 365 E3 (no Teams)', { billingPlan: 'monthly' }),
      // The subscription wins over the title, which names another SKU.
      row(4, 'CFQ7TTC0LH18:0001', 'Office 365 E1'),
      row(5, 'CFQ7TTC0LH16:0001', '  exchange ONLINE (plan 1) '.trim()),
      row(6, 'CFQ7TTC0WDGT:0002', 'Contoso Widget Plan'),
      row(7, 'CFQ7TTC0NULL:0001', 'No product'),
    ];
    const subscriptions = [
      subscription('2026-03-02', 'cfq7ttc0lf8r:0001:CFQ7TTC0LF8R', E3),
      subscription('2026-03-02', 'CFQ7TTC0NULL:0001', null),
      // A prefix of another SkuId is no match.
      subscription('2026-03-02', 'CFQ7TTC0LH18:00011', E5),
      subscription('2026-03-01', 'CFQ7TTC0LH18:0001', BASIC),
      subscription('2026-03-01', 'CFQ7TTC0LF8R:0001', E5),
    ];
    const match = matchPriceSheet(rows, { subscriptions, catalog }, 's.csv');
    if (!match.ok) throw new Error(JSON.stringify(match.errors));
    expect(match.prices.map((p) => [p.skuId, p.offerId, p.billingPlan, p.source])).toEqual([
      [E3, 'CFQ7TTC0LF8R:0001', 'annual', 'price-sheet'],
      [E3, 'CFQ7TTC0LF8R:0001', 'monthly', 'price-sheet'],
      [BASIC, 'CFQ7TTC0LH18:0001', 'annual', 'price-sheet'],
      [EXO1, 'CFQ7TTC0LH16:0001', 'annual', 'price-sheet'],
    ]);
    expect(match.bySubscription).toBe(2);
    expect(match.byCatalog).toBe(1);
    expect(match.unmatched.map((r) => r.line)).toEqual([6, 7]);
  });

  it('leaves a title naming two SKUs of the catalog unmatched; imported entries replace bundled ones', () => {
    const twice = new Map(catalog);
    const extra = (skuId: string, displayName: string): CatalogSku => ({
      skuId,
      partNumber: 'X',
      displayName,
      productName: displayName.toUpperCase(),
      serviceCode: 'o365',
      serviceName: 'Microsoft Office 365',
    });
    twice.set(
      '00000000-0000-4000-8000-000000000001',
      extra('00000000-0000-4000-8000-000000000001', 'Office 365 E1'),
    );
    twice.set(E3, extra(E3, 'Contoso Widget Plan'));
    const match = matchPriceSheet(
      [row(2, 'CFQ7TTC0LF8S:0001', 'Office 365 E1'), row(3, 'CFQ7TTC0WDGT:0002', 'contoso widget plan')],
      { subscriptions: [], catalog: twice },
      's.csv',
    );
    if (!match.ok) throw new Error(JSON.stringify(match.errors));
    expect(match.prices.map((p) => [p.skuId, p.offerId])).toEqual([[E3, 'CFQ7TTC0WDGT:0002']]);
    expect(match.unmatched.map((r) => r.offerId)).toEqual(['CFQ7TTC0LF8S:0001']);
  });

  it('refuses two offers landing on one product with the same currency, term and plan, naming both lines', () => {
    const match = matchPriceSheet(
      [row(2, 'CFQ7TTC0LH18:0001', 'Office 365 E3'), row(9, 'CFQ7TTC0LF8R:0001', 'Office 365 E3')],
      { subscriptions: [], catalog },
      's.csv',
    );
    expect(match).toEqual({
      ok: false,
      errors: [
        {
          file: 's.csv',
          line: 9,
          reason:
            `CFQ7TTC0LF8R:0001 "Office 365 E3" and CFQ7TTC0LH18:0001 "Office 365 E3" on line 2 both match product ${E3} ` +
            'with USD P1Y annual; remove one of the two rows, or price the product with an override row by skuId',
        },
      ],
    });
  });
});
