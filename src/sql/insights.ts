/**
 * The insights' reads (docs/extension-api.md, docs/prices.md): unassigned seats per customer and
 * product with their monthly cost, and subscriptions ending soon with what could be dropped at
 * renewal. Pure, like `compile.ts`: every literal is a bound parameter.
 *
 * Money is summed in whole cents (BIGINT): an item's cost is rounded to the cent once, and a total
 * is the exact sum of its items' costs.
 */
import type { RenewalsPlan, ShelfwarePlan } from '../query/query-plan.ts';
import type { SqlDialect } from './dialect.ts';
import { filterSql } from './filter-sql.ts';
import { ParamList } from './params.ts';
import { type SqlQuery, TABLES } from './query.ts';

/**
 * The price each licensed product is costed at (`sku_id`, `rn` = 1): the partner's override when
 * there is one, else the price sheet's lowest monthly price (then by currency, term and plan, so
 * the choice is stable).
 */
function effectivePrices(dialect: SqlDialect, partner: string): string {
  const q = dialect.quoteIdent;
  return (
    `SELECT ${q('sku_id')}, ${q('currency')}, ${q('unit_price')}, ${q('billing_plan')}, ${q('term_duration')},` +
    ` ${q('monthly_price')}, row_number() OVER (PARTITION BY ${q('sku_id')} ORDER BY` +
    ` CASE WHEN ${q('source')} = 'override' THEN 0 ELSE 1 END, ${q('monthly_price')},` +
    ` ${dialect.bytewise(q('currency'))}, ${dialect.bytewise(q('term_duration'))},` +
    ` ${dialect.bytewise(q('billing_plan'))}) AS ${q('rn')}` +
    ` FROM ${q('prices')} WHERE ${q('partner_id')} = ${partner}`
  );
}

/** Sold and deployed per customer and product of one snapshot (rows matching `where`). */
function perProduct(dialect: SqlDialect, where: string): string {
  const q = dialect.quoteIdent;
  return (
    `SELECT ${q('customer_tenant_id')}, min(${q('customer_name')}) AS ${q('customer_name')},` +
    ` ${q('product_id')}, min(${q('product_name')}) AS ${q('product_name')},` +
    ` ${dialect.sumBigint(q('licenses_sold'))} AS ${q('sold')},` +
    ` ${dialect.sumBigint(q('licenses_deployed'))} AS ${q('deployed')}` +
    ` FROM ${q(TABLES.deployment)} WHERE ${where}` +
    ` GROUP BY ${q('customer_tenant_id')}, ${q('product_id')}`
  );
}

/** The `shelfware` CTE: one row per customer and product with unassigned seats, priced where known. */
function shelfwareCte(plan: ShelfwarePlan, dialect: SqlDialect, params: ParamList): string {
  const q = dialect.quoteIdent;
  const partner = params.add(plan.partnerId);
  const scope = `${q('partner_id')} = ${partner} AND ${q('processed_date')} = ${dialect.dateParam(params.add(plan.processedDate))}`;
  const where = plan.filter === null ? scope : `${scope} AND ${filterSql(plan.filter, dialect, params)}`;
  const d = (c: string) => `${q('d')}.${q(c)}`;
  const p = (c: string) => `${q('p')}.${q(c)}`;
  const unassigned = `(${d('sold')} - ${d('deployed')})`;
  return (
    `WITH ${q('d')} AS (${perProduct(dialect, where)}),` +
    ` ${q('p')} AS (${effectivePrices(dialect, partner)}),` +
    ` ${q('shelfware')} AS (SELECT ${d('customer_tenant_id')}, ${d('customer_name')}, ${d('product_id')},` +
    ` ${d('product_name')}, ${d('sold')}, ${d('deployed')}, ${unassigned} AS ${q('unassigned')},` +
    ` ${p('unit_price')}, ${p('currency')}, ${p('billing_plan')}, ${p('term_duration')}, ${p('monthly_price')},` +
    ` CAST(round(${p('monthly_price')} * ${unassigned} * 100) AS BIGINT) AS ${q('cost_cents')}` +
    ` FROM ${q('d')} LEFT JOIN ${q('p')} ON ${p('sku_id')} = ${d('product_id')} AND ${p('rn')} = 1` +
    ` WHERE ${d('sold')} > ${d('deployed')})`
  );
}

/** An insight's two statements: one page of its items (null when `top` is 0), and its totals. */
export interface InsightQueries {
  readonly page: SqlQuery | null;
  /**
   * Per currency (NULL: the unpriced items), by currency byte-wise: `currency`, `items`, `seats`
   * (the sum of the items' `seatsColumn`) and `cost_cents`.
   */
  readonly totals: SqlQuery;
}

