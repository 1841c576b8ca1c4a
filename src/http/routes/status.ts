/**
 * `GET /seatwise/v1/status`: Seatwise's own status for the caller's partner (not a Partner Center
 * resource, hence the prefix): the server, and its daily collection when it runs one for that
 * partner (`serve --collect-at`): the schedule, the next run, the recent runs and their outcomes;
 * and the server's response cache (entries, bytes kept of the bound, hits and misses).
 */
import type { FastifyInstance } from 'fastify';
import type { CollectionStatus } from '../../service/collection-schedule.ts';
import { principalOf } from '../auth-hook.ts';
import { faultResponses, methodNotAllowed, type RouteOptions } from './common.ts';

export const STATUS_PATH = '/seatwise/v1/status';

/** The daily collection a server runs, for one partner. */
export interface CollectionInfo {
  readonly partnerId: string;
  status(): CollectionStatus;
}

export function registerStatusRoutes(
  app: FastifyInstance,
  info: { version: string; storeName: string; collection: CollectionInfo | undefined },
  options: RouteOptions,
): void {
  app.get(
    STATUS_PATH,
    {
      onRequest: options.auth,
      schema: {
        summary: "The server and its daily collection, for the caller's partner",
        operationId: 'status',
        tags: ['service'],
        response: { ...faultResponses },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      const partnerId = principalOf(request).partnerId;
      const collection = info.collection;
      const own = collection !== undefined && collection.partnerId.toLowerCase() === partnerId.toLowerCase();
      return reply.type('application/json; charset=utf-8').send(
        JSON.stringify({
          version: info.version,
          store: info.storeName,
          partnerId,
          collection: own ? { partnerId: collection.partnerId, ...collection.status() } : null,
          cache: options.cache.stats(),
        }),
      );
    },
  );
  methodNotAllowed(app, STATUS_PATH);
}
