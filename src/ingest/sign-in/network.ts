/**
 * MSAL's network client (`system.networkClient`), on node:https instead of MSAL's fetch, for three
 * things MSAL does not do itself:
 *
 * - **Extra trusted CAs** for one process (`ca`), beside the system's and `NODE_EXTRA_CA_CERTS`.
 * - **`slow_down`** while polling for a device code (RFC 8628 §3.5): MSAL treats it as a failure;
 *   here the poll is repeated after `slowDownStepMs` more (5 s by default), for that poll and every
 *   later one, as the RFC asks, and MSAL only ever sees `authorization_pending` or the outcome.
 * - **The last error answer** (`error`, AADSTS `error_codes`), kept for messages: MSAL passes on
 *   only the `error` of a failed device-code poll, and nothing of a failed metadata request.
 *
 * Request and response bodies (codes, tokens, secrets) are never logged or kept.
 */
import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export interface ServerErrorInfo {
  readonly status: number;
  readonly error: string;
  readonly codes: readonly number[];
  readonly suberror?: string;
  /** The AADSTS description's first sentence(s), without trace and correlation ids. */
  readonly description: string;
}

export interface SignInNetwork extends INetworkModule {
  /** The last error an endpoint answered, or undefined. */
  readonly lastError: () => ServerErrorInfo | undefined;
  /** The last request that got no answer at all (connection, TLS, timeout), or undefined. */
  readonly lastFailure: () => { url: string; reason: string } | undefined;
  /** Forgets both, before a new attempt. */
  readonly reset: () => void;
}

export interface SignInNetworkOptions {
  /** PEM certificates to trust in addition to the system's (tests' CAs). */
  readonly ca?: string;
  /** Added to the polling interval at each `slow_down` (default 5000 ms, RFC 8628). */
  readonly slowDownStepMs?: number;
  /** Per-request time limit (default 30 s). */
  readonly timeoutMs?: number;
}

/** MSAL sends `device_code`; RFC 8628's name is the URN. */
const DEVICE_CODE_GRANTS = new Set(['device_code', 'urn:ietf:params:oauth:grant-type:device_code']);

export function signInNetwork(options: SignInNetworkOptions = {}): SignInNetwork {
  // Without `ca`, the system's CAs and NODE_EXTRA_CA_CERTS; no idle connection keeps the CLI alive.
  const agent = new Agent({
    keepAlive: false,
    ...(options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] }),
  });
  const step = options.slowDownStepMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let lastError: ServerErrorInfo | undefined;
  let lastFailure: { url: string; reason: string } | undefined;
  // Extra wait before each device-code poll, grown by every slow_down.
  let extraPollDelay = 0;

  function send<T>(
    method: 'GET' | 'POST',
    url: string,
    opts: NetworkRequestOptions | undefined,
    timeout: number,
  ): Promise<NetworkResponse<T>> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      if (target.protocol !== 'https:') {
        reject(new Error(`the authority must be https, got ${target.protocol}`));
        return;
      }
      const body = method === 'POST' ? Buffer.from(opts?.body ?? '', 'utf8') : undefined;
      const req = httpsRequest(
        target,
        {
          method,
          headers: {
            ...(opts?.headers ?? {}),
            ...(body === undefined ? {} : { 'content-length': String(body.length) }),
          },
          agent,
          timeout,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers))
              if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = {
                error: 'invalid_response',
                error_description: `HTTP ${res.statusCode} without JSON`,
              };
            }
            const status = res.statusCode ?? 0;
            recordError(status, parsed);
            resolve({ headers, body: parsed as T, status });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        lastFailure = { url: `${target.origin}${target.pathname}`, reason: err.code ?? err.message };
        reject(err);
      });
      req.end(body);
    });
  }

  function recordError(status: number, body: unknown): void {
    if (typeof body !== 'object' || body === null) return;
    const b = body as Record<string, unknown>;
    if (typeof b.error !== 'string') return;
    if (b.error === 'authorization_pending' || b.error === 'slow_down') return;
    lastError = {
      status,
      error: b.error,
      codes: Array.isArray(b.error_codes)
        ? b.error_codes.filter((c): c is number => typeof c === 'number')
        : [],
      ...(typeof b.suberror === 'string' ? { suberror: b.suberror } : {}),
      description: cleanDescription(typeof b.error_description === 'string' ? b.error_description : ''),
    };
  }

  return {
    lastError: () => lastError,
    lastFailure: () => lastFailure,
    reset: () => {
      lastError = undefined;
      lastFailure = undefined;
    },
    sendGetRequestAsync: <T>(url: string, opts?: NetworkRequestOptions, timeout?: number) =>
      send<T>('GET', url, opts, timeout ?? timeoutMs),
    async sendPostRequestAsync<T>(url: string, opts?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
      const polling = DEVICE_CODE_GRANTS.has(new URLSearchParams(opts?.body ?? '').get('grant_type') ?? '');
      if (!polling) return send<T>('POST', url, opts, timeoutMs);
      for (;;) {
        if (extraPollDelay > 0) await new Promise((r) => setTimeout(r, extraPollDelay));
        const response = await send<T>('POST', url, opts, timeoutMs);
        const error = (response.body as { error?: unknown } | null)?.error;
        if (error !== 'slow_down') return response;
        extraPollDelay += step;
      }
    },
  };
}

/** An AADSTS description up to its trace and correlation ids and timestamp, on one line. */
export function cleanDescription(text: string): string {
  return text
    .split(/\s*(?:Trace ID:|Correlation ID:|Timestamp:)/)[0]!
    .replace(/^AADSTS\d+:\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
}
