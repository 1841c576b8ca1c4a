/**
 * Partner Center `GET /v1/customers`, `GET /v1/customers/{id}/subscribedskus` and
 * `GET /v1/customers/{id}/subscriptions` (docs/data-sources.md, "The inputs", "Subscriptions"):
 * either as a directory written by `collect --save-raw` (`customers.json` plus
 * `subscribedskus/<customer-id>.json` and, when present, `subscriptions/<customer-id>.json`) or as
 * bodies the live `collect` command fetched (`buildPartnerCenterSnapshot`).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { normalizeGuid } from '../../domain/guid.ts';
import type { SubscriptionRecord } from '../../store/store.ts';
import { showValue } from '../row-fields.ts';
import { type CustomerInfo, collectCustomers, customerItems } from './customers.ts';
import { partnerCenterParent } from './detect-format.ts';
import { jsonShape, shapeAdvice, subscribedSkusFolderAdvice } from './input-shape.ts';
import { elementLines, lineAt, parseJson, readText } from './json-file.ts';
import { asObject, type SkuEntry, SnapshotBuilder, seatCount, text } from './snapshot-builder.ts';
import { type CustomerSku, countSubscriptions, mapSubscriptions } from './subscriptions.ts';
import type { SourceOptions, SourceReadResult } from './types.ts';

const READ_AHEAD = 16;

/** What a Partner Center directory is, for error messages. */
const LAYOUT =
  'the directory that holds customers.json and subscribedskus/ (as `seatwise collect --save-raw DIR` writes it)';

export interface PartnerCenterInput {
  /** Customer items (`items` of every customers page, concatenated). */
  readonly customers: readonly unknown[];
  /** By customer id: that customer's subscribed SKUs response body. */
  readonly subscribedSkus: ReadonlyMap<string, unknown>;
  /** By customer id: that customer's subscriptions response body; absent when not fetched. */
  readonly subscriptions?: ReadonlyMap<string, unknown>;
}

/**
 * The pure mapping of fetched responses. Errors name `source` (default 'partner-center') with
 * line 0; the reason says which customer and item. Customers without a response are not reported
 * here: `collect` knows why each is missing and records them itself.
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
  const skusOf = new Map<string, CustomerSku[]>();
  for (const [key, body] of input.subscribedSkus) {
    if (builder.stopped) break;
    const customer = customerFor(key, byId, (reason) => error(0, reason));
    if (customer === undefined) continue;
    skusOf.set(
      customer.id,
      mapSubscribedSkus(body, customer, builder, () => 0, `customer ${customer.id}: `),
    );
  }
  if (input.subscriptions === undefined) return builder.result(0);
  const records: SubscriptionRecord[] = [];
  for (const [key, body] of input.subscriptions) {
    if (builder.stopped) break;
    const customer = customerFor(key, byId, (reason) => error(0, reason), 'subscriptions');
    if (customer === undefined) continue;
    const prefix = `customer ${customer.id} subscriptions: `;
    records.push(
      ...mapSubscriptions(body, {
        customerTenantId: customer.tenantId,
        processedDate: options.processedDate,
        skus: skusOf.get(customer.id) ?? [],
        catalog: options.catalog,
        lineOf: () => 0,
        error,
        prefix,
      }),
    );
  }
  return withSubscriptions(builder.result(0), records, input.subscriptions.size);
}

/** Adds the subscriptions read to a successful result, its load and its summary. */
function withSubscriptions(
  result: SourceReadResult,
  records: readonly SubscriptionRecord[],
  customers: number,
): SourceReadResult {
  if (!result.ok) return result;
  return {
    ok: true,
    load: { ...result.load, subscriptions: records },
    summary: { ...result.summary, subscriptions: countSubscriptions(records, customers) },
  };
}

/**
 * A directory as `collect --save-raw` writes it; everything is read before anything is returned.
 * A customer of customers.json without a `subscribedskus/<id>.json` file makes the snapshot
 * partial, as `collect --allow-partial` does: the load and the summary list its tenant id in
 * `missingCustomers`. A directory in which no listed customer has a file is an error.
 */
