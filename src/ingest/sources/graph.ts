/**
 * Microsoft Graph `GET /subscribedSkus` responses saved one file per customer tenant
 * (docs/data-sources.md, "The inputs"). A file is `{"customerTenantId",
 * "customerName", "value": [...]}` or the raw `{"value": [...]}` named `<customerTenantId>.json`;
 * the name of a raw file's customer then comes from a Partner Center customers response, else it
 * is the id. A file of another kind (one subscribedSku, a Partner Center response) is named as
 * such, with what to pass instead.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { normalizeGuid } from '../../domain/guid.ts';
import { showValue } from '../row-fields.ts';
import { collectCustomers, customerItems } from './customers.ts';
import { jsonShape, shapeAdvice } from './input-shape.ts';
import { elementLines, lineAt, parseJson, readText } from './json-file.ts';
import { asObject, type SkuEntry, SnapshotBuilder, seatCount, text } from './snapshot-builder.ts';
import type { SourceOptions, SourceReadResult } from './types.ts';

/** Files read ahead while one is mapped: enough to hide file-system latency, little memory. */
const READ_AHEAD = 16;

export async function readGraphFiles(
  paths: readonly string[],
  options: SourceOptions & { customersFile?: string },
): Promise<SourceReadResult> {
  const builder = new SnapshotBuilder(options);
  const names = new Map<string, string>();
  if (options.customersFile !== undefined) await readCustomerNames(options.customersFile, builder, names);
  const files = await expandPaths(paths, builder);
  const pending: (ReturnType<typeof readText> | undefined)[] = files.slice(0, READ_AHEAD).map(readText);
  for (let i = 0; i < files.length && !builder.stopped; i++) {
    const next = files[i + READ_AHEAD];
    if (next !== undefined) pending.push(readText(next));
    const read = await pending[i]!;
    pending[i] = undefined; // let the text go once mapped
    builder.beginFile(files[i]!);
    if (!read.ok) builder.error(0, read.reason);
    else mapGraphText(read.text, files[i]!, names, builder);
  }
  // Reads already started must settle before returning (an unhandled rejection would surface later).
  await Promise.allSettled(pending.filter((p) => p !== undefined));
  return builder.result(files.length);
}

/** Directories become their `*.json` files, sorted by name so results are reproducible. */
async function expandPaths(paths: readonly string[], builder: SnapshotBuilder): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch (err) {
      builder.beginFile(path);
      builder.error(0, `cannot read file: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (!isDir) {
      files.push(path);
      continue;
    }
    const names = (await readdir(path)).filter((n) => n.toLowerCase().endsWith('.json')).sort();
    if (names.length === 0) {
      builder.beginFile(path);
      builder.error(0, 'directory holds no *.json files');
    }
    for (const n of names) files.push(join(path, n));
  }
  return files;
}

async function readCustomerNames(
  file: string,
  builder: SnapshotBuilder,
  names: Map<string, string>,
): Promise<void> {
  builder.beginFile(file);
  const read = await readText(file);
  if (!read.ok) {
    builder.error(0, read.reason);
    return;
  }
  const parsed = parseJson(read.text);
  if (!parsed.ok) {
    builder.error(parsed.line, parsed.reason);
    return;
  }
  const items = customerItems(parsed.value);
  if (typeof items === 'string') {
    builder.error(1, items);
    return;
  }
  const lines = Array.isArray(parsed.value) ? [] : elementLines(read.text, 'items');
  const customers = collectCustomers(
    items,
    (i) => lineAt(lines, i),
    (l, r) => builder.error(l, r),
  );
  for (const c of customers) {
    names.set(c.tenantId, c.name);
    if (!names.has(c.id)) names.set(c.id, c.name);
  }
}

/** Maps one file's SKUs into the builder; problems are reported in the builder's current file. */
export function mapGraphText(
  source: string,
  file: string,
  names: ReadonlyMap<string, string>,
  builder: SnapshotBuilder,
): void {
  const parsed = parseJson(source);
  if (!parsed.ok) {
    builder.error(parsed.line, parsed.reason);
    return;
  }
  const body = asObject(parsed.value);
  const valueKey =
    body === undefined ? undefined : Object.keys(body).find((k) => k.toLowerCase() === 'value');
  const items = valueKey === undefined ? undefined : body![valueKey];
  if (!Array.isArray(items)) {
    // A response of another kind gets named, with what to pass instead.
    const advice = shapeAdvice(jsonShape(parsed.value));
    builder.error(1, advice || 'expected a Graph subscribedSkus response: an object with a "value" array');
    return;
  }
  const tenantId = tenantOf(body!, file);
  if (typeof tenantId !== 'string') {
    builder.error(1, tenantId.error);
    return;
  }
  const customerName = text(body!.customerName) || names.get(tenantId) || tenantId;
  // Lines cost a second pass over the text; every row needs one for duplicate reports.
  const lines = elementLines(source, 'value');
  for (let i = 0; i < items.length; i++) {
    const line = lineAt(lines, i);
    const sku = skuOf(items[i], i);
    if (typeof sku === 'string') {
      if (!builder.error(line, sku)) return;
      continue;
    }
    if (!builder.add({ line, customerTenantId: tenantId, customerName, ...sku })) return;
  }
}

/** One Graph SKU item, or the reason it cannot be used. */
function skuOf(
  raw: unknown,
  index: number,
): Omit<SkuEntry, 'line' | 'customerTenantId' | 'customerName'> | string {
  const item = asObject(raw);
  if (item === undefined) return `value[${index}] is not a JSON object`;
  const skuId = text(item.skuId);
  if (skuId === '') return 'skuId is missing';
  const prepaid = asObject(item.prepaidUnits);
  if (prepaid === undefined) return 'prepaidUnits is missing';
  const enabled = seatCount(prepaid, 'enabled');
  if (typeof enabled === 'string') return `prepaidUnits.${enabled}`;
  const warning = seatCount(prepaid, 'warning', 0);
  if (typeof warning === 'string') return `prepaidUnits.${warning}`;
  const consumed = seatCount(item, 'consumedUnits');
  if (typeof consumed === 'string') return consumed;
  return {
    skuId,
    partNumber: text(item.skuPartNumber),
    productName: '',
    companyWide: text(item.appliesTo).toLowerCase() === 'company',
    // Sold seats are the usable paid ones: Enabled plus Warning (grace); docs/data-sources.md.
    // Suspended and locked-out seats do not count.
    sold: enabled + warning,
    deployed: consumed,
  };
}

/** The wrapper's `customerTenantId`, else the file name `<GUID>.json`. */
function tenantOf(body: Record<string, unknown>, file: string): string | { error: string } {
  const wrapped = body.customerTenantId;
  if (wrapped !== undefined && wrapped !== null) {
    const id = normalizeGuid(text(wrapped));
    return id ?? { error: `customerTenantId ${showValue(wrapped)} is not a GUID` };
  }
  const stem = basename(file).replace(/\.json$/i, '');
  return (
    normalizeGuid(stem) ?? {
      error: 'no customerTenantId in the file and its name is not <customerTenantId>.json',
    }
  );
}
