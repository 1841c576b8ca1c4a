/**
 * The HTTP application factory: routes, hooks and error mapping, with no `listen` — tests drive it
 * in-process with `app.inject()`, the `serve` command adds a listener.
 */
import compress from '@fastify/compress';
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
import { type OverloadOptions, registerOverload } from './overload.ts';
import { correlationIds, responseHeaders } from './request-context.ts';
import { COMPRESS_THRESHOLD, ResponseCache } from './response-cache.ts';
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
  /** The most bytes of answers kept (response-cache.ts); 0 keeps none. Default 64 MiB. */
  readonly cacheBytes?: number;
  /** When requests are turned away with a 503 (overload.ts). */
  readonly overload?: OverloadOptions;
}

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

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

  await registerOverload(app, options.overload);

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

  // Everything else a client may fetch compressed (the OpenAPI document, the dashboard's files,
  // faults): compressed per response. Analytics answers come compressed from the response cache,
  // which marks them with Content-Encoding, so this plugin leaves them alone.
  await app.register(compress, { threshold: COMPRESS_THRESHOLD, encodings: ['br', 'gzip'] });

  const cache = new ResponseCache({
    maxBytes: options.cacheBytes ?? DEFAULT_CACHE_BYTES,
    prefix: options.byteOrderMark ? '\uFEFF' : '',
  });
  const routeOptions = {
    auth: authHook(options.gate),
    cache,
    generation: () => options.service.generation(),
  };
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
