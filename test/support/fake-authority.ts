/**
 * A scriptable fake of the Microsoft identity platform (Entra ID v2.0 endpoints) on a real HTTPS
 * listener on 127.0.0.1, port 0, with a certificate from a test CA (test/support/test-ca.ts): the
 * OpenID metadata, the device-code endpoint and the token endpoint (device_code and refresh_token
 * grants), answering like the real service, AADSTS codes included.
 *
 * Device-code polls follow a script (`authorization_pending`, `slow_down`, `expired_token`,
 * `access_denied`, an AADSTS error, or approval); refresh tokens rotate on every use (the old one
 * stops working, so a client must keep the new one) and can be revoked. Access tokens are opaque
 * JWT-shaped strings; `accepts(token)` tells a fake Partner Center which ones this fake issued.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';

/** An error answer of the token endpoint. */
export interface AadError {
  readonly error: string;
  /** The AADSTS number, e.g. 65001. */
  readonly code: number;
  readonly description: string;
  readonly suberror?: string;
  /** HTTP status, default 400. */
  readonly status?: number;
}

/** Errors as Entra ID sends them (descriptions shortened). */
export const AADSTS = Object.freeze({
  consentMissing: {
    error: 'invalid_grant',
    code: 65001,
    suberror: 'consent_required',
    description:
      "AADSTS65001: The user or administrator has not consented to use the application with ID '{client}' named 'Seatwise'. Send an interactive authorization request for this user and resource.",
  },
  mfaRequired: {
    error: 'invalid_grant',
    code: 50076,
    suberror: 'basic_action',
    description:
      "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'.",
  },
  mfaEnrollment: {
    error: 'invalid_grant',
    code: 50079,
    suberror: 'basic_action',
    description:
      'AADSTS50079: Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication.',
  },
  refreshExpired: {
    error: 'invalid_grant',
    code: 700082,
    description:
      'AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2025-01-01T00:00:00Z and was inactive for 90.00:00:00.',
  },
  revoked: {
    error: 'invalid_grant',
    code: 50173,
    description:
      "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '2026-01-01T00:00:00Z' and the TokensValidFrom date (before which tokens are not valid) for this user is '2026-01-02T00:00:00Z'.",
  },
  badSecret: {
    error: 'invalid_client',
    code: 7000215,
    status: 401,
    description:
      'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
  },
} satisfies Record<string, AadError>);

export type DevicePoll =
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'access_denied'
  | 'approve'
  | AadError;

export interface FakeAuthorityRequest {
  readonly path: string;
  /** `openid-configuration`, `devicecode`, `token`, or `other`. */
  readonly kind: string;
  readonly grantType?: string;
  /** How a token request authenticated the client. */
  readonly clientAuth?: 'none' | 'secret' | 'assertion';
  /** The error answered, if any (`authorization_pending`, `invalid_grant`, …). */
  error?: string;
  /** Milliseconds since the fake started. */
  readonly at: number;
}

export interface FakeAuthorityOptions {
  readonly tls: { readonly cert: string; readonly key: string };
  /** The partner tenant (a GUID) and its domain. */
  readonly tenantId: string;
  readonly domain: string;
  /** The registered application; other client ids are not found in the tenant (AADSTS700016). */
  readonly clientId: string;
  /** The application's secret; a refresh with another secret gets AADSTS7000215. */
  readonly clientSecret?: string;
  readonly user?: { readonly oid: string; readonly upn: string; readonly name: string };
  /**
   * Lifetime of access tokens (s). Default 120: under MSAL's 5-minute margin, so every new client
   * redeems the refresh token, and over the 60 s a token source keeps a token before replacing it.
   */
  readonly accessTokenSeconds?: number;
  /** The `interval` of a device-code answer (s). Default 0.05. */
  readonly pollIntervalSeconds?: number;
}

export interface FakeAuthority {
  /** `https://127.0.0.1:<port>`: pass as `--authority`. */
  readonly url: string;
  readonly requests: readonly FakeAuthorityRequest[];
  /** Answers to the next device-code polls, in order; once used up, polls are approved. */
  readonly devicePolls: DevicePoll[];
  /** Answers to the next refresh-token redemptions, in order, instead of new tokens. */
  readonly refreshErrors: AadError[];
  /** Every refresh token issued, oldest first. */
  readonly refreshTokens: readonly string[];
  /** Every access token issued, oldest first. */
  readonly accessTokens: readonly string[];
  /** Whether `token` is an access token this fake issued, unexpired. */
  accepts(token: string): boolean;
  /** Revokes every refresh token issued so far (a password reset, an admin's revocation). */
  revokeAll(): void;
  close(): Promise<void>;
}

