/**
 * The "secure application model" with Microsoft's own library (@azure/msal-node): `login` signs a
 * partner user in once with the device-code flow (any multi-factor sign-in happens in the browser)
 * and stores the account's token cache, the refresh token, in a file only its owner can read
 * (credentials-file.ts); `storedSignInTokenSource` then obtains App+User access tokens for Partner
 * Center unattended from that refresh token, as the public client that signed in or as a
 * confidential one (a client secret or a certificate), and stores the rotated refresh token after
 * every use. Errors say what to do; no token, code or secret is ever printed or logged.
 *
 * Only this folder imports @azure/msal-node (.dependency-cruiser.cjs), and the CLI loads it with a
 * dynamic import, so `seatwise --help` and `token` never load it.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  type AccountInfo,
  type AuthenticationResult,
  ConfidentialClientApplication,
  type Configuration,
  type ICachePlugin,
  LogLevel,
  PublicClientApplication,
  type TokenCacheContext,
} from '@azure/msal-node';
import { jwtExpiry, type TokenSource } from '../collect/token-source.ts';
import {
  CredentialsError,
  readStoredSignIn,
  type StoredSignIn,
  writeStoredSignIn,
} from './credentials-file.ts';
import { type SignInNetwork, signInNetwork } from './network.ts';

/** The delegated permission Partner Center's API defines; MSAL adds openid, profile, offline_access. */
export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';
export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** How the process reaches the authority: extra CAs and the slow_down step (tests shorten it). */
export interface ConnectionOptions {
  readonly ca?: string;
  readonly slowDownStepMs?: number;
  readonly timeoutMs?: number;
}

export interface DeviceCodePrompt {
  readonly verificationUri: string;
  readonly userCode: string;
  readonly expiresInSeconds: number;
  /** The authority's own instruction, e.g. "To sign in, use a web browser to open …". */
  readonly message: string;
}

export interface LoginOptions extends ConnectionOptions {
  /** The partner tenant: its id (GUID) or a domain such as contoso.onmicrosoft.com. */
  readonly tenant: string;
  readonly clientId: string;
  /** Default https://login.microsoftonline.com. */
  readonly authority?: string;
  readonly credentialsFile: string;
  /** Called once the code is there: show it to the user. */
  readonly onCode: (prompt: DeviceCodePrompt) => void;
}

export interface LoginResult {
  readonly username: string;
  readonly tenantId: string;
  readonly file: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The device-code sign-in; on success the sign-in is stored (mode 0600), replacing any earlier one. */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const authority = checkedAuthority(options.authority ?? DEFAULT_AUTHORITY);
  const tenant = checkedTenant(options.tenant);
  if (options.clientId.trim() === '') throw new SignInError('--client-id is empty');
  const network = signInNetwork(options);
  const context: ErrorContext = { tenant, clientId: options.clientId, authority, phase: 'login' };
  const app = new PublicClientApplication(msalConfig(authority, tenant, options.clientId, network));
  let result: AuthenticationResult | null;
  try {
    result = await app.acquireTokenByDeviceCode({
      scopes: [PARTNER_CENTER_SCOPE],
      deviceCodeCallback: (r) =>
        options.onCode({
          verificationUri: r.verificationUri,
          userCode: r.userCode,
          expiresInSeconds: r.expiresIn,
          message: r.message,
        }),
    });
  } catch (err) {
    throw explain(err, network, context);
  }
  if (result === null || result.account === null) throw new SignInError('the sign-in returned no account');
  const account = result.account;
  if (GUID.test(tenant) && account.tenantId.toLowerCase() !== tenant.toLowerCase())
    throw new SignInError(
      `${account.username} signed in to tenant ${account.tenantId}, not to ${tenant}: ` +
        'sign in with an account of the partner tenant (nothing was stored)',
    );
  await writeStoredSignIn(options.credentialsFile, {
    version: 1,
    authority,
    tenant,
    tenantId: account.tenantId,
    clientId: options.clientId,
    homeAccountId: account.homeAccountId,
    username: account.username,
    scopes: [PARTNER_CENTER_SCOPE],
    signedInAt: new Date().toISOString(),
    cache: app.getTokenCache().serialize(),
  });
  return { username: account.username, tenantId: account.tenantId, file: options.credentialsFile };
}

