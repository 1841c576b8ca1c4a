import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BB,
  csvLine,
  E3,
  HEADER,
  PARTNER,
  type ScratchDir,
  scratchDir,
  T1,
  T2,
} from '../../test/support/test-files.ts';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import type { LoadOutcome, Store } from '../store/store.ts';
import { feedRowFiles } from './row-files.ts';

const FIXTURES = 'test/fixtures/ingest';
const DS = '1E1A282C-9C54-43A2-9310-98EF728FAACE';
let tmp: ScratchDir;
let store: Store;
let n = 0;
beforeAll(async () => {
  tmp = await scratchDir();
});
afterAll(() => tmp.remove());
beforeEach(async () => {
  store = await openDuckDbStore({ path: `${tmp.dir}/store-${n++}.duckdb` });
});
afterEach(() => store.close());

function importFiles(files: string[], maxErrors?: number): Promise<LoadOutcome> {
  return store.load(
    { partnerId: PARTNER, source: 'test', ...(maxErrors === undefined ? {} : { maxErrors }) },
    (sink) => feedRowFiles(files, sink),
  );
}

async function errorsOf(files: string[], maxErrors?: number): Promise<string[]> {
  const result = await importFiles(files, maxErrors);
  if (result.ok) throw new Error('expected errors');
  return result.errors.map((e) => `${e.file}:${e.line}: ${e.reason}`);
}

/** The stored rows of one day, in E5 order, as objects. */
async function stored(date: string): Promise<Record<string, unknown>[]> {
  const page = await store.deploymentPage({
    partnerId: PARTNER,
    processedDate: date,
    filter: null,
    groupBy: [],
    top: 100,
    skip: 0,
  });
  const cols = page.rows.columns;
  return Array.from({ length: page.rows.rowCount }, (_, i) =>
    Object.fromEntries(Object.keys(cols).map((k) => [k, cols[k]![i]])),
  );
}

