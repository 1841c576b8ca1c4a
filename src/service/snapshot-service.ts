/**
 * Snapshot history use cases: list a partner's processed dates with their counts and completeness,
 * and prune old ones. The CLI runs them on whichever store it reached (the file, or a running
 * server's through its local socket).
 */
import { addDays, isIsoDay, todayUtc } from '../domain/dates.ts';
import type { SnapshotInfo, Store } from '../store/store.ts';

export type { SnapshotInfo };

export interface PruneResult {
  /** Snapshots dated before this day were removed. */
  readonly before: string;
  readonly snapshots: number;
  readonly rows: number;
}

export class SnapshotService {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  list(partnerId: string): Promise<SnapshotInfo[]> {
    return this.#store.listSnapshots(partnerId);
  }

  /**
   * Keeps the snapshots of the last `keepDays` days up to `today` (UTC) and removes older ones, for
   * one partner or for all.
   */
  async prune(options: { keepDays: number; partnerId?: string; today?: string }): Promise<PruneResult> {
    if (!Number.isSafeInteger(options.keepDays) || options.keepDays < 1) {
      throw new RangeError('keepDays must be a whole number of at least 1');
    }
    const today = options.today ?? todayUtc();
    if (!isIsoDay(today)) throw new RangeError(`today must be YYYY-MM-DD, got '${today}'`);
    const before = addDays(today, -(options.keepDays - 1));
    const removed = await this.#store.deleteSnapshotsBefore(before, options.partnerId);
    return { before, ...removed };
  }
}
