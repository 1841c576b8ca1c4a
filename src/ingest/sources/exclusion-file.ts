/**
 * A user's list of free, viral and trial SKUs to leave out (see domain/sku-exclusions.ts).
 *
 * Format: CSV with the header `match,value` (further columns, e.g. a note, are ignored), `#`
 * starts a comment line; `match` is one of
 *   - `partNumber`: an exact String_Id / skuPartNumber (case-insensitive), e.g. `FLOW_FREE`;
 *   - `skuId`: an exact GUID;
 *   - `nameWord`: a whole word of the display name or part number, e.g. `TRIAL`;
 *   - `nameFragment`: text found anywhere in the display name or part number, also inside a
 *     longer word, e.g. `VTRIAL`.
 * The file replaces the default list; merge with `mergeExclusions(DEFAULT_EXCLUSIONS, list)` to
 * extend it instead.
 */
import { readFile } from 'node:fs/promises';
import { normalizeGuid } from '../../domain/guid.ts';
import { type ExclusionList, exclusionList } from '../../domain/sku-exclusions.ts';
import { showValue } from '../row-fields.ts';
import { cleanCell, parseCsvTable } from './csv-table.ts';

/** Reads an exclusion file; throws an Error `file:line: reason` on a bad one. */
export async function readExclusionFile(path: string): Promise<ExclusionList> {
  return parseExclusionText(await readFile(path, 'utf8'), path);
}

export function parseExclusionText(text: string, file: string): ExclusionList {
  const fail = (line: number, reason: string): never => {
    throw new Error(`${file}:${line}: ${reason}`);
  };
  const table = parseCsvTable(text);
  if (!table.ok) return fail(table.line, table.reason);
  const iMatch = table.header.indexOf('match');
  const iValue = table.header.indexOf('value');
  if (iMatch < 0 || iValue < 0) return fail(1, 'expected the header match,value');
  const partNumbers: string[] = [];
  const skuIds: string[] = [];
  const nameWords: string[] = [];
  const nameFragments: string[] = [];
  for (const { line, fields } of table.records) {
    if ((fields[0] ?? '').trimStart().startsWith('#')) continue;
    const match = cleanCell(fields[iMatch] ?? '');
    const value = cleanCell(fields[iValue] ?? '');
    if (value === '') fail(line, 'value is empty');
    if (match === 'partNumber') partNumbers.push(value);
    else if (match === 'nameWord') {
      if (/[^\p{L}\p{N}]/u.test(value)) fail(line, `nameWord ${showValue(value)} must be one word`);
      nameWords.push(value);
    } else if (match === 'nameFragment') nameFragments.push(value);
    else if (match === 'skuId') {
      const id = normalizeGuid(value);
      if (id === undefined) fail(line, `skuId ${showValue(value)} is not a GUID`);
      skuIds.push(id ?? '');
    } else fail(line, `match ${showValue(match)} is not partNumber, skuId, nameWord or nameFragment`);
  }
  return exclusionList({ partNumbers, skuIds, nameWords, nameFragments });
}