describe('row files: CSV through the store', () => {
  it('reads a shuffled, mixed-case header with BOM, CRLF, an extra column and quoted multi-line fields', async () => {
    const result = await importFiles([`${FIXTURES}/shuffled-bom-crlf.csv`]);
    expect(result).toEqual({
      ok: true,
      rows: 3,
      customers: 2,
      products: 3,
      dates: ['2026-03-01', '2026-03-02'],
    });
    const day1 = await stored('2026-03-01');
    expect(day1.map((r) => [r.customerTenantId, r.customerName, r.productId, r.licensesDeployed])).toEqual([
      [T1, "O'Brien Logistics, Inc.", E3, 20],
      [T2, 'Smith & "Jones"\r\nLondon', BB, 0],
    ]);
    expect(await stored('2026-03-02')).toEqual([
      {
        serviceCode: 'crm',
        serviceName: 'Microsoft Dynamics',
        channel: 'direct',
        customerTenantId: T2,
        customerName: '株式会社山田製作所',
        productId: DS,
        productName: 'DYNAMICS 365 FOR SALES ENTERPRISE EDITION',
        licensesDeployed: 4,
        licensesSold: 3,
      },
    ]);
  });

  it('reports every bad line as file:line: reason, counting physical lines, and stores nothing', async () => {
    const f = `${FIXTURES}/bad-rows.csv`;
    expect(await errorsOf([f])).toEqual([
      `${f}:5: processedDateTime "2026-02-30" is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss)`,
      `${f}:6: customerTenantId "not-a-guid" is not a GUID`,
      `${f}:7: productId "{3b555118-da6a-4418-894f-7df1e2096870" is not a GUID`,
      `${f}:8: licensesDeployed "-1" is not a non-negative integer`,
      `${f}:9: licensesSold "2147483648" is larger than 2147483647`,
      `${f}:10: licensesDeployed "1.5" is not a non-negative integer`,
      `${f}:11: serviceCode is empty`,
      `${f}:12: expected 10 fields as in the header, found 9`,
      `${f}:14: duplicate row for processed date 2026-03-01, customerTenantId ${T1}, productId ${E3}, channel "reseller"; first at ${f}:2`,
    ]);
    expect(await store.listSnapshots(PARTNER)).toEqual([]);
  });

  it('reports several problems of one row separately and truncates long values', async () => {
    const long = 'x'.repeat(60);
    const f = await tmp.write('multi.csv', `${HEADER}\n2026-03-01,o365,,reseller,${long},Name,${E3},P,a,\n`);
    expect(await errorsOf([f])).toEqual([
      `${f}:2: serviceName is empty`,
      `${f}:2: customerTenantId "${'x'.repeat(40)}…" is not a GUID`,
      `${f}:2: licensesDeployed "a" is not a non-negative integer`,
      `${f}:2: licensesSold is empty`,
    ]);
  });

  it('names every missing header column in one error at line 1', async () => {
    const f = await tmp.write(
      'header.csv',
      'processedDateTime,serviceCode,channel,customerTenantId,customerName,productId,productName,licensesDeployed\n',
    );
    expect(await errorsOf([f])).toEqual([`${f}:1: header is missing columns serviceName, licensesSold`]);
    const late = await tmp.write('late-header.csv', `\n\r\nprocessedDateTime,serviceCode\n`);
    expect(await errorsOf([late])).toEqual([
      `${late}:3: header is missing columns serviceName, channel, customerTenantId, customerName, productId, productName, licensesDeployed, licensesSold`,
    ]);
  });

  it('treats a header-only file as zero rows, and an empty file as an error', async () => {
    const header = await tmp.write('header-only.csv', `\ufeff${HEADER}`);
    expect(await importFiles([header])).toEqual({ ok: true, rows: 0, customers: 0, products: 0, dates: [] });
    const empty = await tmp.write('empty.csv', '');
    expect(await errorsOf([empty])).toEqual([
      `${empty}:1: the file is empty; expected a header naming the ten row fields`,
    ]);
  });

  it('accepts a last record without a newline and skips blank lines', async () => {
    const f = await tmp.write(
      'blank.csv',
      `${HEADER}\n\n${csvLine('2026-03-01', T1, E3)}\n\n${csvLine('2026-03-01', T2, E3, { deployed: 'q' })}`,
    );
    expect(await errorsOf([f])).toEqual([`${f}:5: licensesDeployed "q" is not a non-negative integer`]);
    const g = await tmp.write(
      'blank-ok.csv',
      `${HEADER}\r\n\r\n${csvLine('2026-03-01', T1, E3)}\r\n\r\n${csvLine('2026-03-01', T2, E3)}`,
    );
    expect((await importFiles([g])).ok).toBe(true);
    expect((await stored('2026-03-01')).map((r) => r.customerTenantId)).toEqual([T1, T2]);
  });

  it('refuses a file that mixes line endings, saying how to fix it', async () => {
    const f = await tmp.write(
      'mixed.csv',
      `${HEADER}\n${csvLine('2026-03-01', T1, E3)}\r\n${csvLine('2026-03-01', T2, E3)}\n`,
    );
    expect(await errorsOf([f])).toEqual([
      `${f}:0: cannot read this file as CSV: it mixes line endings (LF and CRLF) or holds a stray carriage return; save it with one kind of line ending`,
    ]);
  });

  it('reports broken quoting at its line and goes on with the next lines', async () => {
    const f = await tmp.write(
      'after-quote.csv',
      `${HEADER}\n2026-03-01,"o365"x,a,b,c,d,e,f,g,h\n${csvLine('2026-03-01', T1, E3, { deployed: 'z' })}\n`,
    );
    expect(await errorsOf([f])).toEqual([
      `${f}:2: broken quoting: a quoted value must end with a quote followed by a comma or the line end`,
      `${f}:3: licensesDeployed "z" is not a non-negative integer`,
    ]);
  });

  it('finds a duplicate key across two files and names the earlier file and line', async () => {
    const a = await tmp.write(
      'a.csv',
      `${HEADER}\n${csvLine('2026-03-01', T1, E3)}\n${csvLine('2026-03-01', T2, E3)}\n`,
    );
    const b = await tmp.write(
      'b.csv',
      `${HEADER}\n${csvLine('2026-03-01', T1, E3, { channel: 'direct' })}\n${csvLine('2026-03-01T10:00:00Z', T2.toLowerCase(), E3, { channel: ' Reseller ' })}\n`,
    );
    expect(await errorsOf([a, b])).toEqual([
      `${b}:3: duplicate row for processed date 2026-03-01, customerTenantId ${T2}, productId ${E3}, channel "reseller"; first at ${a}:3`,
    ]);
  });

  it('stops after maxErrors and says the list is truncated', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => csvLine('2026-03-01', T1, E3, { sold: `s${i}` }));
    const f = await tmp.write('many.csv', `${HEADER}\n${lines.join('\n')}\n`);
    expect(await importFiles([f], 3)).toEqual({
      ok: false,
      truncated: true,
      errors: [2, 3, 4].map((line) => ({
        file: f,
        line,
        reason: `licensesSold "s${line - 2}" is not a non-negative integer`,
      })),
    });
    const exact = await importFiles([f], 10);
    expect(exact.ok === false && exact.truncated).toBe(false);
  });

  it('turns unreadable paths into line-0 errors and still checks the other files', async () => {
    const good = await tmp.write(
      'good.csv',
      `${HEADER}\n${csvLine('2026-03-01', T1, E3, { deployed: 'x' })}\n`,
    );
    const missing = `${tmp.dir}/missing.csv`;
    expect(await errorsOf([missing, tmp.dir, good])).toEqual([
      `${missing}:0: cannot read file: ENOENT: no such file or directory, open '${missing}'`,
      `${tmp.dir}:0: cannot read file: EISDIR: illegal operation on a directory, read`,
      `${good}:2: licensesDeployed "x" is not a non-negative integer`,
    ]);
  });

  it('normalises values: trims, lower-cases codes, upper-cases GUIDs, takes the UTC day', async () => {
    const f = await tmp.write(
      'forms.csv',
      `${HEADER}\n2026-03-01T23:30:00-02:00, O365 ,\u00a0Office\u00a0,RESELLER,{${T1.toLowerCase()}},  Acme  ,${E3.toLowerCase()},E3, 7 ,0010\n`,
    );
    expect(await importFiles([f])).toMatchObject({ ok: true, dates: ['2026-03-02'] });
    expect(await stored('2026-03-02')).toEqual([
      {
        serviceCode: 'o365',
        serviceName: 'Office',
        channel: 'reseller',
        customerTenantId: T1,
        customerName: 'Acme',
        productId: E3,
        productName: 'E3',
        licensesDeployed: 7,
        licensesSold: 10,
      },
    ]);
  });
});

