/**
 * The licenses-deployment use cases behind E5, E1 and E3. Works on any `Store`; computes
 * `TotalCount` and `@nextLink` so the HTTP routes only serialise.
 */
import type { ChangeItem } from '../contract/schemas.ts';
import type { Dimension } from '../domain/fields.ts';
import { normalizeGuid } from '../domain/guid.ts';
import { ApiError } from '../errors.ts';
import type { ChangesQuery, TrendQuery } from '../query/parse-query.ts';
import type { DeploymentQuery, QueryPlan } from '../query/query-plan.ts';
import type { ColumnarResult, CustomerProduct, Store } from '../store/store.ts';
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

/** One item of the trend: a processed date, the groupby fields' values and the sums. */
export interface TrendItem {
  readonly processedDate: string;
  readonly licensesSold: number;
  readonly licensesDeployed: number;
  readonly [field: string]: string | number | null;
}

export interface PartnerInsight {
  readonly serviceCode: string;
  readonly channel: string;
  readonly licensesSold: number;
  readonly proratedDeploymentPercent: number;
  readonly processedDate: string;
}

/** E3's item: a customer's product as stored, with its deployment share and snapshot. */
export interface CustomerInsight extends Omit<CustomerProduct, 'customerTenantId'> {
  readonly customerId: string;
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

  /** The store's generation: it moves on whenever committed data changes (Store.generation). */
  generation(): Promise<string> {
    return this.#store.generation();
  }

  /** Resolves when the store answers a query (readiness); rejects with the store's error. */
  async ready(): Promise<void> {
    await this.#store.latestSnapshot('00000000-0000-0000-0000-000000000000');
  }

  /**
   * `GET /seatwise/v1/trend`: one item per processed date (and groupby fields) of the partner's
   * snapshots in the range, `{processedDate, <fields>, licensesSold, licensesDeployed}`. Without
   * groupby, every snapshot in the range has its item, with zeros when no row matches the filter.
   */
  async trend(partnerId: string, query: TrendQuery): Promise<TrendItem[]> {
    const ungrouped = query.groupBy.length === 0;
    const [rows, snapshots] = await Promise.all([
      this.#store.trend({ partnerId, ...query }),
      ungrouped ? this.#store.listSnapshots(partnerId) : Promise.resolve([]),
    ]);
    const fields = ['processedDate', ...query.groupBy, 'licensesSold', 'licensesDeployed'];
    const items: TrendItem[] = [];
    for (let i = 0; i < rows.rowCount; i++) {
      const item: Record<string, string | number | null> = {};
      for (const f of fields) {
        const value = rows.columns[f]?.[i] ?? null;
        item[f] = f === 'licensesSold' || f === 'licensesDeployed' ? Number(value ?? 0) : value;
      }
      items.push(item as TrendItem);
    }
    if (!ungrouped) return items;
    const seen = new Set(items.map((i) => i.processedDate));
    for (const { processedDate } of snapshots) {
      const inRange =
        (query.from === null || processedDate >= query.from) &&
        (query.to === null || processedDate <= query.to);
      if (inRange && !seen.has(processedDate))
        items.push({ processedDate, licensesSold: 0, licensesDeployed: 0 });
    }
    return items.sort((a, b) =>
      a.processedDate < b.processedDate ? -1 : a.processedDate > b.processedDate ? 1 : 0,
    );
  }

  /**
   * `GET /seatwise/v1/changes`: one page of the rows that differ between two snapshots of the
   * partner, each with its kind, counts before and after and their deltas, and how many differ in
   * all. A date that is not a snapshot of the partner is a 404.
   */
  async changes(
    partnerId: string,
    query: ChangesQuery,
  ): Promise<{ items: ChangeItem[]; totalCount: number }> {
    const dates = new Set((await this.#store.listSnapshots(partnerId)).map((s) => s.processedDate));
    for (const [name, day] of [
      ['from', query.from],
      ['to', query.to],
    ] as const) {
      if (!dates.has(day)) {
        throw new ApiError('notFound', {
          description: `The partner has no snapshot processed on ${day} (parameter '${name}'); seatwise snapshots lists them.`,
          data: [{ parameter: name, value: day }],
        });
      }
    }
    const plan = { partnerId, from: query.from, to: query.to, filter: query.filter };
    const rows = await this.#store.changes({ ...plan, top: query.top, skip: query.skip });
    // Every row carries the total; an empty page (past the end, or top=0) may just have no row to
    // carry it, so the first row is asked for.
    const first =
      rows.rowCount > 0 || (query.skip === 0 && query.top > 0)
        ? rows
        : await this.#store.changes({ ...plan, top: 1, skip: 0 });
    const totalCount = first.rowCount > 0 ? Number(first.columns.total?.[0] ?? 0) : 0;
    const c = rows.columns;
    const text = (name: string, i: number) => String(c[name]?.[i] ?? '');
    const count = (name: string, i: number) => {
      const v = c[name]?.[i];
      return v === null || v === undefined ? null : Number(v);
    };
    const items: ChangeItem[] = [];
    for (let i = 0; i < rows.rowCount; i++) {
      const soldBefore = count('soldBefore', i);
      const soldAfter = count('soldAfter', i);
      const deployedBefore = count('deployedBefore', i);
      const deployedAfter = count('deployedAfter', i);
      const sb = soldBefore ?? 0;
      const sa = soldAfter ?? 0;
      const db = deployedBefore ?? 0;
      const da = deployedAfter ?? 0;
      items.push({
        customerTenantId: text('customerTenantId', i),
        customerName: text('customerName', i),
        productId: text('productId', i),
        productName: text('productName', i),
        serviceCode: text('serviceCode', i),
        serviceName: text('serviceName', i),
        channel: text('channel', i),
        kind: soldBefore === null ? 'added' : soldAfter === null ? 'removed' : 'changed',
        licensesSoldBefore: sb,
        licensesSoldAfter: sa,
        licensesSoldDelta: sa - sb,
        licensesDeployedBefore: db,
        licensesDeployedAfter: da,
        licensesDeployedDelta: da - db,
      });
    }
    return { items, totalCount };
  }

  latestSnapshot(partnerId: string): Promise<string | null> {
    return this.#store.latestSnapshot(partnerId);
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
    const { rows, totalCount } = await this.#store.deploymentPage(plan);
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
    const totals = await this.#store.serviceTotals(partnerId, date);
    return totals.map((t) => ({
      serviceCode: t.serviceCode,
      channel: t.channel,
      licensesSold: t.licensesSold,
      proratedDeploymentPercent: percent(t.cappedDeployed, t.licensesSold),
      processedDate: date,
    }));
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
    const date = await this.#store.customerLatestSnapshot(partnerId, customerId);
    if (date === null) {
      throw new ApiError('notFound', {
        description: `No licenses deployment data for customer ${customerId}.`,
      });
    }
    const products = await this.#store.customerProducts(partnerId, customerId, date);
    return products.map(({ customerTenantId, ...p }) => ({
      ...p,
      customerId: customerTenantId,
      deploymentPercent: percent(Math.min(p.licensesDeployed, p.licensesSold), p.licensesSold),
      processedDate: date,
    }));
  }
}
