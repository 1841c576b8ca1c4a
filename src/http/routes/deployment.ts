/** E5: `GET /v1/analytics/commercial/deployment/license/` (also under `/partner/v1`). */
import type { FastifyInstance } from 'fastify';
import { DeploymentQueryParams } from '../../contract/schemas.ts';
import { parseDeploymentQuery } from '../../query/parse-query.ts';
import type { DeploymentService } from '../../service/deployment-service.ts';
import { paramsRecord, parseRawQuery } from '../../service/next-link.ts';
import { serializeDeploymentPage } from '../../service/serialize.ts';
import { principalOf } from '../auth-hook.ts';
import { cachedAnswer, faultResponses, methodNotAllowed, type RouteOptions } from './common.ts';

export const E5_PATHS = [
  '/v1/analytics/commercial/deployment/license/',
  '/partner/v1/analytics/commercial/deployment/license/',
] as const;

export function registerDeploymentRoutes(
  app: FastifyInstance,
  service: DeploymentService,
  options: RouteOptions,
): void {
  for (const url of E5_PATHS) {
    app.get(
      url,
      {
        onRequest: options.auth,
        schema: {
          summary: 'Licenses deployment rows or groups of one snapshot',
          operationId: url.startsWith('/partner')
            ? 'getDeploymentLicensePartnerPrefix'
            : 'getDeploymentLicense',
          tags: ['analytics'],
          querystring: DeploymentQueryParams,
          response: { 200: { $ref: 'DeploymentPage#' }, ...faultResponses },
          security: [{ bearer: [] }],
        },
      },
      async (request, reply) =>
        cachedAnswer(request, reply, options, async () => {
          const raw = request.raw.url ?? url;
          const q = raw.indexOf('?');
          const params = parseRawQuery(q < 0 ? '' : raw.slice(q + 1));
          const query = parseDeploymentQuery(paramsRecord(params));
          const page = await service.queryPage(principalOf(request).partnerId, query, {
            path: q < 0 ? raw : raw.slice(0, q),
            params,
          });
          return serializeDeploymentPage(page);
        }),
    );
    methodNotAllowed(app, url);
  }
}