describe('row files: JSON', () => {
  function row(fields: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      processedDateTime: '2026-03-01T00:00:00',
      serviceCode: 'o365',
      serviceName: 'Microsoft Office 365',
      channel: 'reseller',
      customerTenantId: T1,
      customerName: 'Contoso',
      productId: E3,
      productName: 'OFFICE 365 E3',
      licensesDeployed: 1,
      licensesSold: 2,
      ...fields,
    };
  }

  const EXPECTED = [
    ['o365', 'reseller', T1, 'Acme, Inc.', E3, 7, 10],
    ['crm', 'direct', T2, 'Müller Bäckerei GmbH', DS, 3, 3],
  ];
  const brief = (r: Record<string, unknown>) => [
    r.serviceCode,
    r.channel,
    r.customerTenantId,
    r.customerName,
    r.productId,
    r.licensesDeployed,
    r.licensesSold,
  ];

  it('reads an array of rows (field names in any case, digit strings, unknown fields ignored)', async () => {
    expect(await importFiles([`${FIXTURES}/rows.json`])).toMatchObject({ ok: true, rows: 2 });
    expect((await stored('2026-03-01')).map(brief)).toEqual(EXPECTED);
  });

  it('reads an E5 response body {"Value": [...]}, the key in any case', async () => {
    expect(await importFiles([`${FIXTURES}/envelope.json`])).toMatchObject({ ok: true, rows: 2 });
    expect((await stored('2026-03-01')).map(brief)).toEqual(EXPECTED);
    const lower = await tmp.write('lower.json', JSON.stringify({ totalCount: 1, value: [row()] }));
    expect(await importFiles([lower])).toMatchObject({ ok: true, rows: 1 });
  });

  it('reports bad rows at the line their object starts on', async () => {
    const rows = [
      row(),
      row({ customerTenantId: T2, licensesDeployed: 1.5 }),
      'not a row',
      row({ customerTenantId: T2, productId: 42, licensesSold: '7', customerName: undefined }),
      row({ customerTenantId: T2, channel: 'direct', licensesSold: -2, serviceName: '  ' }),
      row({ licensesDeployed: '12', processedDateTime: '2026-03-01' }),
    ];
    const f = await tmp.write(
      'bad.json',
      `\ufeff${JSON.stringify({ Value: rows, '@nextLink': null }, null, 2)}\n`,
    );
    // Each row object spans 12 lines when pretty-printed; the array opens on line 2.
    expect(await errorsOf([f])).toEqual([
      `${f}:15: licensesDeployed "1.5" is not a non-negative integer`,
      `${f}:27: row is not a JSON object`,
      `${f}:28: customerName is missing`,
      `${f}:28: productId "42" is not a GUID`,
      `${f}:39: serviceName is empty`,
      `${f}:39: licensesSold "-2" is not a non-negative integer`,
      `${f}:51: duplicate row for processed date 2026-03-01, customerTenantId ${T1}, productId ${E3}, channel "reseller"; first at ${f}:3`,
    ]);
  });

  it('reports a syntax error with its line', async () => {
    const f = await tmp.write('syntax.json', '[\n  {"a": 1},\n  {"b": }\n]\n');
    expect(await errorsOf([f])).toEqual([`${f}:3: invalid JSON: unexpected character "}"`]);
    const g = await tmp.write('open.json', '[\n  {"a": 1},\n');
    expect(await errorsOf([g])).toEqual([`${g}:3: invalid JSON: unexpected end of JSON`]);
  });

  it('requires an array or an object with a Value array', async () => {
    const f = await tmp.write('obj.json', '{"items": []}');
    expect(await errorsOf([f])).toEqual([
      `${f}:1: invalid JSON: expected a JSON array of rows or an object with a "Value" array`,
    ]);
  });

  it('reads an empty array as zero rows and a minified file with line 1 for every row', async () => {
    const empty = await tmp.write('empty.json', '  []  ');
    expect(await importFiles([empty])).toMatchObject({ ok: true, rows: 0 });
    const f = await tmp.write('min.json', JSON.stringify([row(), row({ licensesSold: 'x' })]));
    expect(await errorsOf([f])).toEqual([`${f}:1: licensesSold "x" is not a non-negative integer`]);
  });

  it('mixes CSV and JSON files in one all-or-nothing load', async () => {
    const csv = await tmp.write('mix.csv', `${HEADER}\n${csvLine('2026-03-01', T1, E3)}\n`);
    const json = await tmp.write('mix.json', JSON.stringify([row({ customerTenantId: T2 })]));
    expect(await importFiles([csv, json])).toMatchObject({ ok: true, rows: 2, customers: 2 });
    const bad = await tmp.write('mix-bad.json', JSON.stringify([row({ customerTenantId: 'x' })]));
    const again = await tmp.write('mix2.csv', `${HEADER}\n${csvLine('2026-03-01', T2, BB)}\n`);
    expect(await errorsOf([again, bad])).toEqual([`${bad}:1: customerTenantId "x" is not a GUID`]);
    expect((await stored('2026-03-01')).map((r) => r.customerTenantId)).toEqual([T1, T2]);
  });
});
