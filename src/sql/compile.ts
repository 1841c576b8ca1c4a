/**
 * Compiles query plans and the fixed legacy/snapshot reads into `{ sql, params }` for a dialect.
 * Pure: no driver, no I/O. Every literal is a bound parameter; every identifier comes from the
 * field catalog (`domain/fields.ts`) or the schema's table names, quoted by the dialect.
 *
 * Result columns are aliased to the camelCase field names so the service reads columns by field.
 */
import {
  DIMENSION_INFO,
  DIMENSIONS,
  type Dimension,
  MEASURE_COLUMN,
  type Measure,
} from '../domain/fields.ts';
import type { FilterExpr } from '../query/ast.ts';
import type { ChangesPlan, QueryPlan, TrendPlan } from '../query/query-plan.ts';
import type { SqlDialect } from './dialect.ts';
import { filterSql, guidLiteral } from './filter-sql.ts';
import { ParamList } from './params.ts';
import { type SqlQuery, TABLES } from './query.ts';

const MEASURES_SELECTED: readonly Measure[] = ['licensesDeployed', 'licensesSold'];

export interface CompileOptions {
  /**
   * The store keeps per-snapshot aggregates (`deployment_groups`, see query.ts): a group-by, a
   * count or a summary whose fields (grouping and filter) are all among the aggregates' dimensions
   * reads them instead of the rows.
   */
  readonly groups?: boolean;
}

/** The dimensions `deployment_groups` keeps: every field but the customer's. */
const GROUP_DIMENSIONS: ReadonlySet<Dimension> = new Set<Dimension>([
  'serviceCode',
  'serviceName',
  'channel',
  'productId',
  'productName',
]);

function filterFields(expr: FilterExpr | null, out: Dimension[] = []): Dimension[] {
  if (expr === null) return out;
  if (expr.kind === 'comparison') out.push(expr.field);
  else {
    filterFields(expr.left, out);
    filterFields(expr.right, out);
  }
  return out;
}

/** Whether every row the filter matches has one given customer: `customerTenantId eq` under ANDs. */
function pinsOneCustomer(expr: FilterExpr | null): boolean {
  if (expr === null) return false;
  if (expr.kind === 'comparison') return expr.field === 'customerTenantId' && expr.op === 'eq';
  return expr.op === 'and' && (pinsOneCustomer(expr.left) || pinsOneCustomer(expr.right));
}

/** The table a grouped read or a count of `plan` reads: the aggregates when they can answer it. */
function sourceTable(plan: QueryPlan, options: CompileOptions): string {
  const answered =
    options.groups === true &&
    plan.groupBy.every((d) => GROUP_DIMENSIONS.has(d)) &&
    filterFields(plan.filter).every((d) => GROUP_DIMENSIONS.has(d));
  return answered ? TABLES.groups : TABLES.deployment;
}

/** One page of E5 rows (ungrouped, in `ord` order) or groups (byte-wise by the groupby fields). */
export function compileDeploymentPage(
  plan: QueryPlan,
  dialect: SqlDialect,
  options: CompileOptions = {},
): SqlQuery {
  checkPaging(plan);
  const params = new ParamList(dialect);
  const where = planWhere(plan, dialect, params);
  return { sql: pageSql(plan, dialect, options, where, params), params: params.values };
}

/** `TotalCount` of a plan: matching rows, or distinct groups when grouped. Column `total`. */
export function compileDeploymentCount(
  plan: QueryPlan,
  dialect: SqlDialect,
  options: CompileOptions = {},
): SqlQuery {
  const params = new ParamList(dialect);
  const where = planWhere(plan, dialect, params);
  return { sql: countSql(plan, dialect, options, where), params: params.values };
}

/**
 * The page and `TotalCount` of a plan in one statement: the page's columns and `total`, in the
 * page's order. The form depends on what the page reads (each measured against the count and the
 * page run apart):
 *
 * - a grouped page, or one whose filter pins one customer (a few dozen rows at most), counts with
 *   `count(*) OVER ()` beside its rows: one pass over the rows or groups instead of two;
 * - an unfiltered ungrouped page (a range of `ord`) counts the snapshot in a scalar subquery;
 * - any other filtered page may match most of a snapshot, which a window would hold whole: there
 *   the count (one row) is left joined to the page, each still its own pass, and the rows are
 *   ordered again as the page orders them. Its empty page is one row of nulls beside the total.
 *
 * In the first two forms a page past the end (or `top=0`) has no row to carry the total; the
 * store then asks `compileDeploymentCount`. `pageWithTotal` reads every form. The count shares
 * the filter's parameters.
 */
