/**
 * Seatwise's insights beyond Partner Center (docs/extension-api.md): unassigned seats in money
 * (`shelfware`) and subscriptions ending soon with what could be dropped at renewal (`renewals`).
 * Prices come from the partner's imported price lists (docs/prices.md).
 */
import type { RenewalItem, RenewalTotal, ShelfwareItem, ShelfwareTotal } from '../contract/schemas.ts';
import type { RenewalsQuery, ShelfwareQuery } from '../query/parse-query.ts';
import type { ColumnarResult, Store } from '../store/store.ts';

export type { RenewalsQuery, ShelfwareQuery } from '../query/parse-query.ts';

export interface ShelfwareResult {
  /** The snapshot read; null when the partner has none. */
  readonly processedDate: string | null;
  /** One page, by monthly cost (unpriced last), then unassigned seats, customer and product. */
  readonly items: ShelfwareItem[];
  readonly totalCount: number;
  /** Per currency (byte-wise), over every item. */
  readonly totals: ShelfwareTotal[];
  readonly unpriced: { readonly items: number; readonly licensesUnassigned: number };
}

export interface RenewalsResult {
  readonly processedDate: string | null;
  readonly withinDays: number;
  /** One page, by commitment end date, then monthly cost reducible, customer and subscription. */
  readonly items: RenewalItem[];
  readonly totalCount: number;
  /** Per currency (byte-wise), over every priced item. */
  readonly totals: RenewalTotal[];
}

/** Reads one result row by column name. */
function reader(r: ColumnarResult, i: number) {
  const raw = (name: string) => r.columns[name]?.[i] ?? null;
  return {
    text: (name: string) => String(raw(name) ?? ''),
    textOrNull: (name: string) => {
      const v = raw(name);
      return v === null ? null : String(v);
    },
    num: (name: string) => Number(raw(name) ?? 0),
    numOrNull: (name: string) => {
      const v = raw(name);
      return v === null ? null : Number(v);
    },
    raw,
  };
}

/** Whole cents as a number of the currency's units. */
const fromCents = (cents: number): number => Math.round(cents) / 100;

/** The price fields of an item, present only when it has a price. */
function priceOf(row: ReturnType<typeof reader>) {
  const currency = row.textOrNull('currency');
  if (currency === null) return null;
  return {
    unitPrice: row.num('unit_price'),
    currency,
    billingPlan: row.text('billing_plan'),
    monthlyUnitPrice: row.num('monthly_price'),
    cost: fromCents(row.num('cost_cents')),
  };
}

/** A flag the SQL reads as an integer (1, 0 or NULL). */
function asBoolean(v: string | number | null): boolean | null {
  return v === null ? null : Number(v) !== 0;
}

interface Sums {
  readonly items: number;
  readonly seats: number;
}

/** The totals statement's rows: every item counted, the priced ones per currency with their cost. */
function totalsOf(totals: ColumnarResult): {
  totalCount: number;
  priced: (Sums & { currency: string; cost: number })[];
  unpriced: Sums;
} {
  let totalCount = 0;
  const priced: (Sums & { currency: string; cost: number })[] = [];
  let unpriced: Sums = { items: 0, seats: 0 };
  for (let i = 0; i < totals.rowCount; i++) {
    const row = reader(totals, i);
    const sums = { items: row.num('items'), seats: row.num('seats') };
    totalCount += sums.items;
    const currency = row.textOrNull('currency');
    if (currency === null) unpriced = sums;
    else priced.push({ currency, ...sums, cost: fromCents(row.num('cost_cents')) });
  }
  return { totalCount, priced, unpriced };
}

export class InsightsService {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** The snapshot a query reads: the one asked for, else the partner's latest (null: none). */
  async #snapshot(partnerId: string, processedDate: string | null): Promise<string | null> {
    return processedDate ?? (await this.#store.latestSnapshot(partnerId));
  }

