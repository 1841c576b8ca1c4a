/**
 * Prices and alert state as both stores keep them (`prices`, `alert_state`, schema version 5). The
 * SQL is plain enough for both dialects; only the upsert differs.
 */
import type { AlertStateRecord, PriceRecord, PriceSource } from './store.ts';

export const DELETE_PRICES_SQL = 'DELETE FROM prices WHERE partner_id = $1 AND source = $2';

export const INSERT_PRICE_SQL =
  'INSERT INTO prices (partner_id, source, sku_id, currency, unit_price, billing_plan, term_duration,' +
  ' monthly_price, title, offer_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)';

export const LIST_PRICES_SQL =
  'SELECT source, sku_id, currency, unit_price, billing_plan, term_duration, monthly_price, title, offer_id' +
  ' FROM prices WHERE partner_id = $1 ORDER BY sku_id, source, currency, term_duration, billing_plan';

export function priceParams(partnerId: string, source: PriceSource, p: PriceRecord): (string | number)[] {
  return [
    partnerId,
    source,
    p.skuId,
    p.currency,
    p.unitPrice,
    p.billingPlan,
    p.termDuration,
    p.monthlyPrice,
    p.title,
    p.offerId,
  ];
}

/** Rows of LIST_PRICES_SQL, column by column, as records. */
export function pricesOf(
  columns: Readonly<Record<string, readonly unknown[]>>,
  count: number,
): PriceRecord[] {
  const at = (name: string, i: number) => columns[name]?.[i];
  const out: PriceRecord[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      source: String(at('source', i)) as PriceSource,
      skuId: String(at('sku_id', i)),
      currency: String(at('currency', i)),
      unitPrice: Number(at('unit_price', i)),
      billingPlan: String(at('billing_plan', i)),
      termDuration: String(at('term_duration', i)),
      monthlyPrice: Number(at('monthly_price', i)),
      title: String(at('title', i)),
      offerId: String(at('offer_id', i)),
    });
  }
  return out;
}

export const LIST_ALERT_STATES_SQL =
  'SELECT alert_key, state_json, updated_at FROM alert_state WHERE partner_id = $1 ORDER BY alert_key';

export const DELETE_ALERT_STATE_SQL = 'DELETE FROM alert_state WHERE partner_id = $1 AND alert_key = $2';

export const INSERT_ALERT_STATE_SQL =
  'INSERT INTO alert_state (partner_id, alert_key, state_json, updated_at) VALUES ($1, $2, $3, $4)';

export function alertStatesOf(
  columns: Readonly<Record<string, readonly unknown[]>>,
  count: number,
): AlertStateRecord[] {
  const out: AlertStateRecord[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      key: String(columns.alert_key?.[i]),
      state: String(columns.state_json?.[i]),
      updatedAt: String(columns.updated_at?.[i]),
    });
  }
  return out;
}
