/**
 * Microsoft's "Product names and service plan identifiers for licensing" CSV (docs/data-sources.md,
 * "The inputs"): one row per SKU × service plan, collapsed to one CatalogSku per GUID. The bundled
 * format (src/domain/sku-catalog.csv: the same three id/name columns plus serviceCode,
 * serviceName) is accepted too.
 *
 * Microsoft has published the file in more than one shape: besides the usual UTF-8 one, for a
 * while with the header `String_ Id` and Windows-1252 bytes in the friendly-names column. Header
 * names are therefore matched without spaces, underscores and case, and bytes that are not UTF-8
 * are read as Windows-1252.
 */
import { readFile } from 'node:fs/promises';
import { type ClassificationTable, classifySku, DEFAULT_CLASSIFICATION } from '../../domain/classify.ts';
import { normalizeGuid } from '../../domain/guid.ts';
import type { CatalogSku } from '../../domain/sku-catalog.ts';
import { showValue } from '../row-fields.ts';
import { cleanCell, decodeText, headerKey, parseCsvTable, type TextEncodingName } from './csv-table.ts';
import type { RowFileError } from './types.ts';

/** A GUID that appeared under more than one product name; the first name read is kept. */
export interface RenamedSku {
  /** Upper-case GUID. */
  skuId: string;
  /** The part number (String_Id) of the row whose name was kept. */
  partNumber: string;
  /** The display name stored. */
  kept: string;
  /** The other display names of the same GUID, in the order first read. */
  others: string[];
}

export interface CatalogSummary {
  /** Distinct GUIDs kept: the SKUs stored. */
  skus: number;
  /** Data rows read (Microsoft's file has one per SKU and service plan). */
  rows: number;
  /**
   * Rows repeating a GUID with a different String_Id or display name; the first row wins.
   * (Repeats with the same names are the file's normal one-row-per-service-plan layout.)
   */
  duplicates: number;
  /** SKUs whose GUID appeared under more than one display name, in the order the second name appears. */
  renamed: RenamedSku[];
  /** How the file's bytes were read: UTF-8, or Windows-1252 when they were not valid UTF-8. */
  encoding: TextEncodingName;
}

export type CatalogReadResult =
  | { ok: true; skus: CatalogSku[]; summary: CatalogSummary }
  | { ok: false; errors: RowFileError[] };

/** Header keys (see `headerKey`) of the columns read, with the names Microsoft gives them. */
const COLUMNS = {
  name: ['productdisplayname', 'Product_Display_Name'],
  part: ['stringid', 'String_Id'],
  guid: ['guid', 'GUID'],
  code: ['servicecode', 'serviceCode'],
  service: ['servicename', 'serviceName'],
} as const;
const REQUIRED = [COLUMNS.name, COLUMNS.part, COLUMNS.guid] as const;
const MAX_ERRORS = 50;

export async function readCatalogFile(
  path: string,
  classification: ClassificationTable = DEFAULT_CLASSIFICATION,
): Promise<CatalogReadResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const reason = `cannot read file: ${err instanceof Error ? err.message : String(err)}`;
    return { ok: false, errors: [{ file: path, line: 0, reason }] };
  }
  const { text, encoding } = decodeText(bytes);
  return parseCatalogText(text, path, classification, encoding);
}

/**
 * The text of a catalog file; errors name `file`. `encoding` is only reported in the summary: say
 * how the text was decoded when it came from bytes.
 */
export function parseCatalogText(
  text: string,
  file: string,
  classification: ClassificationTable = DEFAULT_CLASSIFICATION,
  encoding: TextEncodingName = 'utf-8',
): CatalogReadResult {
  const table = parseCsvTable(text);
  if (!table.ok) return { ok: false, errors: [{ file, line: table.line, reason: table.reason }] };
  const keys = table.header.map(headerKey);
  const missing = REQUIRED.filter(([key]) => !keys.includes(key)).map(([, name]) => name);
  if (missing.length > 0) {
    const reason =
      `not a SKU catalog: no ${missing.join(', ')} column; expected Microsoft's "Product names and ` +
      'service plan identifiers for licensing" CSV (Product_Display_Name, String_Id, GUID, ...)';
    return { ok: false, errors: [{ file, line: 1, reason }] };
  }
  const col = ([key]: readonly [string, string]): number => keys.indexOf(key);
  const [iName, iPart, iGuid, iCode, iService] = [
    col(COLUMNS.name),
    col(COLUMNS.part),
    col(COLUMNS.guid),
    col(COLUMNS.code),
    col(COLUMNS.service),
  ];
  const errors: RowFileError[] = [];
  const byId = new Map<string, CatalogSku>();
  const renamed = new Map<string, RenamedSku>();
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
      if (seen.displayName !== displayName) noteRename(renamed, seen, displayName);
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
    summary: {
      skus: byId.size,
      rows: table.records.length,
      duplicates,
      renamed: [...renamed.values()],
      encoding,
    },
  };
}

function noteRename(renamed: Map<string, RenamedSku>, kept: CatalogSku, other: string): void {
  let entry = renamed.get(kept.skuId);
  if (entry === undefined) {
    entry = { skuId: kept.skuId, partNumber: kept.partNumber, kept: kept.displayName, others: [] };
    renamed.set(kept.skuId, entry);
  }
  if (!entry.others.includes(other)) entry.others.push(other);
}
