/**
 * docs/connect.md, followed as written, against the test suite's fakes: `seatwise login` once, then
 * `seatwise serve --collect-at` (here `--collect-cron`, to run within the test) with no token
 * option, and today's snapshot is served without any script in between.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type ServeProcess, startServe } from '../support/cli.ts';
import { type FakeAuthority, startFakeAuthority } from '../support/fake-authority.ts';
import {
  type FakeCustomer,
  type FakePartnerCenter,
  fakeCustomers,
  startFakePartnerCenter,
} from '../support/fake-partner-center.ts';
import { daysAgo } from '../support/row-csv.ts';
import { makeTestCa, type TestCa } from '../support/test-ca.ts';

const TENANT = '7e5a0000-0000-4000-8000-00000000c0a1';
const DOMAIN = 'partner-connect.onmicrosoft.com';
const CLIENT = 'a99c0000-0000-4000-8000-00000000c0a2';

let ca: TestCa;
let dir: string;
let db: string;
let authority: FakeAuthority;
let partnerCenter: FakePartnerCenter;
let customers: FakeCustomer[];
let serve: ServeProcess | undefined;

beforeAll(async () => {
  ca = await makeTestCa();
  dir = await mkdtemp(join(tmpdir(), 'seatwise-connect-'));
  db = join(dir, 'connect.duckdb');
  authority = await startFakeAuthority({ tls: ca, tenantId: TENANT, domain: DOMAIN, clientId: CLIENT });
  customers = fakeCustomers(3);
  partnerCenter = await startFakePartnerCenter({ customers, acceptToken: (t) => authority.accepts(t) });
});

afterAll(async () => {
  if (serve !== undefined && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  await partnerCenter?.close();
  await authority?.close();
  await ca?.remove();
  await rm(dir, { recursive: true, force: true });
});

describe('docs/connect.md, step by step', () => {
  it('login, then serve with a daily collection and no token option, serves the day collected', async () => {
    const env = { NODE_EXTRA_CA_CERTS: ca.caFile };
    const login = await runCli(
      ['login', '--tenant', DOMAIN, '--client-id', CLIENT, '--authority', authority.url, '--db', db],
      env,
    );
    expect(login.code, login.stderr).toBe(0);

    // The server's child process trusts the test's authority the same way.
    process.env.NODE_EXTRA_CA_CERTS = ca.caFile;
    const second = (new Date().getUTCSeconds() + 6) % 60;
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
      partnerCenter.baseUrl,
      '--partner',
      TENANT,
    ]);
    const base = /API:\s+(http:\/\/\S+?)\/v1\//.exec(serve.stdout())![1]!;
    const token = (await runCli(['token', '--db', db, '--partner', TENANT])).stdout.trim();
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      return JSON.parse((await res.text()).replace(/^\uFEFF/, '')) as Record<string, unknown>;
    };

    const end = Date.now() + 80_000;
    let runs: { outcome: string; processedDate: string | null; customers: number | null }[] = [];
    while (!runs.some((r) => r.outcome !== 'running')) {
      if (Date.now() > end) throw new Error(`no collection ran: ${serve.stdout()}`);
      await new Promise((r) => setTimeout(r, 200));
      runs = ((await get('/seatwise/v1/status')).collection as { runs: typeof runs }).runs;
    }
    expect(runs[0]).toMatchObject({
      outcome: 'stored',
      processedDate: daysAgo(0),
      customers: customers.length,
    });

    const page = (await get('/v1/analytics/commercial/deployment/license/?top=1000')) as {
      Value: { processedDateTime: string; customerTenantId: string; licensesSold: number }[];
    };
    expect(new Set(page.Value.map((r) => r.processedDateTime.slice(0, 10)))).toEqual(new Set([daysAgo(0)]));
    expect([...new Set(page.Value.map((r) => r.customerTenantId))].sort()).toEqual(
      customers.map((c) => c.tenantId.toUpperCase()).sort(),
    );
    // The server redeemed the stored sign-in: Partner Center saw only tokens the authority issued.
    expect(partnerCenter.requests.length).toBeGreaterThan(customers.length);
    expect(
      partnerCenter.requests.every((r) => authority.accepts(r.authorization?.replace(/^Bearer /, '') ?? '')),
    ).toBe(true);
  }, 150_000);
});
