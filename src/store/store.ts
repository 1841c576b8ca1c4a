/**
 * The storage port. Services and commands ask it for what they need in the domain's terms: a page
 * of an E5 query with its total, the legacy summaries, snapshot lists, loads, pruning, the
 * catalog. Each adapter owns its SQL (rendered by `src/sql/` with its own dialect) and its driver;
 * nothing here names SQL or a driver type.
 *
 * Adapters: `store/duckdb` (the embedded file), `store/postgres` (a PostgreSQL database several
 * servers share) and `channel/remote-store.ts` (the same port over the local socket of a running
 * `seatwise serve`).
 */
import type { CatalogSku } from '../domain/sku-catalog.ts';
import type { ChangesPlan, QueryPlan, RenewalsPlan, ShelfwarePlan, TrendPlan } from '../query/query-plan.ts';

/** A result read column by column. Integers arrive as JS numbers, dates as `YYYY-MM-DD` strings. */
export interface ColumnarResult {
  readonly rowCount: number;
  readonly columns: Readonly<Record<string, readonly (string | number | null)[]>>;
}

/** One page of an E5 query: rows (or groups) named by field, and how many there are in all. */
export interface DeploymentPage {
  /** Columns named by field (camelCase) plus `licensesDeployed` and `licensesSold`. */
  readonly rows: ColumnarResult;
  readonly totalCount: number;
}

/** A page of an insight and its totals per currency, as `src/sql/insights.ts` names their columns. */
export interface InsightPage {
  readonly rows: ColumnarResult;
  readonly totals: ColumnarResult;
}

/** E1's raw figures for one (service code, channel) of a snapshot. */
export interface ServiceTotals {
  readonly serviceCode: string;
  readonly channel: string;
  readonly licensesSold: number;
  /** Deployed seats capped at sold, summed per row. */
  readonly cappedDeployed: number;
}

/** One row of a customer's products (E3), as stored. */
export interface CustomerProduct {
  readonly customerTenantId: string;
  readonly customerName: string;
  readonly productId: string;
  readonly productName: string;
  readonly serviceCode: string;
  readonly serviceName: string;
  readonly channel: string;
  readonly licensesDeployed: number;
  readonly licensesSold: number;
}

export interface SnapshotInfo {
  readonly processedDate: string;
  readonly rows: number;
  readonly customers: number;
  readonly products: number;
  /** ISO 8601 UTC. */
  readonly importedAt: string;
  readonly source: string;
  /** Customers a partial collection could not read; empty when the snapshot is complete. */
  readonly missingCustomers: readonly string[];
}

/**
 * An input value as its source gave it: text (CSV, JSON strings), a JSON number, or null when the
 * field is missing. The store's one normalisation and validation turns it into the stored form.
 */
export type RawValue = string | number | null;

/** One input row: where it came from and its values in `ROW_FIELDS` order. */
export interface RawRow {
  /** 1-based line of the row in its file (0 when the source has no lines). */
  readonly line: number;
  readonly values: readonly RawValue[];
}

/** Where a load's sources put their rows; every call stages rows, nothing is visible before commit. */
export interface LoadSink {
  /**
   * A flat CSV row file (a header naming the ten row fields in any order, then rows) that the
   * store reads with its own bulk reader. `name` is how errors name the file.
   */
  csvFile(path: string, name: string): Promise<void>;
  /** Rows a source mapped in TypeScript (JSON rows, Graph, Partner Center, collect, demo). */
  rows(name: string, rows: readonly RawRow[]): Promise<void>;
  /** A problem the source found itself (e.g. invalid JSON); the load then fails with it. */
  error(name: string, line: number, reason: string): void;
}

/**
 * How a subscription was tied to a licensed product (the `productId` of deployment rows, the
 * subscribed SKU's skuId); docs/data-sources.md, "Subscriptions":
 * - `exact`: the subscription's offer id is (or starts with) one of the customer's skuIds;
 * - `name`: its offer name is the product name of exactly one of the customer's subscribed SKUs;
 * - `catalog`: its offer name is a display name (or part number) of exactly one SKU of the catalog;
 * - `none`: no product could be determined.
 */
export type SubscriptionMatch = 'exact' | 'name' | 'catalog' | 'none';

