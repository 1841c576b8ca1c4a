/**
 * The seven dimension fields of a licenses-deployment row that E5 lets a caller filter and group by
 * (Partner Center, "Get licenses deployment information": filter and groupby parameters).
 *
 * This catalog is the only source of column identifiers for generated SQL: a name that is not in it
 * can never reach a query.
 */
export const DIMENSIONS = [
  'serviceCode',
  'serviceName',
  'channel',
  'customerTenantId',
  'customerName',
  'productId',
  'productName',
] as const;

export type Dimension = (typeof DIMENSIONS)[number];

export const MEASURES = ['licensesDeployed', 'licensesSold'] as const;

/**
 * The ten fields of an ungrouped E5 row, in the order Partner Center emits them: the date, the
 * dimensions in catalog order, the measures.
 */
export const ROW_FIELDS = ['processedDateTime', ...DIMENSIONS, ...MEASURES] as const;

export type RowField = (typeof ROW_FIELDS)[number];
export type Measure = (typeof MEASURES)[number];

export interface DimensionInfo {
  readonly name: Dimension;
  /** Column name in every store. */
  readonly column: string;
  /**
   * GUID fields are stored upper-case and compared case-insensitively by upper-casing the literal
   * (Partner Center emits GUIDs upper-case; callers send either case).
   */
  readonly guid: boolean;
}

export const DIMENSION_INFO: Readonly<Record<Dimension, DimensionInfo>> = Object.freeze({
  serviceCode: { name: 'serviceCode', column: 'service_code', guid: false },
  serviceName: { name: 'serviceName', column: 'service_name', guid: false },
  channel: { name: 'channel', column: 'channel', guid: false },
  customerTenantId: { name: 'customerTenantId', column: 'customer_tenant_id', guid: true },
  customerName: { name: 'customerName', column: 'customer_name', guid: false },
  productId: { name: 'productId', column: 'product_id', guid: true },
  productName: { name: 'productName', column: 'product_name', guid: false },
});

export const MEASURE_COLUMN: Readonly<Record<Measure, string>> = Object.freeze({
  licensesDeployed: 'licenses_deployed',
  licensesSold: 'licenses_sold',
});

const BY_LOWER = new Map<string, Dimension>(DIMENSIONS.map((d) => [d.toLowerCase(), d]));

/** Field names match case-insensitively; the canonical camelCase name is returned, or undefined. */
export function lookupDimension(name: string): Dimension | undefined {
  return BY_LOWER.get(name.toLowerCase());
}
