/** A compiled statement: SQL text with positional placeholders and the values bound to them. */
export type SqlParam = string | number;

export interface SqlQuery {
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

/**
 * Table names shared by every adapter's schema (types differ per dialect, names do not).
 *
 * `deployment` holds one row per (partner_id, processed_date, customer_tenant_id, product_id,
 * channel). `ord` is the row's zero-based position in the canonical E5 order of its snapshot
 * (customerTenantId, productId, channel, byte-wise), assigned at load time so that ungrouped
 * paging sorts one integer instead of three strings, identically on every store.
 *
 * `snapshots` holds one row per loaded (partner_id, processed_date) with its counts, where it came
 * from (`source`) and the customers a partial collection missed (`missing_customers`, a JSON array).
 *
 * `sku_catalog` holds the product catalog imported with `seatwise import --format catalog`.
 *
 * `deployment_groups` (PostgreSQL only) holds per-snapshot aggregates, one row per (partner_id,
 * processed_date, service_code, service_name, channel, product_id, product_name) with the rows'
 * `row_count` and sums `licenses_deployed`, `licenses_sold` and `capped_deployed` (deployed capped
 * at sold, per row), written by the load in the same transaction as the rows.
 */
export const TABLES = Object.freeze({
  deployment: 'deployment',
  groups: 'deployment_groups',
  snapshots: 'snapshots',
  catalog: 'sku_catalog',
  subscriptions: 'subscriptions',
});
