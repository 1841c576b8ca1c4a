/**
 * Subscriptions in the store contract: a load stores them with its snapshots in the same
 * transaction, a replaced snapshot loses the ones it had, prune removes them with their snapshot,
 * and `listSubscriptions` reads back exactly what was stored. Each case opens its own fresh store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { emptyRowColumns } from '../../src/domain/row.ts';
import type { Store, SubscriptionRecord } from '../../src/store/store.ts';
import {
  CUSTOMER,
  DAY_1,
  DAY_2,
  PARTNER_A,
  PARTNER_A_INPUT,
  PARTNER_B,
  PRODUCT,
  toColumns,
} from '../fixtures/contract-rows.ts';
import { loadColumns } from '../support/load.ts';
import { rawRow, storeState } from './contract-helpers.ts';

function subscription(
  processedDate: string,
  customerTenantId: string,
  subscriptionId: string,
  changes: Partial<SubscriptionRecord> = {},
): SubscriptionRecord {
  return {
    processedDate,
    customerTenantId,
    subscriptionId,
    offerId: 'CFQ7TTC0LFLX:0001:CFQ7TTC0LFLX',
    offerName: 'Office 365 E3',
    friendlyName: 'E3 for the sales team',
    quantity: 25,
    unitType: 'Licenses',
    status: 'active',
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    commitmentEndDate: '2026-11-30',
    autoRenewEnabled: true,
    isTrial: false,
    parentSubscriptionId: null,
    productId: PRODUCT.e3,
    match: 'name',
    ...changes,
  };
}

export function describeSubscriptions(open: () => Promise<Store>): void {
  describe('subscriptions', () => {
    const opened: Store[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const fresh = async (): Promise<Store> => {
      const store = await open();
      opened.push(store);
      return store;
    };

    // Sorted by customer, then subscription id byte-wise ("Z…" before "a…").
    const day2 = [
      subscription(DAY_2, CUSTOMER.oneil, 'Z-legacy', {
        offerId: '91FD106F-4B2C-4938-95AC-F54F74E9A239',
        offerName: 'Office 365 Business Premium',
        friendlyName: '',
        quantity: 0,
        unitType: '',
        status: 'suspended',
        termDuration: '',
        billingCycle: 'annual',
        commitmentEndDate: null,
        autoRenewEnabled: null,
        isTrial: null,
        productId: null,
        match: 'none',
      }),
      subscription(DAY_2, CUSTOMER.oneil, 'a0c3-e3', { friendlyName: 'Ünïcödé "quoted", 😀' }),
      subscription(DAY_2, CUSTOMER.tokyo, 'b1-addon', {
        offerId: 'CFQ7TTC0LH0Z:0002',
        offerName: 'Audio Conferencing',
        quantity: 2_147_483_647,
        autoRenewEnabled: false,
        isTrial: true,
        parentSubscriptionId: 'a0c3-e3',
        productId: PRODUCT.basic,
        match: 'catalog',
      }),
    ];

    it('stores them with the snapshot and reads back exactly what was stored, in order', async () => {
      const store = await fresh();
      const shuffled = [day2[2]!, day2[0]!, day2[1]!];
      const outcome = await loadColumns(store, PARTNER_A, toColumns(PARTNER_A_INPUT), {
        subscriptions: shuffled,
      });
      expect(outcome.dates).toEqual([DAY_1, DAY_2]);
      expect(await store.listSubscriptions(PARTNER_A, DAY_2)).toEqual(day2);
      expect(await store.listSubscriptions(PARTNER_A, DAY_1)).toEqual([]);
      expect(await store.listSubscriptions(PARTNER_B, DAY_2)).toEqual([]);
      expect(await store.listSubscriptions(PARTNER_A, '2030-01-01')).toEqual([]);
    });

    it('stores them for a snapshot without rows (dates)', async () => {
      const store = await fresh();
      const one = subscription(DAY_1, CUSTOMER.cairo, 'only');
      await loadColumns(store, PARTNER_B, emptyRowColumns(), { dates: [DAY_1], subscriptions: [one] });
      expect(await store.listSubscriptions(PARTNER_B, DAY_1)).toEqual([one]);
      expect(await store.listSnapshots(PARTNER_B)).toMatchObject([{ processedDate: DAY_1, rows: 0 }]);
    });

    it('replaces them with their snapshot only, and keeps them when a load is refused', async () => {
      const store = await fresh();
      await loadColumns(store, PARTNER_A, toColumns(PARTNER_A_INPUT), {
        subscriptions: [...day2, subscription(DAY_1, CUSTOMER.gone, 'day1')],
      });
      await loadColumns(store, PARTNER_B, emptyRowColumns(), {
        dates: [DAY_2],
        subscriptions: [subscription(DAY_2, CUSTOMER.oneil, 'partner-b')],
      });

      // A refused load (a bad row) changes nothing, subscriptions included.
      const refused = await store.load(
        {
          partnerId: PARTNER_A,
          source: 'test',
          dates: [DAY_2],
          subscriptions: [subscription(DAY_2, CUSTOMER.oneil, 'new')],
        },
        (sink) => sink.rows('bad.json', [rawRow(4, { licensesSold: 'many' })]),
      );
      expect(refused.ok).toBe(false);
      expect(await store.listSubscriptions(PARTNER_A, DAY_2)).toEqual(day2);

      // Reloading DAY_2 with other subscriptions replaces that day's, not DAY_1's nor partner B's.
      const next = subscription(DAY_2, CUSTOMER.tokyo, 'next', { quantity: 3 });
      await loadColumns(store, PARTNER_A, emptyRowColumns(), { dates: [DAY_2], subscriptions: [next] });
      expect(await store.listSubscriptions(PARTNER_A, DAY_2)).toEqual([next]);
      expect(await store.listSubscriptions(PARTNER_A, DAY_1)).toEqual([
        subscription(DAY_1, CUSTOMER.gone, 'day1'),
      ]);
      expect(await store.listSubscriptions(PARTNER_B, DAY_2)).toHaveLength(1);

      // A load carrying none still replaces the snapshot's.
      await loadColumns(store, PARTNER_A, emptyRowColumns(), { dates: [DAY_2] });
      expect(await store.listSubscriptions(PARTNER_A, DAY_2)).toEqual([]);
      expect(await store.listSubscriptions(PARTNER_A, DAY_1)).toHaveLength(1);
    });

    it('refuses subscriptions outside the load’s snapshots or repeating a key, changing nothing', async () => {
      const store = await fresh();
      await loadColumns(store, PARTNER_A, toColumns(PARTNER_A_INPUT), { subscriptions: day2 });
      const before = await storeState(store, [PARTNER_A]);
      await expect(
        loadColumns(store, PARTNER_A, emptyRowColumns(), {
          dates: [DAY_2],
          subscriptions: [subscription(DAY_1, CUSTOMER.oneil, 'elsewhere')],
        }),
      ).rejects.toThrow(/dated 2026-03-01, which is not a snapshot this load replaces/);
      await expect(
        loadColumns(store, PARTNER_A, emptyRowColumns(), {
          dates: [DAY_2],
          subscriptions: [
            subscription(DAY_2, CUSTOMER.oneil, 'twice'),
            subscription(DAY_2, CUSTOMER.oneil, 'twice'),
          ],
        }),
      ).rejects.toThrow(/appears twice/);
      expect(await storeState(store, [PARTNER_A])).toEqual(before);
      expect(await store.listSubscriptions(PARTNER_A, DAY_2)).toEqual(day2);
    });

    it('prunes them with their snapshot, for one partner or all', async () => {
      const store = await fresh();
      await loadColumns(store, PARTNER_A, toColumns(PARTNER_A_INPUT), {
        subscriptions: [...day2, subscription(DAY_1, CUSTOMER.gone, 'day1')],
      });
      await loadColumns(store, PARTNER_B, emptyRowColumns(), {
        dates: [DAY_1],
        subscriptions: [subscription(DAY_1, CUSTOMER.oneil, 'partner-b')],
      });
      await store.deleteSnapshotsBefore(DAY_2, PARTNER_A);
      expect(await store.listSubscriptions(PARTNER_A, DAY_1)).toEqual([]);
      expect(await store.listSubscriptions(PARTNER_A, DAY_2)).toEqual(day2);
      expect(await store.listSubscriptions(PARTNER_B, DAY_1)).toHaveLength(1);
      await store.deleteSnapshotsBefore('2999-01-01');
      expect(await store.listSubscriptions(PARTNER_A, DAY_2)).toEqual([]);
      expect(await store.listSubscriptions(PARTNER_B, DAY_1)).toEqual([]);
    });
  });
}
