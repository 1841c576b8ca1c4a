/**
 * The daily collection's runs in the store contract: recorded runs read back exactly, newest
 * first, per partner, up to the limit; a run recorded again with the same start replaces it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectionRunRecord, Store } from '../../src/store/store.ts';
import { PARTNER_A, PARTNER_B } from '../fixtures/contract-rows.ts';

function run(startedAt: string, changes: Partial<CollectionRunRecord> = {}): CollectionRunRecord {
  return {
    processedDate: startedAt.slice(0, 10),
    attempt: 1,
    trigger: 'schedule',
    startedAt,
    endedAt: startedAt.replace(/:00\.000Z$/, ':42.500Z'),
    outcome: 'stored',
    customers: 1200,
    missingCustomers: 0,
    error: null,
    ...changes,
  };
}

export function describeCollectionRuns(open: () => Promise<Store>): void {
  describe('collection runs', () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('reads back what was recorded, newest first, per partner, up to the limit', async () => {
      store = await open();
      expect(await store.listCollectionRuns(PARTNER_A, 10)).toEqual([]);
      const failed = run('2026-11-30T02:30:00.000Z', {
        outcome: 'failed',
        customers: null,
        missingCustomers: null,
        error: 'HTTP 503: Partner Center is unavailable — «retry» later',
      });
      const retried = run('2026-11-30T02:35:00.000Z', { attempt: 2, trigger: 'retry', missingCustomers: 3 });
      const next = run('2026-12-01T02:30:00.000Z');
      for (const r of [retried, failed, next]) await store.recordCollectionRun(PARTNER_A, r);
      await store.recordCollectionRun(PARTNER_B, run('2026-12-01T03:00:00.000Z'));
      expect(await store.listCollectionRuns(PARTNER_A, 10)).toEqual([next, retried, failed]);
      expect(await store.listCollectionRuns(PARTNER_A, 2)).toEqual([next, retried]);
      expect(await store.listCollectionRuns(PARTNER_B, 10)).toHaveLength(1);
    });

    it('replaces a run recorded again with the same start', async () => {
      store = await open();
      const first = run('2026-11-30T02:30:00.000Z', { outcome: 'failed', error: 'first', customers: null });
      await store.recordCollectionRun(PARTNER_A, first);
      const again = { ...first, error: 'second' };
      await store.recordCollectionRun(PARTNER_A, again);
      expect(await store.listCollectionRuns(PARTNER_A, 10)).toEqual([again]);
    });
  });
}
