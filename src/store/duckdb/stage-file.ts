/**
 * Stages rows in a tab-separated file that DuckDB's own CSV reader loads. From JavaScript this is
 * several times faster than the appender (measured: ~1 s per million rows against ~4 s).
 *
 * Format: one row per line, fields separated by TAB, no quoting (quote='' escape=''). Text fields
 * holding one of the five characters the format cannot carry raw are written with a two-character
 * escape, decoded in SQL only for columns that contain one:
 *
 *   TAB → \1   LF → \2   CR → \3   NUL → \4   backslash → \5
 *
 * Every backslash in an encoded field starts an escape, so the chained `replace` in
 * `decodeSql` cannot mistake data for an escape and the round trip is exact for every Unicode
 * string. Strings that are not valid Unicode (a lone UTF-16 surrogate) are rejected: DuckDB stores
 * UTF-8 and would otherwise receive U+FFFD silently.
 */
import { open } from 'node:fs/promises';
import { isIsoDay } from '../../domain/dates.ts';
import type { RowColumns } from '../../domain/row.ts';

type TextField =
  | 'serviceCode'
  | 'serviceName'
  | 'channel'
  | 'customerTenantId'
  | 'customerName'
  | 'productId'
  | 'productName';

/** Text columns in file order, after the three fixed ones (deployed, sold, date). */
export const STAGE_TEXT_COLUMNS: readonly (readonly [field: TextField, column: string])[] = [
  ['serviceCode', 'service_code'],
  ['serviceName', 'service_name'],
  ['channel', 'channel'],
  ['customerTenantId', 'customer_tenant_id'],
  ['customerName', 'customer_name'],
  ['productId', 'product_id'],
  ['productName', 'product_name'],
];

export interface StagedRows {
  readonly rows: number;
  /** Distinct processed dates, sorted. */
  readonly dates: readonly string[];
  /** Columns holding at least one escaped value; only these are decoded in SQL. */
  readonly escapedColumns: ReadonlySet<string>;
}

export class StageError extends Error {
  override readonly name = 'StageError';
}

const NEEDS_CARE = /[\t\n\r\0\\\p{Cs}]/u;
const LONE_SURROGATE = /\p{Cs}/u;
const ESCAPABLE = /[\t\n\r\0\\]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '\t': '\\1',
  '\n': '\\2',
  '\r': '\\3',
  '\0': '\\4',
  '\\': '\\5',
};
const FLUSH_AT = 1 << 20;

/** Writes `rows` to `path`, validating each value; throws `StageError` on the first bad one. */
export async function writeStageFile(path: string, rows: RowColumns): Promise<StagedRows> {
  const n = checkLengths(rows);
  // Column by column first: checks run once per distinct neighbour instead of once per field, and
  // the row loop below is a single template per row (measured ~25% faster than per-field appends).
  const dates = checkDates(rows.processedDate);
  checkIntegers(rows.licensesDeployed, 'licensesDeployed');
  checkIntegers(rows.licensesSold, 'licensesSold');
  const escaped = new Set<string>();
  const [a, b, c, d, e, f, g] = STAGE_TEXT_COLUMNS.map(([field, column]) => {
    const values = encodeColumn(rows[field], column);
    if (values !== rows[field]) escaped.add(column);
    return values;
  }) as [string[], string[], string[], string[], string[], string[], string[]];
  const deployed = rows.licensesDeployed;
  const sold = rows.licensesSold;
  const day = rows.processedDate;
  const file = await open(path, 'w');
  try {
    let chunk = '';
    for (let i = 0; i < n; i++) {
      chunk += `${deployed[i]}\t${sold[i]}\t${day[i]}\t${a[i]}\t${b[i]}\t${c[i]}\t${d[i]}\t${e[i]}\t${f[i]}\t${g[i]}\n`;
      if (chunk.length >= FLUSH_AT) {
        await file.write(chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) await file.write(chunk);
  } finally {
    await file.close();
  }
  return { rows: n, dates: [...dates].sort(), escapedColumns: escaped };
}

function checkLengths(rows: RowColumns): number {
  const n = rows.processedDate.length;
  for (const [name, values] of Object.entries(rows) as [string, unknown[]][]) {
    if (values.length !== n)
      throw new StageError(`column ${name} has ${values.length} values, expected ${n}`);
  }
  return n;
}

function checkDates(values: readonly string[]): Set<string> {
  const dates = new Set<string>();
  for (let i = 0; i < values.length; i++) {
    const date = values[i]!;
    if (dates.has(date)) continue;
    if (typeof date !== 'string' || !isIsoDay(date)) {
      throw new StageError(`row ${i}: processedDate ${JSON.stringify(date)} is not a date`);
    }
    dates.add(date);
  }
  return dates;
}

function checkIntegers(values: readonly number[], name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isSafeInteger(values[i])) throw new StageError(`row ${i}: ${name} is not an integer`);
  }
}

/**
 * Returns `values` itself when no value needs an escape (the common case, no copy), else an
 * escaped copy. Rejects non-strings and lone surrogates.
 */
function encodeColumn(values: readonly string[], column: string): readonly string[] {
  let out: string[] | undefined;
  let previous = '';
  let previousOut = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    // Sorted or interned input repeats values row after row; each run is checked once.
    if (i === 0 || value !== previous) {
      if (typeof value !== 'string') throw new StageError(`row ${i}: ${column} is not a string`);
      previous = value;
      previousOut = value;
      if (NEEDS_CARE.test(value)) {
        if (LONE_SURROGATE.test(value)) throw new StageError(`row ${i}: ${column} is not valid Unicode`);
        previousOut = value.replace(ESCAPABLE, (ch) => ESCAPES[ch]!);
        out ??= values.slice(0, i);
      }
    }
    if (out !== undefined) out[i] = previousOut;
  }
  return out ?? values;
}

/** SQL that undoes the file's escapes; the backslash escape is decoded last (see header). */
export function decodeSql(expr: string): string {
  return (
    `replace(replace(replace(replace(replace(${expr}, '\\1', chr(9)), '\\2', chr(10)),` +
    ` '\\3', chr(13)), '\\4', chr(0)), '\\5', '\\')`
  );
}

/**
 * `SELECT` over a staged file producing the `deployment` columns except `partner_id` and `ord` (a
 * row source of `insertOrdered`). The path is ours (a fresh temporary directory); it is still quoted
 * as a literal because table-function arguments cannot be bound.
 */
export function stageSelectSql(path: string, staged: StagedRows): string {
  const columns = [
    `'licenses_deployed': 'BIGINT'`,
    `'licenses_sold': 'BIGINT'`,
    `'processed_date': 'DATE'`,
    ...STAGE_TEXT_COLUMNS.map(([, c]) => `'${c}': 'VARCHAR'`),
  ].join(', ');
  const notNull = STAGE_TEXT_COLUMNS.map(([, c]) => `'${c}'`).join(', ');
  const texts = STAGE_TEXT_COLUMNS.map(([, c]) =>
    staged.escapedColumns.has(c) ? `${decodeSql(c)} AS ${c}` : c,
  ).join(', ');
  const source =
    `read_csv('${path.replaceAll("'", "''")}', columns={${columns}}, header=false, delim='\\t',` +
    ` quote='', escape='', new_line='\\n', auto_detect=false, force_not_null=[${notNull}])`;
  return `SELECT processed_date, ${texts}, licenses_deployed, licenses_sold FROM ${source}`;
}