export function compileDeploymentPageWithTotal(
  plan: QueryPlan,
  dialect: SqlDialect,
  options: CompileOptions = {},
): SqlQuery {
  checkPaging(plan);
  const params = new ParamList(dialect);
  const q = dialect.quoteIdent;
  const where = planWhere(plan, dialect, params);
  if (plan.groupBy.length > 0 || pinsOneCustomer(plan.filter)) {
    const total = `count(*) OVER () AS ${q('total')}`;
    return { sql: pageSql(plan, dialect, options, where, params, total), params: params.values };
  }
  const count = countSql(plan, dialect, options, where);
  if (plan.filter === null) {
    const total = `(${count}) AS ${q('total')}`;
    return { sql: pageSql(plan, dialect, options, where, params, total), params: params.values };
  }
  const page = pageSql(plan, dialect, options, where, params, aliased(q('ord'), 'ord', dialect));
  const p = (name: string) => `${q('p')}.${q(name)}`;
  const select = [...DIMENSIONS, ...MEASURES_SELECTED].map(p).join(', ');
  return {
    sql:
      `SELECT ${select}, ${q('t')}.${q('total')} FROM (${count}) AS ${q('t')}` +
      ` LEFT JOIN (${page}) AS ${q('p')} ON true ORDER BY ${p('ord')}`,
    params: params.values,
  };
}

/** A result read column by column, as the stores hand them over. */
interface Columns {
  readonly rowCount: number;
  readonly columns: Readonly<Record<string, readonly (string | number | null)[]>>;
}

/**
 * Splits the result of `compileDeploymentPageWithTotal` into the page (without `total`) and the
 * total; the total is null when the result has no row at all (an unfiltered page past the end),
 * and the store then counts on its own. A page row always has its `licensesSold` (a NOT NULL
 * column, or a sum over a non-empty group), so the row of an empty page is the one whose
 * `licensesSold` is null.
 */
export function pageWithTotal(result: Columns): { rows: Columns; totalCount: number | null } {
  const { total, ...rest } = result.columns;
  if (result.rowCount > 0 && (rest.licensesSold?.[0] ?? null) !== null) {
    return { rows: { rowCount: result.rowCount, columns: rest }, totalCount: Number(total?.[0] ?? 0) };
  }
  const columns: Record<string, readonly (string | number | null)[]> = {};
  for (const name of Object.keys(rest)) columns[name] = [];
  const totalCount = result.rowCount > 0 ? Number(total?.[0] ?? 0) : null;
  return { rows: { rowCount: 0, columns }, totalCount };
}

/**
 * The page's SELECT over `where` (rendered into `params`, whose paging values follow). `extra`
 * is one more column: the ungrouped page's `ord`, by which a query wrapping it orders the rows
 * again, or the total.
 */
function pageSql(
  plan: QueryPlan,
  dialect: SqlDialect,
  options: CompileOptions,
  where: string,
  params: ParamList,
  extra?: string,
): string {
  const q = dialect.quoteIdent;
  const from = `FROM ${q(TABLES.deployment)} WHERE ${where}`;
  if (plan.groupBy.length === 0) {
    const select = [
      ...DIMENSIONS.map((d) => aliased(dimensionColumn(d, dialect), d, dialect)),
      ...MEASURES_SELECTED.map((m) => aliased(q(MEASURE_COLUMN[m]), m, dialect)),
      ...(extra === undefined ? [] : [extra]),
    ].join(', ');
    if (plan.filter === null) {
      // `ord` numbers a snapshot's rows 0..n-1 in page order (see store.ts), so an unfiltered page
      // is a range of it: the store reads only those rows (zone maps / an index) instead of
      // ordering the whole day to skip `skip` rows.
      // The query layer clamps a huge skip to MAX_SAFE_INTEGER; the end is clamped the same way.
      const end = Math.min(plan.skip + plan.top, Number.MAX_SAFE_INTEGER);
      // Bounds are 64-bit: a skip past 2^31 must compare, not overflow the column's integer type.
      const range = `${q('ord')} >= CAST(${params.add(plan.skip)} AS BIGINT) AND ${q('ord')} < CAST(${params.add(end)} AS BIGINT)`;
      return `SELECT ${select} ${from} AND ${range} ORDER BY ${q('ord')}`;
    }
    return `SELECT ${select} ${from} ORDER BY ${q('ord')} ${params.page(plan)}`;
  }
  const columns = plan.groupBy.map((d) => dimensionColumn(d, dialect));
  const select = [
    ...plan.groupBy.map((d, i) => aliased(columns[i]!, d, dialect)),
    ...MEASURES_SELECTED.map((m) => aliased(dialect.sumBigint(q(MEASURE_COLUMN[m])), m, dialect)),
    ...(extra === undefined ? [] : [extra]),
  ].join(', ');
  const orderBy = columns.map((c) => `${dialect.bytewise(c)} ASC`).join(', ');
  const paging = params.page(plan);
  const groupedFrom = `FROM ${q(sourceTable(plan, options))} WHERE ${where}`;
  return `SELECT ${select} ${groupedFrom} GROUP BY ${columns.join(', ')} ORDER BY ${orderBy} ${paging}`;
}

