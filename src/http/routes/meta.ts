/** Unauthenticated service routes: liveness and the OpenAPI document. */
import type { FastifyInstance } from 'fastify';

export function registerMetaRoutes(app: FastifyInstance, info: { version: string; storeName: string }): void {
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
  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.send(JSON.stringify(app.swagger())),
  );
}
