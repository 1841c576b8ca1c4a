/**
 * Shared pieces of the store contract suite: filter builders, a reference evaluator computing the
 * expected answer in plain TypeScript, and a dialect-neutral dump of both tables.
 */
import { DIMENSION_INFO, DIMENSIONS, type Dimension, MEASURES } from '../../src/domain/fields.ts';
import { normalizeGuid } from '../../src/domain/guid.ts';
import type { DeploymentRow } from '../../src/domain/row.ts';
import { assertNever } from '../../src/errors.ts';
import type { CompareOp, FilterExpr } from '../../src/query/ast.ts';
import type { QueryPlan } from '../../src/query/query-plan.ts';
import type { ColumnarResult, Store } from '../../src/store/store.ts';
import { compareBytes } from '../fixtures/contract-rows.ts';

export type Row = Record<string, string | number | null>;

const SPAN = Object.freeze({ start: 0, end: 0 });

export function cmp(field: Dimension, op: CompareOp, value: string): FilterExpr {
  return { kind: 'comparison', field, op, value, span: SPAN };
}

export function and(left: FilterExpr, right: FilterExpr): FilterExpr {
  return { kind: 'logical', op: 'and', left, right, span: SPAN };
}

export function or(left: FilterExpr, right: FilterExpr): FilterExpr {
  return { kind: 'logical', op: 'or', left, right, span: SPAN };
}

export function plan(
  partnerId: string,
  processedDate: string,
  overrides: Partial<Omit<QueryPlan, 'partnerId' | 'processedDate'>> = {},
): QueryPlan {
  return { partnerId, processedDate, filter: null, groupBy: [], top: 10_000, skip: 0, ...overrides };
}

/** Columnar result → row objects (fine for a test; the service never does this). */
export function rowsOf(result: ColumnarResult): Row[] {
  const names = Object.keys(result.columns);
  const out: Row[] = [];
  for (let i = 0; i < result.rowCount; i++) {
    const row: Row = {};
    for (const name of names) row[name] = result.columns[name]![i] ?? null;
    out.push(row);
  }
  return out;
}

/** The E5 ungrouped shape the compiled page returns (no processedDate: the plan knows it). */
export function pageRow(r: DeploymentRow): Row {
  const row: Row = {};
  for (const d of DIMENSIONS) row[d] = r[d];
  for (const m of MEASURES) row[m] = r[m];
  return row;
}

/** Reference semantics of the filter language (spec §3), for ASCII-case literals. */
export function matches(row: DeploymentRow, expr: FilterExpr): boolean {
  switch (expr.kind) {
    case 'comparison': {
      const stored = row[expr.field];
      const equal = DIMENSION_INFO[expr.field].guid
        ? stored === (normalizeGuid(expr.value) ?? expr.value.toUpperCase())
        : stored.toLowerCase() === expr.value.toLowerCase();
      return expr.op === 'eq' ? equal : !equal;
    }
    case 'logical':
      return expr.op === 'and'
        ? matches(row, expr.left) && matches(row, expr.right)
        : matches(row, expr.left) || matches(row, expr.right);
    default:
      return assertNever(expr);
  }
}

/** Expected grouped rows: sums per group, ordered by the groupby fields byte-wise. */
export function expectedGroups(rows: readonly DeploymentRow[], groupBy: readonly Dimension[]): Row[] {
  const groups = new Map<string, Row>();
  for (const r of rows) {
    const key = JSON.stringify(groupBy.map((d) => r[d]));
    let g = groups.get(key);
    if (g === undefined) {
      g = {};
      for (const d of groupBy) g[d] = r[d];
      g.licensesDeployed = 0;
      g.licensesSold = 0;
      groups.set(key, g);
    }
    g.licensesDeployed = Number(g.licensesDeployed) + r.licensesDeployed;
    g.licensesSold = Number(g.licensesSold) + r.licensesSold;
  }
  return [...groups.values()].sort((a, b) => {
    for (const d of groupBy) {
      const c = compareBytes(String(a[d]), String(b[d]));
      if (c !== 0) return c;
    }
    return 0;
  });
}

export interface Dump {
  readonly deployment: Row[];
  readonly snapshots: Row[];
}

/** Every row of both tables, rendered the same way on every dialect. */
export async function dump(store: Store): Promise<Dump> {
  const q = store.dialect.quoteIdent;
  const day = store.dialect.dateText(q('processed_date'));
  const deployment = await store.select({
    sql:
      `SELECT ${q('partner_id')}, ${day} AS ${q('day')}, ${q('ord')}, ${q('service_code')}, ${q('service_name')},` +
      ` ${q('channel')}, ${q('customer_tenant_id')}, ${q('customer_name')}, ${q('product_id')},` +
      ` ${q('product_name')}, ${q('licenses_deployed')}, ${q('licenses_sold')} FROM ${q('deployment')}` +
      ` ORDER BY ${q('partner_id')}, ${q('processed_date')}, ${q('ord')}`,
    params: [],
  });
  const snapshots = await store.select({
    sql:
      `SELECT ${q('partner_id')}, ${day} AS ${q('day')}, ${q('row_count')}, ${q('customer_count')},` +
      ` ${q('product_count')}, CAST(${q('imported_at')} AS VARCHAR) AS ${q('imported')}` +
      ` FROM ${q('snapshots')} ORDER BY ${q('partner_id')}, ${q('processed_date')}`,
    params: [],
  });
  return { deployment: rowsOf(deployment), snapshots: rowsOf(snapshots) };
}
