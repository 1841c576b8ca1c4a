/**
 * Shared pieces of the store contract suite: filter builders, a reference evaluator computing the
 * expected answer in plain TypeScript, a snapshot of what a store holds, read through the port, and
 * the cases each adapter's own file runs with values of its own.
 */
import { expect } from 'vitest';
import {
  DIMENSION_INFO,
  DIMENSIONS,
  type Dimension,
  MEASURES,
  ROW_FIELDS,
  type RowField,
} from '../../src/domain/fields.ts';
import { normalizeGuid } from '../../src/domain/guid.ts';
import type { DeploymentRow } from '../../src/domain/row.ts';
import type { CatalogSku } from '../../src/domain/sku-catalog.ts';
import { assertNever } from '../../src/errors.ts';
import type { CompareOp, FilterExpr } from '../../src/query/ast.ts';
import type { QueryPlan } from '../../src/query/query-plan.ts';
import type { ColumnarResult, RawRow, RawValue, SnapshotInfo, Store } from '../../src/store/store.ts';
import {
  CUSTOMER,
  canonicalOrder,
  compareBytes,
  DAY_1,
  DAY_2,
  PARTNER_A,
  PARTNER_A_ROWS,
  PRODUCT,
  toColumns,
} from '../fixtures/contract-rows.ts';
import { loadColumns } from '../support/load.ts';

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

/**
 * Reference semantics of the filter language (spec §3): GUIDs normalised, other values compared
 * without case (JS `toLowerCase`, which agrees with the stores' `lower` for the fixtures' letters).
 */
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

/** What a store holds for one partner, read through the port: its snapshots and each one's rows. */
export interface PartnerState {
  readonly snapshots: SnapshotInfo[];
  /** Every row of each snapshot, by processed date, in page order. */
  readonly rows: Record<string, Row[]>;
}

/** Everything the store holds for `partners` (and its catalog), to compare before and after a write. */
export async function storeState(
  store: Store,
  partners: readonly string[],
): Promise<{ partners: Record<string, PartnerState>; catalog: CatalogSku[] }> {
  const out: Record<string, PartnerState> = {};
  for (const partnerId of partners) {
    const snapshots = await store.listSnapshots(partnerId);
    const rows: Record<string, Row[]> = {};
    for (const s of snapshots) rows[s.processedDate] = await allRows(store, partnerId, s.processedDate);
    out[partnerId] = { snapshots, rows };
  }
  return { partners: out, catalog: await store.catalog() };
}

/** Every row of a snapshot in page order, read a page at a time. */
export async function allRows(store: Store, partnerId: string, processedDate: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (let skip = 0; ; skip += 10_000) {
    const page = await store.deploymentPage(plan(partnerId, processedDate, { skip }));
    rows.push(...rowsOf(page.rows));
    if (skip + 10_000 >= page.totalCount) return rows;
  }
}

/** A good input row (a key partner A's fixture does not hold on DAY_2). */
export const GOOD_RAW: Readonly<Record<RowField, RawValue>> = {
  processedDateTime: DAY_2,
  serviceCode: 'o365',
  serviceName: 'Microsoft Office 365',
  channel: 'direct',
  customerTenantId: CUSTOMER.cairo,
  customerName: 'Cairo',
  productId: PRODUCT.e3,
  productName: 'OFFICE 365 E3',
  licensesDeployed: 1,
  licensesSold: 2,
};

/** GOOD_RAW with some values changed, as a load's sink takes it from line `line` of a row file. */
export function rawRow(line: number, changes: Partial<Record<RowField, RawValue>> = {}): RawRow {
  const values = { ...GOOD_RAW, ...changes };
  return { line, values: ROW_FIELDS.map((f) => values[f] as RawValue) };
}

/**
 * A store that held partner A's fixture before it was closed holds it still: the snapshots in
 * `list`, DAY_2 the latest, and DAY_1's rows.
 */
export async function expectPartnerAKept(store: Store, list: readonly SnapshotInfo[]): Promise<void> {
  expect(await store.latestSnapshot(PARTNER_A)).toBe(DAY_2);
  expect(await store.listSnapshots(PARTNER_A)).toEqual(list);
  expect(await allRows(store, PARTNER_A, DAY_1)).toEqual(
    canonicalOrder(PARTNER_A_ROWS.filter((r) => r.processedDate === DAY_1)).map(pageRow),
  );
}

/**
 * Loads one row of partner A on DAY_2 for each of `values` (as its customer, product and service
 * names and its channel) into a store of `open`'s, closed afterwards, and expects each value back
 * as the load trims it (white space at either end, see src/sql/ingest.ts), the channel in lower
 * case. `values` must hold the white space run whose trimmed rest is the U+0085 that JavaScript's
 * trim leaves in place.
 */
export async function expectUnicodeRoundTrip(
  open: () => Promise<Store>,
  values: readonly string[],
): Promise<void> {
  const store = await open();
  try {
    const rows = toColumns(
      values.map((v, i) => ({
        ...PARTNER_A_ROWS[0]!,
        processedDate: DAY_2,
        customerTenantId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        customerName: v,
        productName: v,
        serviceName: v,
        channel: v,
      })),
    );
    await loadColumns(store, PARTNER_A, rows);
    const page = await allRows(store, PARTNER_A, DAY_2);
    const trimmed = values.map((v) => v.trim());
    expect(trimmed[values.indexOf('\t\n\r\v\f\u0085\u2028\u2029')]).toBe('\u0085');
    for (const field of ['customerName', 'productName', 'serviceName']) {
      expect(page.map((r) => r[field])).toEqual(trimmed);
    }
    expect(page.map((r) => r.channel)).toEqual(trimmed.map((v) => v.toLowerCase()));
  } finally {
    await store.close();
  }
}
