/**
 * What `seatwise collect --json` prints: one object, the same on success and on failure (then
 * `written` is false and `error` says why), so scripts can read either.
 */
import type { SubscriptionCounts } from '../sources/subscriptions.ts';
import type { ExcludedCount } from '../sources/types.ts';
import type { CollectFailure } from './collect.ts';

export interface MissingCustomer {
  readonly customerId: string;
  readonly tenantId: string;
  readonly name: string;
  /** The last error of its subscribedskus or subscriptions call, after retries. */
  readonly error: string;
}

export interface CollectSummary {
  /** Upper-case GUID the rows were stored under. */
  readonly partnerId: string;
  /** `YYYY-MM-DD`, the snapshot replaced (or that would have been). */
  readonly processedDate: string;
  /** Whether the snapshot was written to the store. */
  readonly written: boolean;
  /** Customers the customers list returned. */
  readonly customersListed: number;
  /** Customers whose subscribed SKUs and subscriptions were read. */
  readonly customersCollected: number;
  /** Rows written (0 when not written). */
  readonly rows: number;
  /** Distinct customers and products among the rows. */
  readonly customers: number;
  readonly products: number;
  /** Subscriptions stored (0 when not written), and how many were matched to a product, by how. */
  readonly subscriptions: SubscriptionCounts;
  /** SKUs left out, by reason, with a few example part numbers. */
  readonly excluded: readonly ExcludedCount[];
  /** Customers whose subscribed SKUs could not be read; with --allow-partial the snapshot lacks them. */
  readonly missingCustomers: readonly MissingCustomer[];
  /** Customers never asked for because the run stopped at the first failure (no --allow-partial). */
  readonly skippedCustomers: number;
  /** HTTP requests made, retries included, and how many of them were retries. */
  readonly requests: number;
  readonly retries: number;
  /** The --save-raw directory, or null. */
  readonly rawDir: string | null;
  readonly seconds: number;
  /** Why nothing was written, when `written` is false. */
  readonly error?: string;
}

export function missingCustomers(failures: readonly CollectFailure[]): MissingCustomer[] {
  return failures.map((f) => ({ customerId: f.id, tenantId: f.tenantId, name: f.name, error: f.error }));
}

/** The human form of a summary, a few lines for stdout. */
export function formatSummary(s: CollectSummary): string {
  const lines = [
    s.written
      ? `collected ${s.rows} rows (${s.customers} customers, ${s.products} products) for partner ${s.partnerId}, snapshot ${s.processedDate}`
      : `nothing written: ${s.error ?? 'the collection failed'}`,
    `customers: ${s.customersCollected} of ${s.customersListed} read` +
      (s.skippedCustomers > 0 ? `, ${s.skippedCustomers} not asked for` : ''),
  ];
  if (s.written) {
    const m = s.subscriptions.byMatch;
    lines.push(
      `subscriptions: ${s.subscriptions.subscriptions} stored; matched to a product exactly ${m.exact}, ` +
        `by name ${m.name}, by catalog ${m.catalog}, not matched ${m.none}`,
    );
  }
  if (s.excluded.length > 0) {
    const parts = s.excluded.map(
      (e) => `${e.reason} ${e.count}${e.examples.length > 0 ? ` (${e.examples.join(', ')})` : ''}`,
    );
    lines.push(`excluded SKUs: ${parts.join('; ')}`);
  }
  if (s.missingCustomers.length > 0) {
    lines.push(`missing customers (${s.missingCustomers.length}):`);
    for (const m of s.missingCustomers) lines.push(`  ${m.tenantId} ${m.name}: ${m.error}`);
  }
  if (s.rawDir !== null) lines.push(`raw responses saved in ${s.rawDir}`);
  lines.push(`${s.requests} requests (${s.retries} retries), took ${s.seconds.toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}
