/**
 * Seatwise's extension API under `/seatwise/v1/` (docs/extension-api.md): the same tokens, tenant
 * scope, filter language and ApiFault errors as E5.
 * - `GET /seatwise/v1/trend`: sold and deployed seats per processed date (and groupby fields).
 * - `GET /seatwise/v1/changes`: what changed between two snapshots, per customer and product.
 * - `GET /seatwise/v1/shelfware`: unassigned seats per customer and product, in money.
 * - `GET /seatwise/v1/renewals`: subscriptions ending soon, with the seats that could be dropped.
 */
import type { FastifyInstance } from 'fastify';
import {
  ChangesQueryParams,
  ChangesResponse,
  RenewalsQueryParams,
  RenewalsResponse,
  ShelfwareQueryParams,
  ShelfwareResponse,
  TrendQueryParams,
  TrendResponse,
} from '../../contract/schemas.ts';
import {
  parseChangesQuery,
  parseRenewalsQuery,
  parseShelfwareQuery,
  parseTrendQuery,
} from '../../query/parse-query.ts';
import type { DeploymentService } from '../../service/deployment-service.ts';
import type { InsightsService } from '../../service/insights-service.ts';
import { paramsRecord, parseRawQuery, type RawParam } from '../../service/next-link.ts';
import { principalOf } from '../auth-hook.ts';
import { cachedAnswer, faultResponses, methodNotAllowed, type RouteOptions } from './common.ts';

export const TREND_PATH = '/seatwise/v1/trend';
export const CHANGES_PATH = '/seatwise/v1/changes';
export const SHELFWARE_PATH = '/seatwise/v1/shelfware';
export const RENEWALS_PATH = '/seatwise/v1/renewals';

/** The request's path and parameters, in order, with `top` and `skip` set for the next page. */
function pageLink(path: string, params: readonly RawParam[], top: number, skip: number): string {
  const parts = params
    .filter(([name]) => !['top', 'skip'].includes(name.toLowerCase()))
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return `${path}?${[...parts, `top=${top}`, `skip=${skip}`].join('&')}`;
}

/** The request's path and parameters in order, and the link to the page after `shown` items. */
function pagedRequest(url: string) {
  const q = url.indexOf('?');
  const params = parseRawQuery(q < 0 ? '' : url.slice(q + 1));
  const path = q < 0 ? url : url.slice(0, q);
  return {
    params: paramsRecord(params),
    /** The next page's link when items remain after this page, else undefined. */
    next(top: number, skip: number, shown: number, total: number): string | undefined {
      const end = skip + shown;
      return top > 0 && shown > 0 && end < total ? pageLink(path, params, top, end) : undefined;
    },
  };
}

export function registerExtensionRoutes(
  app: FastifyInstance,
  service: DeploymentService,
  insights: InsightsService,
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
    async (request, reply) =>
      cachedAnswer(request, reply, options, async () => {
        const query = parseTrendQuery(pagedRequest(request.raw.url ?? TREND_PATH).params);
        const value = await service.trend(principalOf(request).partnerId, query);
        return JSON.stringify({ value, totalCount: value.length });
      }),
  );
  methodNotAllowed(app, TREND_PATH);

  app.get(
    CHANGES_PATH,
    {
      onRequest: options.auth,
      schema: {
        summary:
          'What changed between two snapshots: products added, removed or with other counts, per customer',
        operationId: 'seatwiseChanges',
        tags: ['seatwise'],
        querystring: ChangesQueryParams,
        response: { 200: ChangesResponse, ...faultResponses },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) =>
      cachedAnswer(request, reply, options, async () => {
        const req = pagedRequest(request.raw.url ?? CHANGES_PATH);
        const query = parseChangesQuery(req.params);
        const page = await service.changes(principalOf(request).partnerId, query);
        const next = req.next(query.top, query.skip, page.items.length, page.totalCount);
        const body = {
          from: query.from,
          to: query.to,
          value: page.items,
          ...(next === undefined ? {} : { '@nextLink': next }),
          totalCount: page.totalCount,
        };
        return JSON.stringify(body);
      }),
  );
  methodNotAllowed(app, CHANGES_PATH);

  app.get(
    SHELFWARE_PATH,
    {
      onRequest: options.auth,
      schema: {
        summary:
          'Unassigned seats per customer and product on a snapshot, with their monthly cost where a price is known',
        operationId: 'seatwiseShelfware',
        tags: ['seatwise'],
        querystring: ShelfwareQueryParams,
        response: { 200: ShelfwareResponse, ...faultResponses },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) =>
      cachedAnswer(request, reply, options, async () => {
        const req = pagedRequest(request.raw.url ?? SHELFWARE_PATH);
        const query = parseShelfwareQuery(req.params);
        const r = await insights.shelfware(principalOf(request).partnerId, query);
        const next = req.next(query.top, query.skip, r.items.length, r.totalCount);
        const body = {
          processedDate: r.processedDate,
          value: r.items,
          ...(next === undefined ? {} : { '@nextLink': next }),
          totalCount: r.totalCount,
          totals: r.totals,
          unpriced: r.unpriced,
        };
        return JSON.stringify(body);
      }),
  );
  methodNotAllowed(app, SHELFWARE_PATH);

  app.get(
    RENEWALS_PATH,
    {
      onRequest: options.auth,
      schema: {
        summary:
          'Subscriptions whose term ends within N days, with the unassigned seats that could be dropped at renewal',
        operationId: 'seatwiseRenewals',
        tags: ['seatwise'],
        querystring: RenewalsQueryParams,
        response: { 200: RenewalsResponse, ...faultResponses },
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) =>
      cachedAnswer(request, reply, options, async () => {
        const req = pagedRequest(request.raw.url ?? RENEWALS_PATH);
        const query = parseRenewalsQuery(req.params);
        const r = await insights.renewals(principalOf(request).partnerId, query);
        const next = req.next(query.top, query.skip, r.items.length, r.totalCount);
        const body = {
          processedDate: r.processedDate,
          withinDays: r.withinDays,
          value: r.items,
          ...(next === undefined ? {} : { '@nextLink': next }),
          totalCount: r.totalCount,
          totals: r.totals,
        };
        return JSON.stringify(body);
      }),
  );
  methodNotAllowed(app, RENEWALS_PATH);
}
