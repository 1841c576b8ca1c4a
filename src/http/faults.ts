/**
 * The single place where errors become Partner Center's ApiFault body ("Partner Center REST error
 * codes"): `{ code, description, data, source }`. Nothing else in the service writes error bodies,
 * and no body ever carries a stack trace, SQL or driver message.
 */
import { KeySetUnavailableError } from '../auth/verify.ts';
import { ApiError, isApiError } from '../errors.ts';

export const FAULT_SOURCE = 'Seatwise';

export interface FaultBody {
  readonly code: number;
  readonly description: string;
  readonly data: readonly unknown[];
  readonly source: string;
}

export function faultBody(err: ApiError): FaultBody {
  return { code: err.code, description: err.description, data: err.data, source: FAULT_SOURCE };
}

/**
 * The response body for an error: an ApiFault, except for throttling, which Partner Center's API
 * gateway answers with its own shape ("API throttling guidance").
 */
export function errorBody(err: ApiError): string {
  if (err.kind === 'throttled') return JSON.stringify({ statusCode: 429, message: err.description });
  return JSON.stringify(faultBody(err));
}

interface FrameworkError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly validation?: readonly { instancePath?: string; message?: string; params?: unknown }[];
  readonly validationContext?: string;
}

/**
 * Maps anything thrown while serving a request to an ApiError. Known framework errors (schema
 * validation, malformed URLs, bodies) are client errors; everything else is an opaque 500.
 */
export function toApiError(err: unknown): { error: ApiError; unexpected: boolean } {
  if (isApiError(err)) return { error: err, unexpected: false };
  if (err instanceof KeySetUnavailableError) {
    return {
      error: new ApiError('unavailable', {
        description: 'Tokens cannot be verified right now: the issuer keys are unreachable.',
      }),
      unexpected: true,
    };
  }
  const fe = (typeof err === 'object' && err !== null ? err : {}) as FrameworkError;
  if (fe.validation !== undefined) {
    const first = fe.validation[0];
    const name = (first?.instancePath ?? '').replace(/^\//, '') || 'request';
    const where = fe.validationContext === 'params' ? 'path segment' : 'parameter';
    return {
      error: new ApiError('invalidInput', {
        description: `The ${where} '${name}' is not valid: it ${first?.message ?? 'is malformed'}.`,
        data: [{ parameter: name }],
      }),
      unexpected: false,
    };
  }
  const status = fe.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 404)
      return { error: new ApiError('notFound', { description: 'Resource not found.' }), unexpected: false };
    return {
      error: new ApiError('invalidInput', {
        description: 'The request is malformed.',
        data: [{ reason: fe.code ?? 'bad_request' }],
      }),
      unexpected: false,
    };
  }
  return {
    error: new ApiError('unexpected', {
      description: 'An unexpected error occurred. Quote the MS-RequestId when reporting it.',
    }),
    unexpected: true,
  };
}
