/**
 * Seatwise's extension API under `/seatwise/v1/` (docs/extension-api.md): the same tokens, tenant
 * scope, filter language and ApiFault errors as E5.
 * - `GET /seatwise/v1/trend`: sold and deployed seats per processed date (and groupby fields).
 */
import type { FastifyInstance } from 'fastify';
import { TrendQueryParams, TrendResponse } from '../../contract/schemas.ts';
import { parseTrendQuery } from '../../query/parse-query.ts';
import type { DeploymentService } from '../../service/deployment-service.ts';
import { paramsRecord, parseRawQuery } from '../../service/next-link.ts';
import { principalOf } from '../auth-hook.ts';
import { faultResponses, methodNotAllowed, type RouteOptions } from './common.ts';

export const TREND_PATH = '/seatwise/v1/trend';

export function registerExtensionRoutes(
  app: FastifyInstance,
  service: DeploymentService,
  options: RouteOptions,
): void {
  app.get(
    TREND_PATH,
    {
      onRequest: options.auth,
      schema: {
        summary: "Licenses sold and deployed per processed date of the partner's snapshots",
        operationId: 'seatwiseTrend',
        tags: ['seatwise'],
        querystring: TrendQueryParams,
        response: { 200: TrendResponse, ...faultResponses },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      const raw = request.raw.url ?? TREND_PATH;
      const q = raw.indexOf('?');
      const query = parseTrendQuery(paramsRecord(parseRawQuery(q < 0 ? '' : raw.slice(q + 1))));
      const value = await service.trend(principalOf(request).partnerId, query);
      return reply
        .type('application/json; charset=utf-8')
        .send(JSON.stringify({ value, totalCount: value.length }));
    },
  );
  methodNotAllowed(app, TREND_PATH);
}
