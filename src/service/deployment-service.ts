/**
 * The licenses-deployment use cases behind E5, E1 and E3. Works on any `Store`; computes
 * `TotalCount` and `@nextLink` so the HTTP routes only serialise.
 */
import type { Dimension } from '../domain/fields.ts';
import { normalizeGuid } from '../domain/guid.ts';
import { ApiError } from '../errors.ts';
import type { DeploymentQuery, QueryPlan } from '../query/query-plan.ts';
import {
  compileCustomerLatestDate,
  compileCustomerProducts,
  compileDeploymentCount,
  compileDeploymentPage,
  compileLatestSnapshot,
  compilePartnerSummary,
} from '../sql/compile.ts';
import type { ColumnarResult, Store } from '../store/store.ts';
import { buildNextLink, type LinkBase } from './next-link.ts';

export interface DeploymentPageResult {
  /** The snapshot read, or null when the partner has no data at all. */
  readonly processedDate: string | null;
  readonly groupBy: readonly Dimension[];
  /** Columns named by field (camelCase) plus `licensesDeployed` and `licensesSold`. */
  readonly rows: ColumnarResult;
  readonly totalCount: number;
  readonly nextLink: string | null;
}

export interface PartnerInsight {
  readonly serviceCode: string;
  readonly channel: string;
  readonly licensesSold: number;
  readonly proratedDeploymentPercent: number;
  readonly processedDate: string;
}

export interface CustomerInsight {
  readonly customerId: string;
  readonly customerName: string;
  readonly productId: string;
  readonly productName: string;
  readonly serviceCode: string;
  readonly serviceName: string;
  readonly channel: string;
  readonly licensesDeployed: number;
  readonly licensesSold: number;
  readonly deploymentPercent: number;
  readonly processedDate: string;
}

const EMPTY: ColumnarResult = Object.freeze({ rowCount: 0, columns: Object.freeze({}) });

/** A percentage 0..100 rounded to two decimals; 0 when nothing was sold. */
export function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.round((10_000 * part) / whole) / 100;
}

export class DeploymentService {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async latestSnapshot(partnerId: string): Promise<string | null> {
    const result = await this.#store.select(compileLatestSnapshot(partnerId, this.#store.dialect));
    return (result.columns.processedDate?.[0] as string | undefined) ?? null;
  }

  /** E5: one page of rows or groups, with the total and the link to the next page. */
  async queryPage(partnerId: string, query: DeploymentQuery, link: LinkBase): Promise<DeploymentPageResult> {
    const processedDate = query.processedDate ?? (await this.latestSnapshot(partnerId));
    if (processedDate === null) {
      return { processedDate: null, groupBy: query.groupBy, rows: EMPTY, totalCount: 0, nextLink: null };
    }
    const plan: QueryPlan = {
      partnerId,
      processedDate,
      filter: query.filter,
      groupBy: query.groupBy,
      top: query.top,
      skip: query.skip,
    };
    const dialect = this.#store.dialect;
    const [count, rows] = await Promise.all([
      this.#store.select(compileDeploymentCount(plan, dialect)),
      query.top === 0 ? Promise.resolve(EMPTY) : this.#store.select(compileDeploymentPage(plan, dialect)),
    ]);
    const totalCount = Number(count.columns.total?.[0] ?? 0);
    const nextSkip = query.skip + rows.rowCount;
    const nextLink =
      query.top > 0 && rows.rowCount > 0 && nextSkip < totalCount
        ? buildNextLink(link, { top: query.top, skip: nextSkip, processedDate })
        : null;
    return { processedDate, groupBy: query.groupBy, rows, totalCount, nextLink };
  }

  /** E1: one item per (service, channel) on the partner's latest snapshot. */
  async partnerSummary(partnerId: string): Promise<PartnerInsight[]> {
    const date = await this.latestSnapshot(partnerId);
    if (date === null) return [];
    const r = await this.#store.select(compilePartnerSummary(partnerId, date, this.#store.dialect));
    const out: PartnerInsight[] = [];
    for (let i = 0; i < r.rowCount; i++) {
      const sold = Number(r.columns.licensesSold?.[i] ?? 0);
      out.push({
        serviceCode: String(r.columns.serviceCode?.[i]),
        channel: String(r.columns.channel?.[i]),
        licensesSold: sold,
        proratedDeploymentPercent: percent(Number(r.columns.cappedDeployed?.[i] ?? 0), sold),
        processedDate: date,
      });
    }
    return out;
  }

  /**
   * E3: the customer's products on the latest snapshot holding that customer. A customer id that
   * is not a GUID is a 400 (code 900118); one this partner has no rows for is a 404, whether or not
   * another partner has it, so the answer never reveals other partners' customers.
   */
  async customerSummary(partnerId: string, customerIdText: string): Promise<CustomerInsight[]> {
    const customerId = normalizeGuid(customerIdText);
    if (customerId === undefined) {
      throw new ApiError('invalidCustomerId', {
        description: 'The customer id must be a GUID.',
        data: [{ customerId: customerIdText.slice(0, 64) }],
      });
    }
    const dialect = this.#store.dialect;
    const latest = await this.#store.select(compileCustomerLatestDate(partnerId, customerId, dialect));
    const date = latest.columns.processedDate?.[0] as string | undefined;
    if (date === undefined || date === null) {
      throw new ApiError('notFound', {
        description: `No licenses deployment data for customer ${customerId}.`,
      });
    }
    const r = await this.#store.select(compileCustomerProducts(partnerId, customerId, date, dialect));
    const col = (name: string, i: number): string => String(r.columns[name]?.[i] ?? '');
    const num = (name: string, i: number): number => Number(r.columns[name]?.[i] ?? 0);
    const out: CustomerInsight[] = [];
    for (let i = 0; i < r.rowCount; i++) {
      const deployed = num('licensesDeployed', i);
      const sold = num('licensesSold', i);
      out.push({
        customerId: col('customerTenantId', i),
        customerName: col('customerName', i),
        productId: col('productId', i),
        productName: col('productName', i),
        serviceCode: col('serviceCode', i),
        serviceName: col('serviceName', i),
        channel: col('channel', i),
        licensesDeployed: deployed,
        licensesSold: sold,
        deploymentPercent: percent(Math.min(deployed, sold), sold),
        processedDate: date,
      });
    }
    return out;
  }
}
