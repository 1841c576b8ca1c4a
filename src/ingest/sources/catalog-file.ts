/**
 * Microsoft's "Product names and service plan identifiers for licensing" CSV (shared spec
 * data-sources.md, "Inputs" C): one row per SKU × service plan, collapsed to one CatalogSku per
 * GUID. The bundled format (src/domain/sku-catalog.csv: the same three id/name columns plus
 * serviceCode, serviceName) is accepted too.
 */
import { readFile } from 'node:fs/promises';
import { type ClassificationTable, classifySku, DEFAULT_CLASSIFICATION } from '../../domain/classify.ts';
import { normalizeGuid } from '../../domain/guid.ts';
import type { CatalogSku } from '../../domain/sku-catalog.ts';
import type { RowFileError } from '../row-collector.ts';
import { showValue } from '../row-fields.ts';
import { cleanCell, parseCsvTable } from './csv-table.ts';

export interface CatalogSummary {
  /** Distinct GUIDs kept. */
  skus: number;
  /** Data rows read. */
  rows: number;
  /**
   * Rows repeating a GUID with a different String_Id or display name; the first row wins.
   * (Repeats with the same names are the file's normal one-row-per-service-plan layout.)
   */
  duplicates: number;
}

export type CatalogReadResult =
  | { ok: true; skus: CatalogSku[]; summary: CatalogSummary }
  | { ok: false; errors: RowFileError[] };

const REQUIRED = ['product_display_name', 'string_id', 'guid'] as const;
const MAX_ERRORS = 50;

export async function readCatalogFile(
  path: string,
  classification: ClassificationTable = DEFAULT_CLASSIFICATION,
): Promise<CatalogReadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = `cannot read file: ${err instanceof Error ? err.message : String(err)}`;
    return { ok: false, errors: [{ file: path, line: 0, reason }] };
  }
  return parseCatalogText(text, path, classification);
}

/** The text of a catalog file; errors name `file`. */
export function parseCatalogText(
  text: string,
  file: string,
  classification: ClassificationTable = DEFAULT_CLASSIFICATION,
): CatalogReadResult {
  const table = parseCsvTable(text);
  if (!table.ok) return { ok: false, errors: [{ file, line: table.line, reason: table.reason }] };
  const missing = REQUIRED.filter((c) => !table.header.includes(c));
  if (missing.length > 0) {
    const reason = `not a SKU catalog: missing column(s) ${missing.join(', ')} (expected Microsoft's Product_Display_Name, String_Id, GUID, ...)`;
    return { ok: false, errors: [{ file, line: 1, reason }] };
  }
  const col = (name: string): number => table.header.indexOf(name);
  const [iName, iPart, iGuid, iCode, iService] = [
    col('product_display_name'),
    col('string_id'),
    col('guid'),
    col('servicecode'),
    col('servicename'),
  ];
  const errors: RowFileError[] = [];
  const byId = new Map<string, CatalogSku>();
  let duplicates = 0;
  for (const { line, fields } of table.records) {
    const cell = (i: number): string => (i < 0 ? '' : cleanCell(fields[i] ?? ''));
    const rawGuid = cell(iGuid);
    const skuId = normalizeGuid(rawGuid);
    const partNumber = cell(iPart);
    const displayName = cell(iName) || partNumber;
    const reason =
      skuId === undefined
        ? rawGuid === ''
          ? 'GUID is empty'
          : `GUID ${showValue(rawGuid)} is not a GUID`
        : displayName === ''
          ? 'Product_Display_Name and String_Id are both empty'
          : undefined;
    if (skuId === undefined || reason !== undefined) {
      errors.push({ file, line, reason: reason ?? 'GUID is not a GUID' });
      if (errors.length >= MAX_ERRORS) break;
      continue;
    }
    const seen = byId.get(skuId);
    if (seen !== undefined) {
      // Keyed by GUID: one String_Id maps to two GUIDs in Microsoft's list, never the reverse.
      if (seen.partNumber !== partNumber || seen.displayName !== displayName) duplicates++;
      continue;
    }
    const code = cell(iCode).toLowerCase();
    const service =
      code === ''
        ? classifySku({ partNumber, displayName }, classification)
        : { serviceCode: code, serviceName: cell(iService) || code };
    byId.set(
      skuId,
      Object.freeze({
        skuId,
        partNumber,
        displayName,
        // Partner Center analytics shows product names upper-cased.
        productName: displayName.toUpperCase(),
        serviceCode: service.serviceCode,
        serviceName: service.serviceName,
      }),
    );
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    skus: [...byId.values()],
    summary: { skus: byId.size, rows: table.records.length, duplicates },
  };
}
