/**
 * The one place that picks the store implementation for a configuration: the server's composition
 * root (main.ts) and the CLI commands that open the store themselves both go through it. It is kept
 * apart from main.ts so that those commands do not load the web server and the token verifier.
 */
import type { Config } from './config.ts';
import { openDuckDbStore } from './store/duckdb/duckdb-store.ts';
import type { Store } from './store/store.ts';

export async function openStore(config: Pick<Config, 'db'>): Promise<Store> {
  return openDuckDbStore({ path: config.db });
}
