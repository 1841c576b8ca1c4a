/**
 * Every load, from any source, on one connection of the pool (docs/architecture.md, "Loads"):
 *
 * 1. Raw values go to the load's staging tables through COPY: rows mapped in TypeScript into one
 *    (text format, each with its file and line); a CSV row file is streamed as it is, after its
 *    header, into a table of its own, and PostgreSQL parses it.
 * 2. The partitions of the load's days are created (`partitions.ts`), then in one transaction,
 *    holding the partner's load lock (a second load of the partner waits for it): delete the
 *    snapshots the load covers, insert the rows normalised by the one set of rules
 *    (`src/sql/ingest.ts`) and numbered in canonical order, and record the snapshots. The insert
 *    refuses (aborts on) a row without a stored form for every field or repeating a key.
 * 3. When COPY refused a CSV file (its first bad record stops it) or the insert refused a row, the
 *    transaction is rolled back and every CSV file is parsed here instead (csv-parse, which
 *    continues past bad records), its rows staged with their lines, so SQL can list every problem
 *    as `file:line`. A file COPY merely could not take (a line `\.`, which ends COPY's data) loads
 *    this way too. The store is unchanged until a load commits.
 */
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseSync } from 'csv-parse/sync';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { isIsoDay } from '../../domain/dates.ts';
import { ROW_FIELDS } from '../../domain/fields.ts';
import { postgresDialect as d } from '../../sql/dialect.ts';
import {
  duplicateReason,
  type PassColumn,
  problemsSelectSql,
  RAW_COLUMNS,
  storedDaySql,
  storedSelectSql,
} from '../../sql/ingest.ts';
import { type CsvHeader, readCsvHeader } from '../csv-header.ts';
import type {
  LoadOutcome,
  LoadRequest,
  LoadSink,
  RawRow,
  RawValue,
  RowError,
  SubscriptionRecord,
} from '../store.ts';
import { checkSubscriptions, subscriptionInserts } from '../subscription-rows.ts';
import { replaceGroups } from './aggregates.ts';
import { ensurePartitions, partitionName } from './partitions.ts';
import { BUMP_GENERATION_SQL } from './schema.ts';
import { inTransaction, LOCKS } from './transaction.ts';

/**
 * A load's staging tables are named `seatwise_load_<server process id>_…`: UNLOGGED, not
 * temporary, because PostgreSQL reads temporary tables on one core only, and the rules' select
 * over them is a load's largest step (half the time on two cores). Nothing needs them after the
 * load; a crash leaves them behind, and `sweepStaging` drops those whose process is gone.
 */
const STAGING_PREFIX = 'seatwise_load_';
/** The load's rows in stored form, inside its transaction (`insertOrdered`). */
const STORED = 'seatwise_stored';
const DEFAULT_MAX_ERRORS = 50;
/** SQLSTATE of `seatwise_refuse()` (schema.ts). */
const REFUSED = 'SW001';
/** Staged text is flushed through COPY in pieces of about this many characters. */
const FLUSH_CHARS = 4 * 1024 * 1024;
/** `work_mem` of a load's transaction (the server's default is 4 MB). */
const LOAD_WORK_MEM = '256MB';

const DATA_COLUMNS = RAW_COLUMNS.join(', ');

interface CsvFile {
  readonly path: string;
  readonly header: CsvHeader;
  /** Its temporary table while COPY's reading of it stands. */
  readonly table: string;
  /** Why COPY could not take it; the load then parses it here. */
  copyFailure?: string;
}

interface LoadFile {
  readonly name: string;
  readonly csv?: CsvFile;
}

interface Found {
  readonly file: number;
  readonly line: number;
  readonly reason: string;
  /** For a duplicate: where its key first appeared. */
  readonly first?: { readonly file: number; readonly line: number };
}

class Refused extends Error {}

