/**
 * The store's generation in the store contract: it moves on with every write that changes data
 * (a load, retention, prices, the catalog), before the write returns, and stays put for reads and
 * for writes that change no answer (collection runs, alert state).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.ts';
import { PARTNER_A, PARTNER_A_INPUT, PRODUCT, toColumns } from '../fixtures/contract-rows.ts';
import { loadColumns } from '../support/load.ts';

export function describeGeneration(open: () => Promise<Store>): void {
  describe('generation', () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('moves on with each write that changes data, and only then', async () => {
      store = await open();
      const seen = [await store.generation()];
      const expectNew = async () => {
        const g = await store!.generation();
        expect(seen).not.toContain(g);
        seen.push(g);
      };
      const expectSame = async () => expect(await store!.generation()).toBe(seen.at(-1));

      await loadColumns(store, PARTNER_A, toColumns(PARTNER_A_INPUT));
      await expectNew();
      await store.latestSnapshot(PARTNER_A);
      await store.listSnapshots(PARTNER_A);
      await store.recordCollectionRun(PARTNER_A, {
        processedDate: '2026-11-01',
        attempt: 1,
        trigger: 'schedule',
        startedAt: '2026-11-01T02:30:00.000Z',
        endedAt: '2026-11-01T02:31:00.000Z',
        outcome: 'stored',
        customers: 1,
        missingCustomers: 0,
        error: null,
      });
      await store.saveAlertStates(
        PARTNER_A,
        [{ key: 'k', state: '{}', updatedAt: '2026-11-01T00:00:00Z' }],
        [],
      );
      await expectSame();

      await store.replacePrices(PARTNER_A, 'override', []);
      await expectNew();
      await store.upsertCatalog([
        {
          skuId: PRODUCT.e3,
          partNumber: 'ENTERPRISEPACK',
          displayName: 'Office 365 E3',
          productName: 'OFFICE 365 E3',
          serviceCode: 'o365',
          serviceName: 'Microsoft Office 365',
        },
      ]);
      await expectNew();
      await store.deleteSnapshotsBefore('2100-01-01', PARTNER_A);
      await expectNew();
    });
  });
}
