/**
 * The direct CSV load (Store.loadRowCsv; docs/benchmarks.md, "The direct CSV load"): DuckDB's
 * CSV reader inserts a row file's values straight into `deployment`, with the same canonical
 * numbering and duplicate check as every load (replace-snapshots.ts), while the caller's check
 * reads the same file in JavaScript. Before committing, the rows just written are read back and must match the check
 * (row count and bytes per text field: both CSV readers saw the same records and fields) and be in
 * stored form (stored-form-sql.ts). Any failure, including one of DuckDB's own (a CSV it reads
 * differently, an empty value, a duplicate key), rolls back and declines: the validating path then
 * gives the user its exact messages.
 *
 * The only conversions applied: the date's first ten characters cast to DATE and the counts cast to
 * BIGINT, both of which the check has shown to be exact for every row, and, with `convertCase`, those
 * of `toStoredFormSql` to text (GUIDs upper-cased, ASCII codes lower-cased; neither changes the
 * length of a value it can accept, which the byte comparison relies on). Without `convertCase`, a
 * file whose only trouble is the case of such values declines with a hint to try again with it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  DIMENSION_INFO,
  DIMENSIONS,
  type Dimension,
  MEASURE_COLUMN,
  type Measure,
  ROW_FIELDS,
} from '../../domain/fields.ts';
import { STORED_FORM, type StoredForm } from '../../domain/stored-form.ts';
import type { RowCsvFile, RowCsvLoad, RowCsvOutcome } from '../store.ts';
import { deleteSnapshots, insertOrdered, type SnapshotKey, writeSnapshotMeta } from './replace-snapshots.ts';
import { inStoredForm, toStoredFormSql } from './stored-form-sql.ts';
import { inTransaction } from './transaction.ts';

/** What a declined load suggests trying again with, if anything. */
type Retry = Pick<Extract<RowCsvOutcome, { loaded: false }>, 'days' | 'convertCase'>;

class Declined extends Error {
  constructor(
    reason: string,
    readonly retry: Retry = {},
  ) {
    super(reason);
  }
}

export async function loadRowCsv(connection: DuckDBConnection, load: RowCsvLoad): Promise<RowCsvOutcome> {
  let inserting = false;
  let failedCheck: string | undefined;
  // A failed check makes the statement's work useless: stop it rather than wait for it.
  load.check.then(
    (c) => {
      if (c.ok) return;
      failedCheck = c.reason;
      if (inserting) connection.interrupt();
    },
    () => {},
  );
  let progress: ReturnType<typeof setInterval> | undefined;
  if (load.onProgress !== undefined) {
    // DuckDB tracks a query's progress only with its progress bar on (never printed here).
    await connection.run('SET enable_progress_bar = true');
    await connection.run('SET enable_progress_bar_print = false');
    progress = setInterval(() => load.onProgress?.(Math.max(0, connection.progress.percentage) / 100), 250);
  }
  const keys: SnapshotKey[] = load.days.map((d) => [load.partnerId, d]);
  try {
    let outcome: RowCsvOutcome | undefined;
    await inTransaction(connection, async () => {
      await deleteSnapshots(connection, keys);
      let inserted = 0;
      if (load.files.length > 0) {
        inserting = true;
        try {
          inserted = await insertOrdered(
            connection,
            load.files.map((f) => ({ partnerId: load.partnerId, sql: csvSelectSql(f, load.convertCase) })),
          );
        } finally {
          inserting = false;
        }
      }
      const check = await load.check;
      if (!check.ok) throw new Declined(check.reason);
      if (check.days.join() !== [...load.days].sort().join()) {
        throw new Declined(`the files hold processed dates ${check.days.join(', ')}`, { days: check.days });
      }
      // Every row DuckDB read lies in the replaced snapshots, and they hold as many as the check read.
      const stored = await readBack(connection, load.partnerId, check.days);
      if (inserted !== check.rows || stored.rows !== check.rows) {
        throw new Declined(
          `DuckDB read ${inserted} rows (${stored.rows} on those dates), the check ${check.rows}`,
        );
      }
      for (const d of DIMENSIONS) {
        if (stored.textBytes[d] !== check.textBytes[d]) {
          throw new Declined(
            `DuckDB read ${stored.textBytes[d]} bytes of ${d}, the check ${check.textBytes[d]}`,
          );
        }
      }
      const unusual = DIMENSIONS.filter((d) => stored.unusual[d] > 0);
      if (unusual.length > 0) {
        const reason = `${unusual[0]} holds values that need normalising`;
        // Converting their case may be all they need.
        const caseOnly = !load.convertCase && unusual.every((d) => STORED_FORM[d] !== 'text');
        throw new Declined(reason, caseOnly ? { convertCase: true } : {});
      }
      await writeSnapshotMeta(
        connection,
        keys,
        new Map([[load.partnerId, { source: load.source, missingCustomers: [] }]]),
      );
      outcome = {
        loaded: true,
        rows: stored.rows,
        customers: stored.customers,
        products: stored.products,
        days: check.days,
      };
    });
    return outcome!;
  } catch (err) {
    if (err instanceof Declined) {
      return { loaded: false, reason: err.message, ...err.retry };
    }
    const reason = failedCheck ?? (err instanceof Error ? err.message : String(err));
    return { loaded: false, reason: reason.split('\n')[0]! };
  } finally {
    clearInterval(progress);
  }
}

