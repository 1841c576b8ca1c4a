/**
 * The local admin API through which CLI commands reach a store this server owns (see
 * src/admin-link.ts). Hidden from the OpenAPI document; every call must present the secret the
 * server wrote, mode 0600, beside the database.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { normalizeGuid } from '../../domain/guid.ts';
import type { CatalogSku } from '../../domain/sku-catalog.ts';
import { ApiError } from '../../errors.ts';
import type { SnapshotService } from '../../service/snapshot-service.ts';
import type { SnapshotLoad } from '../../store/store.ts';

export interface AdminOptions {
  readonly snapshots: SnapshotService;
  readonly secret: string;
  /** Loads are handed over as files in this directory, never from anywhere else. */
  readonly incomingDir: string;
}

export const ADMIN_PREFIX = '/_seatwise/admin';

function checkSecret(request: FastifyRequest, secret: string): void {
  const given = Buffer.from((request.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
  const expected = Buffer.from(secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ApiError('tokenMissing', {
      description: 'The admin secret is missing or wrong.',
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
}

function partnerParam(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const id = typeof value === 'string' ? normalizeGuid(value) : undefined;
  if (id === undefined) throw new ApiError('invalidInput', { description: 'partner must be a GUID.' });
  return id;
}

export function registerAdminRoutes(app: FastifyInstance, options: AdminOptions): void {
  const hidden = {
    schema: { hide: true },
    onRequest: async (request: FastifyRequest) => checkSecret(request, options.secret),
  };

  app.get(`${ADMIN_PREFIX}/snapshots`, hidden, async (request, reply) => {
    const partner = partnerParam((request.query as Record<string, unknown>).partner);
    if (partner === undefined) throw new ApiError('invalidInput', { description: 'partner is required.' });
    return reply.send(JSON.stringify(await options.snapshots.list(partner)));
  });

  app.post(`${ADMIN_PREFIX}/prune`, hidden, async (request, reply) => {
    const body = (request.body ?? {}) as { keepDays?: unknown; partnerId?: unknown; today?: unknown };
    if (typeof body.keepDays !== 'number')
      throw new ApiError('invalidInput', { description: 'keepDays is required.' });
    try {
      const result = await options.snapshots.prune({
        keepDays: body.keepDays,
        ...(body.partnerId === undefined ? {} : { partnerId: partnerParam(body.partnerId)! }),
        ...(typeof body.today === 'string' ? { today: body.today } : {}),
      });
      return reply.send(JSON.stringify(result));
    } catch (err) {
      if (err instanceof RangeError) throw new ApiError('invalidInput', { description: err.message });
      throw err;
    }
  });

  app.get(`${ADMIN_PREFIX}/catalog`, hidden, async (_request, reply) =>
    reply.send(JSON.stringify(await options.snapshots.catalog())),
  );

  /** A hand-over file named in a request: only ever one directly inside the incoming directory. */
  const incoming = (file: unknown): string => {
    if (typeof file !== 'string') throw new ApiError('invalidInput', { description: 'file is required.' });
    const path = resolve(file);
    const rel = relative(resolve(options.incomingDir), path);
    if (rel === '' || rel.startsWith('..') || rel.includes('/')) {
      throw new ApiError('invalidInput', {
        description: 'file must be a hand-over file in the incoming directory.',
      });
    }
    return path;
  };

  app.post(`${ADMIN_PREFIX}/import-rows`, hidden, async (request, reply) => {
    const body = (request.body ?? {}) as { files?: unknown; partnerId?: unknown; source?: unknown };
    if (!Array.isArray(body.files)) throw new ApiError('invalidInput', { description: 'files is required.' });
    const files = body.files.map(incoming);
    const partnerId = partnerParam(body.partnerId);
    if (partnerId === undefined)
      throw new ApiError('invalidInput', { description: 'partnerId is required.' });
    const source = typeof body.source === 'string' ? body.source : 'import rows';
    return reply.send(JSON.stringify(await options.snapshots.importRowCsv(files, { partnerId, source })));
  });

  app.post(`${ADMIN_PREFIX}/replace`, hidden, async (request, reply) => {
    const path = incoming((request.body as { file?: unknown } | undefined)?.file);
    try {
      const handOver = JSON.parse(await readFile(path, 'utf8')) as {
        loads?: SnapshotLoad[];
        catalog?: CatalogSku[];
      };
      if (Array.isArray(handOver.catalog)) {
        return reply.send(JSON.stringify(await options.snapshots.upsertCatalog(handOver.catalog)));
      }
      if (!Array.isArray(handOver.loads))
        throw new ApiError('invalidInput', { description: 'the hand-over file has no loads.' });
      const result = await options.snapshots.replace(handOver.loads);
      return reply.send(JSON.stringify(result));
    } finally {
      await rm(path, { force: true });
    }
  });
}
