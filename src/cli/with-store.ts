import type { Store } from '../store/store.ts';
import { openCliStore } from './open-store.ts';

/**
 * Runs `fn` on the store behind `db` (a running server's, through its socket, or the file itself)
 * and closes it afterwards.
 */
export async function withStore<T>(db: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openCliStore(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