export async function readPartnerCenterDir(dir: string, options: SourceOptions): Promise<SourceReadResult> {
  const builder = new SnapshotBuilder(options);
  const wrong = await wrongInput(dir);
  if (wrong !== undefined) {
    builder.beginFile(dir);
    builder.error(0, wrong);
    return builder.result(0);
  }
  const customersFile = join(dir, 'customers.json');
  builder.beginFile(customersFile);
  const customers = await readCustomersFile(customersFile, builder);
  const byId = new Map(customers.map((c) => [c.id, c]));
  const skuDir = join(dir, 'subscribedskus');
  let names: string[];
  let folderRead = true;
  try {
    names = (await readdir(skuDir)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
  } catch (err) {
    builder.beginFile(skuDir);
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'there is none beside customers.json'
        : err instanceof Error
          ? err.message
          : String(err);
    builder.error(0, `cannot read the subscribedskus/ folder: ${why}; pass ${LAYOUT}`);
    names = [];
    folderRead = false;
  }
  const files = names.map((n) => join(skuDir, n));
  const read = new Set<string>();
  const skusOf = new Map<string, CustomerSku[]>();
  const pending: (ReturnType<typeof readText> | undefined)[] = files.slice(0, READ_AHEAD).map(readText);
  for (let i = 0; i < files.length && !builder.stopped; i++) {
    const next = files[i + READ_AHEAD];
    if (next !== undefined) pending.push(readText(next));
    const file = await pending[i]!;
    pending[i] = undefined;
    builder.beginFile(files[i]!);
    if (!file.ok) {
      builder.error(0, file.reason);
      continue;
    }
    const customer = customerFor(names[i]!.slice(0, -'.json'.length), byId, (r) => builder.error(1, r));
    if (customer === undefined) continue;
    read.add(customer.id);
    const parsed = parseJson(file.text);
    if (!parsed.ok) {
      builder.error(parsed.line, parsed.reason);
      continue;
    }
    const lines = elementLines(file.text, 'items');
    skusOf.set(
      customer.id,
      mapSubscribedSkus(parsed.value, customer, builder, (k) => lineAt(lines, k), ''),
    );
  }
  await Promise.allSettled(pending.filter((p) => p !== undefined));
  const subscriptions = await readSubscriptionsDir(dir, byId, skusOf, builder, options);
  const missing = customers.filter((c) => !read.has(c.id)).map((c) => c.tenantId);
  if (folderRead && !builder.stopped && missing.length > 0 && missing.length === customers.length) {
    builder.beginFile(skuDir);
    const n = customers.length;
    builder.error(
      0,
      `none of the ${n} customer${n === 1 ? '' : 's'} in customers.json has a subscribedskus/<customer-id>.json ` +
        'file; save their subscribedskus responses there (collect --save-raw writes one per customer)',
    );
  }
  const result = builder.result(files.length + 1 + (subscriptions?.files ?? 0), missing);
  return subscriptions === undefined
    ? result
    : withSubscriptions(result, subscriptions.records, subscriptions.files);
}

/**
 * The `subscriptions/<customer-id>.json` files, when the folder exists (a directory without it
 * imports as before, with no subscriptions). A customer without a file simply has none stored.
 */
async function readSubscriptionsDir(
  dir: string,
  byId: ReadonlyMap<string, CustomerInfo>,
  skusOf: ReadonlyMap<string, readonly CustomerSku[]>,
  builder: SnapshotBuilder,
  options: SourceOptions,
): Promise<{ records: SubscriptionRecord[]; files: number } | undefined> {
  const folder = join(dir, 'subscriptions');
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    builder.beginFile(folder);
    builder.error(
      0,
      `cannot read the subscriptions/ folder: ${err instanceof Error ? err.message : String(err)}`,
    );
    return { records: [], files: 0 };
  }
  const records: SubscriptionRecord[] = [];
  for (const name of names) {
    if (builder.stopped) break;
    const path = join(folder, name);
    builder.beginFile(path);
    const customer = customerFor(
      name.slice(0, -'.json'.length),
      byId,
      (r) => builder.error(1, r),
      'subscriptions',
    );
    if (customer === undefined) continue;
    const file = await readText(path);
    if (!file.ok) {
      builder.error(0, file.reason);
      continue;
    }
    const parsed = parseJson(file.text);
    if (!parsed.ok) {
      builder.error(parsed.line, parsed.reason);
      continue;
    }
    const lines = elementLines(file.text, 'items');
    records.push(
      ...mapSubscriptions(parsed.value, {
        customerTenantId: customer.tenantId,
        processedDate: options.processedDate,
        skus: skusOf.get(customer.id) ?? [],
        catalog: options.catalog,
        lineOf: (k) => lineAt(lines, k),
        error: (line, reason) => builder.error(line, reason),
        prefix: '',
      }),
    );
  }
  return { records, files: names.length };
}

