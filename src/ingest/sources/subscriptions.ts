/**
 * Partner Center `GET /v1/customers/{id}/subscriptions` (docs/data-sources.md, "Subscriptions"):
 * one customer's subscriptions mapped to the records a snapshot stores, each tied, where Microsoft's
 * data allows, to the licensed product the deployment rows name (the subscribed SKU's skuId).
 *
 * A subscription names its offer (`offerId`, `offerName`), not the Azure AD skuId that subscribed
 * SKUs and deployment rows carry, so the match is made in this order and recorded:
 *
 * 1. `exact`: the offer id is, or starts with (`<guid>:…`), the skuId of one of the customer's
 *    subscribed SKUs. Partner Center's own offer ids never are (legacy offers are offer GUIDs, new
 *    commerce offers `<productId>:<skuId>[:…]` catalog ids); compatible APIs may send skuIds.
 * 2. `name`: the offer name (else the friendly name) is, without case and surrounding or repeated
 *    spaces, the `productSku.name` of exactly one skuId among the customer's subscribed SKUs.
 * 3. `catalog`: that name is the display name or part number of SKUs of the catalog (the bundled
 *    one and an imported one); one skuId, or exactly one of them that the customer has.
 * 4. `none` otherwise (add-ons, Azure plans, marketplace offers, renamed offers).
 */
import { utcDayOf } from '../../domain/dates.ts';
import { normalizeGuid } from '../../domain/guid.ts';
import type { CatalogSku } from '../../domain/sku-catalog.ts';
import { MAX_COUNT } from '../../domain/stored-form.ts';
import type { SubscriptionMatch, SubscriptionRecord } from '../../store/store.ts';
import { showValue } from '../row-fields.ts';
import { asObject } from './snapshot-builder.ts';

/** One of the customer's subscribed SKUs, as matching needs it. */
export interface CustomerSku {
  /** Upper-case GUID. */
  readonly skuId: string;
  /** `productSku.name`. */
  readonly name: string;
  readonly partNumber: string;
}

/** How many subscriptions a read kept, and how each was matched. */
export interface SubscriptionCounts {
  /** Subscriptions stored. */
  readonly subscriptions: number;
  /** Customers that had a subscriptions response (or file). */
  readonly customers: number;
  readonly byMatch: Readonly<Record<SubscriptionMatch, number>>;
}

export interface SubscriptionContext {
  readonly customerTenantId: string;
  readonly processedDate: string;
  /** The customer's subscribed SKUs (every item with a GUID id, excluded ones too). */
  readonly skus: readonly CustomerSku[];
  /** By upper-case skuId: the bundled catalog merged with the stored one. */
  readonly catalog: ReadonlyMap<string, CatalogSku>;
  /** The line of item `index` (-1: the response as a whole). */
  readonly lineOf: (index: number) => number;
  /** Records a problem; returns false once reading should stop. */
  readonly error: (line: number, reason: string) => boolean;
  /** Prefixes reasons, e.g. `customer <id>: `; '' for a file of its own. */
  readonly prefix: string;
}

/**
 * The records of one subscriptions response; problems are reported through `error` (a response
 * with any problem still returns its good items: the caller's read fails as a whole anyway).
 */
export function mapSubscriptions(body: unknown, ctx: SubscriptionContext): SubscriptionRecord[] {
  const items = Array.isArray(body) ? body : asObject(body)?.items;
  if (!Array.isArray(items)) {
    ctx.error(ctx.lineOf(-1), `${ctx.prefix}expected a subscriptions response {"items": [...]}`);
    return [];
  }
  const names = nameIndex(ctx);
  const out: SubscriptionRecord[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const line = ctx.lineOf(i);
    const where = ctx.prefix === '' ? '' : `${ctx.prefix}items[${i}]: `;
    const read = readItem(items[i], i);
    if (typeof read === 'string') {
      if (!ctx.error(line, where + read)) return out;
      continue;
    }
    const first = seen.get(read.subscriptionId);
    if (first !== undefined) {
      if (
        !ctx.error(
          line,
          `${where}subscription id ${read.subscriptionId} appears twice; first at line ${first}`,
        )
      )
        return out;
      continue;
    }
    seen.set(read.subscriptionId, line);
    out.push({
      processedDate: ctx.processedDate,
      customerTenantId: ctx.customerTenantId,
      ...read,
      ...match(read.offerId, [read.offerName, read.friendlyName], ctx, names),
    });
  }
  return out;
}

export function countSubscriptions(
  records: readonly SubscriptionRecord[],
  customers: number,
): SubscriptionCounts {
  const byMatch: Record<SubscriptionMatch, number> = { exact: 0, name: 0, catalog: 0, none: 0 };
  for (const r of records) byMatch[r.match]++;
  return { subscriptions: records.length, customers, byMatch };
}

type ItemFields = Omit<SubscriptionRecord, 'processedDate' | 'customerTenantId' | 'productId' | 'match'>;