/** The count's SELECT (column `total`) over `where`, whose first two parameters are the scope's. */
function countSql(plan: QueryPlan, dialect: SqlDialect, options: CompileOptions, where: string): string {
  const q = dialect.quoteIdent;
  const table = sourceTable(plan, options);
  const from = `FROM ${q(table)} WHERE ${where}`;
  if (plan.groupBy.length === 0) {
    const rows = table === TABLES.groups ? dialect.sumBigint(q('row_count')) : 'count(*)';
    return `SELECT ${rows} AS ${q('total')} ${from}`;
  }
  if (options.groups === true && plan.filter === null && plan.groupBy.join() === 'customerTenantId') {
    // The customers of a whole snapshot: counted by its load, in `snapshots`. Without a filter the
    // where clause is the scope alone.
    return `SELECT ${q('customer_count')} AS ${q('total')} FROM ${q(TABLES.snapshots)} WHERE ${where}`;
  }
  const columns = plan.groupBy.map((d) => dimensionColumn(d, dialect)).join(', ');
  return `SELECT count(*) AS ${q('total')} FROM (SELECT 1 ${from} GROUP BY ${columns}) AS ${q('g')}`;
}

/** The partner's latest snapshot day as `YYYY-MM-DD` in column `processedDate`, or no row. */
export function compileLatestSnapshot(partnerId: string, dialect: SqlDialect): SqlQuery {
  const params = new ParamList(dialect);
  const q = dialect.quoteIdent;
  const sql =
    `SELECT ${dialect.dateText(q('processed_date'))} AS ${q('processedDate')} FROM ${q(TABLES.snapshots)}` +
    ` WHERE ${q('partner_id')} = ${params.add(partnerId)} ORDER BY ${q('processed_date')} DESC LIMIT 1`;
  return { sql, params: params.values };
}

/**
 * Every snapshot of the partner, newest first: processedDate, rowCount, customerCount, productCount,
 * importedAt (ISO 8601 UTC), source and missingCustomers (a JSON array of tenant ids).
 */
export function compileSnapshotList(partnerId: string, dialect: SqlDialect): SqlQuery {
  const params = new ParamList(dialect);
  const q = dialect.quoteIdent;
  const select = [
    `${dialect.dateText(q('processed_date'))} AS ${q('processedDate')}`,
    `${q('row_count')} AS ${q('rowCount')}`,
    `${q('customer_count')} AS ${q('customerCount')}`,
    `${q('product_count')} AS ${q('productCount')}`,
    `${dialect.timestampText(q('imported_at'))} AS ${q('importedAt')}`,
    `${q('source')} AS ${q('source')}`,
    `${q('missing_customers')} AS ${q('missingCustomers')}`,
  ].join(', ');
  const sql =
    `SELECT ${select} FROM ${q(TABLES.snapshots)} WHERE ${q('partner_id')} = ${params.add(partnerId)}` +
    ` ORDER BY ${q('processed_date')} DESC`;
  return { sql, params: params.values };
}

