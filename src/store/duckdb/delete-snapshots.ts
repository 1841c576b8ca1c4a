import type { DuckDBConnection } from '@duckdb/node-api';
import { isIsoDay } from '../../domain/dates.ts';
import { inTransaction } from './transaction.ts';

/**
 * Retention: removes, in one transaction, the snapshots dated before `before`, their rows and
 * subscriptions, of
 * one partner or of all. Rows are deleted by date range, so rows of a date that somehow lacks its
 * snapshots entry go too.
 */
export async function deleteSnapshotsBefore(
  connection: DuckDBConnection,
  before: string,
  partnerId?: string,
): Promise<{ snapshots: number; rows: number }> {
  if (!isIsoDay(before)) throw new RangeError(`${JSON.stringify(before)} is not a YYYY-MM-DD date`);
  const scope =
    partnerId === undefined
      ? { where: 'processed_date < CAST($1 AS DATE)', params: [before] }
      : { where: 'processed_date < CAST($1 AS DATE) AND partner_id = $2', params: [before, partnerId] };
  let removed = { snapshots: 0, rows: 0 };
  await inTransaction(connection, async () => {
    const rows = await connection.run(`DELETE FROM deployment WHERE ${scope.where}`, scope.params);
    const snapshots = await connection.run(`DELETE FROM snapshots WHERE ${scope.where}`, scope.params);
    await connection.run(`DELETE FROM subscriptions WHERE ${scope.where}`, scope.params);
    removed = { snapshots: snapshots.rowsChanged, rows: rows.rowsChanged };
  });
  return removed;
}
