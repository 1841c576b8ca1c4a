import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { ApiError } from '../../errors.ts';
import { principalOf } from '../auth-hook.ts';
import type { ResponseCache } from '../response-cache.ts';

export interface RouteOptions {
  readonly auth: onRequestHookHandler;
  /** Where answers computed from committed snapshots are kept (response-cache.ts). */
  readonly cache: ResponseCache;
  /** The store's generation: answers are kept under it. */
  readonly generation: () => Promise<string>;
}

/**
 * Sends the answer `compute` makes for this request, or the one kept for it: kept per partner,
 * store generation and request URL (path and query exactly as sent, which is everything an
 * analytics answer depends on, its `@nextLink` included).
 */
export async function cachedAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  options: RouteOptions,
  compute: () => Promise<string>,
): Promise<FastifyReply> {
  const key = `${principalOf(request).partnerId}\n${await options.generation()}\n${request.raw.url ?? request.url}`;
  return options.cache.send(request, reply, key, compute);
}

export const faultResponses = {
  400: { $ref: 'ApiFault#' },
  401: { $ref: 'ApiFault#' },
  403: { $ref: 'ApiFault#' },
  404: { $ref: 'ApiFault#' },
  429: { $ref: 'ThrottleBody#' },
  500: { $ref: 'ApiFault#' },
} as const;

const OTHER_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Answers every other method on a read-only route with a JSON 405 and an `Allow` header. */
export function methodNotAllowed(app: FastifyInstance, url: string): void {
  app.route({
    method: [...OTHER_METHODS],
    url,
    schema: { hide: true },
    handler: async (request) => {
      throw new ApiError('methodNotAllowed', {
        description: `The method ${request.method} is not allowed on this resource.`,
        headers: { allow: 'GET, HEAD' },
      });
    },
  });
}
