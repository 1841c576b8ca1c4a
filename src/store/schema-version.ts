/**
 * Schema versions, shared by every adapter. A database records the version of its layout (one
 * row per applied migration in `seatwise_schema`); opening it applies the migrations it lacks, in
 * order, and refuses a database whose version is newer than this release knows, before touching
 * it. The numbers mean the same layout on every store.
 *
 * 1. The layout of release 0.1.0 (DuckDB only; it recorded no version).
 * 2. The version table itself.
 * 3. `subscriptions`: Partner Center subscriptions stored with a snapshot.
 * 4. `collection_runs`: the outcome of each run of the daily collection.
 * 5. `prices` and `alert_state`: the partner's unit prices and the alerts that fired.
 * 6. `seatwise_generation` (PostgreSQL): the counter every write that changes data moves on.
 */
import { VERSION } from '../version.ts';

/** The layout this release reads and writes. */
export const SCHEMA_VERSION = 6;

/** Where versions are recorded: one row per applied migration. */
export const SCHEMA_TABLE = 'seatwise_schema';

/** One step from `version - 1` to `version`. */
export interface Migration {
  readonly version: number;
  /** What the step changes, recorded beside its version. */
  readonly description: string;
  /** SQL statements, run in order inside the opening transaction. */
  readonly statements: readonly string[];
}

export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';
}

/**
 * The migrations a database at `found` still needs, in order; throws a SchemaVersionError naming
 * `where` when the database is newer than this release.
 */
export function pendingMigrations(
  migrations: readonly Migration[],
  found: number,
  where: string,
): readonly Migration[] {
  if (found > SCHEMA_VERSION) {
    throw new SchemaVersionError(
      `${where} was written by a newer Seatwise (schema version ${found}); Seatwise ${VERSION} ` +
        `understands schema versions up to ${SCHEMA_VERSION}. Upgrade Seatwise to open it, or point --db at another database.`,
    );
  }
  const pending = migrations.filter((m) => m.version > found).sort((a, b) => a.version - b.version);
  const last = pending.at(-1)?.version ?? found;
  if (last !== SCHEMA_VERSION && found !== SCHEMA_VERSION) {
    throw new Error(`no migration reaches schema version ${SCHEMA_VERSION} from ${found}`);
  }
  return pending;
}
