/** Looks into a PostgreSQL test database from a connection of the test's own. */
import pg from 'pg';

/** One statement on `db`, on a connection opened for it and closed after it; its rows. */
export async function sql<T extends pg.QueryResultRow>(
  db: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** The day partitions of `deployment`, by name, in order. */
export async function dayPartitions(db: string): Promise<string[]> {
  const rows = await sql<{ name: string }>(
    db,
    "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'deployment'::regclass ORDER BY 1",
  );
  return rows.map((r) => r.name);
}
