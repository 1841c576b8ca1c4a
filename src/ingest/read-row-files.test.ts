import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { readRowFiles } from './read-row-files.ts';

const FIXTURES = 'test/fixtures/ingest';
let tmp: ScratchDir;
beforeAll(async () => {
  tmp = await scratchDir();
});
afterAll(() => tmp.remove());

async function errorsOf(files: string[], maxErrors?: number): Promise<string[]> {
  const result = await readRowFiles(files, {
    partnerId: PARTNER,
    ...(maxErrors === undefined ? {} : { maxErrors }),
  });
  if (result.ok) throw new Error('expected errors');
  return result.errors.map((e) => `${e.file}:${e.line}: ${e.reason}`);
}

describe('readRowFiles: CSV', () => {
  it('reads a shuffled, mixed-case header with BOM, CRLF, an extra column and quoted multi-line fields', async () => {
    const result = await readRowFiles([`${FIXTURES}/shuffled-bom-crlf.csv`], {
      partnerId: PARTNER.toLowerCase(),
    });
    expect(result).toEqual({
      ok: true,
      load: {
        partnerId: PARTNER,
        rows: {
          processedDate: ['2026-03-01', '2026-03-01', '2026-03-02'],
          serviceCode: ['o365', 'o365', 'crm'],
          serviceName: ['Microsoft Office 365', 'Microsoft Office 365', 'Microsoft Dynamics'],
          channel: ['reseller', 'reseller', 'direct'],
          customerTenantId: [T1, T2, T2],
          customerName: ["O'Brien Logistics, Inc.", 'Smith & "Jones"\r\nLondon', '株式会社山田製作所'],
          productId: [E3, BB, '1E1A282C-9C54-43A2-9310-98EF728FAACE'],
          productName: [
            'OFFICE 365 E3',
            'MICROSOFT 365 BUSINESS BASIC',
            'DYNAMICS 365 FOR SALES ENTERPRISE EDITION',
          ],
          licensesDeployed: [20, 0, 4],
          licensesSold: [25, 10, 3],
        },
      },
      summary: { rows: 3, customers: 2, products: 3, dates: ['2026-03-01', '2026-03-02'], files: 1 },
    });
  });

  it('reports every validation error class as file:line: reason, counting physical lines', async () => {
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
  });

  it('treats an empty file and a header-only file as zero rows', async () => {
    const empty = await tmp.write('empty.csv', '');
    const header = await tmp.write('header-only.csv', `\ufeff${HEADER}`);
    const result = await readRowFiles([empty, header], { partnerId: PARTNER });
    expect(result.ok && result.summary).toEqual({ rows: 0, customers: 0, products: 0, dates: [], files: 2 });
  });

  it('accepts a last record without a newline and skips blank lines', async () => {
    const f = await tmp.write(
      'blank.csv',
      `${HEADER}\n\n${csvLine('2026-03-01', T1, E3)}\n\n${csvLine('2026-03-01', T2, E3)}`,
    );
    const result = await readRowFiles([f], { partnerId: PARTNER });
    expect(result.ok && result.load.rows.customerTenantId).toEqual([T1, T2]);
  });

  it('reports an unterminated quote at the line its record starts on', async () => {
    const f = await tmp.write(
      'open-quote.csv',
      `${HEADER}\n${csvLine('2026-03-01', T1, E3)}\n2026-03-01,o365,"Microsoft\nOffice\n`,
    );
    expect(await errorsOf([f])).toEqual([`${f}:3: unterminated quoted field`]);
  });

  it('reports text after a closing quote and goes on with the next line', async () => {
    const f = await tmp.write(
      'after-quote.csv',
      `${HEADER}\n2026-03-01,"o365"x,a\n${csvLine('2026-03-01', T1, E3, { deployed: 'z' })}\n`,
    );
    expect(await errorsOf([f])).toEqual([
      `${f}:2: unexpected character after a closing quote`,
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
    const result = await readRowFiles([f], { partnerId: PARTNER, maxErrors: 3 });
    expect(result).toEqual({
      ok: false,
      truncated: true,
      errors: [2, 3, 4].map((line) => ({
        file: f,
        line,
        reason: `licensesSold "s${line - 2}" is not a non-negative integer`,
      })),
    });
    const exact = await readRowFiles([f], { partnerId: PARTNER, maxErrors: 10 });
    expect(exact.ok === false && exact.truncated).toBe(false);
  });

  it('turns unreadable paths into line-0 errors and still reads the other files', async () => {
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

  it('gives the same columns whatever the chunk size (records, quotes and UTF-8 split across reads)', async () => {
    const whole = await readRowFiles([`${FIXTURES}/shuffled-bom-crlf.csv`], { partnerId: PARTNER });
    for (const chunkBytes of [1, 2, 3, 7, 64]) {
      const progress: number[] = [];
      const split = await readRowFiles([`${FIXTURES}/shuffled-bom-crlf.csv`], {
        partnerId: PARTNER,
        chunkBytes,
        onProgress: (done, total) => {
          expect(total).toBe(730);
          progress.push(done);
        },
      });
      expect(split).toEqual(whole);
      expect(progress.at(-1)).toBe(730);
    }
  });

  it('keeps line numbers right across chunk boundaries', async () => {
    const f = `${FIXTURES}/bad-rows.csv`;
    const whole = await errorsOf([f]);
    const split = await readRowFiles([f], { partnerId: PARTNER, chunkBytes: 5 });
    expect(split.ok === false && split.errors.map((e) => `${e.file}:${e.line}: ${e.reason}`)).toEqual(whole);
  });

  it('rejects a partner id that is not a GUID', async () => {
    await expect(readRowFiles([], { partnerId: 'nope' })).rejects.toThrow(RangeError);
  });
});
