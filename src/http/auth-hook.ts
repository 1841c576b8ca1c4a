/**
 * The gate in front of every analytics route: verify the bearer token, apply the access policy and
 * the rate limit, and map each outcome to HTTP — 401 with `WWW-Authenticate: Bearer` (RFC 6750) for a
 * missing or invalid token, 403 for a token without a user (these resources accept App+User tokens
 * only: "Get licenses deployment information", Prerequisites) or without an allowed role, 429 over
 * the limit.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AccessPolicy, authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { RateDecision, RequestLimiter } from '../auth/rate-limiter.ts';
import type { TokenVerifier } from '../auth/verify.ts';
import { ApiError } from '../errors.ts';

export interface AccessGate {
  readonly verify: TokenVerifier;
  readonly policy: AccessPolicy;
  /**
   * Null when no rate limit is configured. A shared limiter must not throw (see `FallbackLimiter`);
   * if one does anyway, the request is served rather than failed.
   */
  readonly limiter: RequestLimiter | null;
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** The verified caller of an analytics request; the auth hook guarantees it is set. */
export function principalOf(request: FastifyRequest): Principal {
  const p = principals.get(request);
  if (p === undefined) throw new Error('analytics route served without the auth hook');
  return p;
}

function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, '')}"`;
}

async function throttle(request: FastifyRequest, limiter: RequestLimiter | null, key: string): Promise<void> {
  if (limiter === null) return;
  let decision: RateDecision;
  try {
    decision = await limiter.take(key);
  } catch (err) {
    // Only the error's class: a message from a database driver could quote a connection string.
    request.log.warn(
      `rate limiter failed (${err instanceof Error ? err.name : typeof err}); request not limited`,
    );
    return;
  }
  if (!decision.ok) {
    throw new ApiError('throttled', {
      description: `Rate limit is exceeded. Try again in ${decision.retryAfterSeconds} seconds.`,
      headers: { 'retry-after': String(decision.retryAfterSeconds) },
    });
  }
}

export function authHook(gate: AccessGate) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const result = await gate.verify(request.headers.authorization);
    if (!result.ok) {
      // Requests without a valid token draw on their client address's budget, never a partner's,
      // so garbage cannot starve real users.
      await throttle(request, gate.limiter, `addr:${request.ip}`);
      const { failure } = result;
      const challenge =
        failure.reason === 'missing'
          ? 'Bearer'
          : `Bearer error="invalid_token", error_description=${quoted(failure.description)}`;
      throw new ApiError('tokenMissing', {
        description: failure.description,
        headers: { 'www-authenticate': challenge },
      });
    }
    const { principal } = result;
    await throttle(request, gate.limiter, `tid:${principal.partnerId}`);
    const decision = authorize(principal, gate.policy);
    if (!decision.ok) {
      throw decision.reason === 'app_only'
        ? new ApiError('appOnlyToken', {
            description: 'The resource cannot be accessed by application credentials; use an App+User token.',
          })
        : new ApiError('roleLacksRights', {
            description: 'The user does not have a role that is allowed to read licenses deployment data.',
          });
    }
    principals.set(request, principal);
  };
}
