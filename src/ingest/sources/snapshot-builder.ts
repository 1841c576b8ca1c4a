/**
 * The mapping shared by every source (docs/data-sources.md, "How a SKU becomes a row"): one SKU
 * of one customer tenant becomes at most one E5 row. Exclusions, naming and classification happen
 * here; the rows keep the file and line they came from, and the store validates them (and finds
 * repeated keys) like the rows of any other load, so a source import reports problems exactly like
 * `seatwise import` of a row file.
 */
import { classifySku, DEFAULT_CLASSIFICATION, type ServiceClass } from '../../domain/classify.ts';
import { isIsoDay } from '../../domain/dates.ts';
import { normalizeGuid } from '../../domain/guid.ts';
import { emptyRowColumns, pushRow } from '../../domain/row.ts';
import { isExcluded } from '../../domain/sku-exclusions.ts';
import { MAX_COUNT } from '../../domain/stored-form.ts';
import type { RowError } from '../../store/store.ts';
import { showValue } from '../row-fields.ts';
import type { ExcludedCount, ExclusionReason, SourceOptions, SourceReadResult } from './types.ts';

/** One subscribed SKU of one customer tenant, as a source reported it. */
export interface SkuEntry {
  readonly line: number;
  readonly customerTenantId: string;
  readonly customerName: string;
  readonly skuId: string;
  /** `skuPartNumber`; '' when the source has none. */
  readonly partNumber: string;
  /** The source's own product name (Partner Center `productSku.name`); '' for Graph. */
  readonly productName: string;
  /** Graph `appliesTo: Company`, Partner Center `targetType: Tenant`. */
  readonly companyWide: boolean;
  readonly sold: number;
  readonly deployed: number;
}

const REASONS: readonly ExclusionReason[] = ['free-or-trial', 'company-wide', 'no-paid-seats'];
const MAX_EXAMPLES = 5;

export class SnapshotBuilder {
  private readonly partnerId: string;
  private readonly channel: string;
  private readonly excluded = new Map<ExclusionReason, { count: number; examples: Set<string> }>();
  private readonly rows = emptyRowColumns();
  private readonly origin = { files: [] as string[], lines: [] as number[] };
  private readonly errors: RowError[] = [];
  private readonly maxErrors: number;
  private truncated = false;
  private file = '';

  constructor(private readonly options: SourceOptions) {
    const partnerId = normalizeGuid(options.partnerId.trim());
    if (partnerId === undefined) throw new RangeError(`partnerId must be a GUID, got '${options.partnerId}'`);
    if (!isIsoDay(options.processedDate))
      throw new RangeError(`processedDate must be YYYY-MM-DD, got '${options.processedDate}'`);
    const channel = options.channel.trim().toLowerCase();
    if (channel === '') throw new RangeError('channel must not be empty');
    this.partnerId = partnerId;
    this.channel = channel;
    this.maxErrors = options.maxErrors ?? 50;
  }

  get stopped(): boolean {
    return this.truncated;
  }

  beginFile(file: string): void {
    this.file = file;
  }

  /** Records an error in the current file; returns false once reading should stop. */
  error(line: number, reason: string): boolean {
    if (this.errors.length >= this.maxErrors) {
      this.truncated = true;
      return false;
    }
    this.errors.push({ file: this.file, line, reason });
    return true;
  }

