/**
 * Types of the licenses-deployment resources, derived from the wire schemas the server validates
 * with (type-only imports: the SDK loads no schema library at run time).
 */
import type {
  ChangeItem,
  CustomerLicensesDeploymentInsights,
  DeploymentRow,
  PartnerLicensesDeploymentInsights,
  RenewalItem,
  RenewalTotal,
  ShelfwareItem,
  ShelfwareTotal,
} from '../contract/schemas.ts';
import type { Dimension } from '../domain/fields.ts';

export type {
  ChangeItem,
  CustomerLicensesDeploymentInsights,
  DeploymentRow,
  Dimension,
  PartnerLicensesDeploymentInsights,
  RenewalItem,
  RenewalTotal,
  ShelfwareItem,
  ShelfwareTotal,
};

/** A legacy collection resource (E1, E3). */
export interface Collection<T> {
  readonly totalCount: number;
  readonly items: readonly T[];
  readonly attributes: { readonly objectType: 'Collection' };
}

export interface Counts {
  readonly licensesDeployed: number;
  readonly licensesSold: number;
}

/**
 * The row type of an E5 query: the full row when ungrouped, otherwise exactly the groupby fields
 * plus the two sums.
 */
export type DeploymentRowOf<G extends readonly Dimension[] | undefined> = G extends readonly [
  Dimension,
  ...Dimension[],
]
  ? { readonly [K in G[number]]: string } & Counts
  : DeploymentRow;

export interface DeploymentQuery<G extends readonly Dimension[] | undefined = undefined> {
  /** A filter expression string, or a builder from `where(...)`. */
  readonly filter?: string | { toString(): string };
  readonly groupby?: G;
  /** Rows per page, at most 10000 (the server caps larger values). */
  readonly top?: number;
  readonly skip?: number;
  /** A `YYYY-MM-DD` day, a date-time string or a Date: the snapshot to read. Default: the latest. */
  readonly processedDateTime?: string | Date;
}

export interface DeploymentPage<T> {
  readonly value: readonly T[];
  /** The link to the next page as the server sent it, or null on the last page. */
  readonly nextLink: string | null;
  /** Rows (or groups) matching the whole query, as the server counted them. */
  readonly totalCount: number;
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Overrides the client's MS-CorrelationId for this call. */
  readonly correlationId?: string;
  /**
   * Called after every HTTP attempt of the call, retries included (each page of a paged call is a
   * call of its own), e.g. to count requests and retries.
   */
  readonly onAttempt?: (attempt: AttemptInfo) => void;
}

/** One HTTP attempt, as `onAttempt` reports it. */
export interface AttemptInfo {
  /** 1 for the first attempt of a call, 2 for its first retry, … */
  readonly attempt: number;
  /** The HTTP status, or 0 when no response came (network failure, timeout). */
  readonly status: number;
  /** The call's MS-RequestId, the same on every attempt. */
  readonly requestId: string;
  readonly url: string;
}

