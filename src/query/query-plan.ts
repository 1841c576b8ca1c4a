import type { Dimension } from '../domain/fields.ts';
import type { FilterExpr } from './ast.ts';

/** Largest page Partner Center returns ("Get licenses deployment information": top, max 10000). */
export const MAX_TOP = 10_000;
export const DEFAULT_TOP = 10_000;

/**
 * What an E5 request asks for, validated and normalised, before the snapshot date is resolved.
 * Produced by `parseDeploymentQuery` from the raw parameters; pure data.
 */
export interface DeploymentQuery {
  readonly filter: FilterExpr | null;
  /** Canonical names, in the order given, duplicates collapsed. Empty means ungrouped. */
  readonly groupBy: readonly Dimension[];
  /** 0..MAX_TOP */
  readonly top: number;
  /** >= 0; may exceed any real row count. */
  readonly skip: number;
  /** `YYYY-MM-DD` UTC day, or null for "the latest snapshot". */
  readonly processedDate: string | null;
}

/**
 * A fully resolved plan: the query plus the partner scope and the snapshot it reads. This is the
 * only input of the SQL compiler.
 */
export interface QueryPlan {
  /** Upper-case GUID of the partner tenant (the token's `tid`). Every query is scoped to it. */
  readonly partnerId: string;
  /** `YYYY-MM-DD`: the snapshot read. */
  readonly processedDate: string;
  readonly filter: FilterExpr | null;
  readonly groupBy: readonly Dimension[];
  readonly top: number;
  readonly skip: number;
}

/** What `GET /seatwise/v1/trend` reads: the partner's snapshots in a range of days, grouped. */
export interface TrendPlan {
  /** Upper-case GUID of the partner tenant (the token's `tid`). */
  readonly partnerId: string;
  /** `YYYY-MM-DD`, inclusive; null for no lower bound. */
  readonly from: string | null;
  /** `YYYY-MM-DD`, inclusive; null for no upper bound. */
  readonly to: string | null;
  readonly groupBy: readonly Dimension[];
  readonly filter: FilterExpr | null;
}

/** What `GET /seatwise/v1/changes` reads: the rows of two of the partner's snapshots, compared. */
export interface ChangesPlan {
  /** Upper-case GUID of the partner tenant (the token's `tid`). */
  readonly partnerId: string;
  /** `YYYY-MM-DD`: the snapshot compared from. */
  readonly from: string;
  /** `YYYY-MM-DD`: the snapshot compared to. */
  readonly to: string;
  /** Applied to each snapshot's rows before they are compared. */
  readonly filter: FilterExpr | null;
  /** The page: at most `top` changes after the first `skip`, in key order. */
  readonly top: number;
  readonly skip: number;
}

/** What `GET /seatwise/v1/shelfware` reads: one snapshot's unassigned seats, priced. */
export interface ShelfwarePlan {
  readonly partnerId: string;
  readonly processedDate: string;
  /** Selects deployment rows before they are summed per customer and product. */
  readonly filter: FilterExpr | null;
  readonly top: number;
  readonly skip: number;
}

/** What `GET /seatwise/v1/renewals` reads: one snapshot's subscriptions ending in a window. */
export interface RenewalsPlan {
  readonly partnerId: string;
  readonly processedDate: string;
  /** Terms ending from the snapshot's date up to this many days after it. */
  readonly withinDays: number;
  /** On customerTenantId, customerName, productId and productName only. */
  readonly filter: FilterExpr | null;
  readonly top: number;
  readonly skip: number;
}
