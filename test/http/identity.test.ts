/**
 * External issuers verified against a real JWKS server, App+User only, roles, rate limits.
 */
import { createHmac } from 'node:crypto';
import { exportSPKI } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEY_SET_OPTIONS, trustIssuers } from '../../src/auth/issuers.ts';
import { PARTNER_CENTER_AUDIENCE } from '../../src/auth/principal.ts';
import { RateLimiter } from '../../src/auth/rate-limiter.ts';
import { createTokenVerifier } from '../../src/auth/verify.ts';
import type { AccessGate } from '../../src/http/auth-hook.ts';
import { CUST, loadBothPartners, PARTNER_A, PARTNER_B } from '../fixtures/http-rows.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { type JwksServer, startJwksServer } from '../support/jwks-server.ts';
import { describeOnStores } from '../support/stores.ts';
import { E5 } from '../support/wire.ts';

const ENTRA = 'https://login.microsoftonline.com/{tid}/v2.0';
const ROUTES = [
  E5,
  '/v1/analytics/licenses/deployment',
  `/v1/customers/${CUST.oneil}/analytics/licenses/deployment`,
];

let jwks: JwksServer;

beforeAll(async () => {
  jwks = await startJwksServer();
});
afterAll(() => jwks.close());

function gateFor(
  options: { refetchFloorMs?: number; allowedRoles?: string[] | null; limiter?: RateLimiter | null } = {},
) {
  return (): AccessGate => ({
    verify: createTokenVerifier({
      localKey: undefined,
      issuers: trustIssuers([{ issuer: ENTRA, jwksUri: jwks.url }], {
        ...DEFAULT_KEY_SET_OPTIONS,
        refetchFloorMs: options.refetchFloorMs ?? 200,
      }),
      audience: PARTNER_CENTER_AUDIENCE,
      clockToleranceSeconds: 60,
    }),
    policy: { allowedRoles: options.allowedRoles ?? null },
    limiter: options.limiter ?? null,
  });
}

const now = () => Math.floor(Date.now() / 1000);

/** Claims of an Entra v2 delegated (App+User) access token for the Partner Center API. */
function userClaims(tid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: `https://login.microsoftonline.com/${tid.toLowerCase()}/v2.0`,
    aud: PARTNER_CENTER_AUDIENCE,
    tid: tid.toLowerCase(),
    scp: 'user_impersonation',
    upn: 'agent@partner.example',
    oid: '5d5a1f5e-0000-4000-8000-000000000001',
    iat: now(),
    nbf: now(),
    exp: now() + 3600,
    ...extra,
  };
}

