import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { normalizeGuid } from './guid.ts';

/**
 * The SKUs Seatwise knows by name: facts (ids, display names) from Microsoft's "Product names and
 * service plan identifiers for licensing" list, one row per SKU, with the service classification
 * (see classify.ts) stored beside them. Used to name products and for demo data.
 */
export interface CatalogSku {
  /** Upper-case GUID (Microsoft's `GUID`, Graph's `skuId`). */
  readonly skuId: string;
  /** Microsoft's `String_Id` / `skuPartNumber`. */
  readonly partNumber: string;
  readonly displayName: string;
  /** The display name upper-cased, as Partner Center analytics shows `productName`. */
  readonly productName: string;
  readonly serviceCode: string;
  readonly serviceName: string;
}

const HEADER = ['String_Id', 'GUID', 'Product_Display_Name', 'serviceCode', 'serviceName'] as const;

/**
 * Parses catalog CSV text (header as in sku-catalog.csv, its names matched without case, spaces
 * and underscores as Microsoft's `String_ Id` needs; values trimmed, since Microsoft's file carries
 * stray spaces, tabs and NBSPs). Throws on a malformed file: it ships with the code.
 */
export function parseSkuCatalog(text: string): CatalogSku[] {
  const [header, ...records] = parseCsvText(text);
  const names = (header ?? []).map(headerKey);
  const index = HEADER.map((h) => {
    const i = names.indexOf(headerKey(h));
    if (i < 0) throw new Error(`SKU catalog: missing column ${h}`);
    return i;
  });
  const seen = new Set<string>();
  return records.map((fields, n) => {
    const [partNumber, guid, displayName, serviceCode, serviceName] = index.map((i) =>
      (fields[i] ?? '').replace(/\u00a0/g, ' ').trim(),
    ) as [string, string, string, string, string];
    const skuId = normalizeGuid(guid);
    if (skuId === undefined) throw new Error(`SKU catalog record ${n + 2}: GUID ${guid} is not a GUID`);
    // Keyed by GUID: Microsoft's list maps one String_Id to two GUIDs, never the reverse.
    if (seen.has(skuId)) throw new Error(`SKU catalog record ${n + 2}: duplicate GUID ${skuId}`);
    seen.add(skuId);
    return Object.freeze({
      skuId,
      partNumber,
      displayName,
      productName: displayName.toUpperCase(),
      serviceCode,
      serviceName,
    });
  });
}

/** A header name without case, spaces and underscores: `String_ Id` and `String_Id` agree. */
function headerKey(name: string): string {
  return name.replace(/[\s_]+/g, '').toLowerCase();
}

let cached: readonly CatalogSku[] | undefined;

/** The catalog bundled with Seatwise (src/domain/sku-catalog.csv), loaded once. */
export function skuCatalog(): readonly CatalogSku[] {
  cached ??= Object.freeze(
    parseSkuCatalog(readFileSync(new URL('./sku-catalog.csv', import.meta.url), 'utf8')),
  );
  return cached;
}

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF, optional BOM) as records. */
function parseCsvText(text: string): string[][] {
  return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
}
