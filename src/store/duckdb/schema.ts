/**
 * DuckDB DDL for the schema described in `store/store.ts`, as migrations (see
 * `store/schema-version.ts` for what the numbers mean; `migrate.ts` applies them). No index on
 * `deployment`: rows are written sorted by (partner_id, processed_date, ord), so DuckDB's
 * per-row-group min/max statistics (zone maps) skip other partners' and other days' rows, and
 * because `ord` follows (customer_tenant_id, product_id, channel), a point filter on one customer
 * skips most of a day too. An ART index would slow bulk loads and not help these scans.
 *
 * A released migration never changes: a database that recorded it already has its tables.
 */
import { type Migration, SCHEMA_TABLE } from '../schema-version.ts';

/** The three tables Seatwise 0.1.0 created; a file holding them and no version table is at version 1. */
export const V1_TABLES = ['deployment', 'snapshots', 'sku_catalog'] as const;

export const DUCKDB_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'the layout of release 0.1.0: deployment, snapshots, sku_catalog',
    statements: [
      `CREATE TABLE deployment (
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
      )`,
      `CREATE TABLE snapshots (
        partner_id VARCHAR NOT NULL,
        processed_date DATE NOT NULL,
        row_count BIGINT NOT NULL,
        customer_count BIGINT NOT NULL,
        product_count BIGINT NOT NULL,
        imported_at TIMESTAMP NOT NULL,
        source VARCHAR NOT NULL DEFAULT '',
        missing_customers VARCHAR NOT NULL DEFAULT '[]',
        PRIMARY KEY (partner_id, processed_date)
      )`,
      `CREATE TABLE sku_catalog (
        sku_id VARCHAR PRIMARY KEY,
        part_number VARCHAR NOT NULL,
        display_name VARCHAR NOT NULL,
        product_name VARCHAR NOT NULL,
        service_code VARCHAR NOT NULL,
        service_name VARCHAR NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    description: `the version table, ${SCHEMA_TABLE}`,
    statements: [
      // seatwise_version is the release that recorded the row; applied_at is UTC.
      `CREATE TABLE ${SCHEMA_TABLE} (
        version INTEGER PRIMARY KEY,
        description VARCHAR NOT NULL,
        seatwise_version VARCHAR NOT NULL,
        applied_at TIMESTAMP NOT NULL
      )`,
    ],
  },
  {
    version: 3,
    description: 'subscriptions: Partner Center subscriptions stored with a snapshot',
    statements: [
      // One row per (partner, snapshot, customer, subscription), replaced and pruned with the
      // snapshot; product_id is the deployment rows' productId it was matched to (match_kind says
      // how), NULL when none.
      `CREATE TABLE subscriptions (
        partner_id VARCHAR NOT NULL,
        processed_date DATE NOT NULL,
        customer_tenant_id VARCHAR NOT NULL,
        subscription_id VARCHAR NOT NULL,
        offer_id VARCHAR NOT NULL,
        offer_name VARCHAR NOT NULL,
        friendly_name VARCHAR NOT NULL,
        quantity BIGINT NOT NULL,
        unit_type VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        term_duration VARCHAR NOT NULL,
        billing_cycle VARCHAR NOT NULL,
        commitment_end_date DATE,
        auto_renew_enabled BOOLEAN,
        is_trial BOOLEAN,
        parent_subscription_id VARCHAR,
        product_id VARCHAR,
        match_kind VARCHAR NOT NULL,
        PRIMARY KEY (partner_id, processed_date, customer_tenant_id, subscription_id)
      )`,
    ],
  },
  {
    version: 4,
    description: 'collection_runs: the outcome of each scheduled collection run',
    statements: [
      // One row per run of the server's daily collection (stored or failed), for `seatwise
      // snapshots` and the status route; the run itself as JSON (CollectionRunRecord).
      `CREATE TABLE collection_runs (
        partner_id VARCHAR NOT NULL,
        processed_date DATE NOT NULL,
        started_at VARCHAR NOT NULL,
        run_json VARCHAR NOT NULL,
        PRIMARY KEY (partner_id, started_at)
      )`,
    ],
  },
  {
    version: 5,
    description: "prices and alert_state: the partner's unit prices and the alerts that fired",
    statements: [
      // Unit prices per licensed product (sku_id is the deployment rows' product_id), from the
      // partner's overrides or Partner Center's price sheet; monthly_price is unit_price per month.
      `CREATE TABLE prices (
        partner_id VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        sku_id VARCHAR NOT NULL,
        currency VARCHAR NOT NULL,
        unit_price DOUBLE NOT NULL,
        billing_plan VARCHAR NOT NULL,
        term_duration VARCHAR NOT NULL,
        monthly_price DOUBLE NOT NULL,
        title VARCHAR NOT NULL,
        offer_id VARCHAR NOT NULL,
        PRIMARY KEY (partner_id, source, sku_id, currency, term_duration, billing_plan)
      )`,
      // One row per alert that fired and has not cleared (src/alerts/); state_json is the alerts'.
      `CREATE TABLE alert_state (
        partner_id VARCHAR NOT NULL,
        alert_key VARCHAR NOT NULL,
        state_json VARCHAR NOT NULL,
        updated_at VARCHAR NOT NULL,
        PRIMARY KEY (partner_id, alert_key)
      )`,
    ],
  },
  {
    version: 6,
    description: 'the generation moves with the data: nothing to store in a file only one process writes',
    // PostgreSQL keeps a generation counter in the database at this version; a DuckDB file has one
    // writer, which counts its writes in memory (duckdb-store.ts). The number stays in step.
    statements: [],
  },
];

/**
 * Every migration's DDL in order, as one script: the tables of the current layout for a scratch
 * database that records no version (bench/duckdb-reference.ts). Stores open through `migrate.ts`.
 */
export const SCHEMA_SQL = DUCKDB_MIGRATIONS.flatMap((m) => m.statements.map((s) => `${s};\n`)).join('');
