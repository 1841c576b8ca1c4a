/**
 * How CLI commands find a `seatwise serve` that owns their database.
 *
 * DuckDB lets one process open a database file for writing. While `serve` runs it is that process,
 * so `import`, `collect`, `snapshots` and `prune` hand their work to it over a local admin API
 * instead of opening the file. `serve` announces itself in `<db>.serve.json` (mode 0600): its URL
 * and a random secret that admin requests must present. Whoever can read that file can already write
 * the database file itself, so the secret adds no new trust, it only proves it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface ServerAnnouncement {
  readonly pid: number;
  /** Base URL reachable from this machine. */
  readonly url: string;
  readonly secret: string;
}

export function announcementPath(db: string): string {
  return `${db}.serve.json`;
}

export function newAdminSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function announce(db: string, announcement: ServerAnnouncement): Promise<void> {
  await writeFile(announcementPath(db), `${JSON.stringify(announcement)}\n`, { mode: 0o600 });
}

/** Removes the announcement if it is still ours (a newer server may have replaced it). */
export async function withdraw(db: string, pid: number): Promise<void> {
  const current = await readAnnouncement(db);
  if (current?.pid === pid) await rm(announcementPath(db), { force: true });
}

async function readAnnouncement(db: string): Promise<ServerAnnouncement | undefined> {
  try {
    const parsed = JSON.parse(await readFile(announcementPath(db), 'utf8')) as Partial<ServerAnnouncement>;
    if (
      typeof parsed.pid === 'number' &&
      typeof parsed.url === 'string' &&
      typeof parsed.secret === 'string'
    ) {
      return { pid: parsed.pid, url: parsed.url, secret: parsed.secret };
    }
  } catch {
    // Missing or unreadable: no server.
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The running server that owns `db`, or undefined. A stale announcement (its process is gone, e.g.
 * after SIGKILL) is removed, so the command can open the file itself.
 */
export async function findServer(db: string): Promise<ServerAnnouncement | undefined> {
  const a = await readAnnouncement(db);
  if (a === undefined) return undefined;
  if (!alive(a.pid)) {
    await rm(announcementPath(db), { force: true });
    return undefined;
  }
  return a;
}

/** Calls an admin route of the server; throws with the server's description on failure. */
export async function adminCall<T>(server: ServerAnnouncement, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}/_seatwise/admin${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${server.secret}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) {
    let description = text;
    try {
      description = (JSON.parse(text) as { description?: string }).description ?? text;
    } catch {
      // Not JSON: keep the text.
    }
    throw new Error(`the server at ${server.url} refused: ${description}`);
  }
  return JSON.parse(text) as T;
}

/** Where CLI commands leave loads for the server to apply. */
export function incomingDir(db: string): string {
  return `${db}.incoming`;
}

/** Writes a hand-over file (mode 0600) and returns its path. */
export async function writeHandOver(db: string, body: unknown): Promise<string> {
  const dir = incomingDir(db);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = `${dir}/${crypto.randomUUID()}.json`;
  await writeFile(path, JSON.stringify(body), { mode: 0o600 });
  return path;
}

/**
 * Hands a file over by reference: a symbolic link to it in the incoming directory, returned. The
 * server reads only from that directory; the caller removes the link when the call is done.
 */
export async function linkHandOver(db: string, file: string): Promise<string> {
  const dir = incomingDir(db);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = `${dir}/${crypto.randomUUID()}.csv`;
  await symlink(resolve(file), path);
  return path;
}
