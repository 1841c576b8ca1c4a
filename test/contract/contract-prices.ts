/**
 * Prices and alert state in the store contract: a partner's prices of one source are replaced as a
 * whole and read back exactly, in key order, without touching the other source or partner; alert
 * states are stored, replaced by key and cleared.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PriceRecord, Store } from '../../src/store/store.ts';
import { PARTNER_A, PARTNER_B } from '../fixtures/contract-rows.ts';

const E3 = '6FD2C87F-B296-42F0-B197-1E91E994B900';
const E5 = 'C7DF2760-2C81-4EF7-B578-5B5392B571DF';

function price(skuId: string, changes: Partial<PriceRecord> = {}): PriceRecord {
  return {
    source: 'override',
    skuId,
    currency: 'EUR',
    unitPrice: 33.75,
    billingPlan: 'monthly',
    termDuration: 'P1Y',
    monthlyPrice: 33.75,
    title: 'Office 365 E3 — «Angebot»',
    offerId: '',
    ...changes,
  };
}

export function describePrices(open: () => Promise<Store>): void {
  describe('prices and alert state', () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('replaces one source of one partner as a whole and reads prices back in key order', async () => {
      store = await open();
      expect(await store.listPrices(PARTNER_A)).toEqual([]);
      const sheet = [
        price(E5, {
          source: 'price-sheet',
          currency: 'USD',
          unitPrice: 684,
          billingPlan: 'annual',
          monthlyPrice: 57,
          offerId: 'CFQ7TTC0LF8Q:0001',
        }),
        price(E3, {
          source: 'price-sheet',
          currency: 'USD',
          unitPrice: 23,
          monthlyPrice: 23,
          offerId: 'CFQ7TTC0LF8R:0001',
        }),
        price(E3, {
          source: 'price-sheet',
          currency: 'USD',
          unitPrice: 27.6,
          termDuration: 'P1M',
          monthlyPrice: 27.6,
          offerId: 'CFQ7TTC0LF8R:0001',
        }),
      ];
      const override = price(E3);
      expect(await store.replacePrices(PARTNER_A, 'price-sheet', sheet)).toEqual({ prices: 3 });
      expect(await store.replacePrices(PARTNER_A, 'override', [override])).toEqual({ prices: 1 });
      await store.replacePrices(PARTNER_B, 'override', [price(E5, { unitPrice: 1, monthlyPrice: 1 })]);
      expect(await store.listPrices(PARTNER_A)).toEqual([override, sheet[2], sheet[1], sheet[0]]);

      // A new price sheet replaces the old one and leaves the overrides and partner B alone.
      const next = [price(E5, { source: 'price-sheet', currency: 'USD', unitPrice: 60, monthlyPrice: 60 })];
      await store.replacePrices(PARTNER_A, 'price-sheet', next);
      expect(await store.listPrices(PARTNER_A)).toEqual([override, next[0]]);
      await store.replacePrices(PARTNER_A, 'override', []);
      expect(await store.listPrices(PARTNER_A)).toEqual(next);
      expect(await store.listPrices(PARTNER_B)).toHaveLength(1);
    });

    it('stores alert states by key, replaces and clears them, per partner', async () => {
      store = await open();
      expect(await store.listAlertStates(PARTNER_A)).toEqual([]);
      const a = { key: 'unassigned/x', state: '{"value":12}', updatedAt: '2026-12-01T06:00:00.000Z' };
      const b = { key: 'cost/y', state: '{"value":"€ 40"}', updatedAt: '2026-12-01T06:00:00.000Z' };
      await store.saveAlertStates(PARTNER_A, [a, b], []);
      await store.saveAlertStates(PARTNER_B, [a], []);
      expect(await store.listAlertStates(PARTNER_A)).toEqual([b, a]);
      const a2 = { ...a, state: '{"value":14}' };
      await store.saveAlertStates(PARTNER_A, [a2], ['cost/y', 'never-set']);
      expect(await store.listAlertStates(PARTNER_A)).toEqual([a2]);
      expect(await store.listAlertStates(PARTNER_B)).toEqual([a]);
    });
  });
}
