/**
 * How a CLI command finds the server that owns its database: the socket beside the file answers.
 */
import type { Store } from '../store/store.ts';
import { serverAnswers } from './probe.ts';
import { RemoteStore } from './remote-store.ts';
import { SocketPathTooLong, socketPathFor } from './socket-path.ts';

/**
 * The store of the `seatwise serve` that owns `db`, reached through its socket, or undefined when
 * none runs (a socket left by a killed server is removed on the way).
 */
export async function connectToServer(db: string): Promise<Store | undefined> {
  let path: string;
  try {
    path = socketPathFor(db);
  } catch (err) {
    // No server can listen on a path this long (serve refuses to start), so there is none.
    if (err instanceof SocketPathTooLong) return undefined;
    throw err;
  }
  return (await serverAnswers(path)) ? new RemoteStore(path) : undefined;
}
