import { openStore } from '../open-store.ts';
import type { Store } from '../store/store.ts';
import { CliError } from './cli-error.ts';

/** Opens the store for a CLI command, turning DuckDB's lock conflict into a readable message. */
export async function openCliStore(db: string): Promise<Store> {
  try {
    return await openStore({ db });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/lock/i.test(message)) {
      throw new CliError(`${db} is in use by another process (is 'seatwise serve' running on it?)`);
    }
    throw err;
  }
}
