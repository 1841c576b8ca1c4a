/**
 * One HTTP call with Partner Center's conventions: the request headers, retries like the .NET SDK
 * (5xx, 408, timeouts and network errors up to 3 times after 0.5, 1.5 and 3.5 s, with the same
 * MS-RequestId; never 400/401/403/404/409), 429 waited out after `Retry-After` (the .NET SDK surfaces
 * it instead), one credentials refresh on 401, a UTF-8 byte-order mark stripped before parsing, a
 * per-attempt timeout that covers the body too, and AbortSignal.
 */
import { PartnerCenterError } from './errors.ts';
import type { RequestOptions } from './types.ts';

/**
 * A bearer token, or a function returning one. After a 401 the function is called with
 * `forceRefresh: true` and the token that was refused; returning that same token again means there
 * is no other, and the 401 is surfaced without another request.
 */
export type Credentials =
  | string
  | ((options: { forceRefresh: boolean; rejectedToken?: string }) => string | Promise<string>);

export interface RetryOptions {
  /** Delays before the 1st, 2nd, 3rd… retry of a 5xx, 408, timeout or network failure. Default 500, 1500, 3500 ms. */
  readonly delaysMs?: readonly number[];
  /** Wait out 429 responses for `Retry-After` seconds and try again. Default true. */
  readonly retryOn429?: boolean;
  /** How many 429s one call waits out, counted apart from other retries. Default: as many as `delaysMs` has entries (3). */
  readonly max429Retries?: number;
  /** A longer `Retry-After` than this is not waited out but surfaced. Default 120 s. */
  readonly maxRetryAfterSeconds?: number;
}

export interface TransportOptions {
  readonly baseUrl: string;
  readonly credentials: Credentials;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  readonly retry: RetryOptions;
  readonly correlationId: string;
  readonly locale: string;
}

export const DEFAULT_RETRY_DELAYS_MS = [500, 1500, 3500] as const;

/** A successful answer: the parsed body and what identifies the call. */
export interface JsonResponse {
  readonly body: unknown;
  readonly url: string;
  readonly requestId: string;
  readonly correlationId: string;
}

export interface Transport {
  /**
   * GETs a path (root-relative, or absolute on the same API) and parses the JSON body. `headers`
   * are sent as well (e.g. MS-ContinuationToken); they cannot replace the ones the transport sets.
   */
  get(
    pathOrUrl: string,
    options?: RequestOptions,
    headers?: Readonly<Record<string, string>>,
  ): Promise<JsonResponse>;
  /** `pathOrUrl` as an absolute URL. */
  url(pathOrUrl: string): string;
  readonly baseUrl: string;
}

