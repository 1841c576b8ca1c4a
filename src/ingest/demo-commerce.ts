/**
 * The demo's subscriptions and prices, so that a demo store shows shelfware in money and renewals:
 * one subscription per customer and product of the latest snapshot (its quantity the seats sold),
 * with terms ending over the coming year, and an illustrative price list in US dollars.
 *
 * The prices are round figures of the order of Microsoft's public list prices, per seat and month
 * on a one-year term; they are demo data, not a price sheet.
 */
import { addDays } from '../domain/dates.ts';
import type { RowColumns } from '../domain/row.ts';
import { type CatalogSku, skuCatalog } from '../domain/sku-catalog.ts';
import type { PriceRecord, SubscriptionRecord } from '../store/store.ts';
import { hashText, Rng } from './prng.ts';

/** US dollars per seat and month, by part number (the SKUs the demo sells). */
const MONTHLY_USD: Readonly<Record<string, number>> = {
  O365_BUSINESS_ESSENTIALS: 6,
  O365_BUSINESS_PREMIUM: 12.5,
  SPB: 22,
  SPE_E3: 36,
  SPE_E5: 57,
  ENTERPRISEPACK: 23,
  STANDARDPACK: 10,
  SPE_F1: 2.25,
  EXCHANGESTANDARD: 4,
  EXCHANGEENTERPRISE: 8,
  EXCHANGEARCHIVE_ADDON: 3,
  MCOEV: 10,
  Microsoft_365_Copilot: 30,
  POWER_BI_PRO: 14,
  VISIOCLIENT: 15,
  PROJECTPROFESSIONAL: 30,
  EMS: 10.6,
  EMSPREMIUM: 16.4,
  INTUNE_A: 8,
  AAD_PREMIUM: 6,
  O365_BUSINESS: 8.25,
  MCOPSTN2: 24,
  DESKLESSPACK: 4,
  DYN365_ENTERPRISE_SALES: 105,
  DYN365_ENTERPRISE_CUSTOMER_SERVICE: 105,
  DYN365_ENTERPRISE_PLAN1: 210,
  DYN365_TEAM_MEMBERS: 8,
  DYN365_ENTERPRISE_TEAM_MEMBERS: 8,
  DYN365_BUSCENTRAL_ESSENTIAL: 80,
  DYN365_BUSCENTRAL_PREMIUM: 110,
  CRMSTANDARD: 65,
};

/**
 * The demo's price list: for each SKU above, a one-year term billed monthly and billed annually
 * (twelve months' price), in US dollars.
 */
export function demoPrices(): PriceRecord[] {
  const byPart = new Map(skuCatalog().map((s) => [s.partNumber, s]));
  const prices: PriceRecord[] = [];
  for (const [partNumber, monthly] of Object.entries(MONTHLY_USD)) {
    const sku = byPart.get(partNumber);
    if (sku === undefined) throw new Error(`demo price for ${partNumber}, which the catalog lacks`);
    const base = { source: 'price-sheet', skuId: sku.skuId, currency: 'USD', termDuration: 'P1Y' } as const;
    const title = sku.displayName;
    prices.push(
      { ...base, unitPrice: monthly, billingPlan: 'monthly', monthlyPrice: monthly, title, offerId: '' },
      { ...base, unitPrice: monthly * 12, billingPlan: 'annual', monthlyPrice: monthly, title, offerId: '' },
    );
  }
  return prices;
}

/**
 * One active subscription per customer and product of the rows' latest date: quantity the seats
 * sold there (over every channel); most on a one-year term ending some day of the coming year,
 * some monthly; deterministic for the same rows and seed.
 */
export function demoSubscriptions(rows: RowColumns, partnerId: string, seed: number): SubscriptionRecord[] {
  const dates = rows.processedDate;
  let last = '';
  for (const d of dates) if (d > last) last = d;
  const byKey = new Map<string, { customer: string; productId: string; sold: number }>();
  for (let i = 0; i < dates.length; i++) {
    if (dates[i] !== last) continue;
    const customer = rows.customerTenantId[i]!;
    const productId = rows.productId[i]!;
    const key = `${customer}/${productId}`;
    const entry = byKey.get(key) ?? { customer, productId, sold: 0 };
    entry.sold += Number(rows.licensesSold[i]);
    byKey.set(key, entry);
  }
  const skus = new Map<string, CatalogSku>(skuCatalog().map((s) => [s.skuId, s]));
  const rng = new Rng((seed ^ hashText(`${partnerId}/subscriptions`)) >>> 0);
  const out: SubscriptionRecord[] = [];
  for (const { customer, productId, sold } of [...byKey.values()].sort((a, b) =>
    a.customer === b.customer ? (a.productId < b.productId ? -1 : 1) : a.customer < b.customer ? -1 : 1,
  )) {
    const sku = skus.get(productId);
    const monthlyTerm = rng.chance(0.15);
    const annualBilling = !monthlyTerm && rng.chance(0.3);
    const id = rng.guid().toLowerCase();
    out.push({
      processedDate: last,
      customerTenantId: customer,
      subscriptionId: id,
      offerId: `DEMO-${sku?.partNumber ?? productId}:0001`,
      offerName: sku?.displayName ?? productId,
      friendlyName: '',
      quantity: sold,
      unitType: 'Licenses',
      status: 'active',
      termDuration: monthlyTerm ? 'P1M' : 'P1Y',
      billingCycle: annualBilling ? 'annual' : 'monthly',
      commitmentEndDate: addDays(last, monthlyTerm ? rng.int(1, 30) : rng.int(1, 365)),
      autoRenewEnabled: rng.chance(0.9),
      isTrial: false,
      parentSubscriptionId: null,
      productId,
      match: 'exact',
    });
  }
  return out;
}
