/**
 * Delivery of one body to one webhook: a JSON POST with a timeout per attempt, retried with
 * exponential backoff (docs/alerts.md, "Delivery"). Network errors, timeouts, 5xx, 408 and 429 are
 * retried; any other answer is final. A 429 or 503 with `Retry-After` waits at least that long
 * (capped). Never throws: the outcome says what happened.
 */
import type { DeliverySettings, Webhook } from './config.ts';

export interface DeliveryOutcome {
  /** The webhook as logs may show it (see `redactUrl`). */
  readonly target: string;
  readonly ok: boolean;
  readonly attempts: number;
  /** The last HTTP status, or null when no answer came. */
  readonly status: number | null;
  /** Why the last attempt failed, or null. */
  readonly error: string | null;
}

/** The longest wait a `Retry-After` may ask for. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

export interface DeliverOptions {
  readonly signal?: AbortSignal;
  /** Told of each failed attempt that will be retried. */
  readonly onRetry?: (message: string) => void;
}

/**
 * A webhook URL without what may be secret (the path and query of Slack and Teams URLs are the
 * credential): `https://hooks.slack.com/…`.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid URL)';
  }
}

export async function deliver(
  webhook: Webhook,
  body: unknown,
  settings: DeliverySettings,
  options: DeliverOptions = {},
): Promise<DeliveryOutcome> {
  const target = redactUrl(webhook.url);
  const payload = JSON.stringify(body);
  let status: number | null = null;
  let error: string | null = null;
  for (let attempt = 1; attempt <= settings.attempts; attempt++) {
    if (options.signal?.aborted)
      return { target, ok: false, attempts: attempt - 1, status, error: 'stopped' };
    let retryAfterMs = 0;
    let retryable = true;
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    try {
      const res = await fetch(webhook.url, {
        method: 'POST',
        headers: { ...webhook.headers, 'content-type': 'application/json; charset=utf-8' },
        body: payload,
        signal,
        redirect: 'follow',
      });
      status = res.status;
      // The body is read (and dropped) so that the connection can be reused.
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { target, ok: true, attempts: attempt, status, error: null };
      error = `HTTP ${res.status}`;
      retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      if (res.status === 429 || res.status === 503) retryAfterMs = retryAfter(res.headers.get('retry-after'));
    } catch (err) {
      status = null;
      if (options.signal?.aborted) return { target, ok: false, attempts: attempt, status, error: 'stopped' };
      error = timeout.aborted ? `no answer within ${settings.timeoutMs / 1000} s` : describe(err);
    }
    if (!retryable || attempt === settings.attempts)
      return { target, ok: false, attempts: attempt, status, error };
    const wait = Math.max(settings.backoffMs * 2 ** (attempt - 1), retryAfterMs);
    options.onRetry?.(`${target}: attempt ${attempt} failed (${error}); retrying in ${formatMs(wait)}`);
    if (!(await sleep(wait, options.signal)))
      return { target, ok: false, attempts: attempt, status, error: 'stopped' };
  }
  return { target, ok: false, attempts: settings.attempts, status, error };
}

/** `Retry-After` in ms: delay-seconds or an HTTP date; 0 when absent or unreadable; capped. */
export function retryAfter(value: string | null, now = Date.now()): number {
  if (value === null || value.trim() === '') return 0;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : 0;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch reports "fetch failed" and puts the reason (ECONNREFUSED, …) in `cause`.
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === undefined ? cause.message : code;
  }
  return err.message;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
