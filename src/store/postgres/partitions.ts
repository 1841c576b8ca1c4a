/**
 * `deployment`'s day partitions: created by a load before it writes, dropped whole by retention.
 *
 * A partition is created in a short transaction of its own before a load's, never inside the load
 * (which may run for minutes), and attached rather than created in place, so queries never wait.
 */
import type pg from 'pg';
import { isIsoDay } from '../../domain/dates.ts';
import { BUMP_GENERATION_SQL } from './schema.ts';
import { inTransaction, LOCKS } from './transaction.ts';

/** `deployment_p20261130` for 2026-11-30. */
export function partitionName(day: string): string {
  return `deployment_p${day.replaceAll('-', '')}`;
}

function nextDay(day: string): string {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

/** Creates the partitions of `days` that do not exist yet. */
export async function ensurePartitions(client: pg.PoolClient, days: readonly string[]): Promise<void> {
  const wanted = days.filter(isIsoDay);
  if (wanted.length === 0) return;
  const existing = await existingPartitions(client, wanted);
  const missing = wanted.filter((day) => !existing.has(partitionName(day)));
  if (missing.length === 0) return;
  await inTransaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.partitions]);
    // Checked again under the lock: another process may have made them meanwhile.
    const made = await existingPartitions(client, missing);
    for (const day of missing.filter((m) => !made.has(partitionName(m)))) {
      const name = partitionName(day);
      const range = `FROM ('${day}') TO ('${nextDay(day)}')`;
      // A plain table attached to the parent: ATTACH PARTITION locks the parent only against
      // other schema changes (CREATE TABLE … PARTITION OF would lock out every query while a long
      // load holds the table). The CHECK constraint spares ATTACH its validating scan.
      await client.query(`CREATE TABLE ${name} (LIKE deployment INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      await client.query(
        `ALTER TABLE ${name} ADD CONSTRAINT ${name}_day CHECK (processed_date >= '${day}' AND processed_date < '${nextDay(day)}')`,
      );
      await client.query(`ALTER TABLE deployment ATTACH PARTITION ${name} FOR VALUES ${range}`);
    }
  });
}

async function existingPartitions(client: pg.PoolClient, days: readonly string[]): Promise<Set<string>> {
  const r = await client.query<{ name: string }>(
    'SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid' +
      " WHERE i.inhparent = 'deployment'::regclass AND c.relname = ANY($1::text[])",
    [days.map(partitionName)],
  );
  return new Set(r.rows.map((row) => row.name));
}

/**
 * Retention: removes, in one transaction, the snapshots dated before `before` and their rows, of
 * one partner or of all. For every partner, whole day partitions are dropped; for one partner, its
 * rows are deleted, and a partition left empty is dropped too.
 */
export async function deleteSnapshotsBefore(
  client: pg.PoolClient,
  before: string,
  partnerId?: string,
): Promise<{ snapshots: number; rows: number }> {
  if (!isIsoDay(before)) throw new RangeError(`${JSON.stringify(before)} is not a YYYY-MM-DD date`);
  return inTransaction(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.partitions]);
    const old = await client.query<{ name: string; day: string }>(
      "SELECT c.relname AS name, to_char(to_date(substr(c.relname, 13), 'YYYYMMDD'), 'YYYY-MM-DD') AS day" +
        " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'deployment'::regclass" +
        " AND c.relname ~ '^deployment_p[0-9]{8}$' AND to_date(substr(c.relname, 13), 'YYYYMMDD') < $1::date" +
        ' ORDER BY 1',
      [before],
    );
    let rows = 0;
    if (partnerId === undefined) {
      for (const p of old.rows) {
        const n = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${p.name}`);
        rows += Number(n.rows[0]!.n);
        await client.query(`DROP TABLE ${p.name}`);
      }
      await client.query('DELETE FROM deployment_groups WHERE processed_date < $1::date', [before]);
      await client.query('DELETE FROM subscriptions WHERE processed_date < $1::date', [before]);
      const snapshots = await client.query('DELETE FROM snapshots WHERE processed_date < $1::date', [before]);
      await client.query(BUMP_GENERATION_SQL);
      return { snapshots: snapshots.rowCount ?? 0, rows };
    }
    const deleted = await client.query(
      'DELETE FROM deployment WHERE processed_date < $1::date AND partner_id = $2',
      [before, partnerId],
    );
    rows = deleted.rowCount ?? 0;
    for (const p of old.rows) {
      const left = await client.query(`SELECT 1 FROM ${p.name} LIMIT 1`);
      if (left.rowCount === 0) await client.query(`DROP TABLE ${p.name}`);
    }
    await client.query('DELETE FROM deployment_groups WHERE processed_date < $1::date AND partner_id = $2', [
      before,
      partnerId,
    ]);
    await client.query('DELETE FROM subscriptions WHERE processed_date < $1::date AND partner_id = $2', [
      before,
      partnerId,
    ]);
    const snapshots = await client.query(
      'DELETE FROM snapshots WHERE processed_date < $1::date AND partner_id = $2',
      [before, partnerId],
    );
    await client.query(BUMP_GENERATION_SQL);
    return { snapshots: snapshots.rowCount ?? 0, rows };
  });
}
