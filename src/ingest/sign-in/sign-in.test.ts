/**
 * The sign-in against a fake Microsoft identity platform on real HTTPS (a CA made for the run):
 * device-code polling, the stored file, refresh-token rotation across separate clients, revocation,
 * and every error a partner meets, by message.
 */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AADSTS, type FakeAuthority, startFakeAuthority } from '../../../test/support/fake-authority.ts';
import { makeClientCertificate, makeTestCa, type TestCa } from '../../../test/support/test-ca.ts';
import { readStoredSignIn } from './credentials-file.ts';
import { type DeviceCodePrompt, login, SignInError, storedSignInTokenSource } from './sign-in.ts';

const TENANT = '7e5a0000-0000-4000-8000-0000000f00d5';
const DOMAIN = 'contoso-partner.onmicrosoft.com';
const CLIENT = 'a99c0000-0000-4000-8000-00000000a991';
const SECRET = 'fake-secret-value-1234567890';

let ca: TestCa;
let dir: string;
let fake: FakeAuthority;
let n = 0;

beforeAll(async () => {
  ca = await makeTestCa();
  dir = await mkdtemp(join(tmpdir(), 'seatwise-signin-'));
});
afterAll(async () => {
  await ca.remove();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await fake?.close();
});

async function startFake(extra: { accessTokenSeconds?: number } = {}): Promise<FakeAuthority> {
  fake = await startFakeAuthority({
    tls: ca,
    tenantId: TENANT,
    domain: DOMAIN,
    clientId: CLIENT,
    clientSecret: SECRET,
    ...extra,
  });
  return fake;
}

function file(): string {
  return join(dir, `sign-in-${++n}.credentials.json`);
}

async function signIn(
  credentialsFile: string,
  overrides: { tenant?: string; clientId?: string } = {},
): Promise<{ prompts: DeviceCodePrompt[]; result: Awaited<ReturnType<typeof login>> }> {
  const prompts: DeviceCodePrompt[] = [];
  const result = await login({
    tenant: overrides.tenant ?? TENANT,
    clientId: overrides.clientId ?? CLIENT,
    authority: fake.url,
    credentialsFile,
    ca: ca.ca,
    slowDownStepMs: 200,
    onCode: (p) => prompts.push(p),
  });
  return { prompts, result };
}

async function failure(p: Promise<unknown>): Promise<SignInError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SignInError);
  return err as SignInError;
}

/** No token the fake issued appears in `text`. */
function expectNoSecrets(text: string): void {
  for (const t of [...fake.refreshTokens, ...fake.accessTokens]) expect(text).not.toContain(t);
  expect(text).not.toContain(SECRET);
}

