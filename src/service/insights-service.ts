/**
 * Seatwise's insights beyond Partner Center (docs/extension-api.md): unassigned seats in money
 * (`shelfware`) and subscriptions ending soon with what could be dropped at renewal (`renewals`).
 * Prices come from the partner's imported price lists (docs/prices.md).
 */
import type { RenewalItem, RenewalTotal, ShelfwareItem, ShelfwareTotal } from '../contract/schemas.ts';
import type { FilterExpr } from '../query/ast.ts';
import type { Store } from '../store/store.ts';

export interface ShelfwareQuery {
  /** The snapshot; null for the partner's latest. */
  readonly processedDate: string | null;
  readonly filter: FilterExpr | null;
  readonly top: number;
  readonly skip: number;
}

export interface ShelfwareResult {
  /** The snapshot read; null when the partner has none. */
  readonly processedDate: string | null;
  /** One page, by monthly cost (unpriced last), then unassigned seats, customer and product. */
  readonly items: ShelfwareItem[];
  readonly totalCount: number;
  /** Per currency (byte-wise), over every item. */
  readonly totals: ShelfwareTotal[];
  readonly unpriced: { readonly items: number; readonly licensesUnassigned: number };
}

export interface RenewalsQuery {
  readonly processedDate: string | null;
  /** Terms ending on the snapshot's date up to this many days after it. */
  readonly withinDays: number;
  readonly filter: FilterExpr | null;
  readonly top: number;
  readonly skip: number;
}

export interface RenewalsResult {
  readonly processedDate: string | null;
  readonly withinDays: number;
  /** One page, by commitment end date, then monthly cost reducible, customer and subscription. */
  readonly items: RenewalItem[];
  readonly totalCount: number;
  readonly totals: RenewalTotal[];
}

export class InsightsService {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }
}