/** The subscriptions of one snapshot, by customer then subscription id (byte-wise on both stores). */
export function compileSubscriptions(partnerId: string, date: string, dialect: SqlDialect): SqlQuery {
  const params = new ParamList(dialect);
  const q = dialect.quoteIdent;
  const flag = (c: string) => `CAST(${q(c)} AS INTEGER)`;
  const select = [
    `${dialect.dateText(q('processed_date'))} AS ${q('processedDate')}`,
    `${q('customer_tenant_id')} AS ${q('customerTenantId')}`,
    `${q('subscription_id')} AS ${q('subscriptionId')}`,
    `${q('offer_id')} AS ${q('offerId')}`,
    `${q('offer_name')} AS ${q('offerName')}`,
    `${q('friendly_name')} AS ${q('friendlyName')}`,
    `${q('quantity')} AS ${q('quantity')}`,
    `${q('unit_type')} AS ${q('unitType')}`,
    `${q('status')} AS ${q('status')}`,
    `${q('term_duration')} AS ${q('termDuration')}`,
    `${q('billing_cycle')} AS ${q('billingCycle')}`,
    `${dialect.dateText(q('commitment_end_date'))} AS ${q('commitmentEndDate')}`,
    `${flag('auto_renew_enabled')} AS ${q('autoRenewEnabled')}`,
    `${flag('is_trial')} AS ${q('isTrial')}`,
    `${q('parent_subscription_id')} AS ${q('parentSubscriptionId')}`,
    `${q('product_id')} AS ${q('productId')}`,
    `${q('match_kind')} AS ${q('match')}`,
  ].join(', ');
  const sql =
    `SELECT ${select} FROM ${q(TABLES.subscriptions)} WHERE ${q('partner_id')} = ${params.add(partnerId)}` +
    ` AND ${q('processed_date')} = ${dialect.dateParam(params.add(date))}` +
    ` ORDER BY ${q('customer_tenant_id')}, ${q('subscription_id')}`;
  return { sql, params: params.values };
}

/**
 * Legacy E1 ("Get partner licenses deployment information"): per (service code, channel) the
 * licenses sold and the deployed seats capped at sold, from which the service derives the
 * license-weighted `proratedDeploymentPercent`.
 */
export function compilePartnerSummary(
  partnerId: string,
  date: string,
  dialect: SqlDialect,
  options: CompileOptions = {},
): SqlQuery {
  const params = new ParamList(dialect);
  const q = dialect.quoteIdent;
  const code = dimensionColumn('serviceCode', dialect);
  const channel = dimensionColumn('channel', dialect);
  const deployed = q(MEASURE_COLUMN.licensesDeployed);
  const sold = q(MEASURE_COLUMN.licensesSold);
  const groups = options.groups === true;
  const capped = groups ? q('capped_deployed') : `least(${deployed}, ${sold})`;
  const select = [
    aliased(code, 'serviceCode', dialect),
    aliased(channel, 'channel', dialect),
    aliased(dialect.sumBigint(sold), 'licensesSold', dialect),
    aliased(dialect.sumBigint(capped), 'cappedDeployed', dialect),
  ].join(', ');
  const sql =
    `SELECT ${select} FROM ${q(groups ? TABLES.groups : TABLES.deployment)} WHERE ${scopeSql(partnerId, date, dialect, params)}` +
    ` GROUP BY ${code}, ${channel} ORDER BY ${dialect.bytewise(code)} ASC, ${dialect.bytewise(channel)} ASC`;
  return { sql, params: params.values };
}

/**
 * The latest day on which the partner has rows for the customer, in column `processedDate`, or no
 * row (HAVING drops the all-NULL aggregate row an empty match would give).
 */
export function compileCustomerLatestDate(
  partnerId: string,
  customerTenantId: string,
  dialect: SqlDialect,
): SqlQuery {
  const params = new ParamList(dialect);
  const q = dialect.quoteIdent;
  const sql =
    `SELECT ${dialect.dateText(`max(${q('processed_date')})`)} AS ${q('processedDate')}` +
    ` FROM ${q(TABLES.deployment)} WHERE ${q('partner_id')} = ${params.add(partnerId)}` +
    ` AND ${dimensionColumn('customerTenantId', dialect)} = ${params.add(guidLiteral(customerTenantId))}` +
    ' HAVING count(*) > 0';
  return { sql, params: params.values };
}

const CUSTOMER_PRODUCT_FIELDS: readonly Dimension[] = [
  'customerTenantId',
  'customerName',
  'productId',
  'productName',
  'serviceCode',
  'serviceName',
  'channel',
];

