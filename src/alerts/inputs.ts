/**
 * The figures of one snapshot the alert rules read, from the store: seats per customer and product
 * (E5 grouped), and, for the rules that need them, the insights service's shelfware (unassigned
 * seats, priced where a price is known) and renewals (docs/extension-api.md), every page of them.
 */
import type { RenewalItem, ShelfwareItem } from '../contract/schemas.ts';
import { MAX_TOP } from '../query/query-plan.ts';
import { InsightsService } from '../service/insights-service.ts';
import type { Store } from '../store/store.ts';
import type { AlertRule } from './config.ts';
import type { AlertInputs, ProductSeats } from './evaluate.ts';

const PRODUCT_GROUPS = ['customerTenantId', 'customerName', 'productId', 'productName'] as const;

/** Reads what `rules` need of the partner's snapshot on `processedDate`. */
export async function gatherInputs(
  store: Store,
  partnerId: string,
  processedDate: string,
  rules: readonly AlertRule[],
): Promise<AlertInputs> {
  const needs = (kind: AlertRule['kind']) => rules.some((r) => r.kind === kind);
  const insights = new InsightsService(store);
  const withinDays = Math.max(-1, ...rules.map((r) => (r.kind === 'renewal' ? r.withinDays : -1)));
  const [products, shelfware, renewals] = await Promise.all([
    needs('deployment') ? productSeats(store, partnerId, processedDate) : [],
    needs('unassigned') || needs('cost')
      ? everyPage<ShelfwareItem>((skip) =>
          insights.shelfware(partnerId, { processedDate, filter: null, top: MAX_TOP, skip }),
        )
      : [],
    withinDays >= 0
      ? everyPage<RenewalItem>((skip) =>
          insights.renewals(partnerId, { processedDate, withinDays, filter: null, top: MAX_TOP, skip }),
        )
      : [],
  ]);
  return { processedDate, products, shelfware, renewals };
}

async function everyPage<T>(
  page: (skip: number) => Promise<{ items: T[]; totalCount: number }>,
): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const { items, totalCount } = await page(out.length);
    out.push(...items);
    if (items.length === 0 || out.length >= totalCount) return out;
  }
}

/** Sold and deployed seats per customer and product, every page. */
export async function productSeats(
  store: Store,
  partnerId: string,
  processedDate: string,
): Promise<ProductSeats[]> {
  const out: ProductSeats[] = [];
  for (let skip = 0; ; skip += MAX_TOP) {
    const page = await store.deploymentPage({
      partnerId,
      processedDate,
      filter: null,
      groupBy: PRODUCT_GROUPS,
      top: MAX_TOP,
      skip,
    });
    const c = page.rows.columns;
    for (let i = 0; i < page.rows.rowCount; i++) {
      out.push({
        customerTenantId: String(c.customerTenantId?.[i] ?? ''),
        customerName: String(c.customerName?.[i] ?? ''),
        productId: String(c.productId?.[i] ?? ''),
        productName: String(c.productName?.[i] ?? ''),
        licensesSold: Number(c.licensesSold?.[i] ?? 0),
        licensesDeployed: Number(c.licensesDeployed?.[i] ?? 0),
      });
    }
    if (page.rows.rowCount < MAX_TOP || skip + page.rows.rowCount >= page.totalCount) return out;
  }
}