describe('seatwise login (device code)', () => {
  it('polls through authorization_pending and slow_down, then stores the sign-in with mode 0600', async () => {
    await startFake();
    fake.devicePolls.push('authorization_pending', 'slow_down', 'authorization_pending');
    const target = file();
    const { prompts, result } = await signIn(target);

    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.verificationUri).toBe(`${fake.url}/devicelogin`);
    expect(prompts[0]!.userCode).toMatch(/^[0-9A-F]{9}$/);
    expect(prompts[0]!.message).toContain(prompts[0]!.userCode);
    expect(result).toEqual({ username: 'alice@contoso.example', tenantId: TENANT, file: target });

    const polls = fake.requests.filter((r) => r.grantType?.endsWith('device_code'));
    expect(polls.map((r) => r.error ?? 'ok')).toEqual([
      'authorization_pending',
      'slow_down',
      'authorization_pending',
      'ok',
    ]);
    expect(polls.every((r) => r.clientAuth === 'none')).toBe(true);
    // slow_down added 200 ms (the step the test set) before that poll and every later one.
    expect(polls[2]!.at - polls[1]!.at).toBeGreaterThanOrEqual(190);
    expect(polls[3]!.at - polls[2]!.at).toBeGreaterThanOrEqual(190 + 40);
    expect(polls[1]!.at - polls[0]!.at).toBeLessThan(190);

    expect((await stat(target)).mode & 0o777).toBe(0o600);
    const stored = await readStoredSignIn(target);
    expect(stored).toMatchObject({
      version: 1,
      authority: fake.url,
      tenant: TENANT,
      tenantId: TENANT,
      clientId: CLIENT,
      username: 'alice@contoso.example',
      homeAccountId: `0b5e0000-0000-4000-8000-00000000a11c.${TENANT}`,
      scopes: ['https://api.partnercenter.microsoft.com/user_impersonation'],
    });
    expect(stored!.cache).toContain(fake.refreshTokens[0]);
  });

  it('accepts the tenant by domain', async () => {
    await startFake();
    const { result } = await signIn(file(), { tenant: DOMAIN });
    expect(result.tenantId).toBe(TENANT);
  });

  it('an expired code, a declined sign-in, missing consent and MFA say what to do, and store nothing', async () => {
    await startFake();
    const cases: [Parameters<typeof fake.devicePolls.push>[0], RegExp][] = [
      ['expired_token', /code was not entered in time.*run `seatwise login` again/],
      ['access_denied', /sign-in was declined.*run `seatwise login` again/],
      [AADSTS.consentMissing, /has no consent to call Partner Center.*\(AADSTS65001\).*admin consent/],
      [AADSTS.mfaRequired, /multi-factor sign-in is required \(AADSTS50076\)/],
    ];
    for (const [answer, message] of cases) {
      fake.devicePolls.push('authorization_pending', answer);
      const target = file();
      const err = await failure(signIn(target));
      expect(err.message).toMatch(message);
      expectNoSecrets(err.message);
      expect(await readStoredSignIn(target)).toBeUndefined();
    }
  });

  it('a wrong tenant or client id is named as such', async () => {
    await startFake();
    const tenant = await failure(signIn(file(), { tenant: 'fabrikam.onmicrosoft.com' }));
    expect(tenant.message).toMatch(
      /tenant 'fabrikam\.onmicrosoft\.com' was not found .*\(AADSTS90002\).*--tenant/,
    );
    const client = await failure(signIn(file(), { clientId: 'b0b00000-0000-4000-8000-000000000000' }));
    expect(client.message).toMatch(/app b0b00000-.* was not found in tenant .*\(AADSTS700016\).*--client-id/);
    const other = await failure(signIn(file(), { tenant: '11111111-1111-4111-8111-111111111111' }));
    expect(other.message).toMatch(/was not found/);
    await expect(signIn(file(), { tenant: 'not a tenant' })).rejects.toThrow(/--tenant must be/);
  });

  it('an authority whose certificate is not trusted is reported with the fix', async () => {
    await startFake();
    const err = await failure(
      login({
        tenant: TENANT,
        clientId: CLIENT,
        authority: fake.url,
        credentialsFile: file(),
        onCode: () => {},
      }),
    );
    expect(err.message).toMatch(/could not reach https:\/\/127\.0\.0\.1:\d+\/.*NODE_EXTRA_CA_CERTS/);
  });
});