/** The secret or certificate of a confidential app; without one, the public client redeems. */
export type ClientCredential =
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'certificate'; readonly pem: string };

export interface StoredSignInOptions extends ConnectionOptions {
  readonly credentialsFile: string;
  readonly credential?: ClientCredential;
  /** Least remaining lifetime of an access token before a new one is obtained (default 60 s). */
  readonly refreshBeforeMs?: number;
}

/** What a stored sign-in says about itself (no secret). */
export interface SignInStatus {
  readonly username: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly authority: string;
}

/**
 * Access tokens from the stored sign-in, as `collect`'s token source: one shared redemption at a
 * time, a new token shortly before `exp` and after a 401. The file is read before and written after
 * each redemption, so a refresh token rotated by another run is picked up and the new one kept.
 */
export async function storedSignInTokenSource(
  options: StoredSignInOptions,
): Promise<TokenSource & { readonly status: SignInStatus }> {
  const file = options.credentialsFile;
  const stored = await readRequired(file);
  const network = signInNetwork(options);
  const context: ErrorContext = {
    tenant: stored.tenant,
    clientId: stored.clientId,
    authority: stored.authority,
    phase: 'use',
  };
  let latest: StoredSignIn = stored;
  const plugin: ICachePlugin = {
    beforeCacheAccess: async (ctx: TokenCacheContext) => {
      latest = await readRequired(file);
      ctx.tokenCache.deserialize(latest.cache);
    },
    afterCacheAccess: async (ctx: TokenCacheContext) => {
      if (!ctx.cacheHasChanged) return;
      latest = { ...latest, cache: ctx.tokenCache.serialize() };
      await writeStoredSignIn(file, latest);
    },
  };
  const base = msalConfig(stored.authority, stored.tenant, stored.clientId, network);
  const config: Configuration = { ...base, cache: { cachePlugin: plugin } };
  const app =
    options.credential === undefined
      ? new PublicClientApplication(config)
      : new ConfidentialClientApplication({
          ...config,
          auth: { ...config.auth, ...(await confidentialAuth(options.credential)) },
        });
  const refreshBefore = options.refreshBeforeMs ?? 60_000;
  let current: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function redeem(force: boolean): Promise<string> {
    let account: AccountInfo | null;
    let result: AuthenticationResult;
    network.reset();
    try {
      account = await app.getTokenCache().getAccountByHomeId(stored.homeAccountId);
      if (account === null)
        throw new SignInError(`${file} holds no signed-in account: run \`seatwise login\` again`);
      result = await app.acquireTokenSilent({ account, scopes: [...stored.scopes], forceRefresh: force });
    } catch (err) {
      throw explain(err, network, context);
    }
    const expiresAt = result.expiresOn?.getTime() ?? jwtExpiry(result.accessToken) ?? Date.now() + 300_000;
    current = { token: result.accessToken, expiresAt };
    return result.accessToken;
  }

  return {
    refreshable: true,
    status: {
      username: stored.username,
      tenantId: stored.tenantId,
      clientId: stored.clientId,
      authority: stored.authority,
    },
    get: async ({ rejected } = {}) => {
      if (pending !== undefined) return pending;
      if (
        current !== undefined &&
        current.token !== rejected &&
        current.expiresAt - Date.now() > refreshBefore
      )
        return current.token;
      const force = rejected !== undefined && current?.token === rejected;
      pending = redeem(force).finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}

async function readRequired(file: string): Promise<StoredSignIn> {
  let stored: StoredSignIn | undefined;
  try {
    stored = await readStoredSignIn(file);
  } catch (err) {
    if (err instanceof CredentialsError) throw new SignInError(err.message);
    throw err;
  }
  if (stored === undefined)
    throw new SignInError(
      `no stored sign-in at ${file}: run \`seatwise login --tenant <tenant> --client-id <app id>\` first`,
    );
  return stored;
}

async function confidentialAuth(
  credential: ClientCredential,
): Promise<Pick<NonNullable<Configuration['auth']>, 'clientSecret' | 'clientCertificate'>> {
  if (credential.kind === 'secret') {
    if (credential.secret.trim() === '') throw new SignInError('the client secret is empty');
    return { clientSecret: credential.secret.trim() };
  }
  const certs = credential.pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const key = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(
    credential.pem,
  )?.[0];
  if (certs.length === 0 || key === undefined)
    throw new SignInError(
      'the certificate file must hold the private key (unencrypted PEM) and the certificate (PEM)',
    );
  let thumbprintSha256: string;
  try {
    thumbprintSha256 = new X509Certificate(certs[0]!).fingerprint256.replace(/:/g, '');
  } catch {
    throw new SignInError('the certificate file holds no readable certificate');
  }
  return { clientCertificate: { thumbprintSha256, privateKey: key, x5c: certs.join('\n') } };
}

/** Reads a PEM file for `ClientCredential`. */
export async function readCertificateFile(file: string): Promise<ClientCredential> {
  try {
    return { kind: 'certificate', pem: await readFile(file, 'utf8') };
  } catch (err) {
    throw new SignInError(`cannot read the certificate file ${file}: ${(err as NodeJS.ErrnoException).code}`);
  }
}

function msalConfig(
  authority: string,
  tenant: string,
  clientId: string,
  network: SignInNetwork,
): Configuration {
  return {
    auth: {
      clientId,
      authority: `${authority}/${encodeURIComponent(tenant)}`,
      // The authority is trusted as given (also a private or test one): no instance discovery call.
      knownAuthorities: [new URL(authority).host],
    },
    system: {
      networkClient: network,
      loggerOptions: { loggerCallback: () => {}, piiLoggingEnabled: false, logLevel: LogLevel.Error },
    },
  };
}

function checkedAuthority(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SignInError(`--authority must be an https URL, got '${text}'`);
  }
  if (url.protocol !== 'https:' || url.search !== '' || url.hash !== '')
    throw new SignInError(`--authority must be an https URL without a query, got '${text}'`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function checkedTenant(text: string): string {
  const t = text.trim();
  if (!GUID.test(t) && !/^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i.test(t))
    throw new SignInError(
      `--tenant must be the partner tenant's id (a GUID) or a domain such as contoso.onmicrosoft.com, got '${text}'`,
    );
  return t;
}

interface ErrorContext {
  readonly tenant: string;
  readonly clientId: string;
  readonly authority: string;
  readonly phase: 'login' | 'use';
}

const AGAIN = 'run `seatwise login` again';

/** What went wrong, in the partner's terms, with what to do; never a token or a secret. */
export function explain(err: unknown, network: SignInNetwork, ctx: ErrorContext): SignInError {
  if (err instanceof SignInError) return err;
  const e = (err ?? {}) as {
    errorCode?: unknown;
    errorMessage?: unknown;
    errorNo?: unknown;
    message?: unknown;
  };
  const errorCode = typeof e.errorCode === 'string' ? e.errorCode : '';
  const text = `${errorCode} ${typeof e.errorMessage === 'string' ? e.errorMessage : ''}`;
  const info = network.lastError();
  const code = Number(e.errorNo ?? info?.codes[0] ?? Number.NaN);
  const aadsts = Number.isFinite(code) ? ` (AADSTS${code})` : '';
  const app = `the app ${ctx.clientId}`;

  if (
    errorCode === 'device_code_expired' ||
    /\bexpired_token\b/.test(text) ||
    info?.error === 'expired_token'
  )
    return new SignInError(
      'the code was not entered in time and has expired: run `seatwise login` again and finish signing in before it expires',
    );
  if (/\baccess_denied\b/.test(text) || info?.error === 'access_denied')
    return new SignInError(
      `the sign-in was declined on the device-code page: ${AGAIN} and accept the permissions requested`,
    );
  switch (code) {
    case 65001:
    case 65004:
    case 65005:
      return new SignInError(
        `${app} has no consent to call Partner Center in tenant ${ctx.tenant}${aadsts}: an administrator of the partner ` +
          'tenant must grant admin consent to its API permission "Microsoft Partner Center: user_impersonation" ' +
          `(Entra admin center > App registrations > API permissions > Grant admin consent), then ${AGAIN}`,
      );
    case 50076:
    case 50074:
    case 50072:
    case 50079:
    case 50158:
      return new SignInError(
        `multi-factor sign-in is required${aadsts}` +
          (code === 50079 || code === 50072 ? ', and the user must first register a method' : '') +
          (ctx.phase === 'use'
            ? `: the stored sign-in does not satisfy it; ${AGAIN} and complete the multi-factor prompt in the browser`
            : `: ${AGAIN} and complete the multi-factor prompt in the browser`),
      );
    case 700082:
    case 70008:
    case 50173:
    case 70043:
    case 700084:
    case 50133:
    case 9002313:
    case 70000:
      return new SignInError(
        `the stored sign-in has expired or was revoked${aadsts}: ${AGAIN} (refresh tokens end after 90 days unused, ` +
          'after a password reset, or when an administrator revokes sessions)',
      );
    case 90002:
    case 90023:
      return new SignInError(
        `tenant '${ctx.tenant}' was not found at ${ctx.authority}${aadsts}: check --tenant (the partner tenant's id or a verified domain such as contoso.onmicrosoft.com)`,
      );
    case 700016:
      return new SignInError(
        `${app} was not found in tenant ${ctx.tenant}${aadsts}: check --client-id and --tenant; a multi-tenant app must be consented to in the partner tenant, a single-tenant app used with the tenant it is registered in`,
      );
    case 50020:
    case 50034:
    case 500200:
      return new SignInError(
        `the account is not a user of tenant ${ctx.tenant}${aadsts}: sign in with an account of the partner tenant`,
      );
    case 7000215:
    case 7000222:
    case 7000216:
      return new SignInError(
        `the client secret was refused${aadsts}: check --client-secret-env (the secret's value, not its id; expired secrets must be replaced in the app registration)`,
      );
    case 700027:
    case 700023:
    case 7000274:
      return new SignInError(
        `the client certificate was refused${aadsts}: upload its public certificate to the app registration (Certificates & secrets) and check --client-certificate`,
      );
    case 700025:
      return new SignInError(
        `${app} is a public client${aadsts}: redeem without --client-secret-env or --client-certificate, or turn off "Allow public client flows" once a secret or certificate is configured`,
      );
    case 7000218:
      return new SignInError(
        `${app} is a confidential client${aadsts}: give its secret with --client-secret-env or its certificate with --client-certificate (or enable "Allow public client flows" for device-code sign-in)`,
      );
  }
  if (
    errorCode === 'no_tokens_found' ||
    errorCode === 'no_account_in_silent_request' ||
    errorCode === 'invalid_grant'
  )
    return new SignInError(`the stored sign-in holds no usable refresh token${aadsts}: ${AGAIN}`);
  const failure = network.lastFailure();
  if (info === undefined && failure !== undefined) {
    const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(failure.reason);
    return new SignInError(
      `could not reach ${failure.url}: ${failure.reason}` +
        (tls
          ? ' (a certificate the system does not trust: add its CA with NODE_EXTRA_CA_CERTS=<pem file>)'
          : ''),
    );
  }
  if (info !== undefined)
    return new SignInError(
      `the sign-in failed: ${info.error}${aadsts}${info.description === '' ? '' : `: ${redact(info.description)}`}`,
    );
  const message = typeof e.message === 'string' ? e.message : String(err);
  return new SignInError(
    `the sign-in failed: ${redact(errorCode === '' ? message : `${errorCode}: ${message}`)}`,
  );
}

/** Anything that could be a token (long base64url runs) is cut out of a message. */
function redact(text: string): string {
  return text.replace(/[A-Za-z0-9_\-.~+/=]{40,}/g, '[redacted]').slice(0, 500);
}
