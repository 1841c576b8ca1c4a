/**
 * Trusted external token issuers (Microsoft Entra or any OpenID provider) and their signing keys.
 *
 * An issuer may be a pattern with `{tid}` standing for the token's own tenant id, as Entra's
 * multi-tenant issuer `https://login.microsoftonline.com/{tid}/v2.0` is: the token's `iss` must then
 * equal the pattern with the token's `tid` filled in, so a token cannot claim one tenant in `tid` and
 * be issued by another.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

export interface IssuerConfig {
  /** Exact issuer URL, or a pattern containing `{tid}`. */
  readonly issuer: string;
  readonly jwksUri: string;
}

export interface KeySetOptions {
  /** The least time between two fetches of one JWKS, however many unknown `kid`s arrive. */
  readonly refetchFloorMs: number;
  /** How long fetched keys are trusted before a routine refresh. */
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_KEY_SET_OPTIONS: KeySetOptions = Object.freeze({
  refetchFloorMs: 30_000,
  maxAgeMs: 10 * 60_000,
  timeoutMs: 5_000,
});

export interface TrustedIssuer {
  readonly config: IssuerConfig;
  readonly keys: JWTVerifyGetKey;
}

/**
 * One key set per JWKS URL, shared by the issuers that use it. jose's remote key set refetches when a
 * token names an unknown `kid` (key rotation) but never more often than `cooldownDuration`.
 */
export function trustIssuers(
  configs: readonly IssuerConfig[],
  options: KeySetOptions = DEFAULT_KEY_SET_OPTIONS,
): TrustedIssuer[] {
  const sets = new Map<string, JWTVerifyGetKey>();
  return configs.map((config) => {
    let keys = sets.get(config.jwksUri);
    if (keys === undefined) {
      keys = createRemoteJWKSet(new URL(config.jwksUri), {
        cooldownDuration: options.refetchFloorMs,
        cacheMaxAge: options.maxAgeMs,
        timeoutDuration: options.timeoutMs,
      });
      sets.set(config.jwksUri, keys);
    }
    return { config, keys };
  });
}

/** The issuer a token's `iss` and `tid` match, or undefined. */
export function matchIssuer(
  issuers: readonly TrustedIssuer[],
  iss: string,
  tid: string | undefined,
): TrustedIssuer | undefined {
  for (const trusted of issuers) {
    const pattern = trusted.config.issuer;
    if (!pattern.includes('{tid}')) {
      if (pattern === iss) return trusted;
      continue;
    }
    if (tid === undefined) continue;
    // Entra writes the tenant id in lower case in `iss`; compare without regard to case.
    if (pattern.replaceAll('{tid}', tid).toLowerCase() === iss.toLowerCase()) return trusted;
  }
  return undefined;
}
