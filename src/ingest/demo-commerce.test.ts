import { describe, expect, it } from 'vitest';
import { addDays } from '../domain/dates.ts';
import { skuCatalog } from '../domain/sku-catalog.ts';
import { DEMO_PARTNER_ID, generateDemo } from './demo.ts';
import { demoPrices, demoSubscriptions } from './demo-commerce.ts';

const SPEC = { partnerId: DEMO_PARTNER_ID, customers: 60, days: 3, seed: 1, endDate: '2026-06-30' };
const rows = generateDemo(SPEC);

describe('demoSubscriptions', () => {
  const subs = demoSubscriptions(rows, SPEC.partnerId, SPEC.seed);

  it('has one active subscription per customer and product of the latest day, sized to its seats sold', () => {
    const sold = new Map<string, number>();
    rows.processedDate.forEach((d, i) => {
      if (d !== SPEC.endDate) return;
      const key = `${rows.customerTenantId[i]}/${rows.productId[i]}`;
      sold.set(key, (sold.get(key) ?? 0) + rows.licensesSold[i]!);
    });
    expect(subs).toHaveLength(sold.size);
    for (const s of subs) {
      expect(s.processedDate).toBe(SPEC.endDate);
      expect(s.quantity).toBe(sold.get(`${s.customerTenantId}/${s.productId}`));
      expect(s.status).toBe('active');
      expect(s.match).toBe('exact');
    }
    expect(new Set(subs.map((s) => s.subscriptionId)).size).toBe(subs.length);
  });

  it('ends terms within the coming year (monthly ones within a month), deterministically', () => {
    for (const s of subs) {
      const end = s.commitmentEndDate!;
      expect(end > SPEC.endDate).toBe(true);
      expect(end <= addDays(SPEC.endDate, s.termDuration === 'P1M' ? 30 : 365)).toBe(true);
    }
    expect(subs.some((s) => s.termDuration === 'P1M')).toBe(true);
    expect(subs.some((s) => s.billingCycle === 'annual')).toBe(true);
    expect(demoSubscriptions(rows, SPEC.partnerId, SPEC.seed)).toEqual(subs);
    expect(demoSubscriptions(rows, SPEC.partnerId, 2)).not.toEqual(subs);
  });
});

describe('demoPrices', () => {
  it('prices every SKU of the catalog it names, billed monthly and annually, in dollars', () => {
    const prices = demoPrices();
    const skus = new Set(skuCatalog().map((s) => s.skuId));
    expect(prices).toHaveLength(62);
    for (const p of prices) {
      expect(skus.has(p.skuId)).toBe(true);
      expect(p.currency).toBe('USD');
      expect(p.unitPrice).toBe(p.billingPlan === 'annual' ? p.monthlyPrice * 12 : p.monthlyPrice);
    }
    // Every product the demo sells has a price.
    const priced = new Set(prices.map((p) => p.skuId));
    expect(rows.productId.filter((id) => !priced.has(id))).toEqual([]);
  });
});
