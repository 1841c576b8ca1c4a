/**
 * The HTTP application factory: routes, hooks and error mapping, with no `listen` — tests drive it
 * in-process with `app.inject()`, the `serve` command adds a listener.
 */
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { SHARED_SCHEMAS } from '../contract/schemas.ts';
import { ApiError } from '../errors.ts';
import type { DeploymentService } from '../service/deployment-service.ts';
import type { InsightsService } from '../service/insights-service.ts';
import { type AccessGate, authHook } from './auth-hook.ts';
import { errorBody, toApiError } from './faults.ts';
import { correlationIds, responseHeaders } from './request-context.ts';
import { registerDashboardRoutes } from './routes/dashboard.ts';
import { registerDeploymentRoutes } from './routes/deployment.ts';
import { registerExtensionRoutes } from './routes/extension.ts';
import { registerLegacyRoutes } from './routes/legacy.ts';
import { registerMetaRoutes } from './routes/meta.ts';
import { type CollectionInfo, registerStatusRoutes } from './routes/status.ts';

export interface AppOptions {
  readonly service: DeploymentService;
  /** The extension API's shelfware and renewals. */
  readonly insights: InsightsService;
  readonly gate: AccessGate;
  /** Take the client address from X-Forwarded-For. */
  readonly trustProxy?: boolean;
  readonly serverId: string;
  readonly byteOrderMark: boolean;
  readonly logLevel: string;
  readonly version: string;
  readonly storeName: string;
  /**
   * True while the server drains before it stops: `/readyz` answers 503, and every response
   * closes its connection, so clients and load balancers move to another instance.
   */
  readonly draining?: () => boolean;
  /** The daily collection this server runs (`serve --collect-at`), shown by the status route. */
  readonly collection?: CollectionInfo;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logLevel === 'silent' ? false : { level: options.logLevel },
    logController: new LogController({ disableRequestLogging: options.logLevel !== 'debug' }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Malformed URLs are answered like every other client error: an ApiFault with our headers.
    frameworkErrors: (error, request, reply) => {
      void sendFault(request, reply, toApiError(error).error, options.serverId);
    },
    // Requests that arrive on an open connection while the server closes are still answered, so
    // stopping loses none of them (the connections close after their answer).
    return503OnClosing: false,
    trustProxy: options.trustProxy ?? false,
  });

  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Seatwise licenses-deployment API',
        version: options.version,
        description: 'Wire-compatible with the Partner Center licenses-deployment analytics endpoints.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });

  app.addHook('onRequest', async (request, reply) => {
    const ids = correlationIds(request.headers);
    reply.headers(responseHeaders(ids, options.serverId));
  });

  const draining = options.draining ?? (() => false);
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining()) reply.header('Connection', 'close');
    return payload;
  });

  if (options.byteOrderMark) {
    // The real service prefixes JSON bodies with a UTF-8 byte-order mark; some clients rely on it.
    app.addHook('onSend', async (_request, _reply, payload) =>
      typeof payload === 'string' ? `\uFEFF${payload}` : payload,
    );
  }

  app.setErrorHandler((error, request, reply) => {
    const { error: apiError, unexpected } = toApiError(error);
    if (unexpected) request.log.error({ err: error }, 'unexpected error');
    return sendFault(request, reply, apiError, options.serverId);
  });

  app.setNotFoundHandler((request, reply) =>
    sendFault(
      request,
      reply,
      new ApiError('notFound', { description: `No resource at ${request.method} ${pathOf(request.url)}.` }),
      options.serverId,
    ),
  );

  const routeOptions = { auth: authHook(options.gate) };
  registerDeploymentRoutes(app, options.service, routeOptions);
  registerLegacyRoutes(app, options.service, routeOptions);
  registerExtensionRoutes(app, options.service, options.insights, routeOptions);
  registerMetaRoutes(app, {
    version: options.version,
    storeName: options.storeName,
    ready: () => options.service.ready(),
    draining,
  });
  registerStatusRoutes(
    app,
    { version: options.version, storeName: options.storeName, collection: options.collection },
    routeOptions,
  );
  registerDashboardRoutes(app);
  return app;
}

function pathOf(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.length > 80 ? `${path.slice(0, 80)}…` : path;
}

function sendFault(
  request: FastifyRequest,
  reply: FastifyReply,
  error: ApiError,
  serverId: string,
): FastifyReply {
  if (!reply.hasHeader('MS-RequestId'))
    reply.headers(responseHeaders(correlationIds(request.headers), serverId));
  return reply
    .code(error.status)
    .headers(error.headers)
    .type('application/json; charset=utf-8')
    .send(errorBody(error));
}
