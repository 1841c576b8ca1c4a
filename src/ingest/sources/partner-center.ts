/**
 * Partner Center `GET /v1/customers` and `GET /v1/customers/{id}/subscribedskus` (shared spec
 * data-sources.md, "Inputs" B): either as a directory written by `collect --save-raw`
 * (`customers.json` plus `subscribedskus/<customer-id>.json`) or as bodies the live `collect`
 * command fetched (`buildPartnerCenterSnapshot`).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizeGuid } from '../../domain/guid.ts';
import { showValue } from '../row-fields.ts';
import { type CustomerInfo, collectCustomers, customerItems } from './customers.ts';
import { elementLines, lineAt, parseJson, readText } from './json-file.ts';
import { asObject, type SkuEntry, SnapshotBuilder, seatCount, text } from './snapshot-builder.ts';
import type { SourceOptions, SourceReadResult } from './types.ts';

const READ_AHEAD = 16;

export interface PartnerCenterInput {
  /** Customer items (`items` of every customers page, concatenated). */
  readonly customers: readonly unknown[];
  /** By customer id: that customer's subscribed SKUs response body. */
  readonly subscribedSkus: ReadonlyMap<string, unknown>;
}

/**
 * The pure mapping of fetched responses. Errors name `source` (default 'partner-center') with
 * line 0; the reason says which customer and item.
 */
export function buildPartnerCenterSnapshot(
  input: PartnerCenterInput,
  options: SourceOptions & { source?: string },
): SourceReadResult {
  const builder = new SnapshotBuilder(options);
  builder.beginFile(options.source ?? 'partner-center');
  const error = (line: number, reason: string): boolean => builder.error(line, reason);
  const customers = collectCustomers(
    input.customers,
    () => 0,
    (_, reason) => error(0, reason),
  );
  const byId = new Map(customers.map((c) => [c.id, c]));
  for (const [key, body] of input.subscribedSkus) {
    if (builder.stopped) break;
    const customer = customerFor(key, byId, (reason) => error(0, reason));
    if (customer === undefined) continue;
    mapSubscribedSkus(body, customer, builder, () => 0, `customer ${customer.id}: `);
  }
  return builder.result(0);
}

