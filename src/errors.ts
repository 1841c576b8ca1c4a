/**
 * One error type for the whole service. Use cases throw or return `ApiError`s built from the
 * catalog below; only the HTTP edge turns them into Partner Center's ApiFault body and headers.
 *
 * Wire codes are Partner Center's where it has one ("Partner Center REST error codes");
 * docs/errors.md lists every entry and a test keeps the two in step.
 */

export interface ErrorCatalogEntry {
  readonly status: number;
  readonly code: number;
  /** What the entry is for, as docs/errors.md shows it. */
  readonly meaning: string;
}

export const ERROR_CATALOG = Object.freeze({
  invalidInput: { status: 400, code: 800002, meaning: 'A request parameter is malformed or out of range.' },
  invalidFilter: {
    status: 400,
    code: 800002,
    meaning: 'The filter expression does not parse; `data` carries the character position.',
  },
  invalidProperty: {
    status: 400,
    code: 3000,
    meaning: 'A filter or groupby names a field that is not one of the seven dimensions.',
  },
  invalidCustomerId: { status: 400, code: 900118, meaning: 'The customer id in the path is not a GUID.' },
  tokenMissing: { status: 401, code: 800001, meaning: 'No bearer token, or the token is not valid.' },
  appOnlyToken: {
    status: 403,
    code: 900150,
    meaning: 'The token carries no user: these resources accept App+User (delegated) tokens only.',
  },
  roleLacksRights: {
    status: 403,
    code: 900150,
    meaning: "The user's roles are not among the allowed roles.",
  },
  throttled: {
    status: 429,
    code: 429,
    meaning:
      "Too many requests for this partner (or client address); sent as the API gateway's body with Retry-After.",
  },
  notFound: { status: 404, code: 1000, meaning: 'No such route, or no data for that customer.' },
  methodNotAllowed: { status: 405, code: 1000, meaning: 'The route exists but not for this HTTP method.' },
  unexpected: {
    status: 500,
    code: 800003,
    meaning: 'An unexpected service error; the body never carries internals.',
  },
  unavailable: {
    status: 503,
    code: 800003,
    meaning: 'The service is starting, shutting down or overloaded.',
  },
} as const satisfies Record<string, ErrorCatalogEntry>);

export type ErrorName = keyof typeof ERROR_CATALOG;

export interface ApiErrorOptions {
  readonly description: string;
  readonly data?: readonly unknown[];
  /** Extra response headers the edge must send (e.g. `WWW-Authenticate`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly kind: ErrorName;
  readonly status: number;
  readonly code: number;
  readonly description: string;
  readonly data: readonly unknown[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(kind: ErrorName, options: ApiErrorOptions) {
    super(options.description, options.cause === undefined ? undefined : { cause: options.cause });
    const entry = ERROR_CATALOG[kind];
    this.kind = kind;
    this.status = entry.status;
    this.code = entry.code;
    this.description = options.description;
    this.data = options.data ?? [];
    this.headers = options.headers ?? {};
  }
}

export function apiError(kind: ErrorName, description: string, data?: readonly unknown[]): ApiError {
  return data === undefined ? new ApiError(kind, { description }) : new ApiError(kind, { description, data });
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** Exhaustiveness guard for `switch` statements over tagged unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(value)}`);
}
