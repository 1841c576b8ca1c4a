/**
 * Every load, from any source, on the write connection:
 *
 * 1. Raw values: rows mapped in TypeScript are appended to a temporary staging table; a CSV row
 *    file is a relation of DuckDB's own `read_csv` over the file (its header read first), so its
 *    rows are read once, inside the insert, never copied.
 * 2. In one transaction: delete the snapshots the load covers, insert the staged and read rows
 *    normalised by the one set of rules (`src/sql/ingest.ts`) and numbered in canonical order, and
 *    record the snapshots. The insert refuses (aborts on) any row without a stored form for every
 *    field or repeating a key, and the load refuses any record the reader rejected.
 * 3. Only when something was refused, the transaction is rolled back and every CSV file is staged
 *    as a table too (records the reader cannot read go to its rejects table, with their line), so
 *    SQL can list every problem; each is then mapped to `file:line` (`csv-lines.ts` for CSV rows).
 *    The store is unchanged.
 *
 * One window over the date, ordered by (customer, product, channel), does three jobs in a single
 * sort: `row_number()` gives `ord`, the row's position in the canonical E5 order (DuckDB compares
 * VARCHAR byte-wise, as every store must); `lag()` over the same order finds duplicate keys, which
 * are then adjacent; and the window's output, grouped by date and sorted within it, is the physical
 * order rows are written in, so `deployment` stays clustered and DuckDB's row-group min/max
 * statistics prune scans.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { isIsoDay } from '../../domain/dates.ts';
import { ROW_FIELDS } from '../../domain/fields.ts';
import { duckdbDialect as d } from '../../sql/dialect.ts';
import {
  duplicateReason,
  type PassColumn,
  problemsSelectSql,
  RAW_COLUMNS,
  storedDaySql,
  storedSelectSql,
} from '../../sql/ingest.ts';
import { type CsvHeader, readCsvHeader } from '../csv-header.ts';
import type { LoadOutcome, LoadRequest, LoadSink, RawRow, RowError, SubscriptionRecord } from '../store.ts';
import { checkSubscriptions, subscriptionInserts } from '../subscription-rows.ts';
import { locateRecords } from './csv-lines.ts';
import { inTransaction } from './transaction.ts';

const STAGE = 'seatwise_stage';
const REJECTS = 'seatwise_rejects';
const REJECT_SCANS = 'seatwise_reject_scans';
/** Raised by `error()` inside the insert when a row is invalid or repeats a key. */
const REFUSED_MARK = 'seatwise: refused row';
const DEFAULT_MAX_ERRORS = 50;

/** The columns of `deployment` a load fills (all but `partner_id` and `ord`), in ROW_FIELDS order. */
const DATA_COLUMNS = RAW_COLUMNS.join(', ');

interface CsvFile {
  readonly path: string;
  readonly header: CsvHeader;
  /** Records the reader rejected, by its line numbers; filled when the file is staged. */
  readonly rejectLines: Set<number>;
  /** rowid of its first staged row, once staged. */
  firstRow: number;
}

interface LoadFile {
  readonly name: string;
  /** Set for a CSV row file: its rows have no line in the staging table. */
  readonly csv?: CsvFile;
}

/** Where a problem is before its line is known: a staged row, a rejected CSV record, or a line. */
type Place =
  | { readonly file: number; readonly row: number }
  | { readonly file: number; readonly duckLine: number }
  | { readonly file: number; readonly line: number };

/** A problem; a duplicate also names where its key first appeared. */
type Found = Place & { readonly reason: string; readonly first?: Place };

/** The insert refused a row, or the reader a record: the load fails and is diagnosed. */
class Refused extends Error {}

