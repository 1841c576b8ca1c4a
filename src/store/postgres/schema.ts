/**
 * PostgreSQL DDL, as migrations (see `store/schema-version.ts`; the numbers mean the same layout on
 * every store, and PostgreSQL starts at 2, the first release that speaks it).
 *
 * - `deployment` is range-partitioned by `processed_date`, one partition per day
 *   (`deployment_pYYYYMMDD`, created by a load before it writes, see `partitions.ts`): a query on one
 *   snapshot reads one partition, and retention drops whole partitions.
 * - Text columns use the "C" collation, so ORDER BY, GROUP BY and the canonical `ord` numbering
 *   compare bytes, as DuckDB does; case-insensitive matching asks ICU explicitly (`sql/dialect.ts`).
 * - The primary key (partner_id, processed_date, ord) serves paging; `deployment_customer` serves
 *   the legacy customer endpoints and, covering the measures, `groupby=customerTenantId`;
 *   `deployment_code_channel` gives the planner statistics for filters on serviceCode and channel.
 *   docs/scaling.md shows the plans.
 * - `seatwise_try_date` and `seatwise_utc_day` are the two helpers the PostgreSQL dialect renders
 *   (`sql/dialect.ts`): PostgreSQL has no TRY_CAST. `seatwise_refuse` aborts a load's insert.
 */
import type { Migration } from '../schema-version.ts';

const TEXT = 'text COLLATE "C" NOT NULL';

const V2: readonly string[] = [
  `CREATE TABLE deployment (
    partner_id ${TEXT},
    processed_date date NOT NULL,
    ord integer NOT NULL,
    service_code ${TEXT},
    service_name ${TEXT},
    channel ${TEXT},
    customer_tenant_id ${TEXT},
    customer_name ${TEXT},
    product_id ${TEXT},
    product_name ${TEXT},
    licenses_deployed bigint NOT NULL,
    licenses_sold bigint NOT NULL,
    PRIMARY KEY (partner_id, processed_date, ord)
  ) PARTITION BY RANGE (processed_date)`,
  // Covering (INCLUDE the measures): `groupby=customerTenantId` reads it in order, index only.
  'CREATE INDEX deployment_customer ON deployment (partner_id, customer_tenant_id, processed_date)' +
    ' INCLUDE (licenses_deployed, licenses_sold)',
  // Filters on serviceCode and channel compare lower(column) (sql/dialect.ts). Indexing the
  // expressions gives ANALYZE their statistics: without them the planner guesses such a filter
  // keeps 0.5 % of a day and sorts the whole day for a page, instead of reading it in `ord` order.
  'CREATE INDEX deployment_code_channel ON deployment (partner_id, processed_date,' +
    ' lower(service_code COLLATE "und-x-icu"), lower(channel COLLATE "und-x-icu"))',
  `CREATE TABLE snapshots (
    partner_id ${TEXT},
    processed_date date NOT NULL,
    row_count bigint NOT NULL,
    customer_count bigint NOT NULL,
    product_count bigint NOT NULL,
    imported_at timestamp NOT NULL,
    source ${TEXT} DEFAULT '',
    missing_customers ${TEXT} DEFAULT '[]',
    PRIMARY KEY (partner_id, processed_date)
  )`,
  // Per-snapshot aggregates (sql/query.ts, `aggregates.ts`): group-bys, counts and E1 that need no
  // customer field read a few hundred rows instead of a whole day.
  `CREATE TABLE deployment_groups (
    partner_id ${TEXT},
    processed_date date NOT NULL,
    service_code ${TEXT},
    service_name ${TEXT},
    channel ${TEXT},
    product_id ${TEXT},
    product_name ${TEXT},
    row_count bigint NOT NULL,
    licenses_deployed bigint NOT NULL,
    licenses_sold bigint NOT NULL,
    capped_deployed bigint NOT NULL
  )`,
  'CREATE INDEX deployment_groups_day ON deployment_groups (partner_id, processed_date)',
  `CREATE TABLE sku_catalog (
    sku_id ${TEXT} PRIMARY KEY,
    part_number ${TEXT},
    display_name ${TEXT},
    product_name ${TEXT},
    service_code ${TEXT},
    service_name ${TEXT}
  )`,
  // The local issuer's key, shared by every instance on the database (one row).
  `CREATE TABLE seatwise_issuer_key (
    id integer PRIMARY KEY CHECK (id = 1),
    key_json text NOT NULL
  )`,
  // Rate-limit buckets shared by every instance (src/store/postgres/rate-limiter.ts); losing them
  // in a crash only refills them, so they are not written to the WAL.
  `CREATE UNLOGGED TABLE seatwise_rate_buckets (
    bucket text PRIMARY KEY,
    tokens double precision NOT NULL,
    updated_at timestamptz NOT NULL
  )`,
  // `t` is a calendar day YYYY-MM-DD (year 1 or later), else NULL; pure SQL, so it is inlined.
  `CREATE FUNCTION seatwise_try_date(t text) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
      CASE WHEN substr(t, 1, 4)::int >= 1 AND substr(t, 6, 2)::int BETWEEN 1 AND 12 THEN
        CASE WHEN substr(t, 9, 2)::int BETWEEN 1 AND extract(day FROM
            make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, 1) + interval '1 month' - interval '1 day')::int
          THEN make_date(substr(t, 1, 4)::int, substr(t, 6, 2)::int, substr(t, 9, 2)::int) END
      END
    END
  $$`,
  // The UTC day of an ISO 8601 date-time (no offset: UTC), else NULL. Only date-times with an
  // offset or an unusual hour reach it (ingest.ts takes a plain one's date directly).
  `CREATE FUNCTION seatwise_utc_day(t text) RETURNS date LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET timezone TO 'UTC' AS $$
    BEGIN
      RETURN (t::timestamptz AT TIME ZONE 'UTC')::date;
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END
  $$`,
  // White space trimmed as JavaScript's String.prototype.trim does (the characters are the
  // dialect's, src/sql/dialect.ts). Declared VOLATILE, though it is not, so that PostgreSQL keeps
  // a load's trimmed select a step of its own and trims each value once, rather than pulling the
  // select up and trimming again at every use (the day's rule reads its value up to ten times);
  // PARALLEL SAFE, so that select still runs on every core (the usual fence, OFFSET 0, does not).
  `CREATE FUNCTION seatwise_trim(t text, chars text) RETURNS text LANGUAGE sql VOLATILE PARALLEL SAFE
    AS $$ SELECT btrim(t, chars) $$`,
  `CREATE FUNCTION seatwise_refuse() RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
      RAISE EXCEPTION 'seatwise: refused row' USING ERRCODE = 'SW001';
    END
  $$`,
];

