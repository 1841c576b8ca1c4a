/**
 * Is a server behind a socket path? A successful connect is the only proof: no pid files, no
 * guessing. A socket file nobody listens on (its server was killed) refuses the connect and is
 * removed here, so the caller can open the database itself or listen in its place.
 */
import { lstat, rm } from 'node:fs/promises';
import { connect } from 'node:net';

const CONNECT_TIMEOUT_MS = 10_000;

/** True when a server accepts connections on `path`; a stale socket is removed and gives false. */
export async function serverAnswers(path: string): Promise<boolean> {
  const before = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (before === undefined) return false;
  if (!before.isSocket()) {
    throw new Error(
      `${path} exists but is not a socket; seatwise serve keeps its socket there, so move that file away`,
    );
  }
  try {
    await connectOnce(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return false;
    if (code === 'ECONNREFUSED') {
      // Left by a server that did not stop cleanly. Remove it unless a new server has replaced it
      // in the meantime (its socket would be a new file).
      const now = await lstat(path).catch(() => undefined);
      if (now !== undefined && now.ino === before.ino && now.dev === before.dev)
        await rm(path, { force: true });
      return false;
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new Error(
        `cannot connect to ${path} (${code}): the seatwise serve that owns this database runs as ` +
          'another user; run the command as that user',
      );
    }
    throw new Error(`cannot connect to ${path}: ${(err as Error).message}`);
  }
}

function connectOnce(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => {
      socket.destroy();
      reject(
        new Error(
          `the server on ${path} accepts no connection within ${CONNECT_TIMEOUT_MS / 1000} s; ` +
            'is that seatwise serve stopped (Ctrl+Z) or overloaded?',
        ),
      );
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}
