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
import { ROW_FIELDS, type RowField } from '../domain/fields.ts';
import { MAX_COUNT } from '../domain/stored-form.ts';
import type { SqlDialect } from './dialect.ts';

/** Staging columns: the file number, the line (or null), then one raw text column per row field. */
export const STAGE_COLUMNS: Readonly<Record<RowField, string>> = Object.freeze({
  processedDateTime: 'processed_date',
  serviceCode: 'service_code',
  serviceName: 'service_name',
  channel: 'channel',
  customerTenantId: 'customer_tenant_id',
  customerName: 'customer_name',
  productId: 'product_id',
  productName: 'product_name',
  licensesDeployed: 'licenses_deployed',
  licensesSold: 'licenses_sold',
});

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

/** What `String.prototype.trim` removes: ECMAScript WhiteSpace and LineTerminator. */
const TRIMMED =
  '\t\n\u000b\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a' +
  '\u2028\u2029\u202f\u205f\u3000\ufeff';

const HEX = (n: number) => `[0-9A-Fa-f]{${n}}`;
const GUID = `${HEX(8)}-${HEX(4)}-${HEX(4)}-${HEX(4)}-${HEX(12)}`;
const GUID_RE = `${GUID}|\\{${GUID}\\}`;
const DAY_RE = '[0-9]{4}-[0-9]{2}-[0-9]{2}';
const DATETIME_RE = `${DAY_RE}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?`;
const COUNT_RE = '[0-9]{1,10}';

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** A staged raw column, trimmed; NULL stays NULL (a missing field). */
function trimmed(field: RowField, d: SqlDialect): string {
  return d.trimChars(d.quoteIdent(STAGE_COLUMNS[field]), literal(TRIMMED));
}

/** The stored value of `field`, or NULL when the raw value has none (missing, empty, invalid). */
export function storedValueSql(field: RowField, d: SqlDialect): string {
  const t = trimmed(field, d);
  switch (FORM[field]) {
    case 'text':
      return `NULLIF(${t}, '')`;
    case 'lowercase':
      return `NULLIF(lower(${t}), '')`;
    case 'guid':
      return `CASE WHEN ${d.regexFull(t, GUID_RE)} THEN upper(${d.trimChars(t, "'{}'")}) END`;
    case 'day':
      return (
        `CASE WHEN ${d.regexFull(t, DAY_RE)} THEN ${d.tryDate(t)}` +
        ` WHEN ${d.regexFull(t, DATETIME_RE)} THEN ${d.utcDayOfTimestamp(t)} END`
      );
    case 'count':
      // Nested, so the cast only ever sees digits.
      return `CASE WHEN ${d.regexFull(t, COUNT_RE)} THEN CASE WHEN CAST(${t} AS BIGINT) <= ${MAX_COUNT} THEN CAST(${t} AS BIGINT) END END`;
  }
}

/** A raw value as an error message shows it: JSON-quoted, cut to 40 characters. */
function shown(field: RowField, d: SqlDialect): string {
  const c = d.quoteIdent(STAGE_COLUMNS[field]);
  return d.jsonText(`CASE WHEN length(${c}) > 40 THEN substr(${c}, 1, 40) || '…' ELSE ${c} END`);
}

/** Why `field`'s raw value has no stored form, or NULL when it has one. */
function reasonSql(field: RowField, d: SqlDialect): string {
  const raw = d.quoteIdent(STAGE_COLUMNS[field]);
  const t = trimmed(field, d);
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
    `CASE WHEN ${raw} IS NULL THEN ${literal(`${field} is missing`)}` +
    ` WHEN ${t} = '' THEN ${literal(`${field} is empty`)}` +
    ` WHEN ${storedValueSql(field, d)} IS NULL THEN ${invalid} END`
  );
}

/** Every reason the staged row has no stored form, as a list (empty for a good row). */
export function rowReasonsSql(d: SqlDialect): string {
  return d.nonNullList(ROW_FIELDS.map((f) => reasonSql(f, d)));
}

/** True when every field of the staged row has a stored form. */
export function rowValidSql(d: SqlDialect): string {
  return ROW_FIELDS.map((f) => `${storedValueSql(f, d)} IS NOT NULL`).join(' AND ');
}
