/**
 * The port's result types from the columns of a compiled read (`src/sql/compile.ts` names every
 * column by field), shared by the adapters so that both stores answer alike.
 */
import type { CatalogSku } from '../domain/sku-catalog.ts';
import type {
  ColumnarResult,
  CustomerProduct,
  ServiceTotals,
  SnapshotInfo,
  SubscriptionMatch,
  SubscriptionRecord,
} from './store.ts';

type Cell = string | number | null | undefined;

const cell = (r: ColumnarResult, name: string, i: number): Cell => r.columns[name]?.[i];
const text = (r: ColumnarResult, name: string, i: number): string => String(cell(r, name, i) ?? '');
const count = (r: ColumnarResult, name: string, i: number): number => Number(cell(r, name, i) ?? 0);
const each = <T>(r: ColumnarResult, row: (i: number) => T): T[] =>
  Array.from({ length: r.rowCount }, (_, i) => row(i));

/** The `processedDate` of a one-row result, or null when it has none. */
export function processedDateOf(r: ColumnarResult): string | null {
  const value = cell(r, 'processedDate', 0);
  return value === undefined || value === null ? null : String(value);
}

export function serviceTotalsOf(r: ColumnarResult): ServiceTotals[] {
  return each(r, (i) => ({
    serviceCode: text(r, 'serviceCode', i),
    channel: text(r, 'channel', i),
    licensesSold: count(r, 'licensesSold', i),
    cappedDeployed: count(r, 'cappedDeployed', i),
  }));
}

export function customerProductsOf(r: ColumnarResult): CustomerProduct[] {
  return each(r, (i) => ({
    customerTenantId: text(r, 'customerTenantId', i),
    customerName: text(r, 'customerName', i),
    productId: text(r, 'productId', i),
    productName: text(r, 'productName', i),
    serviceCode: text(r, 'serviceCode', i),
    serviceName: text(r, 'serviceName', i),
    channel: text(r, 'channel', i),
    licensesDeployed: count(r, 'licensesDeployed', i),
    licensesSold: count(r, 'licensesSold', i),
  }));
}

export function snapshotsOf(r: ColumnarResult): SnapshotInfo[] {
  return each(r, (i) => ({
    processedDate: text(r, 'processedDate', i),
    rows: count(r, 'rowCount', i),
    customers: count(r, 'customerCount', i),
    products: count(r, 'productCount', i),
    importedAt: text(r, 'importedAt', i),
    source: text(r, 'source', i),
    missingCustomers: parseList(cell(r, 'missingCustomers', i)),
  }));
}

export function catalogOf(r: ColumnarResult): CatalogSku[] {
  return each(r, (i) => ({
    skuId: text(r, 'skuId', i),
    partNumber: text(r, 'partNumber', i),
    displayName: text(r, 'displayName', i),
    productName: text(r, 'productName', i),
    serviceCode: text(r, 'serviceCode', i),
    serviceName: text(r, 'serviceName', i),
  }));
}

export function subscriptionsOf(r: ColumnarResult): SubscriptionRecord[] {
  const orNull = (name: string, i: number): string | null => {
    const v = cell(r, name, i);
    return v === null || v === undefined ? null : String(v);
  };
  const flag = (name: string, i: number): boolean | null => {
    const v = cell(r, name, i);
    return v === null || v === undefined ? null : Number(v) !== 0;
  };
  return each(r, (i) => ({
    processedDate: text(r, 'processedDate', i),
    customerTenantId: text(r, 'customerTenantId', i),
    subscriptionId: text(r, 'subscriptionId', i),
    offerId: text(r, 'offerId', i),
    offerName: text(r, 'offerName', i),
    friendlyName: text(r, 'friendlyName', i),
    quantity: count(r, 'quantity', i),
    unitType: text(r, 'unitType', i),
    status: text(r, 'status', i),
    termDuration: text(r, 'termDuration', i),
    billingCycle: text(r, 'billingCycle', i),
    commitmentEndDate: orNull('commitmentEndDate', i),
    autoRenewEnabled: flag('autoRenewEnabled', i),
    isTrial: flag('isTrial', i),
    parentSubscriptionId: orNull('parentSubscriptionId', i),
    productId: orNull('productId', i),
    match: text(r, 'match', i) as SubscriptionMatch,
  }));
}

/** `missing_customers` is a JSON array of tenant ids. */
function parseList(value: Cell): string[] {
  if (typeof value !== 'string' || value === '') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
