/**
 * End to end: the real CLI imports the partner's price list and Partner Center's price sheet
 * (docs/prices.md) into a DuckDB file, through a running server's socket and into PostgreSQL, and
 * the store then holds exactly the hand-computed prices; the sheet's rows are matched to licensed
 * products by subscription and by catalog, the rest reported; a bad file changes nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyRowColumns } from '../../src/domain/row.ts';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import type { PriceRecord, SubscriptionRecord } from '../../src/store/store.ts';
import { runCli, startServe } from '../support/cli.ts';
import { loadColumns } from '../support/load.ts';
import { openTestStore, storeSkipped } from '../support/stores.ts';

const here = (p: string): string => new URL(`../fixtures/prices/${p}`, import.meta.url).pathname;
const OVERRIDES = here('overrides.csv');
const SHEET = here('price-sheet.csv');
const BAD_OVERRIDES = here('bad-overrides.csv');
const TWO_CURRENCIES = here('two-currencies.csv');

const PARTNER = '7A7A7A7A-0000-4000-8000-00000000007A';
const OTHER_PARTNER = '7B7B7B7B-0000-4000-8000-00000000007B';
const E3 = '6FD2C87F-B296-42F0-B197-1E91E994B900';
const E5 = 'C7DF2760-2C81-4EF7-B578-5B5392B571DF';
const BASIC = '3B555118-DA6A-4418-894F-7DF1E2096870';
const EXO1 = '4B9405B0-7788-4568-ADD1-99614E613B69';

const override = (
  skuId: string,
  title: string,
  currency: string,
  unitPrice: number,
  billingPlan: string,
  termDuration: string,
  monthlyPrice: number,
): PriceRecord => ({
  source: 'override',
  skuId,
  currency,
  unitPrice,
  billingPlan,
  termDuration,
  monthlyPrice,
  title,
  offerId: '',
});

const sheet = (
  skuId: string,
  offerId: string,
  title: string,
  unitPrice: number,
  billingPlan: string,
  termDuration: string,
  monthlyPrice: number,
): PriceRecord => ({
  source: 'price-sheet',
  skuId,
  currency: 'USD',
  unitPrice,
  billingPlan,
  termDuration,
  monthlyPrice,
  title,
  offerId,
});

/** overrides.csv, in the store's order (skuId, source, currency, term, billing plan). */
const OVERRIDE_PRICES = [
  override(BASIC, 'Microsoft 365 Business Basic', 'EUR', 5.5, 'monthly', '', 5.5),
  override(E3, 'Office 365 E3', 'EUR', 33.75, 'monthly', 'P1Y', 33.75),
  override(E5, 'Microsoft 365 E5', 'USD', 684, 'annual', 'P1Y', 57),
];

/** price-sheet.csv matched by catalog only: Business Basic and Exchange Online (Plan 1). */
const SHEET_BY_CATALOG = [
  sheet(BASIC, 'CFQ7TTC0LH18:0001', 'Microsoft 365 Business Basic', 7.2, 'monthly', 'P1M', 7.2),
  sheet(BASIC, 'CFQ7TTC0LH18:0001', 'Microsoft 365 Business Basic', 72, 'annual', 'P1Y', 6),
  sheet(BASIC, 'CFQ7TTC0LH18:0001', 'Microsoft 365 Business Basic', 6, 'monthly', 'P1Y', 6),
  sheet(EXO1, 'CFQ7TTC0LH16:0001', 'Exchange Online (Plan 1)', 48, 'annual', 'P1Y', 4),
];

/** price-sheet.csv's Office 365 E3 rows, once a subscription ties CFQ7TTC0LF8R:0001 to E3. */
const SHEET_BY_SUBSCRIPTION = [
  sheet(E3, 'CFQ7TTC0LF8R:0001', 'Office 365 E3 (no Teams)', 27.6, 'monthly', 'P1M', 27.6),
  sheet(E3, 'CFQ7TTC0LF8R:0001', 'Office 365 E3 (no Teams)', 276, 'annual', 'P1Y', 23),
];

const NEXT_STEPS =
  '  to price them: import a catalog that names them (import --format catalog), collect or import ' +
  'subscriptions that name their ProductId:SkuId and import the sheet again, or add an override row by skuId\n';

let dir: string;
let db: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-prices-'));
  db = join(dir, 'prices.duckdb');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The partner's prices as the DuckDB file holds them, read with the store itself. */
async function storedPrices(partner = PARTNER, path = db): Promise<PriceRecord[]> {
  const store = await openDuckDbStore({ path });
  try {
    return await store.listPrices(partner);
  } finally {
    await store.close();
  }
}

function importPrices(file: string, ...extra: string[]) {
  return runCli(['import', '--format', 'prices', file, '--partner', PARTNER, '--db', db, ...extra]);
}

/** `took 0.1 s` varies; everything before it is checked exactly. */
function withoutTook(stdout: string): string {
  return stdout.replace(/took \d+\.\d s\n$/, '');
}

