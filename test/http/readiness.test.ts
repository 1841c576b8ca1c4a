import { afterEach, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';

describeOnStores('/readyz', (kind) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close().catch(() => undefined);
    h = undefined;
  });

  it('answers 200 with the store while the store answers, without a token', async () => {
    h = await createHarness({ store: kind });
    const res = await h.get('/readyz');
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ status: 'ok', store: h.store.kind, version: 'test' });
  });

  it('answers 503 as an ApiFault with Retry-After once the store stops answering', async () => {
    h = await createHarness({ store: kind });
    await h.store.close();
    const res = await h.get('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    const body = json<{ code: number; description: string }>(res);
    expect(body.code).toBe(800003);
    expect(body.description).toContain('store does not answer');
    // Liveness stays up: the process itself is fine.
    expect((await h.get('/healthz')).statusCode).toBe(200);
  });

  it('answers 503 while draining, and every answer then closes its connection', async () => {
    let draining = false;
    h = await createHarness({ store: kind, draining: () => draining });
    expect((await h.get('/readyz')).headers.connection).not.toBe('close');
    draining = true;
    const ready = await h.get('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(json<{ description: string }>(ready).description).toBe('The server is shutting down.');
    expect(ready.headers.connection).toBe('close');
    // The API still answers in full while draining.
    const health = await h.get('/healthz');
    expect([health.statusCode, health.headers.connection]).toEqual([200, 'close']);
  });
});
