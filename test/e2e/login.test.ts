/**
 * `seatwise login`, then `seatwise collect` with no token option, run as a user would (the real bin,
 * child processes) against a fake Microsoft identity platform on HTTPS (trusted through
 * NODE_EXTRA_CA_CERTS with a CA made for the run) and a fake Partner Center that takes only the
 * access tokens that authority issued: the stored sign-in, its rotation across runs, a confidential
 * redemption, a revoked sign-in and logout.
 */
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAll, runCli } from '../support/cli.ts';
import { type FakeAuthority, startFakeAuthority } from '../support/fake-authority.ts';
import {
  FAKE_SKUS,
  type FakeCustomer,
  type FakePartnerCenter,
  fakeCustomers,
  startFakePartnerCenter,
} from '../support/fake-partner-center.ts';
import { makeTestCa, type TestCa } from '../support/test-ca.ts';

const TENANT = '7e5a0000-0000-4000-8000-0000000e2e01';
const DOMAIN = 'partner-e2e.onmicrosoft.com';
const CLIENT = 'a99c0000-0000-4000-8000-0000000e2e02';
const SECRET = 'e2e-client-secret-value-0123456789';
const PARTNER = TENANT;

let ca: TestCa;
let dir: string;
let db: string;
let authority: FakeAuthority;
let partnerCenter: FakePartnerCenter;
let customers: FakeCustomer[];
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  ca = await makeTestCa();
  dir = await mkdtemp(join(tmpdir(), 'seatwise-login-'));
  db = join(dir, 'login.duckdb');
  authority = await startFakeAuthority({
    tls: ca,
    tenantId: TENANT,
    domain: DOMAIN,
    clientId: CLIENT,
    clientSecret: SECRET,
  });
  customers = fakeCustomers(4);
  partnerCenter = await startFakePartnerCenter({ customers, acceptToken: (t) => authority.accepts(t) });
  env = { NODE_EXTRA_CA_CERTS: ca.caFile, SEATWISE_COLLECT_RETRY_DELAYS_MS: '10,20,30', PC_SECRET: SECRET };
});
afterAll(async () => {
  await partnerCenter?.close();
  await authority?.close();
  await ca?.remove();
  await rm(dir, { recursive: true, force: true });
});

/** No token or secret in what a command printed. */
function expectNoSecrets(...outputs: string[]): void {
  const text = outputs.join('\n');
  for (const t of [...authority.refreshTokens, ...authority.accessTokens]) expect(text).not.toContain(t);
  expect(text).not.toContain(SECRET);
}

function collect(date: string, ...extra: string[]) {
  return runCli(
    [
      'collect',
      '--base-url',
      partnerCenter.baseUrl,
      '--date',
      date,
      '--partner',
      PARTNER,
      '--db',
      db,
      ...extra,
    ],
    env,
  );
}

