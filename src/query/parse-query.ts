/**
 * E5's query parameters → a validated, frozen `DeploymentQuery` (spec §2; Partner Center, "Get
 * licenses deployment information": top, skip, filter, groupby, processedDateTime).
 *
 * Input is the already percent-decoded parameter map. Names match case-insensitively and carry no
 * `$` prefix (the real service takes `top`, not `$top`); unknown names are ignored, as Partner
 * Center ignores them. Checks run in a fixed order — repeats, top, skip, filter, groupby,
 * processedDateTime — so the same bad request always gets the same error.
 */
import { isIsoDay, utcDayOf } from '../domain/dates.ts';
import { DIMENSIONS, type Dimension, lookupDimension } from '../domain/fields.ts';
import { apiError } from '../errors.ts';
import type { FilterExpr } from './ast.ts';
import { clip } from './lexer.ts';
import { parseFilter } from './parser.ts';
import { DEFAULT_TOP, type DeploymentQuery, MAX_TOP } from './query-plan.ts';

export { parseFilter } from './parser.ts';

export type RawParams = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Canonical spelling of each known parameter, keyed by its lower-case form. */
const KNOWN = {
  top: 'top',
  skip: 'skip',
  filter: 'filter',
  groupby: 'groupby',
  processeddatetime: 'processedDateTime',
} as const;

type ParamName = (typeof KNOWN)[keyof typeof KNOWN];

const DIGITS_RE = /^[0-9]+$/;

function isKnown(lower: string): lower is keyof typeof KNOWN {
  return Object.hasOwn(KNOWN, lower);
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

function invalid(parameter: ParamName, value: string, description: string) {
  return apiError('invalidInput', description, [{ parameter, value: clip(value) }]);
}

/**
 * One value per known parameter. A parameter given twice (an array of two or more values, or two
 * spellings such as `top` and `TOP`) is rejected rather than guessed at: first-wins and last-wins
 * frameworks disagree, and a silent pick could page through a different query than the caller meant.
 */
function collect(params: RawParams): Partial<Record<ParamName, string>> {
  const seen: Partial<Record<ParamName, string>> = {};
  const counts = new Map<ParamName, number>();
  for (const [name, raw] of Object.entries(params)) {
    const lower = asciiLower(name);
    if (raw === undefined || !isKnown(lower)) continue;
    const canonical = KNOWN[lower];
    const values: readonly string[] = typeof raw === 'string' ? [raw] : raw;
    const count = (counts.get(canonical) ?? 0) + values.length;
    counts.set(canonical, count);
    if (count > 1) {
      throw apiError('invalidInput', `The parameter '${canonical}' is given more than once.`, [
        { parameter: canonical },
      ]);
    }
    if (values.length === 1) seen[canonical] = values[0]!;
  }
  return seen;
}

/** `top`: digits only; larger than MAX_TOP is capped, as the docs name 10000 the maximum page. */
function parseTop(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TOP;
  if (!DIGITS_RE.test(text)) {
    throw invalid(
      'top',
      text,
      `The parameter 'top' must be a whole number from 0 to ${MAX_TOP} (larger values are capped); got '${clip(text)}'.`,
    );
  }
  // Number() of a huge digit string is a large float or Infinity, both of which the cap absorbs.
  return Math.min(Number(text), MAX_TOP);
}

/** `skip`: digits only; beyond MAX_SAFE_INTEGER is simply past the end of any result. */
function parseSkip(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!DIGITS_RE.test(text)) {
    throw invalid(
      'skip',
      text,
      `The parameter 'skip' must be a whole number of 0 or more; got '${clip(text)}'.`,
    );
  }
  return Math.min(Number(text), Number.MAX_SAFE_INTEGER);
}

/** `groupby`: comma-separated fields, case-insensitive, duplicates collapsed in first-seen order. */
function parseGroupBy(text: string | undefined): readonly Dimension[] {
  if (text === undefined) return Object.freeze([]);
  const fields: Dimension[] = [];
  let offset = 0;
  for (const member of text.split(',')) {
    const name = member.trim();
    const at = offset + member.indexOf(name);
    offset += member.length + 1;
    if (name === '') {
      throw invalid(
        'groupby',
        text,
        `The parameter 'groupby' has an empty field name at position ${at}: list fields separated by single commas, e.g. groupby=serviceCode,channel.`,
      );
    }
    const field = lookupDimension(name);
    if (field === undefined) {
      throw apiError(
        'invalidProperty',
        `Unknown groupby field '${clip(name)}' at position ${at}: expected one of ${DIMENSIONS.join(', ')}.`,
        [{ parameter: 'groupby', position: at, token: clip(name) }],
      );
    }
    if (!fields.includes(field)) fields.push(field);
  }
  return Object.freeze(fields);
}