/**
 * The page and totals statements over the CTE `cte` makes (a table named `name`), its items in
 * `order`; each statement binds its own parameters.
 */
function insightQueries(
  dialect: SqlDialect,
  cte: (params: ParamList) => string,
  name: string,
  order: readonly string[],
  seatsColumn: string,
  paging: { readonly top: number; readonly skip: number },
): InsightQueries {
  const q = dialect.quoteIdent;
  let page: SqlQuery | null = null;
  if (paging.top > 0) {
    const params = new ParamList(dialect);
    const sql = `${cte(params)} SELECT * FROM ${q(name)} ORDER BY ${order.join(', ')} ${params.page(paging)}`;
    page = { sql, params: params.values };
  }
  const params = new ParamList(dialect);
  const totals =
    `${cte(params)} SELECT ${q('currency')}, count(*) AS ${q('items')},` +
    ` ${dialect.sumBigint(q(seatsColumn))} AS ${q('seats')},` +
    ` ${dialect.sumBigint(q('cost_cents'))} AS ${q('cost_cents')}` +
    ` FROM ${q(name)} GROUP BY ${q('currency')} ORDER BY ${dialect.bytewise(q('currency'))} NULLS FIRST`;
  return { page, totals: { sql: totals, params: params.values } };
}

/**
 * Unassigned seats. A page's columns: `customer_tenant_id`, `customer_name`, `product_id`,
 * `product_name`, `sold`, `deployed`, `unassigned`, and the price's `unit_price`, `currency`,
 * `billing_plan`, `term_duration`, `monthly_price` and `cost_cents` (NULL without a price); by
 * cost (unpriced last), then unassigned seats, then customer and product byte-wise. The totals'
 * `seats` are unassigned seats.
 */
export function compileShelfware(plan: ShelfwarePlan, dialect: SqlDialect): InsightQueries {
  const q = dialect.quoteIdent;
  return insightQueries(
    dialect,
    (params) => shelfwareCte(plan, dialect, params),
    'shelfware',
    [
      `${q('cost_cents')} DESC NULLS LAST`,
      `${q('unassigned')} DESC`,
      dialect.bytewise(q('customer_tenant_id')),
      dialect.bytewise(q('product_id')),
    ],
    'unassigned',
    plan,
  );
}

