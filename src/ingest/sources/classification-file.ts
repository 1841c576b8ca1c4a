/**
 * The `--classify FILE` override of the service classification table (docs/data-sources.md,
 * "Service classification"), so that the rule can change without code changes.
 *
 * Format: CSV with the header `match,prefix,serviceCode,serviceName`, one rule per line, first
 * match wins; `#` starts a comment line.
 *   - `match` is `partNumberPrefix` (String_Id / skuPartNumber starts with `prefix`),
 *     `displayNamePrefix` (the product's display name starts with it) or `displayNameContains`
 *     (the display name contains it anywhere), case-insensitively;
 *   - a row with `match` `*` is the fallback for SKUs no rule matches (its prefix is ignored);
 *     without one the default fallback `o365,Microsoft Office 365` applies.
 * Example:
 *   match,prefix,serviceCode,serviceName
 *   partNumberPrefix,DYN365,crm,Microsoft Dynamics
 *   displayNameContains,Dynamics,crm,Microsoft Dynamics
 *   *,,o365,Microsoft Office 365
 */
import { readFile } from 'node:fs/promises';
import {
  type ClassificationTable,
  DEFAULT_CLASSIFICATION,
  SERVICE_RULE_MATCHES,
  type ServiceClass,
  type ServiceRule,
  type ServiceRuleMatch,
} from '../../domain/classify.ts';
import { showValue } from '../row-fields.ts';
import { cleanCell, parseCsvTable } from './csv-table.ts';

const COLUMNS = ['match', 'prefix', 'servicecode', 'servicename'] as const;

/** Reads a classification file; throws an Error `file:line: reason` on a bad one. */
export async function readClassificationFile(path: string): Promise<ClassificationTable> {
  return parseClassificationText(await readFile(path, 'utf8'), path);
}

export function parseClassificationText(text: string, file: string): ClassificationTable {
  const fail = (line: number, reason: string): never => {
    throw new Error(`${file}:${line}: ${reason}`);
  };
  const table = parseCsvTable(text);
  if (!table.ok) return fail(table.line, table.reason);
  const index = COLUMNS.map((c) => table.header.indexOf(c));
  if (index.some((i) => i < 0))
    return fail(1, `expected the header ${'match,prefix,serviceCode,serviceName'}`);
  const rules: ServiceRule[] = [];
  let fallback: ServiceClass | undefined;
  for (const { line, fields } of table.records) {
    if ((fields[0] ?? '').trimStart().startsWith('#')) continue;
    const [match, prefix, code, name] = index.map((i) => cleanCell(fields[i] ?? '')) as [
      string,
      string,
      string,
      string,
    ];
    const serviceCode = code.toLowerCase();
    if (serviceCode === '') fail(line, 'serviceCode is empty');
    if (name === '') fail(line, 'serviceName is empty');
    if (match === '*') {
      if (fallback !== undefined) fail(line, 'a second fallback row (*)');
      fallback = { serviceCode, serviceName: name };
    } else if ((SERVICE_RULE_MATCHES as readonly string[]).includes(match)) {
      if (prefix === '') fail(line, 'prefix is empty');
      rules.push({ match: match as ServiceRuleMatch, prefix, serviceCode, serviceName: name });
    } else {
      fail(line, `match ${showValue(match)} is not ${SERVICE_RULE_MATCHES.join(', ')} or *`);
    }
  }
  return Object.freeze({
    rules: Object.freeze(rules),
    fallback: fallback ?? DEFAULT_CLASSIFICATION.fallback,
  });
}