/** One Partner Center subscription of one customer, as a snapshot stores it. */
export interface SubscriptionRecord {
  /** `YYYY-MM-DD`: one of the snapshots the load replaces. */
  readonly processedDate: string;
  /** Upper-case GUID. */
  readonly customerTenantId: string;
  /** Partner Center's subscription id, as given (trimmed). */
  readonly subscriptionId: string;
  /** New commerce: `<productId>:<skuId>[:…]` (e.g. `CFQ7TTC0LH18:0001`); legacy: an offer GUID. */
  readonly offerId: string;
  readonly offerName: string;
  readonly friendlyName: string;
  readonly quantity: number;
  /** e.g. `Licenses`; '' when not given. */
  readonly unitType: string;
  /** Lower-case: `active`, `suspended`, `deleted`, `expired`, `pending`, … */
  readonly status: string;
  /** ISO 8601 duration (`P1M`, `P1Y`, `P3Y`); '' when not given. */
  readonly termDuration: string;
  /** Lower-case (`monthly`, `annual`, `triennial`, `none`, …); '' when not given. */
  readonly billingCycle: string;
  /** The UTC day of `commitmentEndDate`, or null. */
  readonly commitmentEndDate: string | null;
  readonly autoRenewEnabled: boolean | null;
  readonly isTrial: boolean | null;
  /** An add-on's base subscription, or null. */
  readonly parentSubscriptionId: string | null;
  /** The licensed product (upper-case skuId) it was matched to, or null (`match` `none`). */
  readonly productId: string | null;
  readonly match: SubscriptionMatch;
}

export interface LoadRequest {
  /** Upper-case GUID. */
  readonly partnerId: string;
  /** Where the rows came from, e.g. `import rows`, `import graph`, `collect`. */
  readonly source: string;
  /**
   * Snapshots (`YYYY-MM-DD`) to replace even when no row has that date (e.g. a collection in which
   * every customer has only excluded SKUs).
   */
  readonly dates?: readonly string[];
  /** Customer tenant ids a partial collection could not read; their rows are missing. */
  readonly missingCustomers?: readonly string[];
  /** Errors reported before the load gives up (default 50). */
  readonly maxErrors?: number;
  /**
   * Subscriptions stored with the snapshots, in the same transaction. Every replaced snapshot
   * loses the subscriptions it had, whether or not the load carries any; each record's date must
   * be one of the snapshots the load replaces, and (customer, subscription id) unique per date.
   * Mapped and checked by the source (src/ingest/sources/subscriptions.ts), stored as given.
   */
  readonly subscriptions?: readonly SubscriptionRecord[];
}

/** A problem with one input line: `file:line: reason`. */
export interface RowError {
  readonly file: string;
  /** 1-based; 0 when the problem is with the file as a whole. */
  readonly line: number;
  readonly reason: string;
}

/** One finished run of the server's daily collection (`serve --collect-at`). */
export interface CollectionRunRecord {
  /** The day the run collects (the UTC day it started). */
  readonly processedDate: string;
  /** 1 for the scheduled run, 2… for its retries. */
  readonly attempt: number;
  readonly trigger: 'schedule' | 'retry';
  readonly startedAt: string;
  readonly endedAt: string;
  readonly outcome: 'stored' | 'failed';
  readonly customers: number | null;
  readonly missingCustomers: number | null;
  readonly error: string | null;
}

/** Where a price came from: the partner's own list (`override`, wins) or Partner Center's price sheet. */
export type PriceSource = 'override' | 'price-sheet';

/**
 * One unit price of one licensed product (docs/prices.md). A partner has at most one `override`
 * per skuId; the price sheet may hold several per skuId (terms and billing plans), in one currency.
 */
export interface PriceRecord {
  readonly source: PriceSource;
  /** The licensed product: the deployment rows' productId (upper-case skuId GUID). */
  readonly skuId: string;
  /** ISO 4217, upper case (`EUR`). */
  readonly currency: string;
  /** The price of one seat for one billing period, as the source gave it. */
  readonly unitPrice: number;
  /** Lower case: `monthly`, `annual`, `triennial` or `onetime`. */
  readonly billingPlan: string;
  /** ISO 8601 duration of the commitment (`P1M`, `P1Y`, `P3Y`); '' when not given. */
  readonly termDuration: string;
  /** `unitPrice` per seat and month: divided by the months a billing period (or a one-time term) covers. */
  readonly monthlyPrice: number;
  /** The product's name in the source (SkuTitle), or ''. */
  readonly title: string;
  /** Partner Center's `ProductId:SkuId` of a price-sheet row (e.g. `CFQ7TTC0LH18:0001`), or ''. */
  readonly offerId: string;
}

/** What the alerts remember of one alert that fired and has not cleared (src/alerts/). */
export interface AlertStateRecord {
  /** Identifies the alert: rule and subject, e.g. `unassigned/<customer>/<product>`. */
  readonly key: string;
  /** Opaque to the store (JSON text). */
  readonly state: string;
  /** ISO 8601 UTC. */
  readonly updatedAt: string;
}

export type LoadOutcome =
  | {
      readonly ok: true;
      readonly rows: number;
      readonly customers: number;
      readonly products: number;
      /** The snapshots replaced, sorted. */
      readonly dates: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly RowError[]; readonly truncated: boolean };

export interface Store {
  /** `duckdb`, `postgres`, or `remote` for a store reached through a running server. */
  readonly kind: string;
  /** Human-readable location for logs (a file path or a redacted connection string). */
  readonly description: string;

