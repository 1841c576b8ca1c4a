/**
 * Token verification: pure with respect to HTTP. Returns the caller's principal or a typed
 * failure whose description says what failed without echoing the token.
 *
 * Accepted: tokens of a configured external issuer (verified against its JWKS) and, when enabled,
 * the local development issuer's. Only asymmetric signatures are accepted, so `alg: none` and an
 * HS256 token "signed" with a public key both fail.
 *
 * A client sends the same token on every request until it expires, and checking its signature is
 * most of what answering a cached query costs. So a token that verified is remembered, by its exact
 * text, until it expires (with the clock tolerance) or for at most five minutes, whichever comes
 * first: the bound limits how long a token signed with a key its issuer has since withdrawn from
 * its key set is still accepted. Refused tokens are not remembered.
 */
import {
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { normalizeGuid } from '../domain/guid.ts';
import { matchIssuer, type TrustedIssuer } from './issuers.ts';
import type { LocalIssuerKey } from './local-issuer.ts';
import { LOCAL_ISSUER } from './local-issuer.ts';
import type { AuthResult, Principal } from './principal.ts';

export interface VerifierOptions {
  /** The local development issuer; undefined when it is turned off. */
  readonly localKey: LocalIssuerKey | undefined;
  readonly issuers: readonly TrustedIssuer[];
  readonly audience: string;
  /** Allowed clock skew for `exp` / `nbf`, seconds. */
  readonly clockToleranceSeconds?: number;
}

export type TokenVerifier = (authorization: string | undefined) => Promise<AuthResult>;

/** The longest a verified token is accepted without being verified again. */
const REMEMBER_MS = 5 * 60_000;
/** The most verified tokens remembered (the least recently used are forgotten first). */
const REMEMBERED_TOKENS = 4096;

const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
const BEARER_RE = /^Bearer[ \t]+([A-Za-z0-9\-_.~+/]+=*)[ \t]*$/i;

function fail(description: string): AuthResult {
  return { ok: false, failure: { reason: 'invalid_token', description } };
}

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const clockTolerance = options.clockToleranceSeconds ?? 60;
  const verified = new LRUCache<string, { principal: Principal; until: number }>({ max: REMEMBERED_TOKENS });
  return async (authorization) => {
    if (authorization === undefined || authorization.trim() === '') {
      return {
        ok: false,
        failure: { reason: 'missing', description: 'The request has no Authorization bearer token.' },
      };
    }
    const match = BEARER_RE.exec(authorization);
    if (!match) return fail('The Authorization header is not a bearer token.');
    const token = match[1]!;
    const remembered = verified.get(token);
    if (remembered !== undefined) {
      if (Date.now() < remembered.until) return { ok: true, principal: remembered.principal };
      verified.delete(token);
    }

    let unverified: JWTPayload;
    let header: ProtectedHeaderParameters;
    try {
      unverified = decodeJwt(token);
      header = decodeProtectedHeader(token);
    } catch {
      return fail('The token is malformed.');
    }
    if (header.alg === undefined || !ASYMMETRIC_ALGS.includes(header.alg)) {
      return fail('The token is signed with an algorithm that is not accepted.');
    }
    const iss = typeof unverified.iss === 'string' ? unverified.iss : '';
    const tidClaim = typeof unverified.tid === 'string' ? unverified.tid : undefined;

    let payload: JWTPayload;
    try {
      if (iss === LOCAL_ISSUER && options.localKey !== undefined) {
        const key = options.localKey;
        if (header.kid !== undefined && header.kid !== key.kid)
          return fail('The token was signed with an unknown key.');
        payload = (
          await jwtVerify(token, key.publicKey, {
            issuer: LOCAL_ISSUER,
            audience: options.audience,
            algorithms: ['ES256'],
            clockTolerance,
          })
        ).payload;
      } else {
        const trusted = matchIssuer(options.issuers, iss, tidClaim);
        if (trusted === undefined)
          return fail('The token was issued by an issuer this service does not trust.');
        payload = (
          await jwtVerify(token, trusted.keys, {
            issuer: iss,
            audience: options.audience,
            algorithms: ASYMMETRIC_ALGS,
            clockTolerance,
          })
        ).payload;
      }
    } catch (err) {
      if (isKeySetUnavailable(err)) {
        throw new KeySetUnavailableError('The signing keys of the token issuer could not be fetched.', {
          cause: err,
        });
      }
      return fail(describeJoseError(err));
    }
    const partnerId = typeof payload.tid === 'string' ? normalizeGuid(payload.tid) : undefined;
    if (partnerId === undefined) return fail('The token has no valid tenant id (tid) claim.');
    const principal = principalFrom(payload, partnerId);
    const expires = typeof payload.exp === 'number' ? (payload.exp + clockTolerance) * 1000 : Infinity;
    verified.set(token, { principal, until: Math.min(Date.now() + REMEMBER_MS, expires) });
    return { ok: true, principal };
  };
}

/** The issuer's key set could not be fetched: our problem, not the caller's (the edge answers 503). */
export class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
}

function isKeySetUnavailable(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return true;
  // A network failure while fetching the JWKS surfaces as a plain fetch error.
  return err instanceof TypeError && /fetch/i.test(err.message);
}

function principalFrom(payload: JWTPayload, partnerId: string): Principal {
  const scp = typeof payload.scp === 'string' ? payload.scp.trim() : '';
  // Entra marks application tokens with idtyp=app; a token with no delegated scope has no user either.
  const appOnly = payload.idtyp === 'app' || scp === '';
  const userClaim = payload.upn ?? payload.preferred_username ?? payload.oid;
  const roles = [...stringArray(payload.roles), ...stringArray(payload.wids), ...stringArray(payload.groups)];
  return Object.freeze({
    partnerId,
    user: appOnly || typeof userClaim !== 'string' ? undefined : userClaim,
    appOnly,
    roles: Object.freeze(roles),
  });
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function describeJoseError(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'The token has expired.';
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf':
        return 'The token is not valid yet (nbf).';
      case 'aud':
        return 'The token was issued for another audience.';
      case 'iss':
        return 'The token was issued by an issuer this service does not trust.';
      default:
        return `The token's ${err.claim} claim is not valid.`;
    }
  }
  if (err instanceof errors.JWKSNoMatchingKey) return 'The token was signed with an unknown key.';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The token signature is not valid.';
  if (err instanceof errors.JOSEAlgNotAllowed)
    return 'The token is signed with an algorithm that is not accepted.';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'The token is malformed.';
  return 'The token could not be verified.';
}
