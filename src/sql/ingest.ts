/**
 * The one normalisation and validation of input rows, as SQL over the staging table every load
 * fills (see docs/architecture.md, "Loads"). Each adapter renders these rules with its dialect;
 * no other code normalises or validates row values.
 *
 * Stored forms, per field:
 * - `processedDateTime`: the UTC calendar day of a `YYYY-MM-DD` date or an ISO 8601 date-time (no
 *   offset means UTC, as Partner Center's analytics timestamps carry none);
 * - GUIDs (`customerTenantId`, `productId`): upper-case, hyphenated, without braces;
 * - `serviceCode`, `channel`: trimmed and lower-case; other text: trimmed; never empty;
 * - counts: 1 to 10 digits (surrounding white space allowed), at most 2^31-1.
 *
 * "Trimmed" removes the characters JavaScript's `String.prototype.trim` removes (white space and
 * line terminators, including U+00A0 and U+FEFF), so values typed in any tool compare equal.
 */
import {
  DIMENSION_INFO,
  DIMENSIONS,
  type Dimension,
  MEASURE_COLUMN,
  ROW_FIELDS,
  type RowField,
} from '../domain/fields.ts';
import { MAX_COUNT } from '../domain/stored-form.ts';
import type { SqlDialect } from './dialect.ts';

/**
 * The column of each row field, named as in `deployment` (from the field catalog): the staging
 * table holds the raw values under these names, and the stored values keep them.
 */
export const STAGE_COLUMNS: Readonly<Record<RowField, string>> = Object.freeze({
  processedDateTime: 'processed_date',
  ...(Object.fromEntries(DIMENSIONS.map((d) => [d, DIMENSION_INFO[d].column])) as Record<Dimension, string>),
  ...MEASURE_COLUMN,
});

/** The staging and stored columns of the row fields, in ROW_FIELDS order. */
export const RAW_COLUMNS: readonly string[] = Object.freeze(ROW_FIELDS.map((f) => STAGE_COLUMNS[f]));

/** The problem of a row repeating an earlier row's key; the caller appends where that one is. */
export function duplicateReason(date: string, customer: string, product: string, channel: string): string {
  return (
    `duplicate row for processed date ${date}, customerTenantId ${customer}, ` +
    `productId ${product}, channel ${JSON.stringify(channel)}; first at `
  );
}

type Form = 'day' | 'text' | 'lowercase' | 'guid' | 'count';

const FORM: Readonly<Record<RowField, Form>> = Object.freeze({
  processedDateTime: 'day',
  serviceCode: 'lowercase',
  serviceName: 'text',
  channel: 'lowercase',
  customerTenantId: 'guid',
  customerName: 'text',
  productId: 'guid',
  productName: 'text',
  licensesDeployed: 'count',
  licensesSold: 'count',
});

const HEX = (n: number) => `[0-9A-Fa-f]{${n}}`;
const GUID = `${HEX(8)}-${HEX(4)}-${HEX(4)}-${HEX(4)}-${HEX(12)}`;
const BRACED_GUID = `\\{${GUID}\\}`;
const DAY_RE = '[0-9]{4}-[0-9]{2}-[0-9]{2}';
/**
 * A date-time without an offset (which means UTC) and with an hour 00-23: its day is its date,
 * no timestamp arithmetic needed. Partner Center's own `processedDateTime` is written so.
 */
const PLAIN_DATETIME_RE = `${DAY_RE}[Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?`;
/** Any other ISO 8601 date-time: an offset or `Z` may move it to another UTC day, so may 24:00. */
const DATETIME_RE = `${DAY_RE}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?`;

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

const q = (d: SqlDialect, name: string) => d.quoteIdent(name);
const raw = (f: RowField) => `raw_${STAGE_COLUMNS[f]}`;
const trimmed = (f: RowField) => `trim_${STAGE_COLUMNS[f]}`;
const stored = (f: RowField) => STAGE_COLUMNS[f];

/** A column of the staging table carried through a select: an expression and its name. */
export type PassColumn = readonly [expr: string, name: string];

/**
 * The staging table with every field raw and trimmed, computed once (trimming is a costly step,
 * and every rule reads the trimmed value).
 */
function trimmedSource(stage: string, pass: readonly PassColumn[], d: SqlDialect): string {
  const cols = [
    ...pass.map(([expr, name]) => `${expr} AS ${q(d, name)}`),
    ...ROW_FIELDS.flatMap((f) => [
      `${q(d, STAGE_COLUMNS[f])} AS ${q(d, raw(f))}`,
      `${d.trimWhitespace(q(d, STAGE_COLUMNS[f]))} AS ${q(d, trimmed(f))}`,
    ]),
  ];
  return `SELECT ${cols.join(', ')} FROM ${stage}`;
}