  /**
   * A token that changes whenever committed data that answers are computed from changes (a load,
   * retention, prices, the catalog), and only then: two reads under the same token see the same
   * data. Read where the store keeps it: from memory for a store only this process writes, from the
   * database for one several processes share. Answers are cached under it (src/http/response-cache.ts).
   */
  generation(): Promise<string>;
  /** The partner's newest processed date, or null when it has no snapshot. */
  latestSnapshot(partnerId: string): Promise<string | null>;
  /** E5: one page of the plan's rows or groups and the total count (rows are empty when `top` is 0). */
  deploymentPage(plan: QueryPlan): Promise<DeploymentPage>;
  /**
   * Sold and deployed seats per processed date and groupby fields over the plan's range of the
   * partner's snapshots: columns `processedDate`, the fields, `licensesSold`, `licensesDeployed`,
   * by date then byte-wise by the fields.
   */
  trend(plan: TrendPlan): Promise<ColumnarResult>;
  /**
   * The rows that differ between two snapshots (added, removed, other counts), in E5 order:
   * columns `customerTenantId`, `customerName`, `productId`, `productName`, `serviceCode`,
   * `serviceName`, `channel`, `soldBefore`, `deployedBefore`, `soldAfter`, `deployedAfter` (null on
   * the side without the row).
   */
  changes(plan: ChangesPlan): Promise<ColumnarResult>;
  /** Unassigned seats per customer and product of one snapshot, priced: a page and the totals. */
  shelfware(plan: ShelfwarePlan): Promise<InsightPage>;
  /** Active subscriptions ending in the plan's window, with their reducible seats: a page and the totals. */
  renewals(plan: RenewalsPlan): Promise<InsightPage>;
  /** E1: per (service code, channel) of the snapshot, byte-wise ordered. */
  serviceTotals(partnerId: string, date: string): Promise<ServiceTotals[]>;
  /** E3: the latest processed date holding rows of the customer (upper-case GUID), or null. */
  customerLatestSnapshot(partnerId: string, customerId: string): Promise<string | null>;
  /** E3: the customer's rows on that date, in E5 order. */
  customerProducts(partnerId: string, customerId: string, date: string): Promise<CustomerProduct[]>;
  /** Every snapshot of the partner, newest first. */
  listSnapshots(partnerId: string): Promise<SnapshotInfo[]>;
  /**
   * The subscriptions stored with one snapshot, ordered by customer tenant id, then subscription
   * id (byte-wise); empty when the snapshot has none or does not exist.
   */
  listSubscriptions(partnerId: string, processedDate: string): Promise<SubscriptionRecord[]>;
  /** The imported product catalog (without the bundled one), by skuId. */
  catalog(): Promise<CatalogSku[]>;
  /** Records one finished run of the server's daily collection (replacing one with the same start). */
  recordCollectionRun(partnerId: string, run: CollectionRunRecord): Promise<void>;
  /** The partner's most recent collection runs, newest first. */
  listCollectionRuns(partnerId: string, limit: number): Promise<CollectionRunRecord[]>;

  /**
   * Stages what `feed` puts in the sink, validates it, and in one transaction replaces every
   * (partner, processed date) snapshot it holds (plus `request.dates`). All or nothing: with any
   * error the store is unchanged and the outcome lists the errors. A feed that throws aborts the
   * load and the error propagates.
   */
  load(request: LoadRequest, feed: (sink: LoadSink) => Promise<void>): Promise<LoadOutcome>;
  /**
   * Removes, in one transaction, the snapshots (and their rows and subscriptions) dated before `before`
   * (`YYYY-MM-DD`), of one partner or of every partner.
   */
  deleteSnapshotsBefore(before: string, partnerId?: string): Promise<{ snapshots: number; rows: number }>;
  /**
   * The local issuer's key, for stores shared by several servers (PostgreSQL): stores `candidate`
   * (opaque text) when the store holds no key yet, and returns the one it holds. Stores without it
   * keep the key in a file beside the database.
   */
  issuerKey?(candidate: string): Promise<string>;
  /**
   * Replaces, in one transaction, every price of the partner from `source` with `prices` (all of
   * that source). Returns how many are stored.
   */
  replacePrices(
    partnerId: string,
    source: PriceSource,
    prices: readonly PriceRecord[],
  ): Promise<{ prices: number }>;
  /** The partner's prices, by skuId, source, currency, term and billing plan (byte-wise). */
  listPrices(partnerId: string): Promise<PriceRecord[]>;
  /** The alerts that fired for the partner and have not cleared, by key. */
  listAlertStates(partnerId: string): Promise<AlertStateRecord[]>;
  /** In one transaction: stores (replacing by key) `set`, and forgets the keys in `clear`. */
  saveAlertStates(
    partnerId: string,
    set: readonly AlertStateRecord[],
    clear: readonly string[],
  ): Promise<void>;
  /** Adds SKUs to the catalog in one transaction, replacing entries with the same skuId. */
  upsertCatalog(skus: readonly CatalogSku[]): Promise<{ skus: number }>;
  close(): Promise<void>;
}
