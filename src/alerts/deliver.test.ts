import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../../test/fixtures/alerts/receiver.ts';
import type { DeliverySettings, Webhook } from './config.ts';
import { deliver, redactUrl, retryAfter } from './deliver.ts';

/** A port nothing listens on: one a server had a moment ago. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let receiver: Receiver;
let hook: Webhook;

const FAST: DeliverySettings = { timeoutMs: 2000, attempts: 5, backoffMs: 20 };

beforeAll(async () => {
  receiver = await startReceiver();
  hook = { url: receiver.url, format: 'generic', headers: { Authorization: 'Bearer s3cret' } };
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.posts.length = 0;
});

describe('deliver', () => {
  it('POSTs the body as JSON with the webhook headers', async () => {
    const outcome = await deliver(hook, { hello: 'world' }, FAST);
    expect(outcome).toEqual({
      target: redactUrl(receiver.url),
      ok: true,
      attempts: 1,
      status: 200,
      error: null,
    });
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0]?.body).toEqual({ hello: 'world' });
    expect(receiver.posts[0]?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(receiver.posts[0]?.headers.authorization).toBe('Bearer s3cret');
  });

  it('retries with growing waits: a receiver failing twice gets three POSTs', async () => {
    receiver.plan({ status: 500 }, { status: 503 });
    const retries: string[] = [];
    const outcome = await deliver(hook, { n: 1 }, FAST, { onRetry: (m) => retries.push(m) });
    expect(outcome).toMatchObject({ ok: true, attempts: 3, status: 200 });
    expect(receiver.posts).toHaveLength(3);
    const [a, b, c] = receiver.posts.map((p) => p.at);
    expect(b! - a!).toBeGreaterThanOrEqual(18);
    expect(c! - b!).toBeGreaterThanOrEqual(38);
    expect(retries).toEqual([
      `${redactUrl(receiver.url)}: attempt 1 failed (HTTP 500); retrying in 20 ms`,
      `${redactUrl(receiver.url)}: attempt 2 failed (HTTP 503); retrying in 40 ms`,
    ]);
  });

  it('does not retry a 400, and gives up after the last attempt', async () => {
    receiver.plan({ status: 400 });
    expect(await deliver(hook, {}, FAST)).toMatchObject({
      ok: false,
      attempts: 1,
      status: 400,
      error: 'HTTP 400',
    });
    expect(receiver.posts).toHaveLength(1);

    receiver.posts.length = 0;
    receiver.plan({ status: 500 }, { status: 500 }, { status: 500 });
    expect(await deliver(hook, {}, { ...FAST, attempts: 3 })).toMatchObject({
      ok: false,
      attempts: 3,
      status: 500,
    });
    expect(receiver.posts).toHaveLength(3);
  });

  it('retries 408 and 429, waiting as long as Retry-After asks', async () => {
    receiver.plan({ status: 408 }, { status: 429, headers: { 'Retry-After': '1' } });
    const outcome = await deliver(hook, {}, FAST);
    expect(outcome).toMatchObject({ ok: true, attempts: 3 });
    const [, b, c] = receiver.posts.map((p) => p.at);
    expect(c! - b!).toBeGreaterThanOrEqual(950);
  });

  it('gives up on an attempt that gets no answer in time, and on a receiver that is not there', async () => {
    receiver.plan({ status: 200, delayMs: 1000 });
    expect(await deliver(hook, {}, { timeoutMs: 100, attempts: 1, backoffMs: 0 })).toMatchObject({
      ok: false,
      attempts: 1,
      status: null,
      error: 'no answer within 0.1 s',
    });
    const gone = await deliver(
      { ...hook, url: `http://127.0.0.1:${await closedPort()}/hook` },
      {},
      {
        ...FAST,
        attempts: 2,
      },
    );
    expect(gone).toMatchObject({ ok: false, attempts: 2, status: null, error: 'ECONNREFUSED' });
  });

  it('stops waiting when told to stop', async () => {
    receiver.plan({ status: 500 });
    const stop = new AbortController();
    const pending = deliver(hook, {}, { ...FAST, backoffMs: 60_000 }, { signal: stop.signal });
    await new Promise((r) => setTimeout(r, 100));
    stop.abort();
    expect(await pending).toMatchObject({ ok: false, attempts: 1, error: 'stopped' });
  });
});

describe('retryAfter and redactUrl', () => {
  it('reads seconds and HTTP dates, capped at five minutes', () => {
    const now = Date.parse('2026-12-01T06:00:00Z');
    expect(retryAfter('3', now)).toBe(3000);
    expect(retryAfter('Tue, 01 Dec 2026 06:00:10 GMT', now)).toBe(10_000);
    expect(retryAfter('86400', now)).toBe(300_000);
    expect(retryAfter(null, now)).toBe(0);
    expect(retryAfter('soon', now)).toBe(0);
  });

  it('keeps only the scheme and host of a webhook URL', () => {
    expect(redactUrl('https://hooks.slack.com/services/T0/B0/secret')).toBe('https://hooks.slack.com/…');
    expect(redactUrl('https://prod.westus.logic.azure.com:443/workflows/x?sig=secret')).toBe(
      'https://prod.westus.logic.azure.com/…',
    );
  });
});
