import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { ApiError } from '../../errors.ts';

export interface RouteOptions {
  readonly auth: onRequestHookHandler;
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