describe('seatwise import --format prices [duckdb]', () => {
  it('stores the partner price list as overrides, normalised', async () => {
    const r = await importPrices(OVERRIDES);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(withoutTook(r.stdout)).toBe(
      `${OVERRIDES}: the partner's price list (overrides), 3 row(s)\n` +
        `override: 3 price(s) stored for partner ${PARTNER}, replacing the previous override prices\n` +
        'prices stored: override 3 (EUR 2, USD 1); an override wins over the price sheet for its skuId\n',
    );
    expect(await storedPrices()).toEqual(OVERRIDE_PRICES);
  });

  it('stores the price sheet beside them (detected by content), matched by catalog, the rest reported', async () => {
    const r = await runCli(['import', SHEET, '--partner', PARTNER, '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(withoutTook(r.stdout)).toBe(
      `${SHEET}: Partner Center price sheet, 7 row(s) used (USD); rows skipped: 1 of segment Education, ` +
        '1 of segment Government, 1 of a further pricing tier\n' +
        'matched to a licensed product: 0 product(s) by subscription, 2 by catalog\n' +
        '2 price-sheet product(s) matched no licensed product and are left out:\n' +
        '  line 6 CFQ7TTC0LF8R:0001 "Office 365 E3 (no Teams)"\n' +
        '  line 10 CFQ7TTC0WDGT:0002 "Contoso Widget Plan"\n' +
        NEXT_STEPS +
        `price-sheet: 4 price(s) stored for partner ${PARTNER}, replacing the previous price-sheet prices\n` +
        'prices stored: override 3 (EUR 2, USD 1), price-sheet 4 (USD 4); an override wins over the price sheet for its skuId\n',
    );
    expect(await storedPrices()).toEqual([
      OVERRIDE_PRICES[0],
      ...SHEET_BY_CATALOG,
      OVERRIDE_PRICES[1],
      OVERRIDE_PRICES[2],
    ]);
  });

  it('matches by subscription once a snapshot holds one, when the sheet is imported again', async () => {
    const subscription: SubscriptionRecord = {
      processedDate: '2026-11-30',
      customerTenantId: '0A0A0A0A-1111-4111-8111-000000000001',
      subscriptionId: 'S-E3',
      offerId: 'CFQ7TTC0LF8R:0001:CFQ7TTC0LF8R',
      offerName: 'Office 365 E3 (no Teams)',
      friendlyName: '',
      quantity: 20,
      unitType: 'Licenses',
      status: 'active',
      termDuration: 'P1Y',
      billingCycle: 'annual',
      commitmentEndDate: '2027-11-29',
      autoRenewEnabled: true,
      isTrial: false,
      parentSubscriptionId: null,
      productId: E3,
      match: 'name',
    };
    const store = await openDuckDbStore({ path: db });
    try {
      await loadColumns(store, PARTNER, emptyRowColumns(), {
        dates: ['2026-11-30'],
        subscriptions: [subscription],
      });
    } finally {
      await store.close();
    }
    const r = await importPrices(SHEET);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'matched to a licensed product: 1 product(s) by subscription, 2 by catalog\n' +
        '1 price-sheet product(s) matched no licensed product and are left out:\n' +
        '  line 10 CFQ7TTC0WDGT:0002 "Contoso Widget Plan"\n' +
        NEXT_STEPS +
        `price-sheet: 6 price(s) stored for partner ${PARTNER}, replacing the previous price-sheet prices\n` +
        'prices stored: override 3 (EUR 2, USD 1), price-sheet 6 (USD 6);',
    );
    expect(await storedPrices()).toEqual([
      OVERRIDE_PRICES[0],
      ...SHEET_BY_CATALOG,
      OVERRIDE_PRICES[1],
      ...SHEET_BY_SUBSCRIPTION,
      OVERRIDE_PRICES[2],
    ]);
  });

  it('matches a title an imported catalog names', async () => {
    const catalog = join(dir, 'catalog.csv');
    const widget = 'D0D0D0D0-0000-4000-8000-0000000000D0';
    await writeFile(
      catalog,
      `Product_Display_Name,String_Id,GUID\nContoso Widget Plan,CONTOSO_WIDGET,${widget}\n`,
    );
    const other = join(dir, 'other.duckdb');
    expect((await runCli(['import', catalog, '--db', other])).code).toBe(0);
    const r = await runCli(['import', '--format', 'prices', SHEET, '--partner', PARTNER, '--db', other]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('matched to a licensed product: 0 product(s) by subscription, 3 by catalog\n');
    expect((await storedPrices(PARTNER, other)).filter((p) => p.skuId === widget)).toEqual([
      sheet(widget, 'CFQ7TTC0WDGT:0002', 'Contoso Widget Plan', 5, 'monthly', 'P1M', 5),
    ]);
  });

  it('refuses a bad file whole, naming file and line, and changes nothing', async () => {
    const before = await storedPrices();
    const bad = await importPrices(BAD_OVERRIDES);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(
      `${BAD_OVERRIDES}:2: unitPrice "1,234.00" has a comma, space or apostrophe in it; write the number with '.' as the decimal separator and no thousands separators (e.g. 1234.50)\n` +
        `${BAD_OVERRIDES}:3: billingPlan "quarterly" is not accepted; use one of monthly, annual (or annually, yearly), triennial, onetime (or one time, none)\n` +
        `${BAD_OVERRIDES}:4: skuId ${E3} is priced on line 2 already; the price list holds one row per skuId, keep one\n` +
        'seatwise: import rejected: 3 error(s); the store is unchanged. Fix the lines above and run it again\n',
    );
    const currencies = await importPrices(TWO_CURRENCIES);
    expect(currencies.code).toBe(1);
    expect(currencies.stderr).toContain(
      `${TWO_CURRENCIES}:3: Currency EUR differs from USD on line 2; a price sheet import holds one currency: ` +
        "import one market's sheet at a time and give prices in other currencies as overrides\n",
    );
    const dated = await importPrices(OVERRIDES, '--date', '2026-11-30');
    expect(dated.code).toBe(2);
    expect(dated.stderr).toContain('--date applies to graph and partner-center input; prices are not dated');
    const two = await importPrices(OVERRIDES, SHEET);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('prices input is one file');
    expect(await storedPrices()).toEqual(before);
  });

  it('clears one source with a header-only file, leaving the other and other partners alone', async () => {
    await runCli(['import', '--format', 'prices', OVERRIDES, '--partner', OTHER_PARTNER, '--db', db]);
    const empty = join(dir, 'no-overrides.csv');
    await writeFile(empty, 'skuId,unitPrice,currency,billingPlan,termDuration\n');
    const r = await importPrices(empty);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(withoutTook(r.stdout)).toBe(
      `${empty}: the partner's price list (overrides), 0 row(s)\n` +
        `override prices of partner ${PARTNER} cleared: ${empty} holds none\n` +
        'prices stored: price-sheet 6 (USD 6); an override wins over the price sheet for its skuId\n',
    );
    expect(await storedPrices()).toEqual([...SHEET_BY_CATALOG, ...SHEET_BY_SUBSCRIPTION]);
    expect(await storedPrices(OTHER_PARTNER)).toEqual(OVERRIDE_PRICES);
  });

  it('seatwise prices lists the stored prices as a table and as JSON', async () => {
    const json = await runCli(['prices', '--partner', OTHER_PARTNER, '--db', db, '--json']);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual(OVERRIDE_PRICES);
    const table = await runCli(['prices', '--partner', OTHER_PARTNER, '--db', db]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^skuId +source +title +offerId +currency +unitPrice +billingPlan +term +monthlyPrice$/,
    );
    expect(lines.filter((l) => l.startsWith(E5))[0]).toMatch(
      /override +Microsoft 365 E5 +USD +684 +annual +P1Y +57$/,
    );
    expect(lines.at(-1)).toBe(
      '3 price(s); override 3 (EUR 2, USD 1); an override wins over the price sheet for its skuId',
    );
    const none = await runCli(['prices', '--partner', '7C7C7C7C-0000-4000-8000-00000000007C', '--db', db]);
    expect(none.stdout).toBe(
      'no prices stored for partner 7C7C7C7C-0000-4000-8000-00000000007C; add them with seatwise import --format prices FILE\n',
    );
  });

  it('imports through a running server\u2019s socket', async () => {
    const served = join(dir, 'served.duckdb');
    const server = await startServe(['--db', served, '--port', '0', '--log-level', 'silent']);
    try {
      const r = await runCli([
        'import',
        '--format',
        'prices',
        OVERRIDES,
        '--partner',
        PARTNER,
        '--db',
        served,
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const listed = await runCli(['prices', '--partner', PARTNER, '--db', served, '--json']);
      expect(JSON.parse(listed.stdout)).toEqual(OVERRIDE_PRICES);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(await storedPrices(PARTNER, served)).toEqual(OVERRIDE_PRICES);
  });
});

describe.skipIf(storeSkipped('postgres'))('seatwise import --format prices [postgres]', () => {
  it('stores the price list and the price sheet in PostgreSQL', async () => {
    const pg = await openTestStore('postgres');
    try {
      const overrides = await runCli([
        'import',
        '--format',
        'prices',
        OVERRIDES,
        '--partner',
        PARTNER,
        '--db',
        pg.db,
      ]);
      expect(overrides.stderr).toBe('');
      const sheetRun = await runCli(['import', SHEET, '--partner', PARTNER, '--db', pg.db]);
      expect(sheetRun.stderr).toBe('');
      expect(sheetRun.code).toBe(0);
      const bad = await runCli([
        'import',
        '--format',
        'prices',
        BAD_OVERRIDES,
        '--partner',
        PARTNER,
        '--db',
        pg.db,
      ]);
      expect(bad.code).toBe(1);
      expect(await pg.store.listPrices(PARTNER)).toEqual([
        OVERRIDE_PRICES[0],
        ...SHEET_BY_CATALOG,
        OVERRIDE_PRICES[1],
        OVERRIDE_PRICES[2],
      ]);
    } finally {
      await pg.close();
    }
  });
});
