import { afterEach, describe, expect, it } from 'vitest';
import {
  CollectionSchedule,
  type CollectionScheduleOptions,
  dailyPattern,
  isTimeZone,
} from './collection-schedule.ts';

const EVERY_SECOND = '* * * * * *';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let schedule: CollectionSchedule | undefined;
afterEach(async () => {
  await schedule?.stop();
  schedule = undefined;
});

function start(options: Partial<CollectionScheduleOptions> & Pick<CollectionScheduleOptions, 'run'>) {
  const logged: string[] = [];
  schedule = new CollectionSchedule({
    pattern: EVERY_SECOND,
    timezone: 'UTC',
    description: 'every second',
    log: { info: (m) => logged.push(`info ${m}`), warn: (m) => logged.push(`warn ${m}`) },
    ...options,
  });
  schedule.start();
  return { schedule, logged };
}

async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

describe('dailyPattern and isTimeZone', () => {
  it('turns HH:MM into a daily croner pattern and refuses anything else', () => {
    expect(dailyPattern('02:30')).toBe('30 2 * * *');
    expect(dailyPattern('23:59')).toBe('59 23 * * *');
    expect(dailyPattern('00:00')).toBe('0 0 * * *');
    for (const bad of ['24:00', '2:30', '02:60', '0230', '02:30:00', ''])
      expect(dailyPattern(bad)).toBeUndefined();
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('reports the next run of a daily pattern in its time zone', () => {
    const s = new CollectionSchedule({
      pattern: dailyPattern('02:30')!,
      timezone: 'Asia/Kolkata',
      description: 'daily at 02:30 Asia/Kolkata',
      run: async () => ({ processedDate: '2026-12-01', customers: 0, missingCustomers: 0 }),
    });
    s.start();
    const next = new Date(s.status().nextRun!);
    void s.stop();
    // 02:30 in Kolkata (UTC+05:30) is 21:00 UTC the day before.
    expect(next.toISOString()).toMatch(/T21:00:00\.000Z$/);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
  });
});

describe('CollectionSchedule', () => {
  it('retries a failed run after its delay and records both, the latest first', async () => {
    let calls = 0;
    const { schedule: s } = start({
      retryDelaysMs: [300],
      run: async () => {
        calls++;
        if (calls === 1) throw new Error('HTTP 503: Partner Center is unavailable');
        return { processedDate: '2026-12-01', customers: 12, missingCustomers: 0 };
      },
    });
    await until(() => s.status().runs.some((r) => r.outcome === 'failed'));
    expect(s.status().nextRetry).not.toBeNull();
    await until(() => s.status().runs.some((r) => r.outcome === 'stored'));
    const [stored, failed] = s.status().runs;
    expect(failed).toMatchObject({
      attempt: 1,
      trigger: 'schedule',
      outcome: 'failed',
      error: 'HTTP 503: Partner Center is unavailable',
      processedDate: null,
    });
    // The retry came ~300 ms later, before the next scheduled second could start a fresh run.
    expect(stored).toMatchObject({
      outcome: 'stored',
      processedDate: '2026-12-01',
      customers: 12,
      missingCustomers: 0,
      error: null,
    });
    expect(new Date(stored!.startedAt) >= new Date(failed!.endedAt!)).toBe(true);
  });

  it('never runs twice at once: ticks during a run are skipped', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    const { schedule: s, logged } = start({
      run: async () => {
        calls++;
        running++;
        most = Math.max(most, running);
        await sleep(2300);
        running--;
        return { processedDate: '2026-12-01', customers: 1, missingCustomers: 0 };
      },
    });
    await until(() => s.status().running);
    await until(() => s.status().runs.some((r) => r.outcome === 'stored'));
    expect(most).toBe(1);
    expect(calls).toBe(1);
    expect(logged.filter((l) => l.includes('skipped')).length).toBeGreaterThanOrEqual(1);
  });

  it('gives up for the day when the next retry would come after the next scheduled run', async () => {
    const { schedule: s, logged } = start({
      retryDelaysMs: [60_000],
      run: async () => {
        throw new Error('refresh token revoked; run `seatwise login` again');
      },
    });
    await until(() => s.status().runs.some((r) => r.outcome === 'failed'));
    expect(s.status().nextRetry).toBeNull();
    expect(
      logged.some((l) => l.startsWith('warn collection failed (attempt 1), no retry before the next run')),
    ).toBe(true);
  });

  it('stop aborts a run in progress and waits for it', async () => {
    let aborted = false;
    const { schedule: s } = start({
      run: (signal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason as Error);
          });
        }),
    });
    await until(() => s.status().running);
    await s.stop();
    expect(aborted).toBe(true);
    expect(s.status()).toMatchObject({ running: false, nextRun: null, nextRetry: null });
    expect(s.status().runs[0]).toMatchObject({ outcome: 'failed', error: 'the server is shutting down' });
  });
});
