/**
 * Where a running `seatwise serve` listens for the CLI commands working on its database: a Unix
 * socket beside the file, `<db>.sock`.
 */
import { relative, resolve } from 'node:path';

/**
 * Longest socket path the system accepts, in bytes: `sun_path` holds 108 bytes on Linux and 104 on
 * macOS and the BSDs, one of them the terminating NUL.
 */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/**
 * The socket of the server that owns `db`. The absolute path when it fits; otherwise the path
 * relative to the working directory when that fits (the server and each command resolve it from
 * their own directory, so both name the same file); otherwise an error asking for a shorter path.
 */
export function socketPathFor(db: string): string {
  const absolute = `${resolve(db)}.sock`;
  if (fits(absolute)) return absolute;
  const fromHere = relative(process.cwd(), absolute);
  const rel = fromHere.startsWith('../') ? fromHere : `./${fromHere}`;
  if (fits(rel)) return rel;
  throw new SocketPathTooLong(
    `the database path ${resolve(db)} is too long for its server socket (${absolute} has ` +
      `${Buffer.byteLength(absolute)} bytes; Unix sockets allow ${MAX_SOCKET_PATH_BYTES}); ` +
      'use a shorter --db path, or run from a directory closer to the database',
  );
}

/** The database path is too long for a socket beside it; the message says what to do. */
export class SocketPathTooLong extends Error {
  override readonly name = 'SocketPathTooLong';
}

function fits(path: string): boolean {
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES;
}
