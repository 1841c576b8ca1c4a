/**
 * The local token issuer used for development and demos: an ES256 key pair kept in a JSON file
 * beside a DuckDB database (mode 0600), or in the PostgreSQL database itself so that every instance
 * on it signs and verifies with the same key; tokens shaped like Entra v2 delegated tokens.
 */
import { randomUUID, type webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { PARTNER_CENTER_AUDIENCE } from './principal.ts';

type CryptoKey = webcrypto.CryptoKey;

export const LOCAL_ISSUER = 'urn:seatwise:local-issuer';
const ALG = 'ES256';

export interface LocalIssuerKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

interface KeyFile {
  readonly kid: string;
  readonly alg: string;
  readonly privateJwk: JWK;
}

/** Where the issuer key of a database lives: beside it, same base name. */
export function keyPathFor(dbPath: string): string {
  return `${dbPath}.key.json`;
}

/**
 * Loads the issuer key, creating it on first use. The file is written with mode 0600 and
 * exclusively (`wx`), so two processes starting together cannot each write a different key.
 */
export async function loadOrCreateIssuerKey(path: string): Promise<LocalIssuerKey> {
  try {
    return await readKeyFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeFile(path, await newKeyText(), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readKeyFile(path);
}

/**
 * The issuer key kept by a store: `keep` stores the candidate it is given when the store holds no
 * key yet and returns the key the store holds, so concurrent first uses agree on one key.
 */
export async function issuerKeyKeptBy(
  keep: (candidate: string) => Promise<string>,
  where: string,
): Promise<LocalIssuerKey> {
  return parseKeyText(await keep(await newKeyText()), where);
}

async function newKeyText(): Promise<string> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const file: KeyFile = { kid: randomUUID(), alg: ALG, privateJwk };
  return `${JSON.stringify(file, null, 2)}\n`;
}

async function readKeyFile(path: string): Promise<LocalIssuerKey> {
  const text = await readFile(path, 'utf8');
  const mode = (await stat(path)).mode & 0o777;
  // A private key readable by others is a leak waiting to happen; tighten it rather than refuse.
  if (mode & 0o077) await chmod(path, 0o600);
  return parseKeyText(text, path);
}

async function parseKeyText(text: string, where: string): Promise<LocalIssuerKey> {
  let file: KeyFile;
  try {
    file = JSON.parse(text) as KeyFile;
  } catch {
    throw new Error(`${where} holds no Seatwise issuer key (not JSON)`);
  }
  if (typeof file.kid !== 'string' || file.alg !== ALG || typeof file.privateJwk !== 'object') {
    throw new Error(`${where} holds no Seatwise issuer key`);
  }
  const privateKey = (await importJWK({ ...file.privateJwk, alg: ALG }, ALG, {
    extractable: false,
  })) as CryptoKey;
  const { d: _d, ...publicJwk } = file.privateJwk;
  const publicKey = (await importJWK({ ...publicJwk, alg: ALG }, ALG)) as CryptoKey;
  return { kid: file.kid, privateKey, publicKey };
}

export interface LocalTokenOptions {
  /** Partner tenant id (GUID). */
  readonly partnerId: string;
  readonly user?: string;
  readonly roles?: readonly string[];
  readonly appOnly?: boolean;
  readonly expiresInSeconds: number;
  readonly audience?: string;
  readonly now?: Date;
}

/** Signs a token shaped like an Entra v2 access token: delegated by default, app-only on request. */
export async function issueLocalToken(key: LocalIssuerKey, options: LocalTokenOptions): Promise<string> {
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: Record<string, unknown> = {
    tid: options.partnerId.toLowerCase(),
    ver: '2.0',
    roles: [...(options.roles ?? [])],
  };
  if (options.appOnly) {
    claims.idtyp = 'app';
    claims.oid = randomUUID();
  } else {
    const user = options.user ?? 'admin@contoso.example';
    claims.idtyp = 'user';
    claims.scp = 'user_impersonation';
    claims.upn = user;
    claims.preferred_username = user;
    claims.oid = randomUUID();
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(options.audience ?? PARTNER_CENTER_AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setNotBefore(nowSeconds)
    .setExpirationTime(nowSeconds + options.expiresInSeconds)
    .setJti(randomUUID())
    .sign(key.privateKey);
}