/** Legacy E3 ("Get customer licenses deployment information"): the customer's rows on that day. */
export function compileCustomerProducts(
  partnerId: string,
  customerTenantId: string,
  date: string,
  dialect: SqlDialect,
): SqlQuery {
  const params = new ParamList(dialect);
  const q = dialect.quoteIdent;
  const select = [
    ...CUSTOMER_PRODUCT_FIELDS.map((d) => aliased(dimensionColumn(d, dialect), d, dialect)),
    ...MEASURES_SELECTED.map((m) => aliased(q(MEASURE_COLUMN[m]), m, dialect)),
  ].join(', ');
  const sql =
    `SELECT ${select} FROM ${q(TABLES.deployment)} WHERE ${scopeSql(partnerId, date, dialect, params)}` +
    ` AND ${dimensionColumn('customerTenantId', dialect)} = ${params.add(guidLiteral(customerTenantId))}` +
    ` ORDER BY ${q('ord')}`;
  return { sql, params: params.values };
}

function dimensionColumn(d: Dimension, dialect: SqlDialect): string {
  return dialect.quoteIdent(DIMENSION_INFO[d].column);
}

function aliased(expr: string, alias: string, dialect: SqlDialect): string {
  return `${expr} AS ${dialect.quoteIdent(alias)}`;
}

/** Every read is scoped to one partner's snapshot: the tenancy boundary lives here, once. */
function scopeSql(partnerId: string, date: string, dialect: SqlDialect, params: ParamList): string {
  const q = dialect.quoteIdent;
  return (
    `${q('partner_id')} = ${params.add(partnerId)}` +
    ` AND ${q('processed_date')} = ${dialect.dateParam(params.add(date))}`
  );
}

function planWhere(plan: QueryPlan, dialect: SqlDialect, params: ParamList): string {
  const scope = scopeSql(plan.partnerId, plan.processedDate, dialect, params);
  return plan.filter === null ? scope : `${scope} AND ${filterSql(plan.filter, dialect, params)}`;
}

/** top/skip are validated upstream; a bad value here is a programming error, not user input. */
function checkPaging(plan: { readonly top: number; readonly skip: number }): void {
  const ok =
    Number.isSafeInteger(plan.top) && plan.top >= 0 && Number.isSafeInteger(plan.skip) && plan.skip >= 0;
  if (!ok) {
    throw new RangeError(`invalid paging: top=${plan.top} skip=${plan.skip}`);
  }
}

/** The stored product catalog: skuId, partNumber, displayName, productName, serviceCode, serviceName. */
export function compileCatalog(dialect: SqlDialect): SqlQuery {
  const q = dialect.quoteIdent;
  const cols = [
    ['sku_id', 'skuId'],
    ['part_number', 'partNumber'],
    ['display_name', 'displayName'],
    ['product_name', 'productName'],
    ['service_code', 'serviceCode'],
    ['service_name', 'serviceName'],
  ]
    .map(([c, a]) => `${q(c!)} AS ${q(a!)}`)
    .join(', ');
  return {
    sql: `SELECT ${cols} FROM ${q(TABLES.catalog)} ORDER BY ${dialect.bytewise(q('sku_id'))}`,
    params: [],
  };
}

/**
 * Sold and deployed seats per processed date (and per the groupby fields) over the partner's
 * snapshots from `from` to `to`: columns `processedDate`, the fields, `licensesSold` and
 * `licensesDeployed`, ordered by date, then byte-wise by the fields. A snapshot no row matches has
 * no item.
 */
