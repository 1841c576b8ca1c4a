/**
 * How CLI commands reach the store. DuckDB lets one process write a database file; when
 * `seatwise serve` owns it, commands hand their already validated work to the server over its local
 * admin API (src/admin-link.ts), otherwise they open the file themselves. Either way a load is one
 * transaction in the store.
 */
import { rm } from 'node:fs/promises';
import { adminCall, findServer, linkHandOver, writeHandOver } from '../admin-link.ts';
import type { CatalogSku } from '../domain/sku-catalog.ts';
import type { DirectImportOptions, DirectImportOutcome } from '../ingest/direct-csv.ts';
import type { PruneResult, SnapshotInfo } from '../service/snapshot-service.ts';
import { SnapshotService } from '../service/snapshot-service.ts';
import type { SnapshotLoad, SnapshotReplaceResult } from '../store/store.ts';
import { openCliStore } from './open-store.ts';

async function withService<T>(db: string, fn: (service: SnapshotService) => Promise<T>): Promise<T> {
  const store = await openCliStore(db);
  try {
    return await fn(new SnapshotService(store));
  } finally {
    await store.close();
  }
}

export async function applyLoad(db: string, loads: readonly SnapshotLoad[]): Promise<SnapshotReplaceResult> {
  const server = await findServer(db);
  if (server !== undefined) {
    const file = await writeHandOver(db, { loads });
    return adminCall<SnapshotReplaceResult>(server, '/replace', { file });
  }
  return withService(db, (s) => s.replace(loads));
}

/**
 * Imports CSV row files through the store's direct load (src/ingest/direct-csv.ts). While `serve`
 * owns the store, the server runs it on links to the files; if it cannot read them (another user),
 * the load declines and the caller takes the validated hand-over.
 */
export async function importRowsDirect(
  db: string,
  files: readonly string[],
  options: DirectImportOptions,
): Promise<DirectImportOutcome> {
  const server = await findServer(db);
  if (server !== undefined) {
    const links: string[] = [];
    try {
      for (const file of files) links.push(await linkHandOver(db, file));
      return await adminCall<DirectImportOutcome>(server, '/import-rows', {
        files: links,
        partnerId: options.partnerId,
        source: options.source,
      });
    } finally {
      await Promise.all(links.map((l) => rm(l, { force: true })));
    }
  }
  return withService(db, (s) => s.importRowCsv(files, options));
}

export async function listSnapshots(db: string, partnerId: string): Promise<SnapshotInfo[]> {
  const server = await findServer(db);
  if (server !== undefined) {
    return adminCall<SnapshotInfo[]>(server, `/snapshots?partner=${encodeURIComponent(partnerId)}`);
  }
  return withService(db, (s) => s.list(partnerId));
}

export async function pruneSnapshots(
  db: string,
  options: { keepDays: number; partnerId?: string; today?: string },
): Promise<PruneResult> {
  const server = await findServer(db);
  if (server !== undefined) return adminCall<PruneResult>(server, '/prune', options);
  return withService(db, (s) => s.prune(options));
}

export async function storedCatalog(db: string): Promise<CatalogSku[]> {
  const server = await findServer(db);
  if (server !== undefined) return adminCall<CatalogSku[]>(server, '/catalog');
  return withService(db, (s) => s.catalog());
}

export async function applyCatalog(db: string, skus: readonly CatalogSku[]): Promise<{ skus: number }> {
  const server = await findServer(db);
  if (server !== undefined) {
    const file = await writeHandOver(db, { catalog: skus });
    return adminCall<{ skus: number }>(server, '/replace', { file });
  }
  return withService(db, (s) => s.upsertCatalog(skus));
}
