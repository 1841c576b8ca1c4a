/**
 * How CLI commands reach the store. A PostgreSQL database is opened directly by every process.
 * DuckDB lets one process open a database file; while `seatwise serve` runs it is that process, so
 * commands use its store through the socket beside the file (src/channel/), and otherwise open the
 * file themselves.
 */
import { connectToServer } from '../channel/connect.ts';
import { socketPathFor } from '../channel/socket-path.ts';
import { isPostgresUrl } from '../config.ts';
import { openStore } from '../open-store.ts';
import type { Store } from '../store/store.ts';
import { CliError } from './cli-error.ts';

/**
 * A PostgreSQL store, opened directly (any number of processes share it); for a DuckDB file, the
 * running server's store when one owns it, else the file itself.
 */
export async function openCliStore(db: string): Promise<Store> {
  if (isPostgresUrl(db)) return openStore({ db });
  const remote = await connectToServer(db);
  if (remote !== undefined) return remote;
  try {
    return await openStore({ db });
  } catch (err) {
    if (!isLockConflict(err)) throw err;
    // A server may have started between the look for its socket and the open.
    const late = await connectToServer(db);
    if (late !== undefined) return late;
    throw new CliError(
      `${db} is in use by another process, and no seatwise serve answers on its socket; ` +
        'stop that process and try again',
    );
  }
}

/**
 * The store `serve` uses: a PostgreSQL database directly (other servers may share it); a DuckDB
 * file itself, refusing when another server owns it.
 */
export async function openOwnStore(db: string): Promise<Store> {
  if (isPostgresUrl(db)) return openStore({ db });
  const other = await connectToServer(db);
  if (other !== undefined) {
    await other.close();
    throw new CliError(
      `another seatwise serve already owns ${db} (it answers on ${socketPathFor(db)}); ` +
        'stop it first, or serve another --db',
    );
  }
  try {
    return await openStore({ db });
  } catch (err) {
    if (!isLockConflict(err)) throw err;
    throw new CliError(`${db} is in use by another process; stop that process and try again`);
  }
}

function isLockConflict(err: unknown): boolean {
  return /lock/i.test(err instanceof Error ? err.message : String(err));
}
