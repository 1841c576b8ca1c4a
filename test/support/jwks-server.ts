/**
 * A real JWKS endpoint on an ephemeral port, standing in for Microsoft Entra's
 * `https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys`. Keys can be rotated while it runs;
 * it counts fetches so tests can check the refetch floor.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

export interface SigningKey {
  readonly kid: string;
  readonly pair: KeyPair;
}

export interface JwksServer {
  readonly url: string;
  readonly fetches: () => number;
  current(): SigningKey;
  /** Publishes a new key (and keeps the old one published unless `dropOld`). */
  rotate(options?: { dropOld?: boolean }): Promise<SigningKey>;
  /** Signs with the current key, or with the given one. */
  sign(payload: JWTPayload, options?: { key?: SigningKey; alg?: string }): Promise<string>;
  close(): Promise<void>;
}

async function newKey(): Promise<SigningKey> {
  return { kid: randomUUID(), pair: await generateKeyPair('RS256', { extractable: true }) };
}

export async function startJwksServer(): Promise<JwksServer> {
  let keys: SigningKey[] = [await newKey()];
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/keys') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    void Promise.all(
      keys.map(async (k) => ({
        ...(await exportJWK(k.pair.publicKey)),
        kid: k.kid,
        use: 'sig',
        alg: 'RS256',
      })),
    ).then((jwks) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/keys`,
    fetches: () => fetches,
    current: () => keys[keys.length - 1]!,
    rotate: async ({ dropOld = false } = {}) => {
      const key = await newKey();
      keys = dropOld ? [key] : [...keys, key];
      return key;
    },
    sign: (payload, { key = keys[keys.length - 1]!, alg = 'RS256' } = {}) =>
      new SignJWT(payload).setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' }).sign(key.pair.privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
