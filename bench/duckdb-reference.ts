/**
 * A reference figure for the ingest benchmark: how fast DuckDB alone loads the same CSV file into a
 * table of the same shape, clustered the same way, with no validation and no normalisation. It is
 * the ceiling any ingest into the embedded store can reach on the machine the benchmark runs on,
 * so the ingest figure can be read against the machine instead of in isolation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { SCHEMA_SQL } from '../src/store/duckdb/schema.ts';

export interface DuckDbReference {
  /** Rows per second of DuckDB's CSV reader inserting straight into the table, in file order. */
  readonly plainRowsPerSecond: number;
  /** The same, ordered and numbered (`ord`) per day as the store keeps its rows. */
  readonly orderedRowsPerSecond: number;
}

const COLUMNS =
  "{'processedDateTime': 'DATE', 'serviceCode': 'VARCHAR', 'serviceName': 'VARCHAR', 'channel': 'VARCHAR'," +
  " 'customerTenantId': 'VARCHAR', 'customerName': 'VARCHAR', 'productId': 'VARCHAR', 'productName': 'VARCHAR'," +
  " 'licensesDeployed': 'BIGINT', 'licensesSold': 'BIGINT'}";

/** Loads `csv` (the bench generator's file, `rows` rows) twice into a scratch database. */
export async function measureDuckDbReference(
  csv: string,
  partnerId: string,
  rows: number,
): Promise<DuckDbReference> {
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-bench-reference-'));
  const instance = await DuckDBInstance.create(join(dir, 'reference.duckdb'), {
    preserve_insertion_order: 'true',
  });
  const connection = await instance.connect();
  try {
    await connection.run(SCHEMA_SQL);
    const source = `read_csv('${csv.replaceAll("'", "''")}', header=true, auto_detect=false, columns=${COLUMNS})`;
    const values =
      'serviceCode, serviceName, channel, customerTenantId, customerName, productId, productName, licensesDeployed, licensesSold';
    const load = async (ord: string, window: string): Promise<number> => {
      await connection.run('DELETE FROM deployment');
      await connection.run('CHECKPOINT');
      const started = performance.now();
      await connection.run('BEGIN');
      await connection.run(
        `INSERT INTO deployment SELECT $1, processedDateTime, ${ord}, ${values} FROM ${source} ${window}`,
        [partnerId],
      );
      await connection.run('COMMIT');
      return Math.round(rows / ((performance.now() - started) / 1000));
    };
    return {
      plainRowsPerSecond: await load('0', ''),
      orderedRowsPerSecond: await load(
        'CAST(row_number() OVER w - 1 AS INTEGER)',
        'WINDOW w AS (PARTITION BY processedDateTime ORDER BY customerTenantId, productId, channel)',
      ),
    };
  } finally {
    connection.disconnectSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}
