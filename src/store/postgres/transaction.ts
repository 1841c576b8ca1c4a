import type pg from 'pg';

/** Advisory lock keys (pg_advisory_xact_lock): one namespace for Seatwise, then what is locked. */
export const LOCKS = Object.freeze({
  /** Migrations: one process changes the schema at a time. */
  schema: 0x5ea7_0001,
  /** Day partitions are created one process at a time. */
  partitions: 0x5ea7_0002,
  /** Loads of one partner (with the partner's hash as the second key) run one at a time. */
  load: 0x5ea7_0003,
});

/** Runs `fn` in one transaction on `client`: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The original error is the one worth reporting; the server rolls back a broken session.
    }
    throw err;
  }
}

/**
 * `err` with every occurrence of the connection string (and its password) replaced by the redacted
 * description: a driver error may quote what it was given.
 */
export function redactedError(err: unknown, url: string, description: string): unknown {
  if (!(err instanceof Error)) return err;
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // No password to hide in a string that is no URL.
  }
  const clean = (text: string) => {
    let out = text.replaceAll(url, description);
    if (password !== '') out = out.replaceAll(password, '***');
    return out;
  };
  const message = clean(err.message);
  if (message !== err.message) err.message = message;
  if (err.stack !== undefined) err.stack = clean(err.stack);
  return err;
}
