/**
 * The DuckDB bulk load: stage every load's rows in a temporary file (see `stage-file.ts`), then in
 * one transaction delete the (partner, processed date) snapshots they cover and insert the new rows
 * straight from DuckDB's CSV reader.
 *
 * One window over (partner, date) ordered by (customer, product, channel) does three jobs in a
 * single sort: `row_number()` gives `ord`, the row's position in the canonical E5 order (DuckDB
 * compares VARCHAR byte-wise, as every store must); `lag()` over the same order finds duplicate keys,
 * which are necessarily adjacent, and `error()` aborts the statement, so the transaction rolls back;
 * and the window's output, grouped by partition and sorted within it, is the physical order the rows
 * are written in, so `deployment` stays clustered and DuckDB's row-group min/max statistics prune
 * scans. An explicit ORDER BY would guarantee that clustering at the cost of a second full sort; it
 * only affects speed, never results, so it is left out (measured: ~30% of load time).
 *
 * When every row belongs to one partner (every import, and nearly every load), the window is over the
 * date alone, so it does not hash a 36-byte id that is the same in every row (measured: about 5% of
 * a load), and the partner id is a constant of the insert rather than a column of the rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { isIsoDay } from '../../domain/dates.ts';
import type { SnapshotLoad, SnapshotReplaceResult } from '../store.ts';
import { type StagedRows, StageError, stageSelectSql, writeStageFile } from './stage-file.ts';
import { inTransaction } from './transaction.ts';

/** The columns of `deployment` a row source gives (all but `partner_id` and `ord`). */
const DATA_COLUMNS =
  'processed_date, service_code, service_name, channel, customer_tenant_id, customer_name,' +
  ' product_id, product_name, licenses_deployed, licenses_sold';
const DUPLICATE_MARK = 'seatwise: duplicate row';

export class DuplicateRowError extends Error {
  override readonly name = 'DuplicateRowError';
}

interface StagedLoad {
  readonly partnerId: string;
  readonly path: string;
  readonly staged: StagedRows;
}

export type SnapshotKey = readonly [partnerId: string, date: string];