describe('the stored sign-in', () => {
  it('rotates the refresh token across two runs, each reading the file the previous one wrote', async () => {
    await startFake();
    const target = file();
    await signIn(target);
    expect(fake.refreshTokens).toHaveLength(1);

    // Run 1: a new client on the file redeems the refresh token and stores the rotated one.
    const first = await storedSignInTokenSource({ credentialsFile: target, ca: ca.ca });
    expect(first.status).toEqual({
      username: 'alice@contoso.example',
      tenantId: TENANT,
      clientId: CLIENT,
      authority: fake.url,
    });
    const a = await first.get();
    expect(fake.accepts(a)).toBe(true);
    expect(fake.refreshTokens).toHaveLength(2);
    const afterFirst = (await readStoredSignIn(target))!;
    expect(afterFirst.cache).toContain(fake.refreshTokens[1]);
    expect(afterFirst.cache).not.toContain(fake.refreshTokens[0]);
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    // The same run reuses its token while it is fresh.
    expect(await first.get()).toBe(a);

    // Run 2: another client; the fake no longer accepts the first refresh token, so this only works
    // if the rotated one was stored.
    const second = await storedSignInTokenSource({ credentialsFile: target, ca: ca.ca });
    const b = await second.get();
    expect(b).not.toBe(a);
    expect(fake.accepts(b)).toBe(true);
    expect((await readStoredSignIn(target))!.cache).toContain(fake.refreshTokens[2]);
    const redemptions = fake.requests.filter((r) => r.grantType === 'refresh_token');
    expect(redemptions.map((r) => [r.clientAuth, r.error ?? 'ok'])).toEqual([
      ['none', 'ok'],
      ['none', 'ok'],
    ]);

    // After a 401 the refused token is replaced at once, even though it has not expired.
    const c = await second.get({ rejected: b });
    expect(c).not.toBe(b);
    expect(fake.accepts(c)).toBe(true);
  });

  it('concurrent callers share one redemption', async () => {
    await startFake();
    const target = file();
    await signIn(target);
    const source = await storedSignInTokenSource({ credentialsFile: target, ca: ca.ca });
    const tokens = await Promise.all(Array.from({ length: 8 }, () => source.get()));
    expect(new Set(tokens).size).toBe(1);
    expect(fake.requests.filter((r) => r.grantType === 'refresh_token')).toHaveLength(1);
  });

  it('a revoked refresh token says to sign in again', async () => {
    await startFake();
    const target = file();
    await signIn(target);
    fake.revokeAll();
    const source = await storedSignInTokenSource({ credentialsFile: target, ca: ca.ca });
    const err = await failure(source.get());
    expect(err.message).toMatch(
      /^the stored sign-in has expired or was revoked \(AADSTS50173\): run `seatwise login` again/,
    );
    expectNoSecrets(err.message);
  });

  it('an expired refresh token, and MFA demanded on redemption, say what to do', async () => {
    await startFake();
    const target = file();
    await signIn(target);
    fake.refreshErrors.push(AADSTS.refreshExpired, AADSTS.mfaRequired, AADSTS.consentMissing);
    const source = await storedSignInTokenSource({ credentialsFile: target, ca: ca.ca });
    expect((await failure(source.get())).message).toMatch(/expired or was revoked \(AADSTS700082\)/);
    expect((await failure(source.get())).message).toMatch(
      /multi-factor sign-in is required \(AADSTS50076\): the stored sign-in does not satisfy it; run `seatwise login` again/,
    );
    expect((await failure(source.get())).message).toMatch(/no consent .*AADSTS65001/);
    // The scripted errors are used up: the refresh token in the file still works.
    expect(fake.accepts(await source.get())).toBe(true);
  });

  it('redeems as a confidential app with a client secret or a certificate', async () => {
    await startFake();
    const target = file();
    await signIn(target);
    const withSecret = await storedSignInTokenSource({
      credentialsFile: target,
      ca: ca.ca,
      credential: { kind: 'secret', secret: SECRET },
    });
    expect(fake.accepts(await withSecret.get())).toBe(true);

    const cert = await makeClientCertificate(dir);
    const withCert = await storedSignInTokenSource({
      credentialsFile: target,
      ca: ca.ca,
      credential: { kind: 'certificate', pem: await readFile(cert.file, 'utf8') },
    });
    expect(fake.accepts(await withCert.get())).toBe(true);
    const redemptions = fake.requests.filter((r) => r.grantType === 'refresh_token');
    expect(redemptions.map((r) => r.clientAuth)).toEqual(['secret', 'assertion']);

    const wrong = await storedSignInTokenSource({
      credentialsFile: target,
      ca: ca.ca,
      credential: { kind: 'secret', secret: 'not-the-secret-0987654321' },
    });
    const err = await failure(wrong.get());
    expect(err.message).toMatch(/client secret was refused \(AADSTS7000215\).*--client-secret-env/);
    expect(err.message).not.toContain('not-the-secret');
    expectNoSecrets(err.message);
  });

  it('refuses a missing file, a file others can read, and a file that is not a sign-in', async () => {
    await startFake();
    const missing = file();
    await expect(storedSignInTokenSource({ credentialsFile: missing })).rejects.toThrow(
      /no stored sign-in at .*run `seatwise login/,
    );
    const target = file();
    await signIn(target);
    await chmod(target, 0o644);
    await expect(storedSignInTokenSource({ credentialsFile: target })).rejects.toThrow(
      /can be read by other users \(mode 0644\).*seatwise login/,
    );
    const junk = file();
    await writeFile(junk, '{"hello": 1}', { mode: 0o600 });
    await expect(storedSignInTokenSource({ credentialsFile: junk })).rejects.toThrow(
      /not a Seatwise sign-in file/,
    );
  });
});