/** Partner Center subscriptions stored with a snapshot (the same columns as DuckDB's). */
const V3: readonly string[] = [
  `CREATE TABLE subscriptions (
    partner_id ${TEXT},
    processed_date date NOT NULL,
    customer_tenant_id ${TEXT},
    subscription_id ${TEXT},
    offer_id ${TEXT},
    offer_name ${TEXT},
    friendly_name ${TEXT},
    quantity bigint NOT NULL,
    unit_type ${TEXT},
    status ${TEXT},
    term_duration ${TEXT},
    billing_cycle ${TEXT},
    commitment_end_date date,
    auto_renew_enabled boolean,
    is_trial boolean,
    parent_subscription_id text COLLATE "C",
    product_id text COLLATE "C",
    match_kind ${TEXT},
    PRIMARY KEY (partner_id, processed_date, customer_tenant_id, subscription_id)
  )`,
];

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  { version: 2, description: 'tables, day partitions, helper functions', statements: V2 },
  {
    version: 3,
    description: 'subscriptions: Partner Center subscriptions stored with a snapshot',
    statements: V3,
  },
  {
    version: 4,
    description: 'collection_runs: the outcome of each scheduled collection run',
    statements: [
      // One row per run of the server's daily collection (stored or failed), for `seatwise
      // snapshots` and the status route; the run itself as JSON (CollectionRunRecord).
      `CREATE TABLE collection_runs (
        partner_id text COLLATE "C" NOT NULL,
        processed_date date NOT NULL,
        started_at text COLLATE "C" NOT NULL,
        run_json text NOT NULL,
        PRIMARY KEY (partner_id, started_at)
      )`,
    ],
  },
  {
    version: 5,
    description: "prices and alert_state: the partner's unit prices and the alerts that fired",
    statements: [
      // The same columns as DuckDB's (store/duckdb/schema.ts).
      `CREATE TABLE prices (
        partner_id ${TEXT},
        source ${TEXT},
        sku_id ${TEXT},
        currency ${TEXT},
        unit_price double precision NOT NULL,
        billing_plan ${TEXT},
        term_duration ${TEXT},
        monthly_price double precision NOT NULL,
        title ${TEXT},
        offer_id ${TEXT},
        PRIMARY KEY (partner_id, source, sku_id, currency, term_duration, billing_plan)
      )`,
      `CREATE TABLE alert_state (
        partner_id ${TEXT},
        alert_key ${TEXT},
        state_json text NOT NULL,
        updated_at text NOT NULL,
        PRIMARY KEY (partner_id, alert_key)
      )`,
    ],
  },
  {
    version: 6,
    description: 'seatwise_generation: a counter every write that changes data moves on',
    statements: [
      // One row. Loads, retention, prices and catalog imports add one to it in their own
      // transaction, so every instance on the database sees the change with the data it belongs to;
      // answers are cached under it (src/http/response-cache.ts).
      `CREATE TABLE seatwise_generation (
        id integer PRIMARY KEY CHECK (id = 1),
        generation bigint NOT NULL
      )`,
      'INSERT INTO seatwise_generation (id, generation) VALUES (1, 0)',
    ],
  },
];

/** Moves the generation on; run last in a write's transaction, so its row lock is held briefly. */
export const BUMP_GENERATION_SQL = 'UPDATE seatwise_generation SET generation = generation + 1 WHERE id = 1';
