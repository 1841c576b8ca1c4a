/**
 * End to end: the real CLI imports Microsoft's catalog, Graph subscribedSkus files and a Partner
 * Center directory (formats detected by content), and E5 then returns exactly the expected rows,
 * with the exclusions reported.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DAY,
  FIXTURES,
  GRAPH_ROWS,
  PARTNER,
  PARTNER_CENTER_ROWS,
  TENANT,
} from '../fixtures/sources/expected.ts';
import { queryAll, runCli } from '../support/cli.ts';
import { wireRow } from '../support/wire.ts';

let dir: string;
let db: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-sources-'));
  db = join(dir, 'sources.duckdb');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `seatwise import` of the Graph fixtures (names from the customers file) as the snapshot of `day`. */
function importGraph(day: string, ...extra: string[]) {
  return runCli([
    'import',
    FIXTURES.graphDir,
    '--customers',
    FIXTURES.graphCustomers,
    '--date',
    day,
    '--partner',
    PARTNER,
    '--db',
    db,
    ...extra,
  ]);
}

function e5(day: string): Promise<unknown[]> {
  return queryAll(db, PARTNER, day);
}

describe('seatwise import of real inputs', () => {
  it('stores the catalog from Microsoft\u2019s CSV (byte-order mark, padding, duplicate ids)', async () => {
    const r = await runCli(['import', FIXTURES.catalog, '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `${FIXTURES.catalog}: 10 rows read (utf-8), 8 SKUs\n` +
        '  1 SKU(s) appear under more than one name; the first name read is kept:\n' +
        '    6FD2C87F-B296-42F0-B197-1E91E994B900 (ENTERPRISEPACK): kept "Office 365 E3", not "Office 365 E3 (renamed)"\n' +
        'catalog: 8 SKUs stored; they name and classify products from now on\n',
    );
  });

  it('stores a Windows-1252 catalog with the "String_ Id" header, names intact', async () => {
    const r = await runCli(['import', FIXTURES.catalogWindows1252, '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${FIXTURES.catalogWindows1252}: 6 rows read (windows-1252), 3 SKUs\n`);
    expect(r.stdout).toContain(
      'kept "Contoso Widgets® Plus – Partner’s Edition™", not "Contoso Widgets Plus"',
    );
  });

  it('maps Graph subscribedSkus files to exactly the expected rows and reports the exclusions', async () => {
    const r = await importGraph(DAY);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`imported ${GRAPH_ROWS.length} rows (4 customers, `);
    expect(r.stdout).toContain('excluded 2 SKU entries (free-or-trial), e.g. FLOW_FREE, POWER_BI_STANDARD');
    expect(r.stdout).toContain('excluded 1 SKU entries (company-wide), e.g. SHAREPOINTSTORAGE');
    expect(r.stdout).toContain('excluded 1 SKU entries (no-paid-seats), e.g. EMS');
    expect(await e5(DAY)).toEqual(GRAPH_ROWS.map((row) => wireRow(row, DAY)));
  });

  it("imports a Partner Center directory missing a customer's subscribedskus file as a partial snapshot", async () => {
    const partial = join(dir, 'partial-pc');
    await cp(FIXTURES.partnerCenterDir, partial, { recursive: true });
    const missing = '3D3D3D3D-4444-4444-8444-000000000004';
    await rm(join(partial, 'subscribedskus', `${missing.toLowerCase()}.json`));
    const partner = 'ABABABAB-0000-4000-8000-00000000ABAB';
    const r = await runCli(['import', partial, '--date', '2026-03-09', '--partner', partner, '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`partial: 1 customer(s) have no subscribedskus file: ${missing}\n`);
    const listed = await runCli(['snapshots', '--partner', partner, '--db', db, '--json']);
    const snapshots = JSON.parse(listed.stdout) as { processedDate: string; missingCustomers: string[] }[];
    expect(snapshots.map((s) => [s.processedDate, s.missingCustomers])).toEqual([['2026-03-09', [missing]]]);
    const table = await runCli(['snapshots', '--partner', partner, '--db', db]);
    expect(table.stdout).toContain('no: 1 missing');
  });

  it('maps a Partner Center directory to exactly the expected rows, on another day', async () => {
    const day = '2026-03-02';
    const r = await runCli([
      'import',
      FIXTURES.partnerCenterDir,
      '--date',
      day,
      '--partner',
      PARTNER,
      '--db',
      db,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await e5(day)).toEqual(PARTNER_CENTER_ROWS.map((row) => wireRow(row, day)));
    // The Graph snapshot of the day before is kept.
    expect(await e5(DAY)).toHaveLength(GRAPH_ROWS.length);
    const listed = JSON.parse(
      (await runCli(['snapshots', '--db', db, '--partner', PARTNER, '--json'])).stdout,
    ) as {
      processedDate: string;
      source: string;
      rows: number;
    }[];
    expect(listed.map((s) => [s.processedDate, s.source, s.rows])).toEqual([
      [day, 'import partner-center', PARTNER_CENTER_ROWS.length],
      [DAY, 'import graph', GRAPH_ROWS.length],
    ]);
  });

  it('re-importing a date replaces that snapshot only', async () => {
    const r = await runCli([
      'import',
      FIXTURES.partnerCenterDir,
      '--date',
      DAY,
      '--partner',
      PARTNER,
      '--db',
      db,
    ]);
    expect(r.code).toBe(0);
    expect(await e5(DAY)).toEqual(PARTNER_CENTER_ROWS.map((row) => wireRow(row, DAY)));
    expect(await e5('2026-03-02')).toHaveLength(PARTNER_CENTER_ROWS.length);
  });

  it('a user classification table overrides the default', async () => {
    const table = join(dir, 'classify.csv');
    await writeFile(
      table,
      'match,prefix,serviceCode,serviceName\npartNumberPrefix,ENTERPRISEPACK,e3,Office E3 Suite\n*,,o365,Microsoft Office 365\n',
    );
    const r = await importGraph('2026-03-03', '--classify', table);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = (await e5('2026-03-03')) as {
      productId: string;
      serviceCode: string;
      serviceName: string;
    }[];
    const e3 = rows.find((x) => x.productId === '6FD2C87F-B296-42F0-B197-1E91E994B900');
    expect(e3).toMatchObject({ serviceCode: 'e3', serviceName: 'Office E3 Suite' });
    expect(rows.filter((x) => x.productId !== e3?.productId).every((x) => x.serviceCode === 'o365')).toBe(
      true,
    );
  });

  it('imports subscriptions/<customer-id>.json with the snapshot, and a bad one refuses the whole import', async () => {
    const day = '2026-03-05';
    const root = join(dir, 'pc-subscriptions');
    await cp(FIXTURES.partnerCenterDir, root, { recursive: true });
    await mkdir(join(root, 'subscriptions'));
    const file = join(root, 'subscriptions', `${TENANT.oneil.toLowerCase()}.json`);
    const item = (id: string, quantity: unknown) =>
      JSON.stringify({
        id,
        offerId: 'CFQ7TTC0LFLX:0001',
        offerName: 'Office 365 E3',
        quantity,
        status: 'active',
      });
    await writeFile(file, `{\n  "items": [\n    ${item('S1', 50)},\n    ${item('S2', 'fifty')}\n  ]\n}\n`);
    const args = ['import', root, '--date', day, '--partner', PARTNER, '--db', db];
    const bad = await runCli(args);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `${file}:4: subscription S2: quantity "fifty" is not a non-negative integer\n`,
    );
    expect(bad.stderr).toMatch(/import rejected: 1 error\(s\); the store is unchanged/);
    expect(await e5(day)).toEqual([]);

    await writeFile(file, `{"items": [${item('S1', 50)}]}`);
    const ok = await runCli(args);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain(
      'subscriptions: 1 of 1 customer(s) stored; matched to a product exactly 0, by name 1, by catalog 0, not matched 0\n',
    );
    expect(await e5(day)).toHaveLength(PARTNER_CENTER_ROWS.length);
    const listed = await runCli(['subscriptions', '--db', db, '--partner', PARTNER, '--date', day, '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        processedDate: day,
        customerTenantId: TENANT.oneil,
        subscriptionId: 'S1',
        offerId: 'CFQ7TTC0LFLX:0001',
        offerName: 'Office 365 E3',
        friendlyName: '',
        quantity: 50,
        unitType: '',
        status: 'active',
        termDuration: '',
        billingCycle: '',
        commitmentEndDate: null,
        autoRenewEnabled: null,
        isTrial: null,
        parentSubscriptionId: null,
        productId: '6FD2C87F-B296-42F0-B197-1E91E994B900',
        match: 'name',
      },
    ]);
  });
});
