import type { DuckDBConnection } from '@duckdb/node-api';
import type { CatalogSku } from '../../domain/sku-catalog.ts';
import { inTransaction } from './transaction.ts';

/** Rows per INSERT: the catalog has hundreds of SKUs, so a few batched statements load it. */
const BATCH = 200;

export async function upsertCatalog(
  connection: DuckDBConnection,
  skus: readonly CatalogSku[],
): Promise<{ skus: number }> {
  const unique = new Map(skus.map((s) => [s.skuId, s]));
  const all = [...unique.values()];
  await inTransaction(connection, async () => {
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      const values = batch
        .map((_, j) => `(${[1, 2, 3, 4, 5, 6].map((k) => `$${j * 6 + k}`).join(', ')})`)
        .join(', ');
      await connection.run(
        `INSERT OR REPLACE INTO sku_catalog (sku_id, part_number, display_name, product_name, service_code, service_name) VALUES ${values}`,
        batch.flatMap((s) => [
          s.skuId,
          s.partNumber,
          s.displayName,
          s.productName,
          s.serviceCode,
          s.serviceName,
        ]),
      );
    }
  });
  return { skus: all.length };
}