/** The stored value of `field` from its trimmed value, or NULL when it has none. */
function storedValueSql(field: RowField, d: SqlDialect, t: string = q(d, trimmed(field))): string {
  switch (FORM[field]) {
    case 'text':
      return `NULLIF(${t}, '')`;
    case 'lowercase':
      return `NULLIF(${d.lowerText(t)}, '')`;
    case 'guid':
      return (
        `CASE WHEN ${d.regexFull(t, GUID)} THEN upper(${t})` +
        ` WHEN ${d.regexFull(t, BRACED_GUID)} THEN upper(${d.trimChars(t, "'{}'")}) END`
      );
    case 'day':
      return (
        `CASE WHEN ${d.regexFull(t, DAY_RE)} THEN ${d.tryDate(t)}` +
        ` WHEN ${d.regexFull(t, PLAIN_DATETIME_RE)} THEN ${d.tryDate(`substr(${t}, 1, 10)`)}` +
        // The pattern allows a lower-case `t` and `z`; the timestamp casts accept only upper case.
        ` WHEN ${d.regexFull(t, DATETIME_RE)} THEN ${d.utcDayOfTimestamp(`upper(${t})`)} END`
      );
    case 'count':
      // Ten digits compare as text against the largest count, so the cast only ever sees a count.
      return (
        `CASE WHEN ${d.regexFull(t, '[0-9]{1,9}')} OR (${d.regexFull(t, '[0-9]{10}')} AND ${t} <= '${MAX_COUNT}')` +
        ` THEN CAST(${t} AS BIGINT) END`
      );
  }
}

/** The stored day (a date, or NULL) of a raw `processedDateTime` expression. */
export function storedDaySql(rawExpr: string, d: SqlDialect): string {
  return storedValueSql('processedDateTime', d, d.trimWhitespace(rawExpr));
}

/**
 * Selects the `pass` columns and every field in stored form (named as in `STAGE_COLUMNS`, NULL
 * where the raw value has none) from the staging table `stage`.
 */
export function storedSelectSql(stage: string, pass: readonly PassColumn[], d: SqlDialect): string {
  const cols = [
    ...pass.map(([, name]) => q(d, name)),
    ...ROW_FIELDS.map((f) => `${storedValueSql(f, d)} AS ${q(d, stored(f))}`),
  ];
  return `SELECT ${cols.join(', ')} FROM (${trimmedSource(stage, pass, d)}) AS ${q(d, 'trimmed')}`;
}

/** A raw value as an error message shows it: JSON-quoted, cut to 40 characters. */
function shown(field: RowField, d: SqlDialect): string {
  const c = q(d, raw(field));
  return d.jsonText(`CASE WHEN length(${c}) > 40 THEN substr(${c}, 1, 40) || '…' ELSE ${c} END`);
}

/** Why `field`'s raw value has no stored form, or NULL when it has one. */
function reasonSql(field: RowField, d: SqlDialect): string {
  const t = q(d, trimmed(field));
  const say = (text: string) => `${literal(`${field} `)} || ${shown(field, d)} || ${literal(` ${text}`)}`;
  const form = FORM[field];
  const invalid =
    form === 'guid'
      ? say('is not a GUID')
      : form === 'day'
        ? say('is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss)')
        : form === 'count'
          ? `CASE WHEN ${d.regexFull(t, '[0-9]+')} THEN ${say(`is larger than ${MAX_COUNT}`)}` +
            ` ELSE ${say('is not a non-negative integer')} END`
          : 'NULL';
  return (
    `CASE WHEN ${q(d, raw(field))} IS NULL THEN ${literal(`${field} is missing`)}` +
    ` WHEN ${t} = '' THEN ${literal(`${field} is empty`)}` +
    ` WHEN ${storedValueSql(field, d)} IS NULL THEN ${invalid} END`
  );
}

/**
 * Selects the `pass` columns and `reasons`, the list of every reason a field has no stored form,
 * of the staged rows that have at least one.
 */
export function problemsSelectSql(stage: string, pass: readonly PassColumn[], d: SqlDialect): string {
  const bad = ROW_FIELDS.map((f) => `${storedValueSql(f, d)} IS NULL`).join(' OR ');
  const cols = [
    ...pass.map(([, name]) => q(d, name)),
    `${d.nonNullList(ROW_FIELDS.map((f) => reasonSql(f, d)))} AS reasons`,
  ];
  return `SELECT ${cols.join(', ')} FROM (${trimmedSource(stage, pass, d)}) AS ${q(d, 'trimmed')} WHERE ${bad}`;
}