  /** Maps one SKU; returns false once reading should stop. */
  add(e: SkuEntry): boolean {
    const skuId = normalizeGuid(e.skuId.trim());
    if (skuId === undefined) return this.error(e.line, `skuId ${showValue(e.skuId)} is not a GUID`);
    const known = this.options.catalog.get(skuId);
    const partNumber = e.partNumber.trim() || known?.partNumber || '';
    const displayName = e.productName.trim() || known?.displayName || '';
    const label = partNumber || displayName || skuId;
    if (isExcluded({ skuId, partNumber, displayName }, this.options.exclusions)) {
      this.exclude('free-or-trial', label);
      return true;
    }
    // Seats of tenant-wide SKUs (storage, capacity) cannot be assigned to users.
    if (e.companyWide) {
      this.exclude('company-wide', label);
      return true;
    }
    // Suspended / deleted SKUs have no sold seats; they stay only while seats are still assigned.
    if (e.sold === 0 && e.deployed === 0) {
      this.exclude('no-paid-seats', label);
      return true;
    }
    // Partner Center analytics shows product names upper-cased.
    const productName = (e.productName.trim() || known?.displayName || partNumber).toUpperCase();
    if (productName === '')
      return this.error(e.line, `skuId ${skuId} has no part number and is not in the SKU catalog`);
    const service = this.classify(partNumber, displayName, known);
    pushRow(this.rows, {
      processedDate: this.options.processedDate,
      serviceCode: service.serviceCode,
      serviceName: service.serviceName,
      channel: this.channel,
      customerTenantId: e.customerTenantId,
      customerName: e.customerName,
      productId: skuId,
      productName,
      licensesDeployed: e.deployed,
      licensesSold: e.sold,
    });
    this.origin.files.push(this.file);
    this.origin.lines.push(e.line);
    return true;
  }

  /**
   * The catalog's stored class (fixed when the catalog was imported) stands unless the caller
   * passed its own table (`--classify`), which then decides for every SKU.
   */
  private classify(partNumber: string, displayName: string, known: ServiceClass | undefined): ServiceClass {
    const table = this.options.classification;
    if (known !== undefined && table === DEFAULT_CLASSIFICATION && known.serviceCode !== '') return known;
    return classifySku({ partNumber, displayName }, table);
  }

  private exclude(reason: ExclusionReason, label: string): void {
    let entry = this.excluded.get(reason);
    if (entry === undefined) {
      entry = { count: 0, examples: new Set() };
      this.excluded.set(reason, entry);
    }
    entry.count++;
    if (entry.examples.size < MAX_EXAMPLES) entry.examples.add(label);
  }

  /**
   * The outcome. `missingCustomers` (tenant ids) is given by readers that can tell a listed
   * customer has no data; it then appears in the summary, and in the load when not empty.
   */
  result(files: number, missingCustomers?: readonly string[]): SourceReadResult {
    if (this.errors.length > 0) return { ok: false, errors: this.errors, truncated: this.truncated };
    const excluded: ExcludedCount[] = [];
    for (const reason of REASONS) {
      const entry = this.excluded.get(reason);
      if (entry !== undefined) excluded.push({ reason, count: entry.count, examples: [...entry.examples] });
    }
    const missing = missingCustomers === undefined ? undefined : [...missingCustomers];
    return {
      ok: true,
      load: {
        partnerId: this.partnerId,
        rows: this.rows,
        origin: this.origin,
        ...(missing !== undefined && missing.length > 0 ? { missingCustomers: missing } : {}),
      },
      summary: {
        rows: this.rows.processedDate.length,
        customers: distinct(this.rows.customerTenantId, (id) => normalizeGuid(id.trim()) ?? id),
        products: distinct(this.rows.productId, (id) => id),
        dates: [...new Set(this.rows.processedDate)].sort(),
        files,
        excluded,
        ...(missing === undefined ? {} : { missingCustomers: missing }),
      },
    };
  }
}

function distinct(values: readonly string[], key: (v: string) => string): number {
  return new Set(values.map(key)).size;
}

/**
 * A seat count read from a source object: a non-negative integer. Returns the number, or an error
 * reason. `fallback` is used when the property is absent or null.
 */
export function seatCount(obj: Record<string, unknown>, key: string, fallback?: number): number | string {
  const v = obj[key];
  if (v === undefined || v === null) return fallback ?? `${key} is missing`;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT) return v;
  return `${key} ${showValue(v)} is not a non-negative integer`;
}

/** A JSON value as a plain object, or undefined. */
export function asObject(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** A JSON value as a trimmed string ('' for anything else). */
export function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}
