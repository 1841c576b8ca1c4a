/**
 * Overload: past its limits the server answers at once with a 503 ApiFault and `Retry-After`
 * instead of queueing without bound, keeps answering the requests it took, and always answers
 * its probes. Requests in flight are held for real, on PostgreSQL, by a lock on the snapshots
 * table; the event loop is held by the test itself.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columns, PARTNER_A, PARTNER_A_ROWS } from '../fixtures/http-rows.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { storeSkipped } from '../support/stores.ts';

const E5 = '/v1/analytics/commercial/deployment/license/';

interface Fault {
  code: number;
  description: string;
}

function busyFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Holding the event loop, as a saturated process would.
  }
}

describe('overload: a blocked event loop', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ overload: { maxEventLoopDelayMs: 50, sampleIntervalMs: 60 } });
    await h.load(PARTNER_A, columns(PARTNER_A_ROWS));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 503 with Retry-After as an ApiFault, the probes still 200, and recovers', async () => {
    const token = await h.token(PARTNER_A);
    expect((await h.get(`${E5}?top=1`, token)).statusCode).toBe(200);
    // Hold the loop until the sampler has seen the delay (on a busy machine its timer may fire
    // before or after a hold), then ask: until its next sample, requests are turned away.
    let shed = await h.get(`${E5}?top=1`, token);
    for (let i = 0; i < 20 && shed.statusCode !== 503; i++) {
      busyFor(400);
      await new Promise((r) => setImmediate(r));
      shed = await h.get(`${E5}?top=1`, token);
    }
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('5');
    expect(shed.headers['ms-requestid']).toBeDefined();
    const fault = json<Fault>(shed);
    expect(fault.code).toBe(800003);
    expect(fault.description).toMatch(
      /^The server is overloaded \(eventLoopDelay \d+ ms\); retry after 5 seconds\.$/,
    );
    expect((await h.get('/healthz')).statusCode).toBe(200);
    // Once the loop runs freely again, requests are answered.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      status = (await h.get(`${E5}?top=1`, token)).statusCode;
    }
    expect(status).toBe(200);
  });
});

describe.skipIf(storeSkipped('postgres'))('overload: requests in flight [postgres]', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ store: 'postgres', overload: { maxInFlight: 2, maxEventLoopDelayMs: 0 } });
    await h.load(PARTNER_A, columns(PARTNER_A_ROWS));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('turns away the request past the limit at once, and answers the ones it took', async () => {
    const token = await h.token(PARTNER_A);
    const locker = new pg.Client({ connectionString: h.db });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE snapshots IN ACCESS EXCLUSIVE MODE');
      // Two requests wait on the lock (different queries, so neither is answered from the cache).
      const held = [h.get(`${E5}?top=1`, token), h.get(`${E5}?top=2`, token)];
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      const shed = await h.get(`${E5}?top=3`, token);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(shed.statusCode).toBe(503);
      expect(shed.headers['retry-after']).toBe('5');
      expect(json<Fault>(shed).description).toBe(
        'The server is overloaded (2 requests in progress); retry after 5 seconds.',
      );
      expect((await h.get('/healthz')).statusCode).toBe(200);
      await locker.query('COMMIT');
      const answered = await Promise.all(held);
      expect(answered.map((r) => r.statusCode)).toEqual([200, 200]);
      expect(json<{ TotalCount: number }>(answered[0]!).TotalCount).toBeGreaterThan(0);
      // The slots are free again.
      expect((await h.get(`${E5}?top=3`, token)).statusCode).toBe(200);
    } finally {
      await locker.end();
    }
  });
});
