/**
 * End to end: a real listener on port 0, read through the SDK and through the CLI, compared
 * with what the store itself holds; an export re-imported into a fresh store gives the same snapshot.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_ID, generateDemo } from '../../src/ingest/demo.ts';
import { MAX_TOP } from '../../src/query/query-plan.ts';
import { createPartnerClient, type DeploymentRow } from '../../src/sdk/index.ts';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import type { Store } from '../../src/store/store.ts';
import { runCli } from '../support/cli.ts';
import { createHarness, type Harness } from '../support/harness.ts';

const DAY = '2026-11-20';
let h: Harness;
let base: string;
let token: string;

beforeAll(async () => {
  h = await createHarness();
  await h.load(
    DEMO_PARTNER_ID,
    generateDemo({ partnerId: DEMO_PARTNER_ID, customers: 120, days: 2, seed: 11, endDate: DAY }),
  );
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  token = await h.token(DEMO_PARTNER_ID);
});
afterAll(() => h.close());

/** The snapshot exactly as stored, read from the store's port rather than through the service. */
async function storedRows(store: Store, day: string): Promise<DeploymentRow[]> {
  const rows: DeploymentRow[] = [];
  for (let skip = 0; ; skip += MAX_TOP) {
    const page = await store.deploymentPage({
      partnerId: DEMO_PARTNER_ID,
      processedDate: day,
      filter: null,
      groupBy: [],
      top: MAX_TOP,
      skip,
    });
    const c = (name: string, i: number) => page.rows.columns[name]![i];
    for (let i = 0; i < page.rows.rowCount; i++) {
      rows.push({
        processedDateTime: `${day}T00:00:00`,
        serviceCode: String(c('serviceCode', i)),
        serviceName: String(c('serviceName', i)),
        channel: String(c('channel', i)),
        customerTenantId: String(c('customerTenantId', i)),
        customerName: String(c('customerName', i)),
        productId: String(c('productId', i)),
        productName: String(c('productName', i)),
        licensesDeployed: Number(c('licensesDeployed', i)),
        licensesSold: Number(c('licensesSold', i)),
      });
    }
    if (skip + MAX_TOP >= page.totalCount) {
      expect(rows).toHaveLength(page.totalCount);
      return rows;
    }
  }
}

describe('SDK and CLI against a live server', () => {
  it('SDK iterate reads every row of the snapshot, as stored', async () => {
    const expected = await storedRows(h.store, DAY);
    expect(expected.length).toBeGreaterThan(300);
    const client = createPartnerClient({ baseUrl: base, credentials: token });
    const rows: DeploymentRow[] = [];
    for await (const row of client.analytics.commercial.deployment.license.iterate({ top: 97 }))
      rows.push(row);
    expect(rows).toEqual(expected);
  });

  it('SDK grouped iterate sums to the stored totals', async () => {
    const expected = await storedRows(h.store, DAY);
    const client = createPartnerClient({ baseUrl: base, credentials: token });
    let sold = 0;
    let groups = 0;
    for await (const g of client.analytics.commercial.deployment.license.iterate({
      groupby: ['customerTenantId'],
      top: 13,
    })) {
      sold += g.licensesSold;
      groups++;
    }
    expect(sold).toBe(expected.reduce((s, r) => s + r.licensesSold, 0));
    expect(groups).toBe(new Set(expected.map((r) => r.customerTenantId)).size);
  });

  it('CLI query --all over HTTP reads every row, as stored', async () => {
    const r = await runCli([
      'query',
      '--url',
      base,
      '--token',
      token,
      '--all',
      '--top',
      '150',
      '--format',
      'ndjson',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as DeploymentRow);
    expect(rows).toEqual(await storedRows(h.store, DAY));
  });

  it('CLI query prints a table sized to the terminal with the total', async () => {
    const r = await runCli(['query', '--url', base, '--token', token, '--groupby', 'serviceCode,channel']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^serviceCode\s+channel\s+licensesDeployed\s+licensesSold$/);
    expect(lines[1]).toMatch(/^-+\s+-+/);
    expect(lines.at(-1)).toMatch(/^\d+ of \d+ groups$/);
    expect(lines.slice(2, -1).every((l) => l.length <= 120)).toBe(true);
    expect(r.stdout).toMatch(/^o365\s+reseller\s+\d+\s+\d+$/m);
  });

  it('CLI query reports a bad filter as the API error, with non-zero exit', async () => {
    const r = await runCli(['query', '--url', base, '--token', token, '--filter', "serviceCode gt 'x'"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/HTTP 400 \(code 800002\).*gt/);
  });
});

describe('CLI export and re-import', () => {
  it('exports every row to CSV that re-imports to the same snapshot, from a local store', async () => {
    const db = join(h.dir, 'cli.duckdb');
    const copy = join(h.dir, 'copy.duckdb');
    const csv = join(h.dir, 'export.csv');
    expect(
      (await runCli(['demo', '--db', db, '--customers', '150', '--days', '2', '--seed', '5'])).code,
    ).toBe(0);
    const exported = await runCli(['export', '--db', db, '--format', 'csv', '-o', csv]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/^exported \d+ rows to /m);
    const text = await readFile(csv, 'utf8');
    expect(text.split('\n')[0]).toBe(
      'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold',
    );
    const imported = await runCli(['import', csv, '--db', copy, '--partner', DEMO_PARTNER_ID]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^imported \d+ rows \(\d+ customers, \d+ products\) for partner /m);
    expect(imported.stdout).toMatch(/^took [\d.]+ s$/m);

    const [a, b] = [await openDuckDbStore({ path: db }), await openDuckDbStore({ path: copy })];
    try {
      const latest = /snapshots replaced: (\S+)/.exec(imported.stdout)![1]!;
      const original = await storedRows(a, latest);
      expect(original.length).toBeGreaterThan(300);
      expect(await storedRows(b, latest)).toEqual(original);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('export as JSON and NDJSON of a grouping', async () => {
    const db = join(h.dir, 'cli.duckdb');
    const json = join(h.dir, 'groups.json');
    const ndjson = join(h.dir, 'groups.ndjson');
    expect(
      (await runCli(['export', '--db', db, '--groupby', 'channel', '--format', 'json', '-o', json])).code,
    ).toBe(0);
    expect(
      (await runCli(['export', '--db', db, '--groupby', 'channel', '--format', 'ndjson', '-o', ndjson])).code,
    ).toBe(0);
    const fromJson = JSON.parse(await readFile(json, 'utf8')) as { channel: string }[];
    const fromNdjson = (await readFile(ndjson, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(fromJson).toEqual(fromNdjson);
    expect(fromJson.map((g) => g.channel)).toEqual([...fromJson.map((g) => g.channel)].sort());
    expect(Object.keys(fromJson[0]!)).toEqual(['channel', 'licensesDeployed', 'licensesSold']);
  });
});