export async function load(
  connection: DuckDBConnection,
  request: LoadRequest,
  feed: (sink: LoadSink) => Promise<void>,
): Promise<LoadOutcome> {
  const maxErrors = request.maxErrors ?? DEFAULT_MAX_ERRORS;
  for (const date of request.dates ?? []) {
    if (!isIsoDay(date)) throw new RangeError(`snapshot date ${JSON.stringify(date)} is not YYYY-MM-DD`);
  }
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${STAGE} (file_no INTEGER NOT NULL, line INTEGER,` +
      ` ${RAW_COLUMNS.map((c) => `${c} VARCHAR`).join(', ')})`,
  );
  try {
    const files: LoadFile[] = [];
    const found: Found[] = [];
    let appended = 0;
    /** Rows and errors of a source name share one entry; every CSV file gets its own. */
    const named = new Map<string, number>();
    const namedFile = (name: string): number => {
      let no = named.get(name);
      if (no === undefined) {
        no = files.push({ name }) - 1;
        named.set(name, no);
      }
      return no;
    };
    // One appender for the whole feed: opening one costs about 2 ms, and a Graph import hands
    // over thousands of small files.
    let appender: DuckDBAppender | undefined;
    try {
      await feed({
        csvFile: async (path, name) => {
          const header = await readCsvHeader(path);
          if ('reason' in header) found.push({ file: namedFile(name), ...header });
          else files.push({ name, csv: { path, header, rejectLines: new Set(), firstRow: 0 } });
        },
        rows: async (name, rows) => {
          appender ??= await connection.createAppender(STAGE, 'main', 'temp');
          appendRows(appender, namedFile(name), rows);
          appended += rows.length;
        },
        error: (name, line, reason) => {
          found.push({ file: namedFile(name), line, reason });
        },
      });
      (appender as DuckDBAppender | undefined)?.flushSync();
    } finally {
      (appender as DuckDBAppender | undefined)?.closeSync();
    }
    const csvFiles = files.flatMap((f) => (f.csv === undefined ? [] : [f.csv]));

    let failure: unknown;
    if (found.length === 0) {
      try {
        return await replace(
          connection,
          request,
          sourceSql(csvFiles, appended > 0, maxErrors),
          csvFiles.length > 0,
        );
      } catch (err) {
        failure = err;
      }
    }
    // Something was refused: stage every CSV file too and list every problem by file and line.
    for (const [no, file] of files.entries()) {
      if (file.csv !== undefined) found.push(...(await stageCsv(connection, no, file.csv, maxErrors)));
    }
    const problems = [
      ...found,
      ...(await invalidValues(connection, maxErrors)),
      ...(await duplicates(connection, maxErrors)),
    ];
    // A failure that is no problem of the input (a full disk, say) is reported as it is.
    if (problems.length === 0) throw failure;
    return await rejected(files, problems, maxErrors);
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${STAGE}`);
    await connection.run(`DROP TABLE IF EXISTS ${REJECTS}; DROP TABLE IF EXISTS ${REJECT_SCANS}`);
  }
}

/** Every raw row of the load: the staged ones, then each CSV file's as its reader gives them. */
function sourceSql(csvFiles: readonly CsvFile[], staged: boolean, maxErrors: number): string {
  const parts = csvFiles.map((f) => readerSql(f, maxErrors));
  if (staged || parts.length === 0) parts.unshift(`SELECT ${DATA_COLUMNS} FROM ${STAGE}`);
  return `(${parts.join(' UNION ALL ')})`;
}

/** Replaces the snapshots with the rows of `source`, or throws (and rolls back) if any is refused. */
async function replace(
  connection: DuckDBConnection,
  request: LoadRequest,
  source: string,
  read: boolean,
): Promise<LoadOutcome> {
  const dates = await sourceDates(connection, source, request.dates ?? []);
  checkSubscriptions(request.subscriptions ?? [], dates);
  let outcome: LoadOutcome | undefined;
  // Each scan starts with empty rejects tables.
  await connection.run(`DROP TABLE IF EXISTS ${REJECTS}; DROP TABLE IF EXISTS ${REJECT_SCANS}`);
  await inTransaction(connection, async () => {
    await deleteSnapshots(connection, request.partnerId, dates);
    const rows = await insertOrdered(connection, request.partnerId, source);
    if (read && (await rejectedCount(connection)) > 0) throw new Refused('the reader rejected records');
    await recordSnapshots(connection, request, dates);
    await insertSubscriptions(connection, request.partnerId, request.subscriptions ?? []);
    outcome = { ok: true, rows, ...(await distinctCounts(connection, request.partnerId, dates)), dates };
  });
  return outcome!;
}

/** The snapshots a load replaces: the dates of its rows plus the ones the request names, sorted. */
async function sourceDates(
  connection: DuckDBConnection,
  source: string,
  named: readonly string[],
): Promise<string[]> {
  // The rule runs once per distinct raw value; an invalid date names no snapshot (the insert
  // refuses its row).
  const r = await connection.runAndReadAll(
    `SELECT DISTINCT strftime(${storedDaySql('processed_date', d)}, '%Y-%m-%d') AS day` +
      ` FROM (SELECT DISTINCT processed_date FROM ${source})`,
  );
  const days = new Set<string>(named);
  for (const row of r.getRowObjectsJS()) if (row.day !== null) days.add(String(row.day));
  return [...days].sort();
}