/** `processedDateTime`: a day or an ISO 8601 date-time; only its UTC calendar day matters. */
function parseProcessedDate(text: string | undefined): string | null {
  if (text === undefined) return null;
  // An offset's `+` sent without percent-encoding arrives as a space; nothing else can put a space
  // there, so read it as the `+` the caller meant.
  const day =
    utcDayOf(text) ?? utcDayOf(text.replace(/(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/, '$1+$2'));
  if (day === undefined) {
    throw invalid(
      'processedDateTime',
      text,
      `The parameter 'processedDateTime' must be a date (YYYY-MM-DD) or an ISO 8601 date-time; got '${clip(text)}'.`,
    );
  }
  return day;
}

/** Validates and normalises E5's parameters; throws a 400 ApiError naming the parameter at fault. */
export function parseDeploymentQuery(params: RawParams): DeploymentQuery {
  const p = collect(params);
  const top = parseTop(p.top);
  const skip = parseSkip(p.skip);
  const filter = p.filter === undefined ? null : parseFilter(p.filter);
  const groupBy = parseGroupBy(p.groupby);
  const processedDate = parseProcessedDate(p.processedDateTime);
  return Object.freeze({ filter, groupBy, top, skip, processedDate });
}

/** What `GET /seatwise/v1/trend` asks for, before the partner scope is added. */
export interface TrendQuery {
  readonly from: string | null;
  readonly to: string | null;
  readonly groupBy: readonly Dimension[];
  readonly filter: FilterExpr | null;
}

const TREND_KNOWN = { from: 'from', to: 'to', groupby: 'groupby', filter: 'filter' } as const;

/** `from`/`to`: a calendar day, `YYYY-MM-DD`. */
function parseDay(parameter: 'from' | 'to', text: string | undefined): string | null {
  if (text === undefined) return null;
  if (!isIsoDay(text)) {
    throw apiError(
      'invalidInput',
      `The parameter '${parameter}' must be a date (YYYY-MM-DD); got '${clip(text)}'.`,
      [{ parameter, value: clip(text) }],
    );
  }
  return text;
}

/**
 * Validates the trend's parameters (`from`, `to`, `groupby`, `filter`; names case-insensitive,
 * each at most once, unknown ones ignored); throws a 400 ApiError naming the parameter at fault.
 */
export function parseTrendQuery(params: RawParams): TrendQuery {
  const p = collectOnce(params, TREND_KNOWN);
  const from = parseDay('from', p.from);
  const to = parseDay('to', p.to);
  if (from !== null && to !== null && from > to) {
    throw apiError('invalidInput', `The parameter 'from' (${from}) is after 'to' (${to}).`, [
      { parameter: 'from', value: from },
    ]);
  }
  const groupBy = parseGroupBy(p.groupby);
  const filter = p.filter === undefined ? null : parseFilter(p.filter);
  return Object.freeze({ from, to, groupBy, filter });
}

/** The known parameters (lower-case name → canonical), each at most once; others are ignored. */
function collectOnce<K extends string>(
  params: RawParams,
  known: Readonly<Record<K, string>>,
): Partial<Record<K, string>> {
  const p: Partial<Record<K, string>> = {};
  for (const [name, raw] of Object.entries(params)) {
    const lower = asciiLower(name);
    if (raw === undefined || !Object.hasOwn(known, lower)) continue;
    const key = lower as K;
    const values: readonly string[] = typeof raw === 'string' ? [raw] : raw;
    if (values.length > 1 || (values.length === 1 && p[key] !== undefined)) {
      throw apiError('invalidInput', `The parameter '${known[key]}' is given more than once.`, [
        { parameter: known[key] },
      ]);
    }
    if (values.length === 1) p[key] = values[0]!;
  }
  return p;
}

/** What `GET /seatwise/v1/changes` asks for, before the partner scope is added. */
export interface ChangesQuery {
  readonly from: string;
  readonly to: string;
  readonly filter: FilterExpr | null;
  /** Items per page, 0..MAX_TOP, as E5's `top`. */
  readonly top: number;
  readonly skip: number;
}

const CHANGES_KNOWN = { from: 'from', to: 'to', filter: 'filter', top: 'top', skip: 'skip' } as const;

/**
 * Validates the changes' parameters: `from` and `to` (required days), `filter`; names
 * case-insensitive, each at most once. Throws a 400 ApiError naming the parameter at fault.
 */
export function parseChangesQuery(params: RawParams): ChangesQuery {
  const p = collectOnce(params, CHANGES_KNOWN);
  for (const name of ['from', 'to'] as const) {
    if (p[name] === undefined) {
      throw apiError(
        'invalidInput',
        `The parameter '${name}' is required: the processed date (YYYY-MM-DD) of a snapshot to compare.`,
        [{ parameter: name }],
      );
    }
  }
  const top = parseTop(p.top);
  const skip = parseSkip(p.skip);
  const from = parseDay('from', p.from)!;
  const to = parseDay('to', p.to)!;
  const filter = p.filter === undefined ? null : parseFilter(p.filter);
  return Object.freeze({ from, to, filter, top, skip });
}

/** What `GET /seatwise/v1/shelfware` asks for, before the partner scope is added. */
export interface ShelfwareQuery {
  readonly filter: FilterExpr | null;
  readonly top: number;
  readonly skip: number;
  /** The snapshot; null for the latest. */
  readonly processedDate: string | null;
}

const SHELFWARE_KNOWN = {
  filter: 'filter',
  top: 'top',
  skip: 'skip',
  processeddatetime: 'processedDateTime',
} as const;

/**
 * Validates the shelfware's parameters (`filter`, `top`, `skip`, `processedDateTime`, as E5's;
 * names case-insensitive, each at most once). Throws a 400 ApiError naming the parameter at fault.
 */
export function parseShelfwareQuery(params: RawParams): ShelfwareQuery {
  return shelfwareQueryOf(collectOnce(params, SHELFWARE_KNOWN));
}

/** The shelfware's parameters, already collected (the renewals' share them). */
function shelfwareQueryOf(p: Partial<Record<keyof typeof SHELFWARE_KNOWN, string>>): ShelfwareQuery {
  const top = parseTop(p.top);
  const skip = parseSkip(p.skip);
  const filter = p.filter === undefined ? null : parseFilter(p.filter);
  const processedDate = parseProcessedDate(p.processeddatetime);
  return Object.freeze({ filter, top, skip, processedDate });
}

/** What `GET /seatwise/v1/renewals` asks for, before the partner scope is added. */
export interface RenewalsQuery extends ShelfwareQuery {
  readonly withinDays: number;
}

/** The longest renewal window: ten years covers every term Partner Center sells. */
export const MAX_WITHIN_DAYS = 3660;
const DEFAULT_WITHIN_DAYS = 30;

/** The fields a renewal can be filtered by: its customer and product (subscriptions have no channel). */
const RENEWAL_FILTER_FIELDS: readonly Dimension[] = [
  'customerTenantId',
  'customerName',
  'productId',
  'productName',
];

function checkRenewalFilter(expr: FilterExpr, text: string): void {
  if (expr.kind === 'logical') {
    checkRenewalFilter(expr.left, text);
    checkRenewalFilter(expr.right, text);
    return;
  }
  if (RENEWAL_FILTER_FIELDS.includes(expr.field)) return;
  const at = expr.span.start;
  throw apiError(
    'invalidProperty',
    `The field '${expr.field}' at position ${at} cannot filter renewals: subscriptions have no ${expr.field}. ` +
      `Filter renewals by ${RENEWAL_FILTER_FIELDS.join(', ')}.`,
    [{ parameter: 'filter', position: at, token: expr.field, value: clip(text) }],
  );
}

/**
 * Validates the renewals' parameters: `withinDays` (0..MAX_WITHIN_DAYS, default 30) and the
 * shelfware's; the filter may name only the customer and product fields.
 */
export function parseRenewalsQuery(params: RawParams): RenewalsQuery {
  const p = collectOnce(params, { ...SHELFWARE_KNOWN, withindays: 'withinDays' });
  let withinDays = DEFAULT_WITHIN_DAYS;
  if (p.withindays !== undefined) {
    const text = p.withindays;
    if (!DIGITS_RE.test(text) || Number(text) > MAX_WITHIN_DAYS) {
      throw apiError(
        'invalidInput',
        `The parameter 'withinDays' must be a whole number of days from 0 to ${MAX_WITHIN_DAYS}; got '${clip(text)}'.`,
        [{ parameter: 'withinDays', value: clip(text) }],
      );
    }
    withinDays = Number(text);
  }
  const base = shelfwareQueryOf(p);
  if (base.filter !== null) checkRenewalFilter(base.filter, p.filter ?? '');
  return Object.freeze({ ...base, withinDays });
}
