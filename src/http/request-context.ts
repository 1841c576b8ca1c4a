/**
 * Correlation headers every response carries, errors included ("Partner Center REST headers"):
 * MS-RequestId and MS-CorrelationId echo the request (a new GUID when absent or unusable), MS-CV is
 * an opaque correlation vector ending in `.0`, MS-ServerId names this instance.
 */
import { randomFillSync, randomUUID } from 'node:crypto';
import { HEADERS, JSON_CONTENT_TYPE, RESPONSE_HEADER_NAMES } from '../contract/headers.ts';

export interface CorrelationIds {
  readonly requestId: string;
  readonly correlationId: string;
  readonly correlationVector: string;
}

const SAFE_ID = /^[\x21-\x7e]{1,128}$/;

/** Random bytes for correlation vectors, filled 512 vectors at a time rather than once a request. */
const VECTOR_BYTES = 12;
const pool = Buffer.alloc(VECTOR_BYTES * 512);
let pooled = pool.length;

function vectorBase(): string {
  if (pooled + VECTOR_BYTES > pool.length) {
    randomFillSync(pool);
    pooled = 0;
  }
  pooled += VECTOR_BYTES;
  return pool.toString('base64url', pooled - VECTOR_BYTES, pooled);
}

function pick(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== undefined && SAFE_ID.test(v) ? v : undefined;
}

export function correlationIds(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): CorrelationIds {
  return {
    requestId: pick(headers[HEADERS.requestId]) ?? randomUUID(),
    correlationId: pick(headers[HEADERS.correlationId]) ?? randomUUID(),
    correlationVector: `${vectorBase()}.0`,
  };
}

export function responseHeaders(ids: CorrelationIds, serverId: string): Record<string, string> {
  return {
    'content-type': JSON_CONTENT_TYPE,
    [RESPONSE_HEADER_NAMES.requestId]: ids.requestId,
    [RESPONSE_HEADER_NAMES.correlationId]: ids.correlationId,
    [RESPONSE_HEADER_NAMES.correlationVector]: ids.correlationVector,
    [RESPONSE_HEADER_NAMES.serverId]: serverId,
    date: new Date().toUTCString(),
  };
}
