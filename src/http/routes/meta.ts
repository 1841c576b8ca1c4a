/** Unauthenticated service routes: liveness, readiness and the OpenAPI document. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors.ts';

/** A readiness check that takes longer than this counts as failed. */
const READY_TIMEOUT_MS = 2000;

export function registerMetaRoutes(
  app: FastifyInstance,
  info: { version: string; storeName: string; ready: () => Promise<void>; draining: () => boolean },
): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness',
        operationId: 'health',
        tags: ['service'],
        response: { 200: { $ref: 'Health#' } },
      },
    },
    async (_request, reply) =>
      reply.send(JSON.stringify({ status: 'ok', store: info.storeName, version: info.version })),
  );
  // Readiness for a load balancer: the store answers, and the server is not shutting down.
  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: the store answers and the server is not shutting down',
        operationId: 'ready',
        tags: ['service'],
        response: { 200: { $ref: 'Health#' }, 503: { $ref: 'ApiFault#' } },
      },
    },
    async (_request, reply) => {
      if (closing || info.draining()) {
        throw new ApiError('unavailable', { description: 'The server is shutting down.' });
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          info.ready(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS);
          }),
        ]);
      } catch {
        throw new ApiError('unavailable', {
          description: `The ${info.storeName} store does not answer; the server is not ready.`,
          headers: { 'Retry-After': '5' },
        });
      } finally {
        clearTimeout(timer);
      }
      return reply.send(JSON.stringify({ status: 'ok', store: info.storeName, version: info.version }));
    },
  );
  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.send(JSON.stringify(app.swagger())),
  );
}
