/**
 * Types of the licenses-deployment resources, derived from the wire schemas the server validates
 * with (type-only imports: the SDK loads no schema library at run time).
 */
import type {
  CustomerLicensesDeploymentInsights,
  DeploymentRow,
  PartnerLicensesDeploymentInsights,
} from '../contract/schemas.ts';
import type { Dimension } from '../domain/fields.ts';

export type {
  CustomerLicensesDeploymentInsights,
  DeploymentRow,
  Dimension,
  PartnerLicensesDeploymentInsights,
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
}
