/**
 * `GET /seatwise/v1/status`: the same tokens as the API; the daily collection only for the
 * partner it collects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectionSchedule } from '../../src/service/collection-schedule.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';

const COLLECTED = 'A1B2C3D4-0000-4000-8000-5EA7A15E0001';
const OTHER = 'B1B2C3D4-0000-4000-8000-5EA7A15E0002';

let h: Harness;
let schedule: CollectionSchedule;
let runs = 0;

beforeAll(async () => {
  schedule = new CollectionSchedule({
    pattern: '* * * * * *',
    timezone: 'Europe/Paris',
    description: 'every second (test)',
    retryDelaysMs: [],
    run: async () => {
      runs++;
      return { processedDate: '2026-12-01', customers: 42, missingCustomers: 3 };
    },
  });
  schedule.start();
  h = await createHarness({ collection: { partnerId: COLLECTED, status: () => schedule.status() } });
});
afterAll(async () => {
  await schedule.stop();
  await h.close();
});

describe('GET /seatwise/v1/status', () => {
  it('refuses a request without a token, as the API does', async () => {
    const res = await h.get('/seatwise/v1/status');
    expect(res.statusCode).toBe(401);
    expect(res.headers['ms-requestid']).toBeDefined();
  });

  it("shows the collecting partner its schedule, next run and the runs' outcomes", async () => {
    const end = Date.now() + 5000;
    while (runs === 0 || schedule.status().running) {
      if (Date.now() > end) throw new Error('no run happened');
      await new Promise((r) => setTimeout(r, 20));
    }
    const res = await h.get('/seatwise/v1/status', await h.token(COLLECTED));
    expect(res.statusCode).toBe(200);
    const body = json<{
      version: string;
      store: string;
      partnerId: string;
      collection: {
        partnerId: string;
        schedule: { pattern: string; timezone: string; description: string };
        nextRun: string;
        runs: { outcome: string; processedDate: string; customers: number; missingCustomers: number }[];
      };
    }>(res);
    expect(body).toMatchObject({ version: 'test', store: 'duckdb', partnerId: COLLECTED });
    expect(body.collection.partnerId).toBe(COLLECTED);
    expect(body.collection.schedule).toEqual({
      pattern: '* * * * * *',
      timezone: 'Europe/Paris',
      description: 'every second (test)',
    });
    expect(new Date(body.collection.nextRun).getTime()).toBeGreaterThan(Date.now() - 1000);
    expect(body.collection.runs[0]).toMatchObject({
      outcome: 'stored',
      processedDate: '2026-12-01',
      customers: 42,
      missingCustomers: 3,
    });
  });

  it('shows another partner no collection', async () => {
    const res = await h.get('/seatwise/v1/status', await h.token(OTHER));
    expect(res.statusCode).toBe(200);
    expect(json<{ collection: unknown; partnerId: string }>(res)).toMatchObject({
      collection: null,
      partnerId: OTHER,
    });
  });
});