export async function load(
  client: pg.PoolClient,
  request: LoadRequest,
  feed: (sink: LoadSink) => Promise<void>,
): Promise<LoadOutcome> {
  const maxErrors = request.maxErrors ?? DEFAULT_MAX_ERRORS;
  for (const date of request.dates ?? []) {
    if (!isIsoDay(date)) throw new RangeError(`snapshot date ${JSON.stringify(date)} is not YYYY-MM-DD`);
  }
  const prefix = await stagingPrefix(client);
  const stage = `${prefix}rows`;
  await client.query(`DROP TABLE IF EXISTS ${stage}`);
  await client.query(
    `CREATE UNLOGGED TABLE ${stage} (file_no integer NOT NULL, line integer NOT NULL,` +
      ' row_no bigint GENERATED ALWAYS AS IDENTITY,' +
      ` ${RAW_COLUMNS.map((c) => `${c} text COLLATE "C"`).join(', ')})`,
  );
  const files: LoadFile[] = [];
  try {
    const found: Found[] = [];
    const staged = new StagedText(client, stage);
    const named = new Map<string, number>();
    const namedFile = (name: string): number => {
      let no = named.get(name);
      if (no === undefined) {
        no = files.push({ name }) - 1;
        named.set(name, no);
      }
      return no;
    };
    await feed({
      csvFile: async (path, name) => {
        const header = await readCsvHeader(path);
        if ('reason' in header) {
          found.push({ file: namedFile(name), ...header });
          return;
        }
        const csv: CsvFile = { path, header, table: `${prefix}csv_${files.length}` };
        files.push({ name, csv });
        await staged.flush();
        csv.copyFailure = await copyCsv(client, csv);
      },
      rows: async (name, rows) => {
        const file = namedFile(name);
        for (const row of rows) {
          const nul = ROW_FIELDS.findIndex(
            (_, i) => typeof row.values[i] === 'string' && (row.values[i] as string).includes('\u0000'),
          );
          if (nul >= 0) {
            found.push({ file, line: row.line, reason: nulReason(ROW_FIELDS[nul]!) });
            continue;
          }
          staged.add(file, row);
        }
        await staged.maybeFlush();
      },
      error: (name, line, reason) => {
        found.push({ file: namedFile(name), line, reason });
      },
    });
    await staged.flush();
    const csvFiles = files.flatMap((f) => (f.csv === undefined ? [] : [f.csv]));

    let failure: unknown;
    if (found.length === 0 && csvFiles.every((f) => f.copyFailure === undefined)) {
      try {
        return await replace(client, request, sourceSql(stage, csvFiles));
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        failure = err;
      }
    }
    // Something was refused: parse every CSV file here, staging its rows with their lines.
    for (const [no, file] of files.entries()) {
      if (file.csv !== undefined) found.push(...(await stageParsed(staged, no, file.csv)));
    }
    await staged.flush();
    if (found.length === 0) {
      // COPY could not take a file that has no problem: load what was parsed instead.
      const outcome = await replace(client, request, stage).catch((err: unknown) => {
        if (err instanceof Refused) return undefined;
        throw err;
      });
      if (outcome !== undefined) return outcome;
    }
    const problems = [
      ...found,
      ...(await invalidValues(client, stage, maxErrors)),
      ...(await duplicates(client, stage, maxErrors)),
    ];
    if (problems.length === 0) throw failure ?? new Error('the load was refused, but no row has a problem');
    return rejected(files, problems, maxErrors);
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${stage}`);
    for (const file of files)
      if (file.csv !== undefined) await client.query(`DROP TABLE IF EXISTS ${file.csv.table}`);
  }
}

/** The staging tables' prefix for a load on this connection. */
async function stagingPrefix(client: pg.PoolClient): Promise<string> {
  const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return `${STAGING_PREFIX}${r.rows[0]!.pid}_`;
}

/** Drops the staging tables of loads whose server process has gone (a crash, a killed client). */
export async function sweepStaging(client: pg.ClientBase): Promise<void> {
  const r = await client.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c WHERE c.relkind = 'r' AND c.relpersistence = 'u'" +
      ' AND c.relnamespace = current_schema()::regnamespace AND c.relname LIKE $1' +
      " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = substring(c.relname from '^seatwise_load_([0-9]+)_')::int)",
    [`${STAGING_PREFIX.replaceAll('_', '\\_')}%`],
  );
  for (const { name } of r.rows) await client.query(`DROP TABLE IF EXISTS ${pgIdent(name)}`);
}

function pgIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function nulReason(field: string): string {
  return `${field} holds the character U+0000, which PostgreSQL cannot store; remove it from the value`;
}

/** Rows for the staging table in COPY's text format, sent in pieces. */
class StagedText {
  readonly #client: pg.PoolClient;
  readonly #table: string;
  #parts: string[] = [];
  #size = 0;

  constructor(client: pg.PoolClient, table: string) {
    this.#client = client;
    this.#table = table;
  }

  add(file: number, row: RawRow): void {
    let text = `${file}\t${row.line}`;
    for (let i = 0; i < ROW_FIELDS.length; i++) text += `\t${copyText(row.values[i])}`;
    text += '\n';
    this.#parts.push(text);
    this.#size += text.length;
  }

  async maybeFlush(): Promise<void> {
    if (this.#size >= FLUSH_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    const stream = this.#client.query(
      copyFrom(`COPY ${this.#table} (file_no, line, ${DATA_COLUMNS}) FROM STDIN`),
    );
    await pipeline(
      (function* () {
        yield Buffer.from(text, 'utf8');
      })(),
      stream,
    );
  }
}

