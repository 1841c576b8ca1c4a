/**
 * One HTTP call with Partner Center's conventions: the request headers, retries like the .NET SDK
 * (5xx, 408 and network errors up to 3 times after 0.5, 1.5 and 3.5 s, with the same MS-RequestId;
 * never 400/401/403/404/409), 429 waited out after `Retry-After` (the .NET SDK surfaces it instead),
 * one credentials refresh on 401, a UTF-8 byte-order mark stripped before parsing, and AbortSignal.
 */
import { PartnerCenterError } from './errors.ts';
import type { RequestOptions } from './types.ts';

export type Credentials = string | ((options: { forceRefresh: boolean }) => string | Promise<string>);

export interface RetryOptions {
  /** Delays before the 1st, 2nd, 3rd… retry of a 5xx, 408 or network failure. Default 500, 1500, 3500 ms. */
  readonly delaysMs?: readonly number[];
  /** Wait out 429 responses for `Retry-After` seconds and try again. Default true. */
  readonly retryOn429?: boolean;
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

export interface Transport {
  /** GETs a path (root-relative, or absolute on the same API) and returns the parsed JSON body. */
  getJson(pathOrUrl: string, options?: RequestOptions): Promise<unknown>;
  readonly baseUrl: string;
}

export function createTransport(options: TransportOptions): Transport {
  const delays = options.retry.delaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const retryOn429 = options.retry.retryOn429 ?? true;
  const maxRetryAfter = options.retry.maxRetryAfterSeconds ?? 120;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function token(forceRefresh: boolean): Promise<string> {
    const c = options.credentials;
    return typeof c === 'string' ? c : await c({ forceRefresh });
  }

  async function getJson(pathOrUrl: string, call: RequestOptions = {}): Promise<unknown> {
    const url = /^https?:\/\//i.test(pathOrUrl)
      ? pathOrUrl
      : `${base}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
    const requestId = crypto.randomUUID();
    const correlationId = call.correlationId ?? options.correlationId;
    let bearer = await token(false);
    let refreshed = false;
    let retries = 0;
    for (;;) {
      call.signal?.throwIfAborted();
      let response: Response;
      const timeout = AbortSignal.timeout(options.timeoutMs);
      try {
        response = await options.fetch(url, {
          method: 'GET',
          headers: {
            authorization: `Bearer ${bearer}`,
            accept: 'application/json',
            'ms-requestid': requestId,
            'ms-correlationid': correlationId,
            'x-locale': options.locale,
          },
          signal: call.signal === undefined ? timeout : AbortSignal.any([call.signal, timeout]),
        });
      } catch (err) {
        if (call.signal?.aborted) throw call.signal.reason;
        if (retries < delays.length) {
          await sleep(delays[retries++]!, call.signal);
          continue;
        }
        throw new PartnerCenterError({
          status: 0,
          description: timeout.aborted ? `no response within ${options.timeoutMs} ms` : describe(err),
          requestId,
          correlationId,
          cause: err,
        });
      }
      const text = stripBom(await response.text());
      if (response.ok) return parseJson(text, response.status, requestId, correlationId);

      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (response.status === 401 && !refreshed && typeof options.credentials === 'function') {
        refreshed = true;
        bearer = await token(true);
        continue;
      }
      if ((response.status >= 500 || response.status === 408) && retries < delays.length) {
        await sleep(delays[retries++]!, call.signal);
        continue;
      }
      if (
        response.status === 429 &&
        retryOn429 &&
        retries < delays.length &&
        (retryAfter ?? 1) <= maxRetryAfter
      ) {
        retries++;
        await sleep((retryAfter ?? 1) * 1000, call.signal);
        continue;
      }
      throw errorFrom(response, text, retryAfter, requestId, correlationId);
    }
  }

  return { getJson, baseUrl: base };
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function parseJson(text: string, status: number, requestId: string, correlationId: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PartnerCenterError({
      status,
      description: 'the response is not JSON',
      requestId,
      correlationId,
      cause: err,
    });
  }
}

function errorFrom(
  response: Response,
  text: string,
  retryAfter: number | undefined,
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

function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
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