/** The `renewals` CTE: active subscriptions ending in the window, with unassigned seats and price. */
function renewalsCte(plan: RenewalsPlan, dialect: SqlDialect, params: ParamList): string {
  const q = dialect.quoteIdent;
  const partner = params.add(plan.partnerId);
  const day = dialect.dateParam(params.add(plan.processedDate));
  const days = params.add(plan.withinDays);
  const scope = `${q('partner_id')} = ${partner} AND ${q('processed_date')} = ${day}`;
  const s = (c: string) => `${q('s')}.${q(c)}`;
  const d = (c: string) => `${q('d')}.${q(c)}`;
  const c = (col: string) => `${q('c')}.${q(col)}`;
  const r = (col: string) => `${q('r')}.${q(col)}`;
  const pr = (col: string) => `${q('pr')}.${q(col)}`;
  const unassigned = `CASE WHEN ${d('sold')} > ${d('deployed')} THEN ${d('sold')} - ${d('deployed')} ELSE 0 END`;
  // The active subscriptions of the snapshot, each with the seats of its customer's product held by
  // subscriptions whose terms end before its own (`before_qty`): a product's unassigned seats are
  // given to its subscriptions in the order they renew, so their reducible seats never add up to
  // more than the product's unassigned seats.
  const active =
    `SELECT *, CAST(sum(${q('quantity')}) OVER (PARTITION BY ${q('customer_tenant_id')}, ${q('product_id')}` +
    ` ORDER BY ${q('commitment_end_date')} NULLS LAST, ${dialect.bytewise(q('subscription_id'))}` +
    ` ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS BIGINT) AS ${q('before_qty')}` +
    ` FROM ${q(TABLES.subscriptions)} WHERE ${scope} AND ${q('status')} = 'active'`;
  const subscriptions =
    `SELECT ${s('customer_tenant_id')}, coalesce(${c('customer_name')}, '') AS ${q('customer_name')},` +
    ` ${s('subscription_id')}, ${s('offer_id')}, ${s('offer_name')}, ${s('friendly_name')}, ${s('product_id')},` +
    ` ${d('product_name')}, ${s('quantity')}, ${s('term_duration')}, ${s('billing_cycle')},` +
    ` ${dialect.dateText(s('commitment_end_date'))} AS ${q('commitment_end_date')},` +
    ` ${s('commitment_end_date')} - ${day} AS ${q('days_until_end')},` +
    ` CAST(${s('auto_renew_enabled')} AS INTEGER) AS ${q('auto_renew_enabled')},` +
    ` CASE WHEN ${d('product_id')} IS NULL THEN NULL ELSE ${unassigned} END AS ${q('unassigned')},` +
    ` ${q('s')}.${q('before_qty')}` +
    ` FROM (${active}) AS ${q('s')}` +
    ` LEFT JOIN (${perProduct(dialect, scope)}) AS ${q('d')}` +
    ` ON ${d('customer_tenant_id')} = ${s('customer_tenant_id')} AND ${d('product_id')} = ${s('product_id')}` +
    ` LEFT JOIN (SELECT ${q('customer_tenant_id')}, min(${q('customer_name')}) AS ${q('customer_name')}` +
    ` FROM ${q(TABLES.deployment)} WHERE ${scope} GROUP BY ${q('customer_tenant_id')}) AS ${q('c')}` +
    ` ON ${c('customer_tenant_id')} = ${s('customer_tenant_id')}` +
    ` WHERE ${s('commitment_end_date')} >= ${day}` +
    ` AND ${s('commitment_end_date')} <= ${day} + CAST(${days} AS INTEGER)`;
  const filtered =
    plan.filter === null
      ? subscriptions
      : `SELECT * FROM (${subscriptions}) AS ${q('f')} WHERE ${filterSql(plan.filter, dialect, params)}`;
  // A subscription is costed at the partner's override, else at the price-sheet price of its own
  // term and billing cycle, else at the lowest monthly price of its product.
  const priced =
    `SELECT ${r('customer_tenant_id')}, ${r('subscription_id')}, ${pr('unit_price')}, ${pr('currency')},` +
    ` ${pr('billing_plan')}, ${pr('monthly_price')}, row_number() OVER (PARTITION BY` +
    ` ${r('customer_tenant_id')}, ${r('subscription_id')} ORDER BY` +
    ` CASE WHEN ${pr('source')} = 'override' THEN 0 ELSE 1 END,` +
    ` CASE WHEN ${pr('term_duration')} = ${r('term_duration')} AND ${pr('billing_plan')} = ${r('billing_cycle')} THEN 0 ELSE 1 END,` +
    ` ${pr('monthly_price')}, ${dialect.bytewise(pr('currency'))}, ${dialect.bytewise(pr('term_duration'))},` +
    ` ${dialect.bytewise(pr('billing_plan'))}) AS ${q('rn')}` +
    ` FROM ${q('r')} JOIN ${q('prices')} AS ${q('pr')} ON ${pr('partner_id')} = ${partner}` +
    ` AND ${pr('sku_id')} = ${r('product_id')}`;
  const reducible =
    `CASE WHEN ${r('unassigned')} IS NULL THEN 0 ELSE greatest(0, least(${r('quantity')},` +
    ` ${r('unassigned')} - coalesce(${r('before_qty')}, 0))) END`;
  const p = (col: string) => `${q('p')}.${q(col)}`;
  return (
    `WITH ${q('r')} AS (${filtered}), ${q('p')} AS (${priced}),` +
    ` ${q('renewals')} AS (SELECT ${q('r')}.*, ${reducible} AS ${q('reducible')},` +
    ` ${p('unit_price')}, ${p('currency')}, ${p('billing_plan')}, ${p('monthly_price')},` +
    ` CAST(round(${p('monthly_price')} * (${reducible}) * 100) AS BIGINT) AS ${q('cost_cents')}` +
    ` FROM ${q('r')} LEFT JOIN ${q('p')} ON ${p('customer_tenant_id')} = ${r('customer_tenant_id')}` +
    ` AND ${p('subscription_id')} = ${r('subscription_id')} AND ${p('rn')} = 1)`
  );
}

/**
 * Renewals. A page's columns: the subscription's (`customer_tenant_id`, `customer_name`,
 * `subscription_id`, `offer_id`, `offer_name`, `friendly_name`, `product_id`, `product_name`,
 * `quantity`, `term_duration`, `billing_cycle`, `commitment_end_date` as text, `days_until_end`,
 * `auto_renew_enabled`, `unassigned`), `reducible`, and the price's `unit_price`, `currency`,
 * `billing_plan`, `monthly_price`, `cost_cents`; by end date, then cost, customer and subscription.
 * The totals' `seats` are reducible seats.
 */
export function compileRenewals(plan: RenewalsPlan, dialect: SqlDialect): InsightQueries {
  const q = dialect.quoteIdent;
  return insightQueries(
    dialect,
    (params) => renewalsCte(plan, dialect, params),
    'renewals',
    [
      q('commitment_end_date'),
      `${q('cost_cents')} DESC NULLS LAST`,
      `${q('reducible')} DESC`,
      dialect.bytewise(q('customer_tenant_id')),
      dialect.bytewise(q('subscription_id')),
    ],
    'reducible',
    plan,
  );
}
