/**
 * Schema versions of a DuckDB file (see `store/schema-version.ts`). A writable open brings the file
 * to SCHEMA_VERSION in one transaction; a read-only open only checks that it is there already.
 * Either way a file from a newer Seatwise is refused before anything is written to it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { VERSION } from '../../version.ts';
import { pendingMigrations, SCHEMA_TABLE, SCHEMA_VERSION, SchemaVersionError } from '../schema-version.ts';
import { DUCKDB_MIGRATIONS, V1_TABLES } from './schema.ts';
import { inTransaction } from './transaction.ts';

/** The migration that creates SCHEMA_TABLE. */
const VERSION_TABLE_SINCE = 2;

/**
 * The file's schema version: 0 when it holds none of Seatwise's tables, 1 when it holds release
 * 0.1.0's tables and no version table (0.1.0 recorded none), else the highest version recorded.
 */
export async function readSchemaVersion(connection: DuckDBConnection, where: string): Promise<number> {
  const reader = await connection.runAndReadAll(
    "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'",
  );
  const tables = new Set(reader.getRows().map((r) => String(r[0])));
  if (tables.has(SCHEMA_TABLE)) {
    const max = await connection.runAndReadAll(`SELECT max(version) FROM ${SCHEMA_TABLE}`);
    const version = max.getRows()[0]?.[0];
    if (typeof version !== 'number') {
      throw new SchemaVersionError(
        `${where} has an empty ${SCHEMA_TABLE} table; its schema version is unknown`,
      );
    }
    return version;
  }
  const present = V1_TABLES.filter((t) => tables.has(t));
  if (present.length === 0) return 0;
  if (present.length < V1_TABLES.length) {
    const missing = V1_TABLES.filter((t) => !tables.has(t));
    throw new SchemaVersionError(
      `${where} holds the table(s) ${present.join(', ')} but not ${missing.join(', ')} and no ` +
        `${SCHEMA_TABLE} table: Seatwise did not make it. Point --db at another file.`,
    );
  }
  return 1;
}

/**
 * Applies the migrations the file lacks, in one transaction, and records each in SCHEMA_TABLE.
 * When the version table is new, the versions the file already had are recorded too, marked as
 * found. Throws a SchemaVersionError, having written nothing, when the file is newer.
 */
export async function migrateDuckDb(connection: DuckDBConnection, where: string): Promise<void> {
  const found = await readSchemaVersion(connection, where);
  const pending = pendingMigrations(DUCKDB_MIGRATIONS, found, where);
  if (pending.length === 0) return;
  // Once the version table exists, it holds a row for every version the file has.
  const recorded = found >= VERSION_TABLE_SINCE ? pending : DUCKDB_MIGRATIONS;
  // The same form as snapshots.imported_at: a UTC TIMESTAMP.
  const appliedAt = new Date().toISOString().replace('T', ' ').replace('Z', '');
  await inTransaction(connection, async () => {
    for (const step of pending) for (const sql of step.statements) await connection.run(sql);
    for (const step of recorded) {
      const description =
        step.version <= found
          ? `${step.description} (found in place: the release that made it recorded no version)`
          : step.description;
      await connection.run(
        `INSERT INTO ${SCHEMA_TABLE} (version, description, seatwise_version, applied_at)` +
          ' VALUES ($1, $2, $3, CAST($4 AS TIMESTAMP))',
        [step.version, description, VERSION, appliedAt],
      );
    }
  });
}

/**
 * For a read-only open, which never migrates: throws a SchemaVersionError unless the file is at
 * SCHEMA_VERSION.
 */
export async function checkSchemaVersion(connection: DuckDBConnection, where: string): Promise<void> {
  const found = await readSchemaVersion(connection, where);
  if (pendingMigrations(DUCKDB_MIGRATIONS, found, where).length === 0) return;
  const state =
    found === 0
      ? 'holds no Seatwise tables yet'
      : `has schema version ${found}, from an older Seatwise (Seatwise ${VERSION} reads version ${SCHEMA_VERSION})`;
  throw new SchemaVersionError(
    `${where} ${state}, and a read-only open does not migrate. Open it once without read-only so ` +
      `that it is migrated (any seatwise command does, e.g. \`seatwise snapshots --db ${where}\`), then read-only again.`,
  );
}