/** Records the reader rejected in the insert (whose `read_csv` created the rejects table). */
async function rejectedCount(connection: DuckDBConnection): Promise<number> {
  const r = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${REJECTS}`);
  return Number(r.getRowObjectsJS()[0]!.n);
}

/** A CSV file's rows as its reader gives them, the row fields' columns picked by the header. */
function readerSql(file: CsvFile, maxErrors: number): string {
  const { path, header } = file;
  const names = Array.from({ length: header.width }, (_, i) => `c${i}`);
  const columns = names.map((n) => `'${n}': 'VARCHAR'`).join(', ');
  const picked = header.columns.map((c, i) => `c${c} AS ${RAW_COLUMNS[i]}`).join(', ');
  // Table-function arguments cannot be bound; the path is quoted as a literal. A path holding
  // glob characters would be read as a pattern, so those are refused.
  if (/[*?[\]{}]/.test(path)) throw new RangeError(`cannot read ${path}: the path holds * ? [ ] { or }`);
  return (
    `SELECT ${picked} FROM read_csv('${path.replaceAll("'", "''")}',` +
    ` columns={${columns}}, header=true, skip=${header.line - 1}, auto_detect=false, delim=',',` +
    ` quote='"', escape='"', strict_mode=true, force_not_null=[${names.map((n) => `'${n}'`).join(', ')}],` +
    ` store_rejects=true, rejects_table='${REJECTS}', rejects_scan='${REJECT_SCANS}',` +
    ` rejects_limit=${maxErrors + 1})`
  );
}

