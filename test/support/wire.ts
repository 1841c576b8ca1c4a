import type { DeploymentRow } from '../../src/domain/row.ts';

export const E5 = '/v1/analytics/commercial/deployment/license/';

/** An E5 response body as the tests read it. */
export interface Page {
  Value: Record<string, unknown>[];
  '@nextLink': string | null;
  TotalCount: number;
}

/**
 * A stored row as E5 must serve it: ten fields in Partner Center's order, `processedDateTime` at
 * midnight with no zone. `day` overrides the row's own date (for rows re-imported on another day).
 */
export function wireRow(r: DeploymentRow, day: string = r.processedDate): Record<string, unknown> {
  return {
    processedDateTime: `${day}T00:00:00`,
    serviceCode: r.serviceCode,
    serviceName: r.serviceName,
    channel: r.channel,
    customerTenantId: r.customerTenantId,
    customerName: r.customerName,
    productId: r.productId,
    productName: r.productName,
    licensesDeployed: r.licensesDeployed,
    licensesSold: r.licensesSold,
  };
}