/** A directory as `collect --save-raw` writes it; everything is read before anything is returned. */
export async function readPartnerCenterDir(dir: string, options: SourceOptions): Promise<SourceReadResult> {
  const builder = new SnapshotBuilder(options);
  const customersFile = join(dir, 'customers.json');
  builder.beginFile(customersFile);
  const byId = new Map<string, CustomerInfo>();
  for (const c of await readCustomersFile(customersFile, builder)) byId.set(c.id, c);
  const skuDir = join(dir, 'subscribedskus');
  let names: string[] = [];
  try {
    names = (await readdir(skuDir)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
  } catch (err) {
    builder.beginFile(skuDir);
    builder.error(0, `cannot read directory: ${err instanceof Error ? err.message : String(err)}`);
  }
  const files = names.map((n) => join(skuDir, n));
  const pending: (ReturnType<typeof readText> | undefined)[] = files.slice(0, READ_AHEAD).map(readText);
  for (let i = 0; i < files.length && !builder.stopped; i++) {
    const next = files[i + READ_AHEAD];
    if (next !== undefined) pending.push(readText(next));
    const read = await pending[i]!;
    pending[i] = undefined;
    builder.beginFile(files[i]!);
    if (!read.ok) {
      builder.error(0, read.reason);
      continue;
    }
    const customer = customerFor(names[i]!.slice(0, -'.json'.length), byId, (r) => builder.error(1, r));
    if (customer === undefined) continue;
    const parsed = parseJson(read.text);
    if (!parsed.ok) {
      builder.error(parsed.line, parsed.reason);
      continue;
    }
    const lines = elementLines(read.text, 'items');
    mapSubscribedSkus(parsed.value, customer, builder, (k) => lineAt(lines, k), '');
  }
  await Promise.allSettled(pending.filter((p) => p !== undefined));
  return builder.result(files.length + 1);
}

async function readCustomersFile(file: string, builder: SnapshotBuilder): Promise<CustomerInfo[]> {
  const read = await readText(file);
  if (!read.ok) {
    builder.error(0, read.reason);
    return [];
  }
  const parsed = parseJson(read.text);
  if (!parsed.ok) {
    builder.error(parsed.line, parsed.reason);
    return [];
  }
  const items = customerItems(parsed.value);
  if (typeof items === 'string') {
    builder.error(1, items);
    return [];
  }
  // Item lines are known for a single response; an array of pages reports line 1.
  const lines = Array.isArray(parsed.value) ? [] : elementLines(read.text, 'items');
  return collectCustomers(
    items,
    (k) => lineAt(lines, k),
    (l, r) => builder.error(l, r),
  );
}

function customerFor(
  key: string,
  byId: ReadonlyMap<string, CustomerInfo>,
  error: (reason: string) => void,
): CustomerInfo | undefined {
  const id = normalizeGuid(key.trim());
  if (id === undefined) {
    error(`subscribed SKUs of customer ${showValue(key)}: the customer id is not a GUID`);
    return undefined;
  }
  const customer = byId.get(id);
  if (customer === undefined)
    error(`subscribed SKUs of customer ${id}: no such customer in the customers list`);
  return customer;
}

/** Maps one subscribed SKUs response of one customer. */
function mapSubscribedSkus(
  body: unknown,
  customer: CustomerInfo,
  builder: SnapshotBuilder,
  lineOf: (index: number) => number,
  context: string,
): void {
  const items = Array.isArray(body) ? body : asObject(body)?.items;
  if (!Array.isArray(items)) {
    builder.error(lineOf(-1), `${context}expected a subscribed SKUs response {"items": [...]}`);
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const line = lineOf(i);
    const sku = skuOf(items[i], i);
    if (typeof sku === 'string') {
      const where = context === '' ? '' : `${context}items[${i}]: `;
      if (!builder.error(line, where + sku)) return;
      continue;
    }
    const entry = { line, customerTenantId: customer.tenantId, customerName: customer.name, ...sku };
    if (!builder.add(entry)) return;
  }
}

/** One subscribed SKU item, or the reason it cannot be used. */
function skuOf(
  raw: unknown,
  index: number,
): Omit<SkuEntry, 'line' | 'customerTenantId' | 'customerName'> | string {
  const item = asObject(raw);
  if (item === undefined) return `items[${index}] is not a JSON object`;
  const sku = asObject(item.productSku);
  if (sku === undefined) return 'productSku is missing';
  const skuId = text(sku.id);
  if (skuId === '') return 'productSku.id is missing';
  const counts = seats(item);
  if (typeof counts === 'string') return counts;
  return {
    skuId,
    partNumber: text(sku.skuPartNumber),
    productName: text(sku.name),
    // Tenant-wide SKUs (storage, capacity) cannot be assigned to users: spec "Caveats".
    companyWide: text(sku.targetType).toLowerCase() === 'tenant',
    ...counts,
  };
}

/** Sold ← totalUnits (= active + warning), computed from those when absent; deployed ← consumedUnits. */
function seats(item: Record<string, unknown>): { sold: number; deployed: number } | string {
  const deployed = seatCount(item, 'consumedUnits');
  if (typeof deployed === 'string') return deployed;
  if (item.totalUnits !== undefined && item.totalUnits !== null) {
    const total = seatCount(item, 'totalUnits');
    return typeof total === 'string' ? total : { sold: total, deployed };
  }
  const active = seatCount(item, 'activeUnits');
  if (typeof active === 'string') return `totalUnits is missing and ${active}`;
  const warning = seatCount(item, 'warningUnits', 0);
  if (typeof warning === 'string') return warning;
  return { sold: active + warning, deployed };
}
