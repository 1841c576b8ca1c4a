import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueLocalToken } from '../../src/auth/local-issuer.ts';
import { loadBothPartners, PARTNER_A, PARTNER_B } from '../fixtures/http-rows.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';

const ROUTES = [
  '/v1/analytics/commercial/deployment/license/',
  '/v1/analytics/licenses/deployment',
  '/v1/customers/0A0A0A0A-0000-4000-8000-000000000001/analytics/licenses/deployment',
];

describeOnStores('authentication', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await loadBothPartners(h);
  });
  afterAll(() => h?.close());

  async function expect401(authorization: string | undefined, description: RegExp): Promise<void> {
    for (const url of ROUTES) {
      const res = await h.app.inject({ url, headers: authorization === undefined ? {} : { authorization } });
      expect(res.statusCode, url).toBe(401);
      expect(json(res)).toMatchObject({ code: 800001, description: expect.stringMatching(description) });
      const challenge = String(res.headers['www-authenticate']);
      expect(challenge.startsWith('Bearer')).toBe(true);
      if (authorization !== undefined) {
        expect(challenge).toMatch(/error="invalid_token", error_description="[^"]+"/);
        const token = authorization.replace(/^Bearer\s+/i, '');
        if (token.length > 8) expect(res.body + challenge).not.toContain(token);
      }
    }
  }

  describe('bearer tokens', () => {
    it('no token → 401 with WWW-Authenticate: Bearer', async () => {
      await expect401(undefined, /no Authorization bearer token/);
      const res = await h.get(ROUTES[0]!);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('malformed, expired, wrongly signed, unsigned and foreign-audience tokens → 401 saying why', async () => {
      const good = await h.token(PARTNER_A);
      const [header, payload] = good.split('.');
      await expect401('Basic dXNlcjpwYXNz', /not a bearer token/);
      await expect401('Bearer not.a.jwt', /malformed/);
      await expect401(`Bearer ${header}.${payload}.AAAA`, /signature/);
      const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
      await expect401(`Bearer ${none}`, /algorithm that is not accepted/);
      const expired = await issueLocalToken(h.key, {
        partnerId: PARTNER_A,
        expiresInSeconds: 60,
        now: new Date(Date.now() - 3_600_000),
      });
      await expect401(`Bearer ${expired}`, /expired/);
      const otherAud = await issueLocalToken(h.key, {
        partnerId: PARTNER_A,
        expiresInSeconds: 60,
        audience: 'https://graph.microsoft.com',
      });
      await expect401(`Bearer ${otherAud}`, /audience/);
      const noTid = await new SignJWT({ scp: 'user_impersonation', idtyp: 'user' })
        .setProtectedHeader({ alg: 'ES256', kid: h.key.kid })
        .setIssuer('urn:seatwise:local-issuer')
        .setAudience('https://api.partnercenter.microsoft.com')
        .setExpirationTime('1h')
        .sign(h.key.privateKey);
      await expect401(`Bearer ${noTid}`, /tenant id/);
    });

    it('a token that was accepted is refused once it has expired (verified tokens are remembered only until then)', async () => {
      const token = await issueLocalToken(h.key, { partnerId: PARTNER_A, expiresInSeconds: 30 });
      const authorization = `Bearer ${token}`;
      const res = await h.app.inject({ url: ROUTES[0]!, headers: { authorization } });
      expect(res.statusCode).toBe(200);
      expect(json(res)).toMatchObject({ TotalCount: expect.any(Number) });
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        // Past exp and the 60 s clock tolerance, but well inside the five minutes a verified token
        // is remembered at most.
        vi.setSystemTime(Date.now() + 120_000);
        await expect401(authorization, /expired/);
      } finally {
        vi.useRealTimers();
      }
    });

    it('an app-only token → 403 saying application credentials cannot access the resource', async () => {
      const appOnly = await h.token(PARTNER_A, { appOnly: true });
      for (const url of ROUTES) {
        const res = await h.get(url, appOnly);
        expect(res.statusCode).toBe(403);
        expect(json(res)).toMatchObject({
          code: 900150,
          description: expect.stringMatching(/application credentials/),
        });
      }
    });
  });

  describe('tenant isolation', () => {
    it('each partner sees only its own rows under any filter or groupby, even with shared ids', async () => {
      const tokenB = await h.token(PARTNER_B);
      const e5 = ROUTES[0]!;
      for (const q of [
        '',
        '?groupby=customerTenantId',
        "?filter=customerName%20eq%20'O''Neil%20%26%20Sons,%20Ltd.'",
        '?groupby=productId,channel',
      ]) {
        const body = json<{ Value: Record<string, unknown>[]; TotalCount: number }>(
          await h.get(`${e5}${q}`, tokenB),
        );
        const sold = body.Value.reduce((s, r) => s + Number(r.licensesSold), 0);
        expect(sold, q).toBe(q.includes('filter') ? 0 : 1007);
        expect(JSON.stringify(body)).not.toMatch(/株式会社|smith|O'Neil/);
      }
      const e1 = json<{ items: { licensesSold: number }[] }>(await h.get(ROUTES[1]!, tokenB));
      expect(e1.items.map((i) => i.licensesSold)).toEqual([1007]);
    });
  });
});
