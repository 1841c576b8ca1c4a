/**
 * What both adapters do with a load's subscriptions (`LoadRequest.subscriptions`): check that each
 * belongs to a snapshot the load replaces and repeats no key, and turn them into the values of the
 * `subscriptions` table's columns, in `SUBSCRIPTION_COLUMNS` order, for batched inserts.
 */
import type { SubscriptionRecord } from './store.ts';

/** The columns of `subscriptions` a load fills, after `partner_id`. */
export const SUBSCRIPTION_COLUMNS = [
  'processed_date',
  'customer_tenant_id',
  'subscription_id',
  'offer_id',
  'offer_name',
  'friendly_name',
  'quantity',
  'unit_type',
  'status',
  'term_duration',
  'billing_cycle',
  'commitment_end_date',
  'auto_renew_enabled',
  'is_trial',
  'parent_subscription_id',
  'product_id',
  'match_kind',
] as const;

/** Rows per INSERT statement (× 18 parameters, well under either driver's limit). */
export const SUBSCRIPTION_BATCH = 500;

export type SubscriptionValue = string | number | boolean | null;

/**
 * Throws a RangeError for a subscription dated outside `dates` or repeating a (date, customer,
 * subscription id) key: the source checks both, so either is a programming error.
 */
export function checkSubscriptions(
  subscriptions: readonly SubscriptionRecord[],
  dates: readonly string[],
): void {
  const days = new Set(dates);
  const keys = new Set<string>();
  for (const s of subscriptions) {
    if (!days.has(s.processedDate)) {
      throw new RangeError(
        `subscription ${s.subscriptionId} is dated ${s.processedDate}, which is not a snapshot this load replaces`,
      );
    }
    const key = `${s.processedDate}\u0000${s.customerTenantId}\u0000${s.subscriptionId}`;
    if (keys.has(key)) {
      throw new RangeError(
        `subscription ${s.subscriptionId} of customer ${s.customerTenantId} appears twice on ${s.processedDate}`,
      );
    }
    keys.add(key);
  }
}

/** One subscription's values in SUBSCRIPTION_COLUMNS order. */
export function subscriptionValues(s: SubscriptionRecord): SubscriptionValue[] {
  return [
    s.processedDate,
    s.customerTenantId,
    s.subscriptionId,
    s.offerId,
    s.offerName,
    s.friendlyName,
    s.quantity,
    s.unitType,
    s.status,
    s.termDuration,
    s.billingCycle,
    s.commitmentEndDate,
    s.autoRenewEnabled,
    s.isTrial,
    s.parentSubscriptionId,
    s.productId,
    s.match,
  ];
}

/**
 * The INSERT statements of `subscriptions`, in batches of bound values; `asDate` renders a date
 * parameter in the store's dialect (`CAST($n AS DATE)`, `$n::date`).
 */
export function subscriptionInserts(
  partnerId: string,
  subscriptions: readonly SubscriptionRecord[],
  asDate: (ref: string) => string,
): { sql: string; params: SubscriptionValue[] }[] {
  const dates = new Set<string>(['processed_date', 'commitment_end_date']);
  const statements: { sql: string; params: SubscriptionValue[] }[] = [];
  for (let from = 0; from < subscriptions.length; from += SUBSCRIPTION_BATCH) {
    const params: SubscriptionValue[] = [];
    const tuples = subscriptions.slice(from, from + SUBSCRIPTION_BATCH).map((s) => {
      const refs = [partnerId, ...subscriptionValues(s)].map((v, i) => {
        params.push(v);
        const ref = `$${params.length}`;
        return i > 0 && dates.has(SUBSCRIPTION_COLUMNS[i - 1]!) ? asDate(ref) : ref;
      });
      return `(${refs.join(', ')})`;
    });
    statements.push({
      sql: `INSERT INTO subscriptions (partner_id, ${SUBSCRIPTION_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
      params,
    });
  }
  return statements;
}
