/**
 * The storage port. Use cases see only this interface; the composition root picks the adapter
 * (DuckDB by default, PostgreSQL for multi-instance deployments).
 *
 * Adapters execute SQL compiled by `src/sql/` and hold no query logic of their own: DDL and bulk
 * loading are theirs, every read is a compiled `SqlQuery`.
 */
import type { Dimension } from '../domain/fields.ts';
import type { RowColumns } from '../domain/row.ts';
import type { CatalogSku } from '../domain/sku-catalog.ts';
import type { SqlDialect } from '../sql/dialect.ts';

export type SqlParam = string | number;

export interface SqlQuery {
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

/** A result read column by column. Integers arrive as JS numbers, dates as `YYYY-MM-DD` strings. */
export interface ColumnarResult {
  readonly rowCount: number;
  readonly columns: Readonly<Record<string, readonly (string | number | null)[]>>;
}

/** Rows of one partner to load; each processed date present replaces that partner's snapshot of that date. */
export interface SnapshotLoad {
  /** Upper-case GUID. */
  readonly partnerId: string;
  readonly rows: RowColumns;
  /**
   * Snapshots to replace even when `rows` holds none of their rows (e.g. a collection in which every
   * customer has only excluded SKUs); `YYYY-MM-DD`.
   */
  readonly dates?: readonly string[];
  /** Where the rows came from, e.g. `import rows`, `import graph`, `collect`. */
  readonly source?: string;
  /** Customer tenant ids a partial collection could not read; their rows are missing from the snapshot. */
  readonly missingCustomers?: readonly string[];
}

export interface SnapshotReplaceResult {
  readonly rows: number;
  readonly dates: readonly string[];
}

/** A CSV row file (a header naming the ten row fields, then rows) a store may read itself. */
export interface RowCsvFile {
  /** Absolute, without `*`, `?`, `[`, `]`, `{` or `}` (which file readers may take as a pattern). */
  readonly path: string;
  /** Columns of the header, which every record has too. */
  readonly width: number;
  /** 0-based column of each row field, in ROW_FIELDS order. */
  readonly columns: readonly number[];
}

/**
 * What the validating reader established about the same files (src/ingest/direct-csv-check.ts).
 * With `ok`, every processed date is `YYYY-MM-DD` or starts with it as its UTC day, and every count
 * is 1 to 10 plain digits up to 2^31-1.
 */
export type RowCsvCheck =
  | {
      readonly ok: true;
      readonly rows: number;
      /** Per dimension, the total UTF-8 bytes of its values over all rows. */
      readonly textBytes: Readonly<Record<Dimension, number>>;
      /** Processed dates present, sorted. */
      readonly days: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

export interface RowCsvLoad {
  /** Upper-case GUID. */
  readonly partnerId: string;
  readonly files: readonly RowCsvFile[];
  /** Snapshots the files are expected to replace. */
  readonly days: readonly string[];
  /**
   * Upper-case GUIDs and lower-case ASCII codes as they are read. Without it every value must already
   * be in stored form, which spares the conversions (measured: ~10% of a load) for the files that
   * need none.
   */
  readonly convertCase: boolean;
  /** The check, running while the store reads; the store must not commit before it settles. */
  readonly check: Promise<RowCsvCheck>;
  readonly source: string;
  /** Fraction (0 to 1) of the store's reading done, called now and then. */
  readonly onProgress?: (fraction: number) => void;
}

export type RowCsvOutcome =
  | {
      readonly loaded: true;
      readonly rows: number;
      readonly customers: number;
      readonly products: number;
      readonly days: readonly string[];
    }
  | {
      readonly loaded: false;
      /** Why the files must go through the validating reader instead. */
      readonly reason: string;
      /** When the only trouble was the dates: the ones the files hold, to try again with. */
      readonly days?: readonly string[];
      /** When the only trouble was values in another case than stored: try again with `convertCase`. */
      readonly convertCase?: true;
    };

export interface Store {
  readonly dialect: SqlDialect;
  /** Human-readable location for logs (a file path or a redacted connection string). */
  readonly description: string;
  /** Runs one read-only compiled query. */
  select(query: SqlQuery): Promise<ColumnarResult>;
  /**
   * Replaces, in one transaction, every (partner, processed date) snapshot present in `loads`.
   * Either all of it is applied or none of it; dates not present are kept.
   */
  replaceSnapshots(loads: readonly SnapshotLoad[]): Promise<SnapshotReplaceResult>;
  /**
   * Removes, in one transaction, the snapshots (and their rows) dated before `before`
   * (`YYYY-MM-DD`), of one partner or of every partner.
   */
  /**
   * Optional fast path for CSV row files: reads them with the store's own CSV reader and, in one
   * transaction, replaces the snapshots of `load.days` with their rows, but commits only when the
   * result is provably what validating the files and calling `replaceSnapshots` would store: the
   * check passed and counted the same rows and field bytes, the files hold exactly `load.days`,
   * every text value is already in stored form (domain/stored-form.ts) but for the case of GUIDs
   * and of ASCII codes,
   * and no key repeats. Otherwise nothing changes and the outcome says why.
   */
  loadRowCsv?(load: RowCsvLoad): Promise<RowCsvOutcome>;
  deleteSnapshotsBefore(before: string, partnerId?: string): Promise<{ snapshots: number; rows: number }>;
  /**
   * Adds SKUs to the stored product catalog in one transaction, replacing entries with the same
   * `skuId` and keeping all others.
   */
  upsertCatalog(skus: readonly CatalogSku[]): Promise<{ skus: number }>;
  close(): Promise<void>;
}

/**
 * Physical schema shared by every adapter (types differ per dialect, names do not).
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
 */
export const TABLES = Object.freeze({
  deployment: 'deployment',
  snapshots: 'snapshots',
  catalog: 'sku_catalog',
});