/**
 * Why `dir` is not a Partner Center directory, when it is recognisably something else: a file
 * (customers.json, one subscribedskus response, anything), or the subscribedskus/ folder. Paths
 * that do not exist are left to the customers.json read, which names the file it looked for.
 */
async function wrongInput(dir: string): Promise<string | undefined> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    return undefined;
  }
  if (!isDir) {
    const file = await readText(dir);
    const parsed = file.ok ? parseJson(file.text) : undefined;
    const advice = parsed?.ok === true ? shapeAdvice(jsonShape(parsed.value)) : '';
    return advice || `is a file, not a directory; pass ${LAYOUT}`;
  }
  const parent = await partnerCenterParent(dir);
  if (parent !== undefined) return subscribedSkusFolderAdvice(parent);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  if (names.includes('customers.json')) return undefined;
  if (basename(dir).toLowerCase() === 'subscribedskus') return subscribedSkusFolderAdvice(undefined);
  return `no customers.json in this directory; pass ${LAYOUT}`;
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
  what = 'subscribed SKUs',
): CustomerInfo | undefined {
  const id = normalizeGuid(key.trim());
  if (id === undefined) {
    error(`${what} of customer ${showValue(key)}: the customer id is not a GUID`);
    return undefined;
  }
  const customer = byId.get(id);
  if (customer === undefined) error(`${what} of customer ${id}: no such customer in the customers list`);
  return customer;
}

/**
 * Maps one subscribed SKUs response of one customer; returns its SKUs (every item with a GUID id,
 * excluded ones too), which subscriptions are matched against.
 */
function mapSubscribedSkus(
  body: unknown,
  customer: CustomerInfo,
  builder: SnapshotBuilder,
  lineOf: (index: number) => number,
  context: string,
): CustomerSku[] {
  const skus: CustomerSku[] = [];
  const items = Array.isArray(body) ? body : asObject(body)?.items;
  if (!Array.isArray(items)) {
    builder.error(lineOf(-1), `${context}expected a subscribed SKUs response {"items": [...]}`);
    return skus;
  }
  for (let i = 0; i < items.length; i++) {
    const line = lineOf(i);
    const sku = skuOf(items[i], i);
    if (typeof sku === 'string') {
      const where = context === '' ? '' : `${context}items[${i}]: `;
      if (!builder.error(line, where + sku)) return skus;
      continue;
    }
    const skuId = normalizeGuid(sku.skuId);
    if (skuId !== undefined) skus.push({ skuId, name: sku.productName, partNumber: sku.partNumber });
    const entry = { line, customerTenantId: customer.tenantId, customerName: customer.name, ...sku };
    if (!builder.add(entry)) return skus;
  }
  return skus;
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
    // Tenant-wide SKUs (storage, capacity) cannot be assigned to users (docs/data-sources.md).
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
