/**
 * The store contract: one suite every `Store` adapter (docs/architecture.md, "Storage") runs
 * against a real database. `open` must return a fresh, empty store on every call; the suite closes
 * what it opens.
 *
 * @example
 *   describeStoreContract('duckdb', () => openDuckDbStore({ path: nextTempFile() }));
 */
import { describe } from 'vitest';
import type { Store } from '../../src/store/store.ts';
import { describeCollectionRuns } from './contract-collection-runs.ts';
import { describeGeneration } from './contract-generation.ts';
import { describePrices } from './contract-prices.ts';
import { describeReads } from './contract-reads.ts';
import { describeSubscriptions } from './contract-subscriptions.ts';
import { describeWrites } from './contract-writes.ts';

export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    describeReads(open);
    describeWrites(open);
    describeSubscriptions(open);
    describeCollectionRuns(open);
    describePrices(open);
    describeGeneration(open);
  });
}
