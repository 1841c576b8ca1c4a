import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeploymentRow, emptyRowColumns, pushRow, type RowColumns } from '../../domain/row.ts';
import { decodeSql, StageError, writeStageFile } from './stage-file.ts';

const ROW: DeploymentRow = {
  processedDate: '2026-03-02',
  serviceCode: 'o365',
  serviceName: 'Microsoft Office 365',
  channel: 'reseller',
  customerTenantId: '0A0A0A0A-0000-4000-8000-000000000001',
  customerName: 'Contoso',
  productId: '6FD2C87F-B296-42F0-B197-1E91E994B900',
  productName: 'OFFICE 365 E3',
  licensesDeployed: 9_000_000_000,
  licensesSold: 10,
};

function cols(...rows: DeploymentRow[]): RowColumns {
  const c = emptyRowColumns();
  for (const r of rows) pushRow(c, r);
  return c;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-stage-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeStageFile', () => {
  it('writes one tab-separated line per row, numbers and date first', async () => {
    const path = join(dir, 'plain.tsv');
    const staged = await writeStageFile(path, cols(ROW, { ...ROW, processedDate: '2026-03-01' }));
    expect(staged).toEqual({ rows: 2, dates: ['2026-03-01', '2026-03-02'], escapedColumns: new Set() });
    const line =
      '9000000000\t10\t2026-03-02\to365\tMicrosoft Office 365\treseller\t0A0A0A0A-0000-4000-8000-000000000001' +
      '\tContoso\t6FD2C87F-B296-42F0-B197-1E91E994B900\tOFFICE 365 E3\n';
    expect(await readFile(path, 'utf8')).toBe(line + line.replace('2026-03-02', '2026-03-01'));
  });

  it('escapes TAB, LF, CR, NUL and backslash, only in the columns that hold them', async () => {
    const path = join(dir, 'escaped.tsv');
    const rows = cols(ROW, { ...ROW, customerName: 'a\tb\nc\rd\u0000e\\f \\1', productId: 'P2' }, ROW);
    const staged = await writeStageFile(path, { ...rows, customerTenantId: ['X1', 'X2', 'X3'] });
    expect(staged.escapedColumns).toEqual(new Set(['customer_name']));
    const names = (await readFile(path, 'utf8')).split('\n').map((l) => l.split('\t')[7]);
    expect(names).toEqual(['Contoso', 'a\\1b\\2c\\3d\\4e\\5f \\51', 'Contoso', undefined]);
  });

  it.each<[string, (c: RowColumns) => void]>([
    [
      'a lone surrogate',
      (c) => {
        c.productName[1] = 'bad \uD800 half';
      },
    ],
    [
      'a fractional count',
      (c) => {
        c.licensesSold[1] = 1.5;
      },
    ],
    [
      'NaN',
      (c) => {
        c.licensesDeployed[0] = Number.NaN;
      },
    ],
    [
      'an impossible date',
      (c) => {
        c.processedDate[1] = '2026-02-30';
      },
    ],
    [
      'a date-time',
      (c) => {
        c.processedDate[0] = '2026-03-02T00:00:00';
      },
    ],
    [
      'a missing value',
      (c) => {
        c.channel.pop();
      },
    ],
    [
      'a non-string',
      (c) => {
        (c.channel as unknown[])[1] = 42;
      },
    ],
  ])('rejects %s', async (_label, corrupt) => {
    const rows = cols(ROW, { ...ROW, productId: 'P2' });
    corrupt(rows);
    await expect(writeStageFile(join(dir, 'bad.tsv'), rows)).rejects.toThrow(StageError);
  });

  it('decodes escapes with the backslash escape last, so escaped data is never re-read as an escape', () => {
    expect(decodeSql('x')).toBe(
      "replace(replace(replace(replace(replace(x, '\\1', chr(9)), '\\2', chr(10)), '\\3', chr(13))," +
        " '\\4', chr(0)), '\\5', '\\')",
    );
  });
});
