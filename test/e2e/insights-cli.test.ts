/**
 * `seatwise shelfware` and `seatwise renewals` on a DuckDB file holding the insights fixture: the
 * JSON is the endpoint's body (without paging), the table shows the same items and the totals per
 * currency, and a bad option is an exit code 2 with the endpoint's message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { PARTNER_A } from '../fixtures/http-rows.ts';
import { loadInsights } from '../fixtures/insights.ts';
import { runCli } from '../support/cli.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';

let dir: string;
let db: string;
let h: Harness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-insights-cli-'));
  db = join(dir, 'insights.duckdb');
  const store = await openDuckDbStore({ path: db });
  await loadInsights(store);
  await store.close();
  // The same fixture behind the HTTP API, to compare with.
  h = await createHarness();
  await loadInsights(h.store);
});
afterAll(async () => {
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('seatwise shelfware and renewals', () => {
  it('prints the endpoints’ bodies as JSON', async () => {
    const token = await h.token(PARTNER_A);
    const shelfware = await runCli(['shelfware', '--db', db, '--partner', PARTNER_A, '--json']);
    expect(shelfware.code, shelfware.stderr).toBe(0);
    expect(JSON.parse(shelfware.stdout)).toEqual(json(await h.get('/seatwise/v1/shelfware', token)));
    const renewals = await runCli([
      'renewals',
      '--db',
      db,
      '--partner',
      PARTNER_A,
      '--within-days',
      '120',
      '--filter',
      "customerName eq 'oneil'",
      '--json',
    ]);
    expect(renewals.code, renewals.stderr).toBe(0);
    const api = json(
      await h.get(
        `/seatwise/v1/renewals?withinDays=120&filter=${encodeURIComponent("customerName eq 'oneil'")}`,
        token,
      ),
    );
    expect(JSON.parse(renewals.stdout)).toEqual(api);
    expect((api.value as unknown[]).length).toBe(4);
  });

  it('prints tables with the totals per currency', async () => {
    const shelfware = await runCli(['shelfware', '--db', db, '--partner', PARTNER_A]);
    expect(shelfware.code, shelfware.stderr).toBe(0);
    const lines = shelfware.stdout.trimEnd().split('\n');
    // Header, rule, four items by cost, then the summary.
    expect(lines[2]).toMatch(/^Oneil\s+OFFICE 365 E3\s+55\s+42\s+13\s+33\.75 EUR\s+438\.75 EUR$/);
    expect(lines[5]).toMatch(/^Smith\s+SKYPE FOR BUSINESS ONLINE \(PLAN 2\)\s+10\s+3\s+7\s*$/);
    expect(lines.slice(6)).toEqual([
      '4 customer product(s) with unassigned seats, snapshot 2026-11-30',
      '  438.75 EUR a month on 13 seat(s) of 1 product(s)',
      '  340.00 USD a month on 27 seat(s) of 2 product(s)',
      '  7 seat(s) of 1 product(s) without a price (seatwise import --format prices)',
    ]);
    const renewals = await runCli(['renewals', '--db', db, '--partner', PARTNER_A]);
    expect(renewals.code, renewals.stderr).toBe(0);
    expect(renewals.stdout).toContain('6 subscription(s) ending within 30 day(s) of the snapshot 2026-11-30');
    expect(renewals.stdout).toContain('  13 reducible seat(s), 438.75 EUR a month');
    expect(renewals.stdout).toContain('  2 reducible seat(s), 199.50 USD a month');
  });

  it('refuses a bad option with the endpoint’s message and exit code 2', async () => {
    const r = await runCli(['renewals', '--db', db, '--partner', PARTNER_A, '--within-days', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'withinDays' must be a whole number of days from 0 to 3660; got 'soon'/);
    const f = await runCli(['shelfware', '--db', db, '--partner', PARTNER_A, '--filter', 'channel eq']);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/position/);
  });
});
