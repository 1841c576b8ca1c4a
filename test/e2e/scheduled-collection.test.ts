/**
 * `seatwise serve` with a daily collection, run as a user would (the real bin) against a fake
 * Partner Center: the scheduled run fails and stores nothing, the server keeps answering from the
 * previous snapshot, the retry succeeds while requests are still answered from the old one, and
 * `GET /seatwise/v1/status` tells each step.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type ServeProcess, startServe } from '../support/cli.ts';
import {
  type FakeCustomer,
  type FakePartnerCenter,
  fakeCustomers,
  startFakePartnerCenter,
} from '../support/fake-partner-center.ts';
import { daysAgo } from '../support/row-csv.ts';

const PARTNER = '5eab0000-0000-4000-8000-00000000c0de';
const SEED_TENANT = '0A0A0A0A-0000-4000-8000-000000000001';
const HEADER =
  'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold';

let dir: string;
let db: string;
let fake: FakePartnerCenter;
let customers: FakeCustomer[];
let serve: ServeProcess | undefined;
let base: string;
let token: string;

interface Status {
  collection: {
    partnerId: string;
    schedule: { pattern: string; timezone: string; description: string };
    running: boolean;
    nextRun: string | null;
    nextRetry: string | null;
    runs: {
      attempt: number;
      trigger: string;
      outcome: string;
      processedDate: string | null;
      customers: number | null;
      missingCustomers: number | null;
      error: string | null;
    }[];
  } | null;
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(200);
  return JSON.parse((await res.text()).replace(/^\uFEFF/, '')) as T;
}

const status = () => getJson<Status>('/seatwise/v1/status');

/** The dates and tenants of the latest snapshot, as the API answers without processedDateTime. */
async function latest(): Promise<{ dates: string[]; tenants: string[] }> {
  const page = await getJson<{ Value: { processedDateTime: string; customerTenantId: string }[] }>(
    '/v1/analytics/commercial/deployment/license/?top=10000',
  );
  return {
    dates: [...new Set(page.Value.map((r) => r.processedDateTime.slice(0, 10)))],
    tenants: [...new Set(page.Value.map((r) => r.customerTenantId))].sort(),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-schedule-'));
  db = join(dir, 'schedule.duckdb');
  // Yesterday's snapshot, which the server answers until today's is stored.
  const seed = join(dir, 'seed.csv');
  await writeFile(
    seed,
    `${HEADER}\n${daysAgo(1)},o365,Microsoft Office 365,reseller,${SEED_TENANT},Seed,6fd2c87f-b296-42f0-b197-1e91e994b900,OFFICE 365 E3,1,2\n`,
  );
  const imported = await runCli(['import', seed, '--db', db, '--partner', PARTNER]);
  expect(imported.code, imported.stderr).toBe(0);
  const made = await runCli(['token', '--db', db, '--partner', PARTNER]);
  token = made.stdout.trim();

  customers = fakeCustomers(4);
  fake = await startFakePartnerCenter({
    customers,
    acceptToken: (t) => t === 'tok-sched',
    faults: [
      // The scheduled run: the customers list fails on every attempt (1 + 3 retries).
      { match: (r) => r.kind === 'customers', status: 500, times: 4 },
      // The retry: one slow failure, retried at once, so that it is still running while we ask.
      { match: (r) => r.kind === 'subscribedskus', status: 503, delayMs: 2500, times: 1 },
    ],
  });
}, 60_000);