/** A value in COPY's text format: `\N` for NULL, backslash escapes for the characters it reserves. */
function copyText(value: RawValue | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'string' ? value : String(value);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      )
    : text;
}

/** COPYs a CSV file's records into its own table; returns why COPY could not, if it could not. */
async function copyCsv(client: pg.PoolClient, csv: CsvFile): Promise<string | undefined> {
  const columns = Array.from({ length: csv.header.width }, (_, i) => `c${i}`);
  await client.query(`DROP TABLE IF EXISTS ${csv.table}`);
  await client.query(
    `CREATE UNLOGGED TABLE ${csv.table} (${columns.map((c) => `${c} text COLLATE "C"`).join(', ')})`,
  );
  const after = new AfterHeader(csv.header.line);
  try {
    await pipeline(
      createReadStream(csv.path),
      after,
      client.query(
        copyFrom(
          `COPY ${csv.table} FROM STDIN WITH (FORMAT csv, DELIMITER ',', QUOTE '"', ESCAPE '"',` +
            ` FORCE_NOT_NULL (${columns.join(', ')}))`,
        ),
      ),
    );
  } catch (err) {
    // A database error leaves the connection usable; anything else (an unreadable file) does not
    // concern COPY and is reported as it is.
    if (!isDatabaseError(err)) throw err;
    await client.query(`TRUNCATE ${csv.table}`);
    return err instanceof Error ? err.message : String(err);
  }
  if (after.endMarker) {
    await client.query(`TRUNCATE ${csv.table}`);
    return 'a line \\. ends COPY data early';
  }
  return undefined;
}

function isDatabaseError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((err as { code: string }).code)
  );
}

/**
 * Passes a file on from the line after its header, and notes a line beginning `\.` (which, alone
 * on its line, ends COPY's data: the file is then loaded by parsing it here).
 */
class AfterHeader extends Transform {
  #skip: number;
  #last = 0x0a;
  endMarker = false;

  constructor(headerLine: number) {
    super();
    this.#skip = headerLine;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let body = chunk;
    while (this.#skip > 0 && body.length > 0) {
      const nl = body.indexOf(0x0a);
      if (nl < 0) {
        body = body.subarray(body.length);
        break;
      }
      body = body.subarray(nl + 1);
      this.#skip--;
      this.#last = 0x0a;
    }
    if (body.length === 0) {
      done();
      return;
    }
    if (
      (this.#last === 0x0a && body[0] === 0x5c && (body.length === 1 || body[1] === 0x2e)) ||
      body.indexOf('\n\\.') >= 0
    ) {
      this.endMarker = true;
    }
    this.#last = body[body.length - 1]!;
    done(null, body);
  }
}

/** Every raw row of the load: the staged ones, then each CSV file's as COPY read them. */
function sourceSql(stage: string, csvFiles: readonly CsvFile[]): string {
  const parts = [`SELECT ${DATA_COLUMNS} FROM ${stage}`];
  for (const f of csvFiles) {
    const picked = f.header.columns.map((c, i) => `c${c} AS ${RAW_COLUMNS[i]}`).join(', ');
    parts.push(`SELECT ${picked} FROM ${f.table}`);
  }
  return `(${parts.join(' UNION ALL ')}) AS seatwise_source`;
}

/** Replaces the snapshots with the rows of `source`, or throws Refused (rolled back). */
async function replace(client: pg.PoolClient, request: LoadRequest, source: string): Promise<LoadOutcome> {
  const dates = await sourceDates(client, source, request.dates ?? []);
  checkSubscriptions(request.subscriptions ?? [], dates);
  await ensurePartitions(client, dates);
  try {
    const outcome = await inTransaction(client, async () => {
      // The insert sorts the whole load for its numbering, and the snapshot counts sort it again:
      // in memory rather than in temporary files, for this transaction only.
      await client.query(`SET LOCAL work_mem = '${LOAD_WORK_MEM}'`);
      // Compiling the rules' expressions to machine code costs more than it saves (9.1 s instead of
      // 11 s for the rules' select over 1M rows without it).
      await client.query('SET LOCAL jit = off');
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCKS.load, request.partnerId]);
      await client.query(
        'DELETE FROM deployment WHERE partner_id = $1 AND processed_date = ANY($2::date[])',
        [request.partnerId, dates],
      );
      await client.query('DELETE FROM snapshots WHERE partner_id = $1 AND processed_date = ANY($2::date[])', [
        request.partnerId,
        dates,
      ]);
      await client.query(
        'DELETE FROM subscriptions WHERE partner_id = $1 AND processed_date = ANY($2::date[])',
        [request.partnerId, dates],
      );
      const rows = await insertOrdered(client, request.partnerId, source);
      await replaceGroups(client, request.partnerId, dates);
      const counts = await recordSnapshots(client, request, dates);
      await insertSubscriptions(client, request.partnerId, request.subscriptions ?? []);
      await client.query(BUMP_GENERATION_SQL);
      return {
        ok: true as const,
        rows,
        ...(dates.length === 1 ? counts : await distinctCounts(client, request.partnerId, dates)),
        dates,
      };
    });
    await vacuumDays(client, dates);
    return outcome;
  } catch (err) {
    if ((err as { code?: string }).code === REFUSED) throw new Refused('a row was refused');
    throw err;
  }
}

