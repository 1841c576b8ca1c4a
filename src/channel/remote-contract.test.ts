/**
 * The store contract (test/contract/) run through the socket: a `RemoteStore` in front of a served
 * DuckDB store must be indistinguishable from the store itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeStoreContract } from '../../test/contract/store-contract.ts';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import type { Store } from '../store/store.ts';
import { RemoteStore } from './remote-store.ts';
import { type Channel, listenChannel } from './server.ts';

const dir = mkdtempSync(join(tmpdir(), 'seatwise-remote-contract-'));
let next = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A remote store whose close() also stops the server and closes the store behind it. */
class ServedRemote extends RemoteStore {
  constructor(
    private readonly channel: Channel,
    private readonly served: Store,
  ) {
    super(channel.socketPath);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.channel.close();
    await this.served.close();
  }
}

describeStoreContract('remote, through the socket of a served duckdb store', async () => {
  const db = join(dir, `store-${next++}.duckdb`);
  const served = await openDuckDbStore({ path: db });
  return new ServedRemote(await listenChannel(served, db), served);
});