afterAll(async () => {
  if (serve !== undefined && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  await fake?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('serve --collect-cron', () => {
  it('retries a failed run, stores nothing partial, and answers from the previous snapshot meanwhile', async () => {
    // Once a minute, at the second six seconds from now (a slow start only delays it a minute).
    const second = (new Date().getUTCSeconds() + 6) % 60;
    process.env.SEATWISE_SCHED_TOKEN = 'tok-sched';
    process.env.SEATWISE_COLLECT_RETRY_DELAYS_MS = '10,20,30';
    process.env.SEATWISE_SCHEDULE_RETRY_DELAYS_MS = '1500';
    serve = await startServe([
      '--db',
      db,
      '--port',
      '0',
      '--log-level',
      'warn',
      '--collect-cron',
      `${second} * * * * *`,
      '--base-url',
      fake.baseUrl,
      '--token-env',
      'SEATWISE_SCHED_TOKEN',
      '--partner',
      PARTNER,
      '--save-raw',
      join(dir, 'raw'),
    ]);
    base = /API:\s+(http:\/\/\S+?)\/v1\//.exec(serve.stdout())![1]!;
    expect(serve.stdout()).toContain(`Collects:   partner ${PARTNER.toUpperCase()}`);

    const before = await status();
    expect(before.collection?.schedule).toEqual({
      pattern: `${second} * * * * *`,
      timezone: 'UTC',
      description: `cron '${second} * * * * *' UTC`,
    });
    expect(before.collection?.nextRun).not.toBeNull();

    // The scheduled run fails: nothing stored, a retry planned, yesterday still answered.
    const failed = await until(
      'the failed run',
      async () => {
        const s = await status();
        return s.collection?.runs.find((r) => r.outcome === 'failed') === undefined ? undefined : s;
      },
      75_000,
    );
    expect(failed.collection?.runs[0]).toMatchObject({
      attempt: 1,
      trigger: 'schedule',
      outcome: 'failed',
      processedDate: null,
    });
    expect(failed.collection?.runs[0]?.error).toMatch(/HTTP 500/);
    expect(failed.collection?.runs[0]?.error).not.toContain('tok-sched');
    expect(await latest()).toEqual({ dates: [daysAgo(1)], tenants: [SEED_TENANT] });

    // The retry runs; while it waits on the slow answer, the API still answers yesterday.
    await until('the retry to be running', async () =>
      (await status()).collection?.running ? true : undefined,
    );
    expect(await latest()).toEqual({ dates: [daysAgo(1)], tenants: [SEED_TENANT] });

    let last: Status | undefined;
    const stored = await until('the stored run', async () => {
      last = await status();
      return last.collection?.runs[0]?.outcome === 'stored' ? last : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}; the status: ${JSON.stringify(last)}`);
    });
    expect(stored.collection?.runs.map((r) => [r.attempt, r.trigger, r.outcome])).toEqual([
      [2, 'retry', 'stored'],
      [1, 'schedule', 'failed'],
    ]);
    expect(stored.collection?.runs[0]).toMatchObject({
      processedDate: daysAgo(0),
      customers: customers.length,
      missingCustomers: 0,
      error: null,
    });
    expect(await latest()).toEqual({
      dates: [daysAgo(0)],
      tenants: customers.map((c) => c.tenantId.toUpperCase()).sort(),
    });

    // --save-raw keeps each day's responses in a folder of its own.
    const saved = join(dir, 'raw', daysAgo(0));
    expect((await readdir(saved)).sort()).toEqual(['customers.json', 'subscribedskus', 'subscriptions']);
    expect((await readdir(join(saved, 'subscriptions'))).length).toBe(customers.length);

    // The outcome per date, as `seatwise snapshots` shows it: the runs, recorded in the store, and
    // the last run beside each snapshot it made.
    // (A run is recorded just after the status shows it finished.)
    const text = await until('both runs recorded', async () => {
      const r = await runCli(['snapshots', '--db', db, '--partner', PARTNER]);
      return r.code === 0 && /\bstored\b[\s\S]*\bfailed\b/.test(r.stdout) ? r : undefined;
    });
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('Daily collection runs (serve --collect-at), newest first:');
    const runLines = lines.filter((l) => l.startsWith(daysAgo(0)));
    expect(runLines[0]).toMatch(new RegExp(`^${daysAgo(0)} .* 2 +stored +${customers.length} +0 *$`));
    expect(runLines[1]).toMatch(
      new RegExp(`^${daysAgo(0)} .* 1 +failed +collect failed, nothing written: HTTP 500`),
    );
    // The snapshot table's row for today: source collect, last run stored.
    expect(runLines[2]).toMatch(/ collect .* stored *$/);

    // The outcome per date, as `seatwise snapshots` shows it.
    const listed = await runCli(['snapshots', '--db', db, '--partner', PARTNER, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const snapshots = JSON.parse(listed.stdout) as { processedDate: string; source: string }[];
    expect(snapshots.map((s) => [s.processedDate, s.source])).toEqual(
      expect.arrayContaining([
        [daysAgo(0), 'collect'],
        [daysAgo(1), 'import rows'],
      ]),
    );
  }, 180_000);

  it('refuses collection options without a schedule, and a bad time, before starting', async () => {
    const stray = await runCli(['serve', '--db', join(dir, 'x.duckdb'), '--token-env', 'X']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain(
      '--token-env configures the daily collection: give --collect-at HH:MM too',
    );
    const bad = await runCli(['serve', '--db', join(dir, 'x.duckdb'), '--collect-at', '25:00']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--collect-at must be a time HH:MM (24-hour), got '25:00'");
    const zone = await runCli([
      'serve',
      '--db',
      join(dir, 'x.duckdb'),
      '--collect-at',
      '02:30',
      '--collect-tz',
      'Mars/Olympus',
    ]);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toContain(
      "--collect-tz must be a time zone such as UTC or Europe/Paris, got 'Mars/Olympus'",
    );
  });
});
