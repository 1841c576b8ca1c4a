/**
 * Shedding load instead of letting latency grow without bound: past a limit, a request is answered
 * at once with a 503 ApiFault and `Retry-After`, and the server keeps answering the requests it took.
 *
 * - Requests in flight: answers wait on the store (DuckDB's threads, PostgreSQL's connections),
 *   not on the event loop, so a queue of waiting requests is what grows under overload. Past
 *   `maxInFlight`, new requests are turned away.
 * - The event loop: `@fastify/under-pressure` samples its delay; past `maxEventLoopDelayMs` (the
 *   process itself saturated: serialising, compressing, verifying tokens) requests are turned away.
 *
 * The liveness and readiness probes are never turned away: an overloaded server is alive and busy.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';

export interface OverloadOptions {
  /** Requests handled at once before new ones get a 503 (default 256). */
  readonly maxInFlight?: number;
  /** Event-loop delay past which new requests get a 503 (default 1000 ms; 0 turns it off). */
  readonly maxEventLoopDelayMs?: number;
  /** How often the event loop is sampled (default 500 ms). */
  readonly sampleIntervalMs?: number;
  /** Sent as `Retry-After` (default 5 s). */
  readonly retryAfterSeconds?: number;
}

const PROBES = new Set(['/healthz', '/readyz']);

function isProbe(request: FastifyRequest): boolean {
  return PROBES.has(request.routeOptions.url ?? '');
}

function overloaded(what: string, retryAfter: number): ApiError {
  return new ApiError('unavailable', {
    description: `The server is overloaded (${what}); retry after ${retryAfter} seconds.`,
    headers: { 'retry-after': String(retryAfter) },
  });
}

export async function registerOverload(app: FastifyInstance, options: OverloadOptions = {}): Promise<void> {
  const retryAfter = options.retryAfterSeconds ?? 5;
  const maxInFlight = options.maxInFlight ?? 256;
  const maxDelay = options.maxEventLoopDelayMs ?? 1000;
  let inFlight = 0;
  const counted = new WeakSet<FastifyRequest>();

  app.addHook('onRequest', async (request) => {
    if (isProbe(request)) return;
    if (inFlight >= maxInFlight) throw overloaded(`${inFlight} requests in progress`, retryAfter);
    inFlight++;
    counted.add(request);
  });
  const done = async (request: FastifyRequest) => {
    if (counted.delete(request)) inFlight--;
  };
  app.addHook('onResponse', done);
  // A request whose client went away before its answer never reaches onResponse.
  app.addHook('onRequestAbort', done);

  if (maxDelay > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: maxDelay,
      sampleInterval: options.sampleIntervalMs ?? 500,
      retryAfter,
      pressureHandler: (request, _reply, type, value) => {
        if (isProbe(request)) return undefined;
        throw overloaded(`${type} ${Math.round(Number(value))} ms`, retryAfter);
      },
    });
  }
}
