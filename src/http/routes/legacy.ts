/**
 * The legacy insights resources: E1 `GET /v1/analytics/licenses/deployment` (partner level) and E3
 * `GET /v1/customers/{customer-id}/analytics/licenses/deployment` (one customer).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DeploymentService } from '../../service/deployment-service.ts';
import { customerCollection, partnerCollection } from '../../service/serialize.ts';
import { principalOf } from '../auth-hook.ts';
import { cachedAnswer, faultResponses, methodNotAllowed, type RouteOptions } from './common.ts';

export const E1_PATH = '/v1/analytics/licenses/deployment';
export const E3_PATH = '/v1/customers/:customerId/analytics/licenses/deployment';

export function registerLegacyRoutes(
  app: FastifyInstance,
  service: DeploymentService,
  options: RouteOptions,
): void {
  app.get(
    E1_PATH,
    {
      onRequest: options.auth,
      schema: {
        summary: 'Partner licenses deployment insights per service and channel (legacy)',
        operationId: 'getPartnerLicensesDeployment',
        tags: ['analytics (legacy)'],
        response: { 200: { $ref: 'PartnerInsightsCollection#' }, ...faultResponses },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) =>
      cachedAnswer(request, reply, options, async () =>
        JSON.stringify(partnerCollection(await service.partnerSummary(principalOf(request).partnerId))),
      ),
  );
  methodNotAllowed(app, E1_PATH);

  app.get(
    E3_PATH,
    {
      onRequest: options.auth,
      schema: {
        summary: "A customer's licenses deployment insights per product (legacy)",
        operationId: 'getCustomerLicensesDeployment',
        tags: ['analytics (legacy)'],
        // Documented as a GUID; the service itself validates it so the error carries code 900118.
        params: Type.Object({ customerId: Type.String({ description: 'Customer tenant id (GUID).' }) }),
        response: { 200: { $ref: 'CustomerInsightsCollection#' }, ...faultResponses },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) =>
      cachedAnswer(request, reply, options, async () => {
        const { customerId } = request.params as { customerId: string };
        const items = await service.customerSummary(principalOf(request).partnerId, customerId);
        return JSON.stringify(customerCollection(items));
      }),
  );
  methodNotAllowed(app, E3_PATH);
}
