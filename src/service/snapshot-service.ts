/**
 * Snapshot history use cases: list a partner's processed dates with their counts and completeness,
 * prune old ones, and apply loads. Shared by the CLI (direct store access) and the server's admin
 * routes (when the server owns the store).
 */
import { addDays, isIsoDay, todayUtc } from '../domain/dates.ts';
import type { CatalogSku } from '../domain/sku-catalog.ts';
import {
  type DirectImportOptions,
  type DirectImportOutcome,
  importRowCsvDirect,
} from '../ingest/direct-csv.ts';
import { compileCatalog, compileSnapshotList } from '../sql/compile.ts';
import type { SnapshotLoad, SnapshotReplaceResult, Store } from '../store/store.ts';

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

  async list(partnerId: string): Promise<SnapshotInfo[]> {
    const r = await this.#store.select(compileSnapshotList(partnerId, this.#store.dialect));
    const col = (name: string, i: number) => r.columns[name]?.[i];
    return Array.from({ length: r.rowCount }, (_, i) => ({
      processedDate: String(col('processedDate', i)),
      rows: Number(col('rowCount', i)),
      customers: Number(col('customerCount', i)),
      products: Number(col('productCount', i)),
      importedAt: String(col('importedAt', i)),
      source: String(col('source', i) ?? ''),
      missingCustomers: parseList(col('missingCustomers', i)),
    }));
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

  replace(loads: readonly SnapshotLoad[]): Promise<SnapshotReplaceResult> {
    return this.#store.replaceSnapshots(loads);
  }

  /** CSV row files through the store's direct load, which declines files that need validating. */
  importRowCsv(files: readonly string[], options: DirectImportOptions): Promise<DirectImportOutcome> {
    return importRowCsvDirect(this.#store, files, options);
  }

  /** The product catalog imported into the store (without the bundled one). */
  async catalog(): Promise<CatalogSku[]> {
    const r = await this.#store.select(compileCatalog(this.#store.dialect));
    const col = (name: string, i: number) => String(r.columns[name]?.[i] ?? '');
    return Array.from({ length: r.rowCount }, (_, i) => ({
      skuId: col('skuId', i),
      partNumber: col('partNumber', i),
      displayName: col('displayName', i),
      productName: col('productName', i),
      serviceCode: col('serviceCode', i),
      serviceName: col('serviceName', i),
    }));
  }

  upsertCatalog(skus: readonly CatalogSku[]): Promise<{ skus: number }> {
    return this.#store.upsertCatalog(skus);
  }
}

function parseList(value: unknown): string[] {
  if (typeof value !== 'string' || value === '') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
