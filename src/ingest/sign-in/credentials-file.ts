/**
 * The stored sign-in of `seatwise login`: which app signed in to which tenant as whom, and MSAL's
 * token cache (the refresh token). The file is its owner's alone: written with mode 0600 to a
 * temporary file beside it and renamed over it (so a reader sees the old file or the new one, never
 * half of one), and refused when it can be read by group or others.
 */
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export interface StoredSignIn {
  readonly version: 1;
  /** The authority's root, e.g. https://login.microsoftonline.com. */
  readonly authority: string;
  /** The tenant as given to `login` (id or domain) and the id the sign-in answered. */
  readonly tenant: string;
  readonly tenantId: string;
  readonly clientId: string;
  /** MSAL's account key (`<oid>.<tid>`) and the user's name, for messages. */
  readonly homeAccountId: string;
  readonly username: string;
  readonly scopes: readonly string[];
  /** When `login` stored it (ISO 8601). */
  readonly signedInAt: string;
  /** MSAL's serialized token cache: secret. */
  readonly cache: string;
}

export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

/** `<db>.credentials.json` beside a DuckDB file; `./data/seatwise.credentials.json` for PostgreSQL. */
export function defaultCredentialsPath(db: string): string {
  if (/^postgres(ql)?:\/\//i.test(db)) return resolve('data', 'seatwise.credentials.json');
  return `${db}.credentials.json`;
}

/** The stored sign-in, or undefined when the file does not exist. */
export async function readStoredSignIn(file: string): Promise<StoredSignIn | undefined> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // Windows has no such mode bits (its ACLs are not checked here).
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    throw new CredentialsError(
      `${file} can be read by other users (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): ` +
        'its refresh token may have been copied; run `seatwise login` again, which writes a new one ' +
        'with mode 0600 (or `chmod 600` it if you are sure nobody else read it)',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new CredentialsError(`${file} is not a Seatwise sign-in file: run \`seatwise login\` again`);
  }
  const s = parsed as Partial<StoredSignIn>;
  if (
    s.version !== 1 ||
    typeof s.authority !== 'string' ||
    typeof s.clientId !== 'string' ||
    typeof s.tenantId !== 'string' ||
    typeof s.homeAccountId !== 'string' ||
    typeof s.cache !== 'string' ||
    !Array.isArray(s.scopes)
  )
    throw new CredentialsError(`${file} is not a Seatwise sign-in file: run \`seatwise login\` again`);
  return parsed as StoredSignIn;
}

/** Writes the file atomically with mode 0600. */
export async function writeStoredSignIn(file: string, value: StoredSignIn): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${crypto.randomUUID()}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    // The umask cannot widen 0600, but a mode given to open() is only the most it may be.
    await handle.chmod(0o600);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await chmod(file, 0o600);
}

/** Removes the file; false when there was none. */
export async function removeStoredSignIn(file: string): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
