/**
 * What differs between the SQL dialects Seatwise speaks. The compiler renders one plan for every
 * store and asks the dialect only for these details.
 */
export interface SqlDialect {
  readonly name: 'duckdb' | 'postgres';
  /** Positional parameter reference, 1-based. */
  placeholder(index: number): string;
  /** Quotes an identifier taken from the fixed field catalog. */
  quoteIdent(name: string): string;
  /** An ORDER BY / comparison expression that sorts byte-wise (codepoint order) on this store. */
  bytewise(expr: string): string;
  /** Casts a parameter reference holding `YYYY-MM-DD` to the store's date type. */
  dateParam(ref: string): string;
  /** Renders a date column as `YYYY-MM-DD` text. */
  dateText(expr: string): string;
  /** Renders a UTC timestamp column as ISO 8601 text ending in `Z`. */
  timestampText(expr: string): string;
  /** Sum of an integer column as a 64-bit integer. */
  sumBigint(expr: string): string;
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export const duckdbDialect: SqlDialect = Object.freeze({
  name: 'duckdb',
  placeholder: (i: number) => `$${i}`,
  quoteIdent: quote,
  // DuckDB compares VARCHAR by bytes unless told otherwise.
  bytewise: (expr: string) => expr,
  dateParam: (ref: string) => `CAST(${ref} AS DATE)`,
  dateText: (expr: string) => `strftime(${expr}, '%Y-%m-%d')`,
  timestampText: (expr: string) => `strftime(${expr}, '%Y-%m-%dT%H:%M:%SZ')`,
  sumBigint: (expr: string) => `CAST(sum(${expr}) AS BIGINT)`,
});

export const postgresDialect: SqlDialect = Object.freeze({
  name: 'postgres',
  placeholder: (i: number) => `$${i}`,
  quoteIdent: quote,
  // The database's default collation is locale-aware; "C" compares bytes, as DuckDB does.
  bytewise: (expr: string) => `${expr} COLLATE "C"`,
  dateParam: (ref: string) => `CAST(${ref} AS DATE)`,
  dateText: (expr: string) => `to_char(${expr}, 'YYYY-MM-DD')`,
  timestampText: (expr: string) => `to_char(${expr}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
  sumBigint: (expr: string) => `CAST(sum(${expr}) AS BIGINT)`,
});