/** Stores the load's subscriptions (already checked), in batches of bound values. */
async function insertSubscriptions(
  client: pg.PoolClient,
  partnerId: string,
  subscriptions: readonly SubscriptionRecord[],
): Promise<void> {
  for (const { sql, params } of subscriptionInserts(partnerId, subscriptions, (ref) => `${ref}::date`))
    await client.query(sql, params);
}

/**
 * After the commit: statistics for the planner (a new partition has none, and the planner then
 * guesses 20 rows and sorts on disk) and the visibility map that lets the covering indexes answer
 * without reading the table. Only the load's partitions; VACUUM cannot run inside a transaction.
 */
async function vacuumDays(client: pg.PoolClient, dates: readonly string[]): Promise<void> {
  if (dates.length === 0) return;
  for (const day of dates) await client.query(`VACUUM (ANALYZE) ${partitionName(day)}`);
  // The planner estimates groups from the parent's statistics, which autovacuum never gathers for
  // a partitioned table: without them it guesses 200 groups and hashes 100,000 customers on disk.
  await client.query('ANALYZE deployment');
}

async function sourceDates(
  client: pg.PoolClient,
  source: string,
  named: readonly string[],
): Promise<string[]> {
  const r = await client.query<{ day: string | null }>(
    `SELECT DISTINCT to_char(${storedDaySql('processed_date', d)}, 'YYYY-MM-DD') AS day` +
      ` FROM (SELECT DISTINCT processed_date FROM ${source}) AS raw_days`,
  );
  const days = new Set<string>(named);
  for (const row of r.rows) if (row.day !== null) days.add(row.day);
  return [...days].sort();
}

/**
 * Inserts the rows of `source` in stored form, numbered in canonical order; refuses (SW001) a row
 * without a stored form for every field or repeating a key. The stored values are computed once
 * into a temporary table (dropped at commit) and numbered from there: the window's sort then moves
 * computed values, and PostgreSQL evaluates the rules once per row rather than once per use.
 */
async function insertOrdered(client: pg.PoolClient, partnerId: string, source: string): Promise<number> {
  await client.query(`DROP TABLE IF EXISTS ${STORED}`);
  const order = 'processed_date, customer_tenant_id COLLATE "C", product_id COLLATE "C", channel COLLATE "C"';
  await client.query(`CREATE TEMP TABLE ${STORED} ON COMMIT DROP AS ${storedSelectSql(source, [], d)}`);
  const same = (c: string) => `${c} = lag(${c}) OVER w`;
  const invalid = RAW_COLUMNS.map((c) => `${c} IS NULL`).join(' OR ');
  const r = await client.query(
    `INSERT INTO deployment (partner_id, ${DATA_COLUMNS}, ord) SELECT $1::text, ${DATA_COLUMNS},` +
      ` CASE WHEN ${invalid} OR (${same('customer_tenant_id')} AND ${same('product_id')} AND ${same('channel')})` +
      ' THEN seatwise_refuse() ELSE CAST(row_number() OVER w - 1 AS integer) END' +
      ` FROM ${STORED}` +
      ` WINDOW w AS (PARTITION BY processed_date ORDER BY ${order})`,
    [partnerId],
  );
  return r.rowCount ?? 0;
}

