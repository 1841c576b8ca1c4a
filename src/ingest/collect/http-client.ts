/**
 * GETs against a Partner-Center-compatible API with the conventions of src/sdk/transport.ts (kept
 * separate: the SDK speaks the analytics resource, this the customers resource): one MS-RequestId per
 * logical call kept across its retries, one MS-CorrelationId per run, retries of 5xx / 408 / timeouts
 * / network errors after growing delays, 429 waited out for `Retry-After`, one token refresh on 401,
 * and the byte-order mark Partner Center puts before its bodies removed.
 */
import type { TokenSource } from './token-source.ts';

export interface CollectHttpOptions {
  readonly tokens: TokenSource;
  readonly correlationId: string;
  /** Delays before the 1st, 2nd, 3rd… retry of a 5xx, 408, timeout or network failure. */
  readonly retryDelaysMs?: readonly number[];
  /** How many 429 answers one call waits out before giving up (default 6). */
  readonly maxThrottleRetries?: number;
  /** A longer `Retry-After` is shortened to this (default 120 s): a stuck gateway must not hang a run. */
  readonly maxRetryAfterSeconds?: number;
  /** Per attempt, body included (default 100 s, Partner Center's own gateway timeout). */
  readonly timeoutMs?: number;
  readonly locale?: string;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_COLLECT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([500, 1500, 3500]);

export interface CollectResponse {
  /** The body as received, byte-order mark removed. */
  readonly text: string;
  readonly body: unknown;
  readonly requestId: string;
  /** Retries this call needed (throttling included). */
  readonly retries: number;
}

/** A call that failed for good; `status` 0 means no HTTP answer (timeout or network error). */
export class CollectHttpError extends Error {
  override readonly name = 'CollectHttpError';
  constructor(
    readonly status: number,
    readonly description: string,
    readonly url: string,
    readonly requestId: string,
    /** Attempts after the first. */
    readonly retries = 0,
  ) {
    super(
      `${status === 0 ? 'no response' : `HTTP ${status}`}: ${description} (GET ${url}, MS-RequestId ${requestId})`,
    );
  }
}

export interface CollectHttp {
  getJson(url: string, headers?: Readonly<Record<string, string>>): Promise<CollectResponse>;
}

export function createCollectHttp(options: CollectHttpOptions): CollectHttp {
  const delays = options.retryDelaysMs ?? DEFAULT_COLLECT_RETRY_DELAYS_MS;
  const maxThrottle = options.maxThrottleRetries ?? 6;
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 120;
  const timeoutMs = options.timeoutMs ?? 100_000;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function getJson(
    url: string,
    extra: Readonly<Record<string, string>> = {},
  ): Promise<CollectResponse> {
    const requestId = crypto.randomUUID();
    let token = await options.tokens.get();
    let refreshed = false;
    let failures = 0;
    let throttles = 0;
    for (;;) {
      let status = 0;
      let text = '';
      let retryAfter: number | undefined;
      let description: string;
      try {
        const response = await doFetch(url, {
          method: 'GET',
          headers: {
            ...extra,
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            'ms-requestid': requestId,
            'ms-correlationid': options.correlationId,
            'x-locale': options.locale ?? 'en-US',
          },
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = response.status;
        retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        // Read under the same timeout: a server can stall mid-body as well as before the headers.
        text = stripBom(await response.text());
        description = response.statusText || `HTTP ${status}`;
      } catch (err) {
        description = describeFailure(err, timeoutMs);
        // Includes a body cut short after the headers: the call is retried as a whole.
        status = 0;
      }
      const retries = failures + throttles + (refreshed ? 1 : 0);
      if (status >= 200 && status < 300) {
        try {
          return { text, body: JSON.parse(text), requestId, retries };
        } catch {
          throw new CollectHttpError(status, 'the response is not JSON', url, requestId, retries);
        }
      }
      if (status === 401 && !refreshed && options.tokens.refreshable) {
        refreshed = true;
        token = await options.tokens.get({ rejected: token });
        continue;
      }
      if ((status === 0 || status >= 500 || status === 408) && failures < delays.length) {
        await sleep(delays[failures++] ?? 0);
        continue;
      }
      if (status === 429 && throttles < maxThrottle) {
        throttles++;
        await sleep(Math.min(retryAfter ?? 1, maxRetryAfter) * 1000);
        continue;
      }
      const why = status === 0 ? description : faultText(text, description);
      throw new CollectHttpError(status, why, url, requestId, retries);
    }
  }

  return { getJson };
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Seconds; an HTTP date is turned into the seconds left until it. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The ApiFault `description` (or gateway `message`) of an error body, else the status text. */
function faultText(text: string, fallback: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null) {
      for (const [k, v] of Object.entries(body)) {
        if (/^(description|message)$/i.test(k) && typeof v === 'string') return v;
      }
    }
  } catch {
    if (text.trim() !== '') return text.trim().slice(0, 200);
  }
  return fallback;
}

function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return `no response within ${timeoutMs} ms`;
  if (err instanceof Error) {
    const code = (err.cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
