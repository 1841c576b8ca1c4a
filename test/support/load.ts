/**
 * Loads rows a test built into a store through the one load pipeline (`Store.load` fed by
 * `feedRowColumns`, as Graph, Partner Center, collect and demo rows are), failing loudly when the
 * store rejects them.
 */
import type { RowColumns } from '../../src/domain/row.ts';
import { feedRowColumns } from '../../src/ingest/row-files.ts';
import type { LoadOutcome, Store, SubscriptionRecord } from '../../src/store/store.ts';

export interface LoadColumnsOptions {
  /** Recorded as the snapshots' source (default `test`). */
  readonly source?: string;
  /** Snapshots to replace even without rows. */
  readonly dates?: string[];
  /** Customers a partial collection could not read. */
  readonly missingCustomers?: string[];
  /** Subscriptions stored with the snapshots. */
  readonly subscriptions?: readonly SubscriptionRecord[];
}

export type LoadSuccess = Extract<LoadOutcome, { ok: true }>;

/** Loads `cols` for `partnerId` (their errors name the file `test`); throws listing every error. */
export async function loadColumns(
  store: Store,
  partnerId: string,
  cols: RowColumns,
  options: LoadColumnsOptions = {},
): Promise<LoadSuccess> {
  const outcome = await store.load(
    {
      partnerId,
      source: options.source ?? 'test',
      ...(options.dates === undefined ? {} : { dates: options.dates }),
      ...(options.missingCustomers === undefined ? {} : { missingCustomers: options.missingCustomers }),
      ...(options.subscriptions === undefined ? {} : { subscriptions: options.subscriptions }),
    },
    (sink) => feedRowColumns(cols, 'test', sink),
  );
  if (!outcome.ok) {
    const lines = outcome.errors.map((e) => `  ${e.file}:${e.line}: ${e.reason}`);
    if (outcome.truncated) lines.push('  …');
    throw new Error(`the store rejected the load:\n${lines.join('\n')}`);
  }
  return outcome;
}
