import type { DuckDBConnection } from '@duckdb/node-api';

/** Runs `fn` in one transaction on `connection`: committed if it resolves, rolled back if it throws. */
export async function inTransaction(connection: DuckDBConnection, fn: () => Promise<void>): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    await fn();
    await connection.run('COMMIT');
  } catch (err) {
    try {
      await connection.run('ROLLBACK');
    } catch {
      // The original error is the one worth reporting; a failed rollback leaves DuckDB's
      // transaction aborted, which discards its changes anyway.
    }
    throw err;
  }
}