/**
 * Records the snapshots of `dates`, counting rows and products from the aggregates just written
 * (only the customers need the rows); returns the counts of the last one.
 */
async function recordSnapshots(
  client: pg.PoolClient,
  request: LoadRequest,
  dates: readonly string[],
): Promise<{ customers: number; products: number }> {
  const missing = JSON.stringify([...(request.missingCustomers ?? [])].sort());
  const day = 'partner_id = $1 AND processed_date = day';
  const r = await client.query<{ customers: number; products: number }>(
    'INSERT INTO snapshots (partner_id, processed_date, row_count, customer_count, product_count, imported_at,' +
      ' source, missing_customers)' +
      ` SELECT $1, day, (SELECT coalesce(sum(row_count), 0) FROM deployment_groups WHERE ${day}),` +
      ` (SELECT count(DISTINCT customer_tenant_id) FROM deployment WHERE ${day}),` +
      ` (SELECT count(DISTINCT product_id) FROM deployment_groups WHERE ${day}),` +
      " date_trunc('second', now() AT TIME ZONE 'UTC'), $3, $4 FROM unnest($2::date[]) AS day" +
      ' RETURNING customer_count AS customers, product_count AS products',
    [request.partnerId, dates, request.source, missing],
  );
  const last = r.rows.at(-1);
  return { customers: Number(last?.customers ?? 0), products: Number(last?.products ?? 0) };
}

async function distinctCounts(
  client: pg.PoolClient,
  partnerId: string,
  dates: readonly string[],
): Promise<{ customers: number; products: number }> {
  if (dates.length === 0) return { customers: 0, products: 0 };
  const r = await client.query<{ customers: number; products: number }>(
    'SELECT count(DISTINCT customer_tenant_id) AS customers, count(DISTINCT product_id) AS products' +
      ' FROM deployment WHERE partner_id = $1 AND processed_date = ANY($2::date[])',
    [partnerId, dates],
  );
  return { customers: Number(r.rows[0]!.customers), products: Number(r.rows[0]!.products) };
}

/**
 * Parses a CSV file here (for a refused load), staging its well-formed records with their lines;
 * returns the records it cannot take. Records are cut at line ends outside quotes and each is
 * parsed alone, so a bad record costs only itself.
 */
async function stageParsed(staged: StagedText, no: number, csv: CsvFile): Promise<Found[]> {
  const found: Found[] = [];
  const { header } = csv;
  const encoding = csv.copyFailure !== undefined && /invalid byte sequence/i.test(csv.copyFailure);
  for await (const { line, text } of csvRecords(csv.path, header.line)) {
    let record: string[];
    if (!text.includes('"')) {
      record = text.split(',');
    } else {
      try {
        record = (parseSync(text, { relax_column_count: true }) as string[][])[0] ?? [''];
      } catch (err) {
        found.push({ file: no, line, reason: parseReason((err as { code?: string }).code) });
        continue;
      }
    }
    if (record.length !== header.width) {
      found.push({
        file: no,
        line,
        reason: `expected ${header.width} fields as in the header, found ${record.length}`,
      });
      continue;
    }
    const values = header.columns.map((c) => record[c]!);
    const nul = values.findIndex((v) => v.includes('\u0000'));
    if (nul >= 0) {
      found.push({ file: no, line, reason: nulReason(ROW_FIELDS[nul]!) });
      continue;
    }
    if (encoding && values.some((v) => v.includes('\uFFFD'))) {
      found.push({ file: no, line, reason: 'not valid UTF-8; save the file as UTF-8' });
      continue;
    }
    staged.add(no, { line, values });
    await staged.maybeFlush();
  }
  return found;
}

/**
 * The records of a CSV file after its header line, each with the line it starts on: a record ends
 * at a line end outside quotes (an even number of quotes so far). Empty lines are skipped.
 */
