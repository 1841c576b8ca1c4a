/**
 * DuckDB DDL for the schema described in `store/store.ts`. No index on `deployment`: rows are
 * written sorted by (partner_id, processed_date, ord), so DuckDB's per-row-group min/max statistics
 * (zone maps) skip other partners' and other days' rows, and because `ord` follows
 * (customer_tenant_id, product_id, channel), a point filter on one customer skips most of a day too.
 * An ART index would slow bulk loads and not help these scans.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS deployment (
  partner_id VARCHAR NOT NULL,
  processed_date DATE NOT NULL,
  ord INTEGER NOT NULL,
  service_code VARCHAR NOT NULL,
  service_name VARCHAR NOT NULL,
  channel VARCHAR NOT NULL,
  customer_tenant_id VARCHAR NOT NULL,
  customer_name VARCHAR NOT NULL,
  product_id VARCHAR NOT NULL,
  product_name VARCHAR NOT NULL,
  licenses_deployed BIGINT NOT NULL,
  licenses_sold BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
  partner_id VARCHAR NOT NULL,
  processed_date DATE NOT NULL,
  row_count BIGINT NOT NULL,
  customer_count BIGINT NOT NULL,
  product_count BIGINT NOT NULL,
  imported_at TIMESTAMP NOT NULL,
  source VARCHAR NOT NULL DEFAULT '',
  missing_customers VARCHAR NOT NULL DEFAULT '[]',
  PRIMARY KEY (partner_id, processed_date)
);
CREATE TABLE IF NOT EXISTS sku_catalog (
  sku_id VARCHAR PRIMARY KEY,
  part_number VARCHAR NOT NULL,
  display_name VARCHAR NOT NULL,
  product_name VARCHAR NOT NULL,
  service_code VARCHAR NOT NULL,
  service_name VARCHAR NOT NULL
);
ALTER TABLE snapshots ADD COLUMN IF NOT EXISTS source VARCHAR DEFAULT '';
ALTER TABLE snapshots ADD COLUMN IF NOT EXISTS missing_customers VARCHAR DEFAULT '[]';
`;