export function compileTrend(plan: TrendPlan, dialect: SqlDialect, options: CompileOptions = {}): SqlQuery {
  const params = new ParamList(dialect);
  const q = dialect.quoteIdent;
  const date = q('processed_date');
  const conditions = [`${q('partner_id')} = ${params.add(plan.partnerId)}`];
  if (plan.from !== null) conditions.push(`${date} >= ${dialect.dateParam(params.add(plan.from))}`);
  if (plan.to !== null) conditions.push(`${date} <= ${dialect.dateParam(params.add(plan.to))}`);
  if (plan.filter !== null) conditions.push(filterSql(plan.filter, dialect, params));
  const table =
    options.groups === true &&
    plan.groupBy.every((d) => GROUP_DIMENSIONS.has(d)) &&
    filterFields(plan.filter).every((d) => GROUP_DIMENSIONS.has(d))
      ? TABLES.groups
      : TABLES.deployment;
  const columns = plan.groupBy.map((d) => dimensionColumn(d, dialect));
  const select = [
    `${dialect.dateText(date)} AS ${q('processedDate')}`,
    ...plan.groupBy.map((d, i) => aliased(columns[i]!, d, dialect)),
    aliased(dialect.sumBigint(q(MEASURE_COLUMN.licensesSold)), 'licensesSold', dialect),
    aliased(dialect.sumBigint(q(MEASURE_COLUMN.licensesDeployed)), 'licensesDeployed', dialect),
  ].join(', ');
  const orderBy = [`${date} ASC`, ...columns.map((c) => `${dialect.bytewise(c)} ASC`)].join(', ');
  return {
    sql:
      `SELECT ${select} FROM ${q(table)} WHERE ${conditions.join(' AND ')}` +
      ` GROUP BY ${[date, ...columns].join(', ')} ORDER BY ${orderBy}`,
    params: params.values,
  };
}

/**
 * The rows (customer, product, channel) that differ between two snapshots of the partner: present
 * in one only, or with other sold or deployed counts. Columns `customerTenantId`, `customerName`,
 * `productId`, `productName`, `serviceCode`, `serviceName`, `channel` (the `to` snapshot's values
 * when it has the row), `soldBefore`, `deployedBefore`, `soldAfter`, `deployedAfter` (null on the
 * side without the row), ordered byte-wise by (customer, product, channel); one page of them
 * (`top`, `skip`), each row with `total`, the number of changes in all. A page past the end has no
 * row to carry the total.
 */
export function compileChanges(plan: ChangesPlan, dialect: SqlDialect): SqlQuery {
  const params = new ParamList(dialect);
  const q = dialect.quoteIdent;
  const side = (date: string) => {
    const where = [
      `${q('partner_id')} = ${params.add(plan.partnerId)}`,
      `${q('processed_date')} = ${dialect.dateParam(params.add(date))}`,
      ...(plan.filter === null ? [] : [filterSql(plan.filter, dialect, params)]),
    ];
    return `SELECT * FROM ${q(TABLES.deployment)} WHERE ${where.join(' AND ')}`;
  };
  const before = side(plan.from);
  const after = side(plan.to);
  const key = ['customerTenantId', 'productId', 'channel'] as const;
  const col = (d: Dimension) => q(DIMENSION_INFO[d].column);
  const both = (d: Dimension) => `coalesce(${q('a')}.${col(d)}, ${q('b')}.${col(d)}) AS ${q(d)}`;
  const sold = q(MEASURE_COLUMN.licensesSold);
  const deployed = q(MEASURE_COLUMN.licensesDeployed);
  const select = [
    // A change is described by the same fields as an E3 row.
    ...CUSTOMER_PRODUCT_FIELDS.map(both),
    `${q('b')}.${sold} AS ${q('soldBefore')}`,
    `${q('b')}.${deployed} AS ${q('deployedBefore')}`,
    `${q('a')}.${sold} AS ${q('soldAfter')}`,
    `${q('a')}.${deployed} AS ${q('deployedAfter')}`,
  ].join(', ');
  const on = key.map((d) => `${q('a')}.${col(d)} = ${q('b')}.${col(d)}`).join(' AND ');
  const differs =
    `${q('a')}.${col('customerTenantId')} IS NULL OR ${q('b')}.${col('customerTenantId')} IS NULL` +
    ` OR ${q('a')}.${sold} <> ${q('b')}.${sold} OR ${q('a')}.${deployed} <> ${q('b')}.${deployed}`;
  const joined =
    `SELECT ${select} FROM (${before}) AS ${q('b')} FULL OUTER JOIN (${after}) AS ${q('a')} ON ${on}` +
    ` WHERE ${differs}`;
  const orderBy = key.map((d) => `${dialect.bytewise(q(d))} ASC`).join(', ');
  checkPaging(plan);
  const total = `count(*) OVER () AS ${q('total')}`;
  return {
    sql: `SELECT *, ${total} FROM (${joined}) AS ${q('c')} ORDER BY ${orderBy} ${params.page(plan)}`,
    params: params.values,
  };
}