  /** `GET /seatwise/v1/shelfware`: unassigned seats per customer and product, priced where known. */
  async shelfware(partnerId: string, query: ShelfwareQuery): Promise<ShelfwareResult> {
    const processedDate = await this.#snapshot(partnerId, query.processedDate);
    if (processedDate === null) {
      return {
        processedDate,
        items: [],
        totalCount: 0,
        totals: [],
        unpriced: { items: 0, licensesUnassigned: 0 },
      };
    }
    const { rows, totals } = await this.#store.shelfware({
      partnerId,
      processedDate,
      filter: query.filter,
      top: query.top,
      skip: query.skip,
    });
    const items: ShelfwareItem[] = [];
    for (let i = 0; i < rows.rowCount; i++) {
      const row = reader(rows, i);
      const price = priceOf(row);
      items.push({
        customerTenantId: row.text('customer_tenant_id'),
        customerName: row.text('customer_name'),
        productId: row.text('product_id'),
        productName: row.text('product_name'),
        licensesSold: row.num('sold'),
        licensesDeployed: row.num('deployed'),
        licensesUnassigned: row.num('unassigned'),
        ...(price === null
          ? {}
          : {
              unitPrice: price.unitPrice,
              currency: price.currency,
              billingPlan: price.billingPlan,
              termDuration: row.text('term_duration'),
              monthlyUnitPrice: price.monthlyUnitPrice,
              monthlyCostUnassigned: price.cost,
            }),
      });
    }
    const { totalCount, priced, unpriced } = totalsOf(totals);
    return {
      processedDate,
      items,
      totalCount,
      totals: priced.map((t) => ({
        currency: t.currency,
        items: t.items,
        licensesUnassigned: t.seats,
        monthlyCostUnassigned: t.cost,
      })),
      unpriced: { items: unpriced.items, licensesUnassigned: unpriced.seats },
    };
  }

  /**
   * `GET /seatwise/v1/renewals`: the active subscriptions whose term ends from the snapshot's date
   * to `withinDays` after it, with the seats that could be dropped at renewal and their cost.
   */
  async renewals(partnerId: string, query: RenewalsQuery): Promise<RenewalsResult> {
    const withinDays = query.withinDays;
    const processedDate = await this.#snapshot(partnerId, query.processedDate);
    if (processedDate === null) return { processedDate, withinDays, items: [], totalCount: 0, totals: [] };
    const { rows, totals } = await this.#store.renewals({
      partnerId,
      processedDate,
      withinDays,
      filter: query.filter,
      top: query.top,
      skip: query.skip,
    });
    const items: RenewalItem[] = [];
    for (let i = 0; i < rows.rowCount; i++) {
      const row = reader(rows, i);
      const price = priceOf(row);
      items.push({
        customerTenantId: row.text('customer_tenant_id'),
        customerName: row.text('customer_name'),
        subscriptionId: row.text('subscription_id'),
        offerId: row.text('offer_id'),
        offerName: row.text('offer_name'),
        friendlyName: row.text('friendly_name'),
        productId: row.textOrNull('product_id'),
        productName: row.textOrNull('product_name'),
        quantity: row.num('quantity'),
        termDuration: row.text('term_duration'),
        billingCycle: row.text('billing_cycle'),
        commitmentEndDate: row.text('commitment_end_date'),
        daysUntilEnd: row.num('days_until_end'),
        autoRenewEnabled: asBoolean(row.raw('auto_renew_enabled')),
        licensesUnassigned: row.numOrNull('unassigned'),
        reducibleSeats: row.num('reducible'),
        ...(price === null
          ? {}
          : {
              unitPrice: price.unitPrice,
              currency: price.currency,
              billingPlan: price.billingPlan,
              monthlyUnitPrice: price.monthlyUnitPrice,
              monthlyCostReducible: price.cost,
            }),
      });
    }
    const { totalCount, priced } = totalsOf(totals);
    return {
      processedDate,
      withinDays,
      items,
      totalCount,
      totals: priced.map((t) => ({
        currency: t.currency,
        items: t.items,
        reducibleSeats: t.seats,
        monthlyCostReducible: t.cost,
      })),
    };
  }
}