export function createTransport(options: TransportOptions): Transport {
  const delays = options.retry.delaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const retryOn429 = options.retry.retryOn429 ?? true;
  const max429 = options.retry.max429Retries ?? delays.length;
  const maxRetryAfter = options.retry.maxRetryAfterSeconds ?? 120;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function token(forceRefresh: boolean, rejectedToken?: string): Promise<string> {
    const c = options.credentials;
    if (typeof c === 'string') return c;
    return await c(rejectedToken === undefined ? { forceRefresh } : { forceRefresh, rejectedToken });
  }

  const url = (pathOrUrl: string): string =>
    /^https?:\/\//i.test(pathOrUrl)
      ? pathOrUrl
      : `${base}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;

  async function get(
    pathOrUrl: string,
    call: RequestOptions = {},
    extra: Readonly<Record<string, string>> = {},
  ): Promise<JsonResponse> {
    const target = url(pathOrUrl);
    const requestId = crypto.randomUUID();
    const correlationId = call.correlationId ?? options.correlationId;
    let bearer = await token(false);
    let refreshed = false;
    let failures = 0;
    let throttles = 0;
    let attempt = 0;
    const report = (status: number) => call.onAttempt?.({ attempt, status, requestId, url: target });
    for (;;) {
      call.signal?.throwIfAborted();
      attempt++;
      let response: Response;
      let text: string;
      const timeout = AbortSignal.timeout(options.timeoutMs);
      // `set` replaces whatever `extra` says under the same name, in any case.
      const headers = new Headers(extra);
      headers.set('authorization', `Bearer ${bearer}`);
      headers.set('accept', 'application/json');
      headers.set('ms-requestid', requestId);
      headers.set('ms-correlationid', correlationId);
      headers.set('x-locale', options.locale);
      try {
        response = await options.fetch(target, {
          method: 'GET',
          headers,
          signal: call.signal === undefined ? timeout : AbortSignal.any([call.signal, timeout]),
        });
        // Read under the same timeout: a server can stall in the body as well as before the headers.
        text = stripBom(await response.text());
      } catch (err) {
        report(0);
        if (call.signal?.aborted) throw call.signal.reason;
        if (failures < delays.length) {
          await sleep(delays[failures++]!, call.signal);
          continue;
        }
        throw new PartnerCenterError({
          status: 0,
          description: timeout.aborted ? `no response within ${options.timeoutMs} ms` : describe(err),
          requestId,
          correlationId,
          url: target,
          cause: err,
        });
      }
      report(response.status);
      if (response.ok) {
        return {
          body: parseJson(text, response.status, target, requestId, correlationId),
          url: target,
          requestId,
          correlationId,
        };
      }

      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (response.status === 401 && !refreshed && typeof options.credentials === 'function') {
        refreshed = true;
        const fresh = await token(true, bearer);
        if (fresh !== bearer) {
          bearer = fresh;
          continue;
        }
      }
      if ((response.status >= 500 || response.status === 408) && failures < delays.length) {
        await sleep(delays[failures++]!, call.signal);
        continue;
      }
      if (response.status === 429 && retryOn429 && throttles < max429 && (retryAfter ?? 1) <= maxRetryAfter) {
        throttles++;
        await sleep((retryAfter ?? 1) * 1000, call.signal);
        continue;
      }
      throw errorFrom(response, text, retryAfter, target, requestId, correlationId);
    }
  }

  return { get, url, baseUrl: base };
}

/** A 2xx answer whose body is not what the resource promises. */
export function malformed(response: JsonResponse, description: string): PartnerCenterError {
  return new PartnerCenterError({
    status: 200,
    description,
    requestId: response.requestId,
    correlationId: response.correlationId,
    url: response.url,
  });
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseJson(
  text: string,
  status: number,
  url: string,
  requestId: string,
  correlationId: string,
): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PartnerCenterError({
      status,
      description: 'the response is not JSON',
      requestId,
      correlationId,
      url,
      cause: err,
    });
  }
}

function errorFrom(
  response: Response,
  text: string,
  retryAfter: number | undefined,
  url: string,
  requestId: string,
  correlationId: string,
): PartnerCenterError {
  let code: number | undefined;
  let description = response.statusText || `HTTP ${response.status}`;
  try {
    const body = lowerKeys(JSON.parse(text));
    if (typeof body.code === 'number') code = body.code;
    else if (typeof body.code === 'string' && /^\d+$/.test(body.code)) code = Number(body.code);
    if (typeof body.description === 'string') description = body.description;
    else if (typeof body.message === 'string') description = body.message;
  } catch {
    if (text.trim() !== '') description = text.trim().slice(0, 200);
  }
  return new PartnerCenterError({
    status: response.status,
    code,
    description,
    requestId: response.headers.get('ms-requestid') ?? requestId,
    correlationId: response.headers.get('ms-correlationid') ?? correlationId,
    retryAfter,
    url,
  });
}

/** Envelope keys are read without regard to case (`Value`/`value`, `TotalCount`/`totalCount`). */
export function lowerKeys(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) out[k.toLowerCase()] = v;
  }
  return out;
}

/** `Retry-After` in seconds; an HTTP date becomes the seconds left until it. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header.trim());
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ? `${err.message} (${cause.code})` : err.message;
  }
  return String(err);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
