/**
 * The one place that picks the store implementation for a configuration: the server's composition
 * root (main.ts) and the CLI commands that open the store themselves both go through it. It is kept
 * apart from main.ts so that those commands do not load the web server and the token verifier.
 * Each adapter's module is loaded only when it is picked, so a DuckDB user never loads `pg`.
 */
import {
  issuerKeyKeptBy,
  keyPathFor,
  type LocalIssuerKey,
  loadOrCreateIssuerKey,
} from './auth/local-issuer.ts';
import { type Config, parseDbLocation } from './config.ts';
import type { Store } from './store/store.ts';

export async function openStore(config: Pick<Config, 'db'>): Promise<Store> {
  const location = parseDbLocation(config.db);
  if (location.kind === 'postgres') {
    const { openPostgresStore } = await import('./store/postgres/postgres-store.ts');
    return openPostgresStore({ url: location.url });
  }
  const { openDuckDbStore } = await import('./store/duckdb/duckdb-store.ts');
  return openDuckDbStore({ path: location.path });
}

/**
 * The local issuer's key for a database: `keyFile` when given; else, for a store that keeps the key
 * itself (PostgreSQL, so that every instance on it shares one key), the store's; else the file
 * beside the database.
 */
export async function openIssuerKey(
  db: string,
  store: Store | undefined,
  keyFile?: string,
): Promise<LocalIssuerKey> {
  if (keyFile !== undefined) return loadOrCreateIssuerKey(keyFile);
  const location = parseDbLocation(db);
  if (location.kind === 'duckdb') return loadOrCreateIssuerKey(keyPathFor(location.path));
  if (store?.issuerKey === undefined) throw new Error(`the store of ${location.display} keeps no issuer key`);
  const keeper = store;
  return issuerKeyKeptBy((candidate) => keeper.issuerKey!(candidate), `the database ${location.display}`);
}
