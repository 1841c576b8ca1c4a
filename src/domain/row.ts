/** One licenses-deployment fact: a customer tenant's seats of one product in one channel on one day. */
export interface DeploymentRow {
  /** `YYYY-MM-DD`, the UTC processed date of the snapshot the row belongs to. */
  readonly processedDate: string;
  readonly serviceCode: string;
  readonly serviceName: string;
  readonly channel: string;
  /** Upper-case GUID. */
  readonly customerTenantId: string;
  readonly customerName: string;
  /** Upper-case GUID. */
  readonly productId: string;
  readonly productName: string;
  readonly licensesDeployed: number;
  readonly licensesSold: number;
}

/**
 * A batch of rows held as parallel columns. Bulk paths (import, store load, page serialisation)
 * stay columnar because converting millions of rows to objects dominates their cost.
 */
export interface RowColumns {
  readonly processedDate: string[];
  readonly serviceCode: string[];
  readonly serviceName: string[];
  readonly channel: string[];
  readonly customerTenantId: string[];
  readonly customerName: string[];
  readonly productId: string[];
  readonly productName: string[];
  readonly licensesDeployed: number[];
  readonly licensesSold: number[];
}

export function emptyRowColumns(): RowColumns {
  return {
    processedDate: [],
    serviceCode: [],
    serviceName: [],
    channel: [],
    customerTenantId: [],
    customerName: [],
    productId: [],
    productName: [],
    licensesDeployed: [],
    licensesSold: [],
  };
}

export function pushRow(cols: RowColumns, row: DeploymentRow): void {
  cols.processedDate.push(row.processedDate);
  cols.serviceCode.push(row.serviceCode);
  cols.serviceName.push(row.serviceName);
  cols.channel.push(row.channel);
  cols.customerTenantId.push(row.customerTenantId);
  cols.customerName.push(row.customerName);
  cols.productId.push(row.productId);
  cols.productName.push(row.productName);
  cols.licensesDeployed.push(row.licensesDeployed);
  cols.licensesSold.push(row.licensesSold);
}

export function rowCount(cols: RowColumns): number {
  return cols.processedDate.length;
}