export async function replaceSnapshots(
  connection: DuckDBConnection,
  loads: readonly SnapshotLoad[],
): Promise<SnapshotReplaceResult> {
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-stage-'));
  try {
    const staged: StagedLoad[] = [];
    for (const [i, load] of loads.entries()) {
      const path = join(dir, `load-${i}.tsv`);
      const rows = await writeStageFile(path, load.rows);
      if (rows.rows > 0) staged.push({ partnerId: load.partnerId, path, staged: rows });
    }
    const snapshots = snapshotKeys(loads, staged);
    if (snapshots.length === 0) return { rows: 0, dates: [] };
    await inTransaction(connection, () => apply(connection, staged, snapshots, snapshotMeta(loads)));
    return {
      rows: staged.reduce((n, s) => n + s.staged.rows, 0),
      dates: [...new Set(snapshots.map(([, date]) => date))].sort(),
    };
  } catch (err) {
    throw asDuplicateError(err);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function apply(
  connection: DuckDBConnection,
  loads: readonly StagedLoad[],
  snapshots: readonly SnapshotKey[],
  meta: ReadonlyMap<string, SnapshotMeta>,
): Promise<void> {
  await deleteSnapshots(connection, snapshots);
  if (loads.length > 0) {
    await insertOrdered(
      connection,
      loads.map((l) => ({ partnerId: l.partnerId, sql: stageSelectSql(l.path, l.staged) })),
    );
  }
  await writeSnapshotMeta(connection, snapshots, meta);
}

const SCOPE = 'partner_id = $1 AND processed_date = CAST($2 AS DATE)';

/** Removes the rows and the entries of the given snapshots (the first step of replacing them). */
export async function deleteSnapshots(
  connection: DuckDBConnection,
  snapshots: readonly SnapshotKey[],
): Promise<void> {
  for (const [partnerId, date] of snapshots) {
    await connection.run(`DELETE FROM deployment WHERE ${SCOPE}`, [partnerId, date]);
    await connection.run(`DELETE FROM snapshots WHERE ${SCOPE}`, [partnerId, date]);
  }
}

/** Rows of one partner for `insertOrdered`. */
export interface RowSource {
  readonly partnerId: string;
  /** A query selecting the data columns of `deployment` but `partner_id`, in stored form, by name. */
  readonly sql: string;
}

/**
 * Inserts the rows the sources select, numbering them in canonical order and failing on a repeated
 * key (see the module comment). Returns how many.
 */
export async function insertOrdered(
  connection: DuckDBConnection,
  sources: readonly RowSource[],
): Promise<number> {
  const partners = [...new Set(sources.map((s) => s.partnerId))];
  const ref = (partnerId: string) => `CAST($${partners.indexOf(partnerId) + 1} AS VARCHAR)`;
  const one = partners.length === 1;
  const partner = one ? ref(partners[0]!) : 'partner_id';
  const rows = one
    ? sources.map((s) => s.sql).join(' UNION ALL ')
    : sources.map((s) => `SELECT ${ref(s.partnerId)} AS partner_id, * FROM (${s.sql})`).join(' UNION ALL ');
  const same = (c: string) => `${c} = lag(${c}) OVER w`;
  const duplicate =
    `error('${DUPLICATE_MARK} (partner ' || ${partner} || ', date ' || processed_date || ', customer '` +
    ` || customer_tenant_id || ', product ' || product_id || ', channel ' || channel || ')')`;
  const result = await connection.run(
    `INSERT INTO deployment (partner_id, ${DATA_COLUMNS}, ord) SELECT ${partner}, ${DATA_COLUMNS},` +
      ` CAST(CASE WHEN ${same('customer_tenant_id')} AND ${same('product_id')} AND ${same('channel')}` +
      ` THEN ${duplicate} ELSE row_number() OVER w - 1 END AS INTEGER)` +
      ` FROM (${rows})` +
      ` WINDOW w AS (PARTITION BY ${one ? '' : 'partner_id, '}processed_date` +
      ' ORDER BY customer_tenant_id, product_id, channel)',
    partners,
  );
  return Number(result.rowsChanged);
}

/** Records the given snapshots in `snapshots`, counting their rows as now stored. */
export async function writeSnapshotMeta(
  connection: DuckDBConnection,
  snapshots: readonly SnapshotKey[],
  meta: ReadonlyMap<string, SnapshotMeta>,
): Promise<void> {
  const importedAt = utcTimestamp(new Date());
  for (const [partnerId, date] of snapshots) {
    // Reads back only the snapshot just written (the scope prunes by row-group statistics); a
    // snapshot listed in `dates` without rows gets zero counts.
    const m = meta.get(partnerId) ?? { source: '', missingCustomers: [] };
    await connection.run(
      'INSERT INTO snapshots (partner_id, processed_date, row_count, customer_count, product_count, imported_at,' +
        ' source, missing_customers)' +
        ' SELECT $1, CAST($2 AS DATE), count(*), count(DISTINCT customer_tenant_id), count(DISTINCT product_id),' +
        ` CAST($3 AS TIMESTAMP), $4, $5 FROM deployment WHERE ${SCOPE}`,
      [partnerId, date, importedAt, m.source, JSON.stringify(m.missingCustomers)],
    );
  }
}

export interface SnapshotMeta {
  readonly source: string;
  readonly missingCustomers: readonly string[];
}

/** What each partner's loads say about their snapshots: where they came from, who is missing. */
function snapshotMeta(loads: readonly SnapshotLoad[]): Map<string, SnapshotMeta> {
  const meta = new Map<string, SnapshotMeta>();
  for (const load of loads) {
    const prev = meta.get(load.partnerId);
    meta.set(load.partnerId, {
      source: load.source ?? prev?.source ?? '',
      missingCustomers: [...(prev?.missingCustomers ?? []), ...(load.missingCustomers ?? [])].sort(),
    });
  }
  return meta;
}

/** Every (partner, date) to replace: the dates of the rows plus those a load lists explicitly. */
function snapshotKeys(loads: readonly SnapshotLoad[], staged: readonly StagedLoad[]): SnapshotKey[] {
  const seen = new Map<string, SnapshotKey>();
  const add = (partnerId: string, date: string) => seen.set(`${partnerId}\u0000${date}`, [partnerId, date]);
  for (const load of staged) for (const date of load.staged.dates) add(load.partnerId, date);
  for (const load of loads) {
    for (const date of load.dates ?? []) {
      if (!isIsoDay(date)) throw new StageError(`snapshot date ${JSON.stringify(date)} is not a date`);
      add(load.partnerId, date);
    }
  }
  return [...seen.values()];
}

/** Turns the `error()` raised inside the INSERT into a typed error the ingest layer can report. */
export function asDuplicateError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const at = err.message.indexOf(DUPLICATE_MARK);
  if (at < 0) return err;
  return new DuplicateRowError(err.message.slice(at + 'seatwise: '.length), { cause: err });
}

/** `imported_at` is UTC wall-clock time, independent of the session's TimeZone setting. */
function utcTimestamp(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