/** One subscription item's fields, or the reason it cannot be used. */
function readItem(raw: unknown, index: number): ItemFields | string {
  const item = asObject(raw);
  if (item === undefined) return `items[${index}] is not a JSON object`;
  const id = str(item.id);
  if (id === '') return 'subscription id is missing';
  if (id === undefined) return `subscription id ${showValue(item.id)} is not text`;
  const bad: string[] = [];
  const textOf = (key: string): string => {
    const v = str(item[key]);
    if (v === undefined) bad.push(`${key} ${showValue(item[key])} is not text`);
    return v ?? '';
  };
  const flag = (key: string): boolean | null => {
    const v = item[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v;
    bad.push(`${key} ${showValue(v)} is not true or false`);
    return null;
  };
  const quantity = item.quantity;
  if (quantity === undefined || quantity === null) bad.push('quantity is missing');
  else if (
    !(typeof quantity === 'number' && Number.isInteger(quantity) && quantity >= 0 && quantity <= MAX_COUNT)
  )
    bad.push(`quantity ${showValue(quantity)} is not a non-negative integer`);
  const record: ItemFields = {
    subscriptionId: id,
    offerId: textOf('offerId'),
    offerName: textOf('offerName'),
    friendlyName: textOf('friendlyName'),
    quantity: typeof quantity === 'number' ? quantity : 0,
    unitType: textOf('unitType'),
    status: textOf('status').toLowerCase(),
    termDuration: textOf('termDuration').toUpperCase(),
    billingCycle: textOf('billingCycle').toLowerCase(),
    commitmentEndDate: commitmentEnd(item.commitmentEndDate, bad),
    autoRenewEnabled: flag('autoRenewEnabled'),
    isTrial: flag('isTrial'),
    parentSubscriptionId: textOf('parentSubscriptionId') || null,
  };
  return bad.length > 0 ? `subscription ${id}: ${bad.join('; ')}` : record;
}

/** A JSON string trimmed, '' for absent or null, undefined for any other value. */
function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v.trim() : undefined;
}

/**
 * The UTC day of `commitmentEndDate`; null when absent or a placeholder before 1900 (Partner Center
 * sends `0001-01-01T00:00:00` for subscriptions without a term).
 */
function commitmentEnd(v: unknown, bad: string[]): string | null {
  if (v === undefined || v === null || v === '') return null;
  const day = typeof v === 'string' ? utcDayOf(v) : undefined;
  if (day === undefined) {
    bad.push(`commitmentEndDate ${showValue(v)} is not a date (YYYY-MM-DD or an ISO 8601 date-time)`);
    return null;
  }
  // Compared as written: Date.UTC reads years 0–99 as 1900–1999.
  return String(v).trim() < '1900' ? null : day;
}

/** A name as matching compares it: lower-case, spaces trimmed and collapsed. */
function nameKey(name: string): string {
  return name.replace(/\s+/g, ' ').trim().toLowerCase();
}

interface NameIndex {
  /** Name → skuIds among the customer's subscribed SKUs. */
  readonly customer: ReadonlyMap<string, ReadonlySet<string>>;
  readonly has: ReadonlySet<string>;
}

function nameIndex(ctx: SubscriptionContext): NameIndex {
  const customer = new Map<string, Set<string>>();
  for (const sku of ctx.skus) {
    const key = nameKey(sku.name);
    if (key === '') continue;
    const set = customer.get(key) ?? new Set<string>();
    set.add(sku.skuId);
    customer.set(key, set);
  }
  return { customer, has: new Set(ctx.skus.map((s) => s.skuId)) };
}

/** Catalog name → skuIds, built once per catalog map. */
const catalogIndexes = new WeakMap<ReadonlyMap<string, CatalogSku>, Map<string, Set<string>>>();

function catalogIndex(catalog: ReadonlyMap<string, CatalogSku>): Map<string, Set<string>> {
  let index = catalogIndexes.get(catalog);
  if (index === undefined) {
    index = new Map();
    for (const sku of catalog.values()) {
      for (const name of [sku.displayName, sku.partNumber]) {
        const key = nameKey(name);
        if (key === '') continue;
        const set = index.get(key) ?? new Set<string>();
        set.add(sku.skuId);
        index.set(key, set);
      }
    }
    catalogIndexes.set(catalog, index);
  }
  return index;
}

function match(
  offerId: string,
  names: readonly string[],
  ctx: SubscriptionContext,
  index: NameIndex,
): { productId: string | null; match: SubscriptionMatch } {
  const id = normalizeGuid(offerId.split(':')[0] ?? '');
  if (id !== undefined && index.has.has(id)) return { productId: id, match: 'exact' };
  const keys = names.map(nameKey).filter((k) => k !== '');
  for (const key of keys) {
    const ids = index.customer.get(key);
    if (ids !== undefined && ids.size === 1) return { productId: [...ids][0]!, match: 'name' };
  }
  const catalog = catalogIndex(ctx.catalog);
  for (const key of keys) {
    const ids = catalog.get(key);
    if (ids === undefined) continue;
    if (ids.size === 1) return { productId: [...ids][0]!, match: 'catalog' };
    const held = [...ids].filter((s) => index.has.has(s));
    if (held.length === 1) return { productId: held[0]!, match: 'catalog' };
  }
  return { productId: null, match: 'none' };
}