async function* csvRecords(path: string, headerLine: number): AsyncGenerator<{ line: number; text: string }> {
  const decoder = new StringDecoder('utf8');
  let lineNo = 0;
  let pending = '';
  let record: string[] = [];
  let start = 0;
  let quotes = 0;
  const take = function* (physical: string): Generator<{ line: number; text: string }> {
    lineNo++;
    if (lineNo <= headerLine) return;
    const text = physical.endsWith('\r') ? physical.slice(0, -1) : physical;
    if (record.length === 0) {
      if (text === '') return;
      start = lineNo;
    }
    record.push(physical);
    for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) quotes++;
    if (quotes % 2 === 0) {
      const joined = record.join('\n');
      yield { line: start, text: joined.endsWith('\r') ? joined.slice(0, -1) : joined };
      record = [];
      quotes = 0;
    }
  };
  for await (const chunk of createReadStream(path)) {
    pending += decoder.write(chunk as Buffer);
    let nl = pending.indexOf('\n');
    let from = 0;
    while (nl >= 0) {
      yield* take(pending.slice(from, nl));
      from = nl + 1;
      nl = pending.indexOf('\n', from);
    }
    pending = pending.slice(from);
  }
  pending += decoder.end();
  if (pending !== '') yield* take(pending);
  if (record.length > 0) yield { line: start, text: record.join('\n') };
}

function parseReason(code: string | undefined): string {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'line longer than the reader allows (an unterminated quoted value?)';
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'broken quoting: a quoted value must end with a quote followed by a comma or the line end';
    default:
      return `cannot read this line as CSV${code === undefined ? '' : ` (${code})`}`;
  }
}

const ORIGIN: readonly PassColumn[] = [
  ['file_no', 'file_no'],
  ['row_no', 'row_no'],
  ['line', 'line'],
];

async function invalidValues(client: pg.PoolClient, stage: string, maxErrors: number): Promise<Found[]> {
  const r = await client.query<{ file_no: number; line: number; reasons: string[] }>(
    `${problemsSelectSql(stage, ORIGIN, d)} ORDER BY file_no, row_no LIMIT ${maxErrors + 1}`,
  );
  return r.rows.flatMap((row) =>
    row.reasons.map((reason) => ({ file: row.file_no, line: row.line, reason })),
  );
}

async function duplicates(client: pg.PoolClient, stage: string, maxErrors: number): Promise<Found[]> {
  const all = RAW_COLUMNS.map((c) => `${c} IS NOT NULL`).join(' AND ');
  const r = await client.query<{
    file_no: number;
    line: number;
    k_date: string;
    k_customer: string;
    k_product: string;
    k_channel: string;
    first_file_no: number;
    first_line: number;
  }>(
    "SELECT * FROM (SELECT file_no, row_no, line, to_char(processed_date, 'YYYY-MM-DD') AS k_date," +
      ' customer_tenant_id AS k_customer, product_id AS k_product, channel AS k_channel,' +
      ' first_value(file_no) OVER w AS first_file_no, first_value(line) OVER w AS first_line,' +
      ' row_number() OVER w AS n' +
      ` FROM (${storedSelectSql(stage, ORIGIN, d)}) AS stored WHERE ${all}` +
      ' WINDOW w AS (PARTITION BY processed_date, customer_tenant_id, product_id, channel ORDER BY file_no, row_no))' +
      ` AS numbered WHERE n > 1 ORDER BY file_no, row_no LIMIT ${maxErrors + 1}`,
  );
  return r.rows.map((row) => ({
    file: row.file_no,
    line: row.line,
    reason: duplicateReason(row.k_date, row.k_customer, row.k_product, row.k_channel),
    first: { file: row.first_file_no, line: row.first_line },
  }));
}

function rejected(files: readonly LoadFile[], found: readonly Found[], maxErrors: number): LoadOutcome {
  const errors = found.map((f) => ({
    no: f.file,
    error: {
      file: files[f.file]!.name,
      line: f.line,
      reason: f.first === undefined ? f.reason : `${f.reason}${files[f.first.file]!.name}:${f.first.line}`,
    },
  }));
  errors.sort((a, b) => a.no - b.no || a.error.line - b.error.line);
  return {
    ok: false,
    errors: errors.slice(0, maxErrors).map((e): RowError => e.error),
    truncated: errors.length > maxErrors,
  };
}