/**
 * One file's rows as a row source of `insertOrdered`. RFC 4180 with nothing detected: the header
 * line is skipped (the check has read it), every column is text, an empty unquoted value is NULL
 * (which the table refuses) and `""` is the empty string. The path must be absolute and free of
 * glob characters (`RowCsvFile`), or DuckDB would look for other files.
 */
function csvSelectSql(file: RowCsvFile, convertCase: boolean): string {
  const names = Array.from({ length: file.width }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const col = (field: number) => `c${file.columns[field]}`;
  const value = (field: number, form: StoredForm): string => {
    switch (form) {
      case 'day':
        return `CAST(left(${col(field)}, 10) AS DATE)`;
      case 'count':
        return `CAST(${col(field)} AS BIGINT)`;
      default:
        return convertCase ? toStoredFormSql(form, col(field)) : col(field);
    }
  };
  const select = ROW_FIELDS.map((f, i) => `${value(i, STORED_FORM[f])} AS ${columnOf(i)}`).join(', ');
  return (
    `SELECT ${select} FROM read_csv('${file.path.replaceAll("'", "''")}',` +
    ` columns={${names}}, header=true, auto_detect=false, compression='none', delim=',', quote='"', escape='"',` +
    ' strict_mode=true, allow_quoted_nulls=false, null_padding=false, ignore_errors=false)'
  );
}

function columnOf(field: number): string {
  const f = ROW_FIELDS[field]!;
  if (f === 'processedDateTime') return 'processed_date';
  return f in DIMENSION_INFO ? DIMENSION_INFO[f as Dimension].column : MEASURE_COLUMN[f as Measure];
}

interface StoredRows {
  readonly rows: number;
  readonly customers: number;
  readonly products: number;
  readonly textBytes: Record<Dimension, number>;
  /** Per dimension, how many values (distinct ones, or rows) are not provably in stored form. */
  readonly unusual: Record<Dimension, number>;
}

/** What the snapshots of `days` now hold, in one scan of their rows. */
async function readBack(
  connection: DuckDBConnection,
  partnerId: string,
  days: readonly string[],
): Promise<StoredRows> {
  const perDimension = (values: number[]) =>
    Object.fromEntries(DIMENSIONS.map((d, i) => [d, values[i] ?? 0])) as Record<Dimension, number>;
  if (days.length === 0) {
    return { rows: 0, customers: 0, products: 0, textBytes: perDimension([]), unusual: perDimension([]) };
  }
  const columns = DIMENSIONS.map((d) => DIMENSION_INFO[d].column);
  const sums = columns.map((c) => `sum(strlen(${c}))`);
  // Names are tested once per distinct value; the patterns of GUIDs and codes row by row, which is
  // cheaper than collecting their distinct values (measured on 1M rows: 100 ms against 120-150 ms
  // for the whole query).
  const unusual = DIMENSIONS.map((d, i) => {
    const form = STORED_FORM[d] as Exclude<StoredForm, 'day' | 'count'>;
    const c = columns[i]!;
    return form === 'text'
      ? `list_count(list_filter(list(DISTINCT ${c}), lambda v: NOT ${inStoredForm(form, 'v')}))`
      : `count(*) FILTER (WHERE NOT ${inStoredForm(form, c)})`;
  });
  const scope = `partner_id = $1 AND processed_date IN (${days.map((_, i) => `CAST($${i + 2} AS DATE)`).join(', ')})`;
  const result = await connection.runAndReadAll(
    `SELECT count(*), count(DISTINCT customer_tenant_id), count(DISTINCT product_id), ${sums.join(', ')},` +
      ` ${unusual.join(', ')} FROM deployment WHERE ${scope}`,
    [partnerId, ...days],
  );
  const row = result.getRows()[0]!.map((v) => Number(v ?? 0));
  const n = DIMENSIONS.length;
  return {
    rows: row[0]!,
    customers: row[1]!,
    products: row[2]!,
    textBytes: perDimension(row.slice(3, 3 + n)),
    unusual: perDimension(row.slice(3 + n, 3 + 2 * n)),
  };
}