/** Stages one CSV file for diagnosis; returns the records its reader rejected (or could not read). */
async function stageCsv(
  connection: DuckDBConnection,
  no: number,
  file: CsvFile,
  maxErrors: number,
): Promise<Found[]> {
  const count = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${STAGE}`);
  file.firstRow = Number(count.getRowObjectsJS()[0]!.n);
  // Each scan starts with empty rejects tables, so they hold this file's records only.
  await connection.run(`DROP TABLE IF EXISTS ${REJECTS}; DROP TABLE IF EXISTS ${REJECT_SCANS}`);
  try {
    await connection.run(
      `INSERT INTO ${STAGE} SELECT ${no}, NULL, ${DATA_COLUMNS} FROM (${readerSql(file, maxErrors)})`,
    );
  } catch (err) {
    // The reader gave up on the whole file (e.g. mixed line endings); its rows are not staged.
    return [{ file: no, line: 0, reason: unreadableCsv(err) }];
  }
  const out: Found[] = [];
  for (const r of await rejects(connection, file.header.width)) {
    // DuckDB may report one record more than once; one problem per record is enough.
    if (file.rejectLines.has(r.line)) continue;
    file.rejectLines.add(r.line);
    out.push({ file: no, duckLine: r.line, reason: r.reason });
  }
  return out;
}

function unreadableCsv(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes('state machine reached an invalid state')) {
    return 'cannot read this file as CSV: it mixes line endings (LF and CRLF) or holds a stray carriage return; save it with one kind of line ending';
  }
  return `cannot read this file as CSV: ${message.split('\n')[0]}`;
}

/** The records `read_csv` rejected in its last scan, by DuckDB's line number, with a reason. */
async function rejects(
  connection: DuckDBConnection,
  width: number,
): Promise<{ line: number; reason: string }[]> {
  const r = await connection.runAndReadAll(
    `SELECT CAST(line AS BIGINT) AS line, error_type, error_message FROM ${REJECTS} ORDER BY line`,
  );
  return r.getRowObjectsJS().map((row) => ({
    line: Number(row.line),
    reason: rejectReason(String(row.error_type), String(row.error_message), width),
  }));
}

function rejectReason(type: string, message: string, width: number): string {
  const found = /Found:\s*(\d+)/.exec(message)?.[1];
  switch (type) {
    case 'MISSING COLUMNS':
    case 'TOO MANY COLUMNS':
      return `expected ${width} fields as in the header, found ${found ?? (type === 'MISSING COLUMNS' ? 'fewer' : 'more')}`;
    case 'UNQUOTED VALUE':
      return 'broken quoting: a quoted value must end with a quote followed by a comma or the line end';
    case 'LINE SIZE OVER MAXIMUM':
      return 'line longer than the reader allows (an unterminated quoted value?)';
    case 'INVALID ENCODING':
    case 'INVALID UNICODE':
      return 'not valid UTF-8; save the file as UTF-8';
    default:
      return `cannot read this line: ${message.split('\n')[0]}`;
  }
}

/** Appends rows a source mapped in TypeScript to the staging table. */
function appendRows(appender: DuckDBAppender, file: number, rows: readonly RawRow[]): void {
  for (const row of rows) {
    appender.appendInteger(file);
    appender.appendInteger(row.line);
    for (let i = 0; i < ROW_FIELDS.length; i++) {
      const v = row.values[i];
      if (v === null || v === undefined) appender.appendNull();
      else appender.appendVarchar(typeof v === 'string' ? v : String(v));
    }
    appender.endRow();
  }
}

/** Where a staged row came from: its file, its rowid (its position) and its line, if any. */
const ORIGIN: readonly PassColumn[] = [
  ['file_no', 'file_no'],
  ['rowid', 'row'],
  ['line', 'line'],
];

/** Every staged value without a stored form, one problem per field, in staging order. */
async function invalidValues(connection: DuckDBConnection, maxErrors: number): Promise<Found[]> {
  const r = await connection.runAndReadAll(
    `${problemsSelectSql(STAGE, ORIGIN, d)} ORDER BY file_no, row LIMIT ${maxErrors + 1}`,
  );
  const out: Found[] = [];
  for (const row of r.getRowObjectsJS()) {
    for (const reason of row.reasons as string[]) out.push({ ...placed(row), reason });
  }
  return out;
}

/** A staged row's problem: at its line when it has one (appended rows), else by its rowid. */
function placed(row: Record<string, unknown>, prefix = ''): Place {
  const file = Number(row[`${prefix}file_no`]);
  const line = row[`${prefix}line`];
  return line === null || line === undefined
    ? { file, row: Number(row[`${prefix}row`]) }
    : { file, line: Number(line) };
}

/** Good rows whose key (date, customer, product, channel) an earlier good row already has. */
async function duplicates(connection: DuckDBConnection, maxErrors: number): Promise<Found[]> {
  const all = RAW_COLUMNS.map((c) => `${c} IS NOT NULL`).join(' AND ');
  const r = await connection.runAndReadAll(
    "SELECT * FROM (SELECT file_no, row, line, strftime(processed_date, '%Y-%m-%d') AS k_date," +
      ' customer_tenant_id AS k_customer, product_id AS k_product, channel AS k_channel,' +
      ' first_value(file_no) OVER w AS first_file_no, first_value(row) OVER w AS first_row,' +
      ' first_value(line) OVER w AS first_line, row_number() OVER w AS n' +
      ` FROM (${storedSelectSql(STAGE, ORIGIN, d)}) WHERE ${all}` +
      ' WINDOW w AS (PARTITION BY processed_date, customer_tenant_id, product_id, channel ORDER BY file_no, row))' +
      ` WHERE n > 1 ORDER BY file_no, row LIMIT ${maxErrors + 1}`,
  );
  return r.getRowObjectsJS().map((row) => {
    const reason = duplicateReason(
      String(row.k_date),
      String(row.k_customer),
      String(row.k_product),
      String(row.k_channel),
    );
    return { ...placed(row), reason, first: placed(row, 'first_') };
  });
}

/** Turns found problems into `file:line: reason` errors, in file and line order. */
async function rejected(
  files: readonly LoadFile[],
  found: readonly Found[],
  maxErrors: number,
): Promise<LoadOutcome> {
  // Rows without a line are CSV records: locate them in their file, one pass per file.
  const wanted = new Map<number, Set<number>>();
  const want = (f: Place) => {
    if (!('row' in f)) return;
    const set = wanted.get(f.file) ?? new Set<number>();
    set.add(f.row - (files[f.file]!.csv?.firstRow ?? 0));
    wanted.set(f.file, set);
  };
  for (const f of found) {
    want(f);
    if (f.first !== undefined) want(f.first);
    if ('duckLine' in f && !wanted.has(f.file)) wanted.set(f.file, new Set());
  }
  const located = new Map<number, Awaited<ReturnType<typeof locateRecords>>>();
  for (const [no, rows] of wanted) {
    const csv = files[no]!.csv!;
    located.set(no, await locateRecords(csv.path, csv.header.line, csv.rejectLines, rows));
  }
  const lineOf = (f: Place): number => {
    if ('line' in f) return f.line;
    const at = located.get(f.file);
    if ('duckLine' in f) return at?.rejected.get(f.duckLine) ?? f.duckLine;
    return at?.accepted.get(f.row - (files[f.file]!.csv?.firstRow ?? 0)) ?? 0;
  };
  const errors = found.map((f) => {
    const first = f.first;
    const where = first === undefined ? '' : `${files[first.file]!.name}:${lineOf(first)}`;
    return { no: f.file, error: { file: files[f.file]!.name, line: lineOf(f), reason: f.reason + where } };
  });
  errors.sort((a, b) => a.no - b.no || a.error.line - b.error.line);
  return {
    ok: false,
    errors: errors.slice(0, maxErrors).map((e): RowError => e.error),
    truncated: errors.length > maxErrors,
  };
}

const SCOPE = 'partner_id = $1 AND processed_date = CAST($2 AS DATE)';

async function deleteSnapshots(connection: DuckDBConnection, partnerId: string, dates: readonly string[]) {
  for (const date of dates) {
    await connection.run(`DELETE FROM deployment WHERE ${SCOPE}`, [partnerId, date]);
    await connection.run(`DELETE FROM snapshots WHERE ${SCOPE}`, [partnerId, date]);
    await connection.run(`DELETE FROM subscriptions WHERE ${SCOPE}`, [partnerId, date]);
  }
}

/** Stores the load's subscriptions (already checked), in batches of bound values. */
async function insertSubscriptions(
  connection: DuckDBConnection,
  partnerId: string,
  subscriptions: readonly SubscriptionRecord[],
): Promise<void> {
  for (const { sql, params } of subscriptionInserts(
    partnerId,
    subscriptions,
    (ref) => `CAST(${ref} AS DATE)`,
  ))
    await connection.run(sql, params);
}

/**
 * Inserts the staged rows in stored form, numbered in canonical order (see the module comment).
 * A row without a stored form for every field, or repeating a key, aborts the statement.
 */
async function insertOrdered(
  connection: DuckDBConnection,
  partnerId: string,
  source: string,
): Promise<number> {
  const same = (c: string) => `${c} = lag(${c}) OVER w`;
  const invalid = RAW_COLUMNS.map((c) => `${c} IS NULL`).join(' OR ');
  const result = await connection.run(
    `INSERT INTO deployment (partner_id, ${DATA_COLUMNS}, ord) SELECT CAST($1 AS VARCHAR), ${DATA_COLUMNS},` +
      ` CAST(CASE WHEN ${invalid} OR (${same('customer_tenant_id')} AND ${same('product_id')} AND ${same('channel')})` +
      ` THEN error('${REFUSED_MARK}') ELSE row_number() OVER w - 1 END AS INTEGER)` +
      ` FROM (${storedSelectSql(source, [], d)})` +
      ' WINDOW w AS (PARTITION BY processed_date ORDER BY customer_tenant_id, product_id, channel)',
    [partnerId],
  );
  return Number(result.rowsChanged);
}

/** Records the snapshots, counting their rows as now stored. */
async function recordSnapshots(connection: DuckDBConnection, request: LoadRequest, dates: readonly string[]) {
  const importedAt = new Date().toISOString().replace('T', ' ').replace('Z', '');
  const missing = JSON.stringify([...(request.missingCustomers ?? [])].sort());
  for (const date of dates) {
    await connection.run(
      'INSERT INTO snapshots (partner_id, processed_date, row_count, customer_count, product_count, imported_at,' +
        ' source, missing_customers)' +
        ' SELECT $1, CAST($2 AS DATE), count(*), count(DISTINCT customer_tenant_id), count(DISTINCT product_id),' +
        ` CAST($3 AS TIMESTAMP), $4, $5 FROM deployment WHERE ${SCOPE}`,
      [request.partnerId, date, importedAt, request.source, missing],
    );
  }
}

async function distinctCounts(
  connection: DuckDBConnection,
  partnerId: string,
  dates: readonly string[],
): Promise<{ customers: number; products: number }> {
  if (dates.length === 0) return { customers: 0, products: 0 };
  const list = dates.map((_, i) => `CAST($${i + 2} AS DATE)`).join(', ');
  const r = await connection.runAndReadAll(
    'SELECT count(DISTINCT customer_tenant_id) AS customers, count(DISTINCT product_id) AS products' +
      ` FROM deployment WHERE partner_id = $1 AND processed_date IN (${list})`,
    [partnerId, ...dates],
  );
  const row = r.getRowObjectsJS()[0]!;
  return { customers: Number(row.customers), products: Number(row.products) };
}
