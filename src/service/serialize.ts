/**
 * Response bodies written straight from columns. A 10,000-row page is ~4 MB of JSON; building it as
 * text avoids materialising 10,000 row objects first (docs/architecture.md, "A request, end to end":
 * the store returns columns, never row objects).
 */

import type { Static } from 'typebox';
import type { CustomerInsightsCollection, PartnerInsightsCollection } from '../contract/schemas.ts';
import type { CustomerInsight, DeploymentPageResult, PartnerInsight } from './deployment-service.ts';

const q = JSON.stringify;

type Column = readonly (string | number | null)[];

export function serializeDeploymentPage(page: DeploymentPageResult): string {
  const { rows } = page;
  const n = rows.rowCount;
  const out = new Array<string>(n);
  const col = (name: string): Column => rows.columns[name] ?? [];
  const deployed = col('licensesDeployed');
  const sold = col('licensesSold');
  if (page.groupBy.length === 0) {
    const head = `{"processedDateTime":${q(`${page.processedDate}T00:00:00`)},"serviceCode":`;
    const sc = col('serviceCode');
    const sn = col('serviceName');
    const ch = col('channel');
    const ct = col('customerTenantId');
    const cn = col('customerName');
    const pi = col('productId');
    const pn = col('productName');
    for (let i = 0; i < n; i++) {
      out[i] =
        `${head}${q(sc[i])},"serviceName":${q(sn[i])},"channel":${q(ch[i])},"customerTenantId":${q(ct[i])}` +
        `,"customerName":${q(cn[i])},"productId":${q(pi[i])},"productName":${q(pn[i])}` +
        `,"licensesDeployed":${Number(deployed[i])},"licensesSold":${Number(sold[i])}}`;
    }
  } else {
    const keys = page.groupBy.map((field) => [`"${field}":`, col(field)] as const);
    for (let i = 0; i < n; i++) {
      let s = '{';
      for (const [key, values] of keys) s += `${key}${q(values[i])},`;
      out[i] = `${s}"licensesDeployed":${Number(deployed[i])},"licensesSold":${Number(sold[i])}}`;
    }
  }
  return `{"Value":[${out.join(',')}],"@nextLink":${q(page.nextLink)},"TotalCount":${page.totalCount}}`;
}

/** Legacy timestamps carry an explicit UTC offset (`…T00:00:00+00:00`), unlike E5's. */
const legacyTimestamp = (day: string): string => `${day}T00:00:00+00:00`;

export function partnerCollection(
  items: readonly PartnerInsight[],
): Static<typeof PartnerInsightsCollection> {
  return {
    totalCount: items.length,
    items: items.map((it) => ({
      proratedDeploymentPercent: it.proratedDeploymentPercent,
      licensesSold: it.licensesSold,
      processedDateTime: legacyTimestamp(it.processedDate),
      // The legacy resource puts the short code in serviceName (see the E1 response example).
      serviceName: it.serviceCode,
      channel: it.channel,
      attributes: { objectType: 'PartnerLicensesDeploymentInsights' as const },
    })),
    attributes: { objectType: 'Collection' },
  };
}

export function customerCollection(
  items: readonly CustomerInsight[],
): Static<typeof CustomerInsightsCollection> {
  return {
    totalCount: items.length,
    items: items.map((it) => ({
      licensesDeployed: it.licensesDeployed,
      licensesSold: it.licensesSold,
      deploymentPercent: it.deploymentPercent,
      customerId: it.customerId,
      customerName: it.customerName,
      productName: it.productName,
      serviceCode: it.serviceCode,
      serviceName: it.serviceName,
      channel: it.channel,
      processedDateTime: legacyTimestamp(it.processedDate),
      attributes: { objectType: 'CustomerLicensesDeploymentInsights' as const },
    })),
    attributes: { objectType: 'Collection' },
  };
}
