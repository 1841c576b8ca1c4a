/**
 * The contract between the source readers (Microsoft Graph files, a Partner Center directory or a
 * live collection, Microsoft's SKU catalog) and their callers (`seatwise import`, `collect`).
 */
import type { ClassificationTable } from '../../domain/classify.ts';
import type { RowColumns } from '../../domain/row.ts';
import type { CatalogSku } from '../../domain/sku-catalog.ts';
import type { ExclusionList } from '../../domain/sku-exclusions.ts';
import type { RowError, SubscriptionRecord } from '../../store/store.ts';
import type { SubscriptionCounts } from './subscriptions.ts';

export type RowFileError = RowError;

export interface SourceOptions {
  /** Partner tenant the rows belong to (any GUID form; stored upper-case). */
  partnerId: string;
  /** `YYYY-MM-DD`: every row of the read gets this processed date. */
  processedDate: string;
  /** The rows' channel; the CLI passes 'reseller' unless told otherwise. Stored lower-case. */
  channel: string;
  /** By upper-case skuId: the bundled catalog merged with the stored one. */
  catalog: ReadonlyMap<string, CatalogSku>;
  /** DEFAULT_CLASSIFICATION unless the user passed `--classify`. */
  classification: ClassificationTable;
  /** DEFAULT_EXCLUSIONS unless overridden. */
  exclusions: ExclusionList;
  /** Stop after this many errors (default 50); `truncated` then says more existed. */
  maxErrors?: number;
}

/** Rows of one partner to load: what the store's snapshot load takes, by the same field names. */
export interface SourceLoad {
  /** Upper-case GUID. */
  partnerId: string;
  rows: RowColumns;
  /** The file and line each row was mapped from (parallel to `rows`), for the store's errors. */
  origin?: { readonly files: readonly string[]; readonly lines: readonly number[] };
  /** Snapshots (`YYYY-MM-DD`) to replace even when `rows` holds none of their rows. */
  dates?: readonly string[];
  /** Where the rows came from, e.g. `import graph`; set by the caller. */
  source?: string;
  /**
   * Customer tenant ids (upper-case) the source lists but has no data for; their rows are missing
   * and the snapshot is partial. Absent when nothing is missing.
   */
  missingCustomers?: readonly string[];
  /** Partner Center only: subscriptions to store with the snapshot (absent when none were read). */
  subscriptions?: readonly SubscriptionRecord[];
}

export type ExclusionReason = 'free-or-trial' | 'company-wide' | 'no-paid-seats';

export interface ExcludedCount {
  reason: ExclusionReason;
  count: number;
  /** Up to 5 distinct part numbers (or names, or ids when nothing better is known). */
  examples: string[];
}

export interface SourceSummary {
  rows: number;
  customers: number;
  products: number;
  /** Processed dates present, sorted (the one `processedDate`, or none when nothing was kept). */
  dates: string[];
  files: number;
  /** Only reasons that occurred, in the order free-or-trial, company-wide, no-paid-seats. */
  excluded: ExcludedCount[];
  /**
   * Partner Center directories only (always there, [] when complete): tenant ids, upper-case, in
   * customers.json order, of listed customers with no `subscribedskus/<customer-id>.json` file.
   * When not empty the snapshot is partial, and the load carries the same ids.
   */
  missingCustomers?: string[];
  /**
   * Partner Center only, when any subscriptions response (or `subscriptions/` file) was read: how
   * many subscriptions were kept, of how many customers, and how each was matched to a product.
   */
  subscriptions?: SubscriptionCounts;
}

export type SourceReadResult =
  | { ok: true; load: SourceLoad; summary: SourceSummary }
  | { ok: false; errors: RowFileError[]; truncated: boolean };