/** Partner Center's `Link`: a request to make, with the headers it needs. */
export interface Link {
  readonly uri: string;
  readonly method: string;
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

export interface ResourceAttributes {
  readonly objectType?: string;
  readonly etag?: string;
}

/** Query of `customers.pages()` / `customers.iterate()`. */
export interface CustomersQuery {
  /** Customers per page asked for; default 500. */
  readonly size?: number;
  /** Start at the page this token (a page's `continuationToken`) stands for, e.g. to resume. */
  readonly continuationToken?: string;
}

/** One page of `GET /v1/customers`. */
export interface CustomersPage {
  /** Customers on this page (Partner Center counts the page, not the whole list). */
  readonly totalCount: number;
  readonly items: readonly Customer[];
  /** Sent back as `MS-ContinuationToken` for the next page; null on the last page. */
  readonly continuationToken: string | null;
  /** `self` and `next`, as the service sent them. */
  readonly links: { readonly self?: Link; readonly next?: Link };
  readonly attributes: { readonly objectType: 'Collection' };
}

/** Partner Center's Customer resource (the fields a customers list carries). */
export interface Customer {
  /** The customer id: the `{customer-id}` of `/v1/customers/{customer-id}/…` (usually the tenant id). */
  readonly id: string;
  readonly commerceId?: string;
  readonly companyProfile?: CustomerCompanyProfile;
  /** `reseller`, `advisor`, … */
  readonly relationshipToPartner?: string;
  readonly allowDelegatedAccess?: boolean;
  readonly associatedPartnerId?: string;
  readonly attributes?: ResourceAttributes;
}

export interface CustomerCompanyProfile {
  /** The customer's Microsoft Entra tenant id. */
  readonly tenantId: string;
  readonly domain?: string;
  readonly companyName?: string;
  readonly attributes?: ResourceAttributes;
}

/** Partner Center's SubscribedSku: one product licensed to a customer, with its seat counts. */
export interface SubscribedSku {
  readonly availableUnits: number;
  readonly activeUnits: number;
  readonly consumedUnits: number;
  readonly suspendedUnits: number;
  readonly totalUnits: number;
  readonly warningUnits: number;
  readonly productSku: {
    /** The SKU id (a GUID). */
    readonly id: string;
    readonly name: string;
    readonly skuPartNumber: string;
    /** `User` (assignable seats) or `Tenant` (applies to the whole tenant). */
    readonly targetType: string;
    readonly licenseGroupId?: string;
  };
  readonly servicePlans: readonly {
    readonly displayName?: string;
    readonly serviceName?: string;
    readonly id?: string;
    readonly capabilityStatus?: string;
    readonly targetType?: string;
  }[];
  /** `Enabled`, `Warning`, `Suspended`, `Deleted`, `LockedOut`. */
  readonly capabilityStatus: string;
  readonly attributes?: ResourceAttributes;
}

/** Partner Center's Subscription resource; many fields apply to some subscriptions only. */
export interface Subscription {
  readonly id: string;
  readonly offerId: string;
  readonly offerName?: string;
  readonly entitlementId?: string;
  readonly friendlyName?: string;
  readonly quantity: number;
  /** What `quantity` counts, e.g. `Licenses`. */
  readonly unitType?: string;
  readonly parentSubscriptionId?: string;
  readonly creationDate?: string;
  readonly effectiveStartDate?: string;
  readonly commitmentEndDate?: string;
  /** `none`, `active`, `pending`, `suspended`, `deleted`, … */
  readonly status: string;
  readonly autoRenewEnabled?: boolean;
  /** `none`, `usage` or `license`. */
  readonly billingType?: string;
  /** `monthly`, `annual`, … */
  readonly billingCycle?: string;
  /** ISO 8601 duration: `P1M`, `P1Y`, `P3Y`. */
  readonly termDuration?: string;
  readonly isTrial?: boolean;
  readonly hasPurchasableAddons?: boolean;
  readonly isMicrosoftProduct?: boolean;
  readonly publisherName?: string;
  readonly partnerId?: string;
  readonly contractType?: string;
  readonly orderId?: string;
  readonly suspensionReasons?: readonly string[];
  readonly attributes?: ResourceAttributes;
}

/** `GET /seatwise/v1/trend`'s parameters (Seatwise only; docs/extension-api.md). */
export interface TrendQuery<G extends readonly Dimension[] | undefined = undefined> {
  /** First processed date, inclusive: `YYYY-MM-DD` or a Date (its UTC day). Default: the first snapshot. */
  readonly from?: string | Date;
  /** Last processed date, inclusive. Default: the latest snapshot. */
  readonly to?: string | Date;
  /** E5 fields to split each day by. */
  readonly groupby?: G;
  /** A filter expression string, or a builder from `where(...)`. */
  readonly filter?: string | { toString(): string };
}

/** One item of a trend: the day, exactly the groupby fields, and the two sums. */
export type TrendItemOf<G extends readonly Dimension[] | undefined> = {
  readonly processedDate: string;
} & (G extends readonly [Dimension, ...Dimension[]] ? { readonly [K in G[number]]: string } : unknown) &
  Counts;

export interface Trend<T> {
  /** By processed date, then byte-wise by the groupby fields. */
  readonly value: readonly T[];
  readonly totalCount: number;
}

/** `GET /seatwise/v1/changes`'s parameters (Seatwise only; docs/extension-api.md). */
export interface ChangesQuery {
  /** The snapshot compared from: `YYYY-MM-DD` or a Date (its UTC day). */
  readonly from: string | Date;
  /** The snapshot compared to. */
  readonly to: string | Date;
  /** Applied to both snapshots' rows: a filter expression string, or a builder from `where(...)`. */
  readonly filter?: string | { toString(): string };
  /** Items per page asked for (every page is read); default the server's, 10000. */
  readonly top?: number;
}

export interface Changes {
  readonly from: string;
  readonly to: string;
  /** In E5 row order: customerTenantId, productId, channel. */
  readonly value: readonly ChangeItem[];
  readonly totalCount: number;
}

/** `GET /seatwise/v1/shelfware`'s parameters (Seatwise only; docs/extension-api.md). */
export interface ShelfwareQuery {
  /** The snapshot: `YYYY-MM-DD` or a Date (its UTC day). Default: the latest. */
  readonly processedDateTime?: string | Date;
  /** Selects deployment rows before they are summed: a filter string, or a builder from `where(...)`. */
  readonly filter?: string | { toString(): string };
  /** Items per page asked for (every page is read); default the server's, 10000. */
  readonly top?: number;
}

export interface Shelfware {
  /** The snapshot read; null when the partner has none. */
  readonly processedDate: string | null;
  /** By monthly cost (unpriced last), then unassigned seats. */
  readonly value: readonly ShelfwareItem[];
  readonly totalCount: number;
  /** Per currency, over every item; sums never mix currencies. */
  readonly totals: readonly ShelfwareTotal[];
  readonly unpriced: { readonly items: number; readonly licensesUnassigned: number };
}

/** `GET /seatwise/v1/renewals`'s parameters (Seatwise only; docs/extension-api.md). */
export interface RenewalsQuery {
  /** Terms ending within this many days of the snapshot's date (0..3660). Default 30. */
  readonly withinDays?: number;
  readonly processedDateTime?: string | Date;
  /** On customerTenantId, customerName, productId and productName. */
  readonly filter?: string | { toString(): string };
  readonly top?: number;
}

export interface Renewals {
  readonly processedDate: string | null;
  readonly withinDays: number;
  /** By commitment end date, then monthly cost reducible. */
  readonly value: readonly RenewalItem[];
  readonly totalCount: number;
  /** Per currency, over every priced item. */
  readonly totals: readonly RenewalTotal[];
}