export async function startFakeAuthority(options: FakeAuthorityOptions): Promise<FakeAuthority> {
  const started = performance.now();
  const user = options.user ?? {
    oid: '0b5e0000-0000-4000-8000-00000000a11c',
    upn: 'alice@contoso.example',
    name: 'Alice Admin',
  };
  const requests: FakeAuthorityRequest[] = [];
  const devicePolls: DevicePoll[] = [];
  const refreshErrors: AadError[] = [];
  const refreshTokens: string[] = [];
  const accessTokens: string[] = [];
  // Refresh token -> still redeemable (a rotated or revoked one is not).
  const liveRefresh = new Map<string, 'live' | 'rotated' | 'revoked'>();
  const accessExpiry = new Map<string, number>();
  const deviceCodes = new Map<string, { expiresAt: number }>();
  let url = '';

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    void handle(req, res).catch((err: unknown) =>
      json(res, 500, { error: 'server_error', message: String(err) }),
    );
  });

  const knownTenant = (t: string) =>
    [options.tenantId.toLowerCase(), options.domain.toLowerCase(), 'organizations', 'common'].includes(
      t.toLowerCase(),
    );

  function aadError(res: ServerResponse, entry: { error?: string }, e: AadError, tenant = ''): void {
    entry.error = e.error;
    const description = e.description
      .replace('{client}', options.clientId)
      .replace('{resource}', PARTNER_CENTER_SCOPE)
      .replace('{tenant}', tenant);
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
    json(res, e.status ?? 400, {
      error: e.error,
      error_description: `${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [e.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${url}/error?code=${e.code}`,
      ...(e.suberror === undefined ? {} : { suberror: e.suberror }),
    });
  }

  /** RFC 8628 errors of the token endpoint while polling: no AADSTS code needed by clients. */
  function pollError(res: ServerResponse, entry: { error?: string }, error: string): void {
    const codes: Record<string, number> = {
      authorization_pending: 70016,
      slow_down: 70016,
      expired_token: 70020,
      access_denied: 70017,
    };
    const text: Record<string, string> = {
      authorization_pending: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
      slow_down: 'OAuth 2.0 device flow error. Polling too fast. Slow down.',
      expired_token: 'The provided value for the input parameter device_code is not valid: it has expired.',
      access_denied: 'The user has declined to authorize the application.',
    };
    aadError(res, entry, {
      error,
      code: codes[error] ?? 70000,
      description: `AADSTS${codes[error]}: ${text[error]}`,
    });
  }

  function issueTokens(clientId: string): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const lifetime = options.accessTokenSeconds ?? 120;
    const accessToken = [
      b64({ typ: 'JWT', alg: 'RS256', kid: 'fake' }),
      b64({
        aud: 'https://api.partnercenter.microsoft.com',
        iss: `https://sts.windows.net/${options.tenantId}/`,
        iat: now,
        nbf: now,
        exp: now + lifetime,
        appid: clientId,
        oid: user.oid,
        upn: user.upn,
        scp: 'user_impersonation',
        tid: options.tenantId,
        n: accessTokens.length,
      }),
      randomBytes(32).toString('base64url'),
    ].join('.');
    accessTokens.push(accessToken);
    accessExpiry.set(accessToken, (now + lifetime) * 1000);
    const refreshToken = `1.FAKE-RT.${randomBytes(48).toString('base64url')}`;
    refreshTokens.push(refreshToken);
    liveRefresh.set(refreshToken, 'live');
    const idToken = [
      b64({ typ: 'JWT', alg: 'RS256', kid: 'fake' }),
      b64({
        aud: clientId,
        iss: `${url}/${options.tenantId}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        name: user.name,
        oid: user.oid,
        preferred_username: user.upn,
        sub: `sub-${user.oid}`,
        tid: options.tenantId,
        ver: '2.0',
      }),
      randomBytes(32).toString('base64url'),
    ].join('.');
    return {
      token_type: 'Bearer',
      scope: `${PARTNER_CENTER_SCOPE}`,
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: Buffer.from(JSON.stringify({ uid: user.oid, utid: options.tenantId })).toString(
        'base64url',
      ),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'https://fake');
    const body = new URLSearchParams(await readBody(req));
    const m =
      /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/devicecode|oauth2\/v2\.0\/token)$/.exec(
        u.pathname,
      );
    const tenant = m?.[1] ? decodeURIComponent(m[1]) : '';
    const kind = m?.[2]?.endsWith('openid-configuration')
      ? 'openid-configuration'
      : m?.[2]?.endsWith('devicecode')
        ? 'devicecode'
        : m?.[2]?.endsWith('token')
          ? 'token'
          : 'other';
    const grantType = body.get('grant_type') ?? undefined;
    const clientAuth: FakeAuthorityRequest['clientAuth'] = body.has('client_secret')
      ? 'secret'
      : body.has('client_assertion')
        ? 'assertion'
        : 'none';
    const entry: FakeAuthorityRequest = {
      path: u.pathname,
      kind,
      ...(grantType === undefined ? {} : { grantType }),
      ...(kind === 'token' ? { clientAuth } : {}),
      at: performance.now() - started,
    };
    requests.push(entry);

    if (kind === 'other') {
      json(res, 404, { error: 'not_found' });
      return;
    }
    if (!knownTenant(tenant)) {
      aadError(
        res,
        entry,
        {
          error: 'invalid_tenant',
          code: 90002,
          description: `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        },
        tenant,
      );
      return;
    }
    if (kind === 'openid-configuration') {
      const base = `${url}/${options.tenantId}`;
      json(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${url}/${options.tenantId}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${url}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid', 'preferred_username', 'name'],
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
      });
      return;
    }
    const clientId = body.get('client_id') ?? '';
    if (clientId !== options.clientId) {
      aadError(res, entry, {
        error: kind === 'devicecode' ? 'unauthorized_client' : 'invalid_client',
        code: 700016,
        description: `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${options.domain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      });
      return;
    }
    if (kind === 'devicecode') {
      const deviceCode = `DC.${randomBytes(24).toString('base64url')}`;
      const userCode = randomBytes(5).toString('hex').toUpperCase().slice(0, 9);
      const expiresIn = 900;
      deviceCodes.set(deviceCode, { expiresAt: Date.now() + expiresIn * 1000 });
      json(res, 200, {
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: `${url}/devicelogin`,
        expires_in: expiresIn,
        interval: options.pollIntervalSeconds ?? 0.05,
        message: `To sign in, use a web browser to open the page ${url}/devicelogin and enter the code ${userCode} to authenticate.`,
      });
      return;
    }
    // The token endpoint.
    if (clientAuth === 'secret' && body.get('client_secret') !== options.clientSecret) {
      aadError(res, entry, AADSTS.badSecret);
      return;
    }
    // MSAL sends `device_code`; RFC 8628 names it with the URN. Entra ID takes both.
    if (grantType === 'device_code' || grantType === 'urn:ietf:params:oauth:grant-type:device_code') {
      const code = deviceCodes.get(body.get('device_code') ?? '');
      if (code === undefined) {
        pollError(res, entry, 'expired_token');
        return;
      }
      const next = devicePolls.shift() ?? 'approve';
      if (next === 'approve') {
        deviceCodes.delete(body.get('device_code') ?? '');
        json(res, 200, issueTokens(clientId));
      } else if (typeof next === 'string') pollError(res, entry, next);
      else aadError(res, entry, next);
      return;
    }
    if (grantType === 'refresh_token') {
      const scripted = refreshErrors.shift();
      if (scripted !== undefined) {
        aadError(res, entry, scripted);
        return;
      }
      const presented = body.get('refresh_token') ?? '';
      const state = liveRefresh.get(presented);
      if (state === 'revoked') {
        aadError(res, entry, AADSTS.revoked);
        return;
      }
      if (state !== 'live') {
        aadError(res, entry, {
          error: 'invalid_grant',
          code: 9002313,
          description:
            'AADSTS9002313: Invalid request. Request is malformed or invalid: the refresh token is not valid.',
        });
        return;
      }
      liveRefresh.set(presented, 'rotated');
      json(res, 200, issueTokens(clientId));
      return;
    }
    aadError(res, entry, {
      error: 'unsupported_grant_type',
      code: 70003,
      description: `AADSTS70003: The app requested an unsupported grant type '${grantType ?? ''}'.`,
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    devicePolls,
    refreshErrors,
    refreshTokens,
    accessTokens,
    accepts: (token) => (accessExpiry.get(token) ?? 0) > Date.now(),
    revokeAll: () => {
      for (const t of liveRefresh.keys()) liveRefresh.set(t, 'revoked');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