describe('seatwise login, then collect with the stored sign-in', () => {
  it('signs in with the device code, stores the sign-in 0600 beside the database, and collect uses it', async () => {
    authority.devicePolls.push('authorization_pending', 'authorization_pending');
    const login = await runCli(
      ['login', '--tenant', DOMAIN, '--client-id', CLIENT, '--authority', authority.url, '--db', db],
      env,
    );
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(
      new RegExp(`^To sign in, open ${authority.url}/devicelogin and enter the code [0-9A-F]{9}\\n`),
    );
    expect(login.stdout).toContain(`Signed in as alice@contoso.example (tenant ${TENANT}).`);
    expect(login.stdout).toContain(`Stored in ${db}.credentials.json (mode 0600)`);
    const file = `${db}.credentials.json`;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toContain(authority.refreshTokens[0]);
    const polls = authority.requests.filter((r) => r.grantType === 'device_code');
    expect(polls.map((r) => r.error ?? 'ok')).toEqual([
      'authorization_pending',
      'authorization_pending',
      'ok',
    ]);

    const run = await collect('2026-02-01', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ written: true, customersListed: 4, customers: 4 });
    const rows = await queryAll<{
      customerTenantId: string;
      productId: string;
      licensesSold: number;
      licensesDeployed: number;
    }>(db, PARTNER, '2026-02-01');
    const e3 = (i: number) =>
      rows.find(
        (r) =>
          r.customerTenantId === customers[i]!.tenantId.toUpperCase() &&
          r.productId === FAKE_SKUS.e3.id.toUpperCase(),
      );
    expect(e3(0)).toMatchObject({ licensesSold: 10, licensesDeployed: 5 });
    expect(e3(3)).toMatchObject({ licensesSold: 13, licensesDeployed: 8 });
    expect(rows).toHaveLength(6);
    // Every Partner Center call carried an access token of the authority: the one this run redeemed.
    expect(authority.accessTokens).toHaveLength(2);
    expect(
      partnerCenter.requests.every((q) => q.authorization === `Bearer ${authority.accessTokens[1]}`),
    ).toBe(true);
    // The rotated refresh token replaced the first one in the file.
    const stored = await readFile(file, 'utf8');
    expect(stored).toContain(authority.refreshTokens[1]);
    expect(stored).not.toContain(authority.refreshTokens[0]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expectNoSecrets(login.stdout, login.stderr, run.stdout, run.stderr);
  });

  it('a second run redeems the rotated token, also as a confidential app with --client-secret-env', async () => {
    const run = await collect('2026-02-02', '--client-secret-env', 'PC_SECRET');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/customers: 4 of 4 read/);
    expect((await queryAll(db, PARTNER, '2026-02-02')).length).toBe(6);
    const redemptions = authority.requests.filter((r) => r.grantType === 'refresh_token');
    expect(redemptions.map((r) => [r.clientAuth, r.error ?? 'ok'])).toEqual([
      ['none', 'ok'],
      ['secret', 'ok'],
    ]);
    expect(await readFile(`${db}.credentials.json`, 'utf8')).toContain(authority.refreshTokens[2]);
    expectNoSecrets(run.stdout, run.stderr);
  });

  it('a revoked sign-in fails the run before any Partner Center call, says to sign in again, writes nothing', async () => {
    authority.revokeAll();
    const before = partnerCenter.requests.length;
    const run = await collect('2026-02-03');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /the stored sign-in \(.*login\.duckdb\.credentials\.json\): the stored sign-in has expired or was revoked \(AADSTS50173\): run `seatwise login` again/,
    );
    expect(partnerCenter.requests.length).toBe(before);
    expectNoSecrets(run.stdout, run.stderr);
    const listed = await runCli(['snapshots', '--db', db, '--partner', PARTNER, '--json']);
    expect((JSON.parse(listed.stdout) as { processedDate: string }[]).map((s) => s.processedDate)).toEqual([
      '2026-02-02',
      '2026-02-01',
    ]);
  });

  it('--credentials keeps the sign-in elsewhere; a file others can read is refused; logout removes it', async () => {
    const other = join(dir, 'elsewhere', 'partner.json');
    const login = await runCli(
      [
        'login',
        '--tenant',
        TENANT,
        '--client-id',
        CLIENT,
        '--authority',
        authority.url,
        '--credentials',
        other,
      ],
      env,
    );
    expect(login.code, login.stderr).toBe(0);
    expect((await stat(other)).mode & 0o777).toBe(0o600);
    const ok = await collect('2026-02-04', '--credentials', other);
    expect(ok.code, ok.stderr).toBe(0);

    await chmod(other, 0o640);
    const open = await collect('2026-02-05', '--credentials', other);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/can be read by other users \(mode 0640\)/);

    const out = await runCli(['logout', '--credentials', other]);
    expect(out.code).toBe(0);
    // A file that cannot be read as a sign-in (here: too open) is removed all the same.
    expect(out.stdout).toBe(`Removed the sign-in: ${other}\n`);
    await expect(stat(other)).rejects.toThrow(/ENOENT/);
    const again = await runCli(['logout', '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`Removed the sign-in of alice@contoso.example: ${db}.credentials.json\n`);
    const none = await runCli(['logout', '--db', db]);
    expect(none.stdout).toBe(`No stored sign-in at ${db}.credentials.json\n`);
    const without = await collect('2026-02-06');
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(
      /give --token-command or --token-env, or sign in once with `seatwise login`/,
    );
  });

  it('a wrong tenant and a declined sign-in exit 1 with what to do, storing nothing', async () => {
    const file = join(dir, 'wrong.json');
    const wrong = await runCli(
      [
        'login',
        '--tenant',
        'fabrikam.example',
        '--client-id',
        CLIENT,
        '--authority',
        authority.url,
        '--credentials',
        file,
      ],
      env,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/tenant 'fabrikam\.example' was not found .*\(AADSTS90002\)/);
    authority.devicePolls.push('access_denied');
    const denied = await runCli(
      [
        'login',
        '--tenant',
        TENANT,
        '--client-id',
        CLIENT,
        '--authority',
        authority.url,
        '--credentials',
        file,
      ],
      env,
    );
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/sign-in was declined/);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    const badTenant = await runCli([
      'login',
      '--tenant',
      'x y',
      '--client-id',
      CLIENT,
      '--credentials',
      file,
    ]);
    expect(badTenant.code).toBe(2);
  });
});