describeOnStores('external identity', (kind) => {
  async function loaded(options: Parameters<typeof gateFor>[0] = {}): Promise<Harness> {
    const h = await createHarness({ store: kind, gate: gateFor(options), trustProxy: true });
    await loadBothPartners(h);
    return h;
  }

  describe('external issuer (JWKS)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await loaded();
    });
    afterAll(() => h?.close());

    it("a valid App+User token gets 200 and only its partner's data on all three endpoints", async () => {
      const tokenA = await jwks.sign(userClaims(PARTNER_A));
      const tokenB = await jwks.sign(userClaims(PARTNER_B));
      const e5A = json<{ TotalCount: number }>(await h.get(E5, tokenA));
      const e5B = json<{ TotalCount: number; Value: { customerName: string }[] }>(await h.get(E5, tokenB));
      expect(e5A.TotalCount).toBe(9);
      expect(e5B.Value.map((r) => r.customerName)).toEqual(['Other Partner View', 'Secret Customer B']);
      for (const url of ROUTES) {
        expect((await h.get(url, tokenA)).statusCode, url).toBe(200);
      }
      const e3B = json<{ items: { licensesSold: number }[] }>(await h.get(ROUTES[2]!, tokenB));
      expect(e3B.items.map((i) => i.licensesSold)).toEqual([1000]);
    });

    it('an app-only token (idtyp=app, or no scp) gets 403 on all three endpoints', async () => {
      const { scp: _scp, upn: _upn, ...noUser } = userClaims(PARTNER_A);
      for (const claims of [{ ...noUser, idtyp: 'app', roles: ['Reader'] }, noUser]) {
        const token = await jwks.sign(claims);
        for (const url of ROUTES) {
          const res = await h.get(url, token);
          expect(res.statusCode, url).toBe(403);
          expect(json(res)).toMatchObject({
            code: 900150,
            description: expect.stringMatching(/application credentials/),
          });
        }
      }
    });

    it('every kind of bad token gets 401 with invalid_token and a description of what failed', async () => {
      const publicPem = await exportSPKI(jwks.current().pair.publicKey);
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const hs256WithPublicKey = (() => {
        const head = b64({ alg: 'HS256', kid: jwks.current().kid, typ: 'JWT' });
        const body = b64(userClaims(PARTNER_A));
        const sig = createHmac('sha256', publicPem).update(`${head}.${body}`).digest('base64url');
        return `${head}.${body}.${sig}`;
      })();
      const valid = await jwks.sign(userClaims(PARTNER_A));
      const [vh, vb] = valid.split('.');
      const strangerKey = await (await startJwksServer()).rotate();
      const { tid: _tid, ...noTid } = userClaims(PARTNER_A);
      const cases: [string, string | Promise<string>, RegExp][] = [
        [
          'expired',
          jwks.sign(userClaims(PARTNER_A, { exp: now() - 600, iat: now() - 4000, nbf: now() - 4000 })),
          /expired/,
        ],
        ['not yet valid', jwks.sign(userClaims(PARTNER_A, { nbf: now() + 600 })), /not valid yet/],
        ['wrong issuer', jwks.sign(userClaims(PARTNER_A, { iss: 'https://evil.example/v2.0' })), /issuer/],
        [
          'issuer of another tenant',
          jwks.sign(
            userClaims(PARTNER_A, {
              iss: `https://login.microsoftonline.com/${PARTNER_B.toLowerCase()}/v2.0`,
            }),
          ),
          /issuer/,
        ],
        [
          'wrong audience',
          jwks.sign(userClaims(PARTNER_A, { aud: 'https://graph.microsoft.com' })),
          /audience/,
        ],
        ['unknown kid', jwks.sign(userClaims(PARTNER_A), { key: strangerKey }), /unknown key/],
        ['bad signature', `${vh}.${vb}.${Buffer.from('x'.repeat(256)).toString('base64url')}`, /signature/],
        ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${vb}.`, /algorithm/],
        ['HS256 signed with the public key', hs256WithPublicKey, /algorithm/],
        [
          'missing tid',
          jwks.sign({ ...noTid, iss: 'https://login.microsoftonline.com/{tid}/v2.0' }),
          /issuer|tenant/,
        ],
      ];
      for (const [name, tokenPromise, description] of cases) {
        const token = await tokenPromise;
        for (const url of ROUTES) {
          const res = await h.get(url, token);
          expect(res.statusCode, `${name} ${url}`).toBe(401);
          expect(json(res), name).toMatchObject({
            code: 800001,
            description: expect.stringMatching(description),
          });
          const challenge = String(res.headers['www-authenticate']);
          expect(challenge, name).toMatch(/^Bearer error="invalid_token", error_description="[^"]+"$/);
          expect(res.body + challenge).not.toContain(token);
        }
      }
    });

    it('the local issuer is off when an external issuer is configured', async () => {
      const local = await h.token(PARTNER_A);
      const res = await h.get(E5, local);
      expect(res.statusCode).toBe(401);
      expect(json(res).description).toMatch(/issuer/);
    });
  });

  describe('key rotation', () => {
    it('a token signed with a newly published key is accepted without a restart', async () => {
      const h = await loaded({ refetchFloorMs: 100 });
      try {
        expect((await h.get(E5, await jwks.sign(userClaims(PARTNER_A)))).statusCode).toBe(200);
        const rotated = await jwks.rotate({ dropOld: true });
        await new Promise((r) => setTimeout(r, 150));
        const res = await h.get(E5, await jwks.sign(userClaims(PARTNER_A), { key: rotated }));
        expect(res.statusCode, res.body).toBe(200);
      } finally {
        await h.close();
      }
    });

    it('unknown kids cannot make the service hammer the JWKS: at most one fetch per refetch floor', async () => {
      const h = await loaded({ refetchFloorMs: 60_000 });
      try {
        expect((await h.get(E5, await jwks.sign(userClaims(PARTNER_A)))).statusCode).toBe(200);
        const before = jwks.fetches();
        const stranger = await (await startJwksServer()).rotate();
        for (let i = 0; i < 25; i++) {
          const res = await h.get(E5, await jwks.sign(userClaims(PARTNER_A), { key: stranger }));
          expect(res.statusCode).toBe(401);
        }
        expect(jwks.fetches() - before).toBeLessThanOrEqual(1);
      } finally {
        await h.close();
      }
    });
  });

  describe('roles', () => {
    it('--allowed-roles admits users by roles, wids or groups and refuses others with 403 900150', async () => {
      const adminAgentWid = '62e90394-69f5-4237-9190-012177145e10';
      const h = await loaded({
        allowedRoles: ['AdminAgents', adminAgentWid, 'a0b1c2d3-0000-4000-8000-00000000beef'],
      });
      try {
        for (const extra of [
          { roles: ['adminagents'] },
          { wids: [adminAgentWid] },
          { groups: ['A0B1C2D3-0000-4000-8000-00000000BEEF'] },
        ]) {
          const res = await h.get(E5, await jwks.sign(userClaims(PARTNER_A, extra)));
          expect(res.statusCode, JSON.stringify(extra)).toBe(200);
        }
        for (const extra of [
          {},
          { roles: ['SalesAgents'] },
          { wids: ['00000000-0000-0000-0000-000000000000'] },
        ]) {
          for (const url of ROUTES) {
            const res = await h.get(url, await jwks.sign(userClaims(PARTNER_A, extra)));
            expect(res.statusCode).toBe(403);
            expect(json(res)).toMatchObject({ code: 900150, description: expect.stringMatching(/role/) });
          }
        }
      } finally {
        await h.close();
      }
    });
  });

  describe('throttling', () => {
    it('429 with Retry-After and the gateway body over the per-partner limit; other partners unaffected', async () => {
      let clock = 0;
      const h = await loaded({
        limiter: new RateLimiter({ limit: 3, periodSeconds: 60 }, { now: () => clock }),
      });
      try {
        const tokenA = await jwks.sign(userClaims(PARTNER_A));
        const tokenB = await jwks.sign(userClaims(PARTNER_B));
        for (let i = 0; i < 3; i++) expect((await h.get(ROUTES[i % 3]!, tokenA)).statusCode).toBe(200);
        const limited = await h.get(E5, tokenA);
        expect(limited.statusCode).toBe(429);
        expect(limited.headers['retry-after']).toBe('20');
        expect(JSON.parse(limited.body)).toEqual({
          statusCode: 429,
          message: 'Rate limit is exceeded. Try again in 20 seconds.',
        });
        expect(limited.headers['ms-requestid']).toBeTruthy();
        expect((await h.get(E5, tokenB)).statusCode).toBe(200);
        clock += 20_000;
        expect((await h.get(E5, tokenA)).statusCode).toBe(200);
        expect((await h.get(E5, tokenA)).statusCode).toBe(429);
      } finally {
        await h.close();
      }
    });

    it('requests without a valid token are limited per client address and never use up a partner', async () => {
      const h = await loaded({ limiter: new RateLimiter({ limit: 2, periodSeconds: 60 }, { now: () => 0 }) });
      try {
        const from = (ip: string, authorization?: string) =>
          h.app.inject({
            url: E5,
            headers: { 'x-forwarded-for': ip, ...(authorization ? { authorization } : {}) },
          });
        expect((await from('192.0.2.7')).statusCode).toBe(401);
        expect((await from('192.0.2.7', 'Bearer garbage')).statusCode).toBe(401);
        const limited = await from('192.0.2.7');
        expect(limited.statusCode).toBe(429);
        expect(Number(limited.headers['retry-after'])).toBe(30);
        expect((await from('192.0.2.8')).statusCode).toBe(401);
        const valid = `Bearer ${await jwks.sign(userClaims(PARTNER_A))}`;
        expect((await from('192.0.2.7', valid)).statusCode).toBe(200);
      } finally {
        await h.close();
      }
    });
  });
});
