/**
 * Partner Center `GET /v1/customers` responses (docs/data-sources.md, "The inputs"): one
 * response `{totalCount, items, links}` or an array of such pages, as `collect --save-raw` and
 * hand-made scripts write them.
 */
import { normalizeGuid } from '../../domain/guid.ts';
import { showValue } from '../row-fields.ts';
import { asObject, text } from './snapshot-builder.ts';

export interface CustomerInfo {
  /** Partner Center customer id, upper-case GUID (names `subscribedskus/<id>.json`). */
  readonly id: string;
  /** `companyProfile.tenantId`, falling back to the customer id (they are equal in practice). */
  readonly tenantId: string;
  /** `companyProfile.companyName` trimmed, else the domain, else the tenant id. */
  readonly name: string;
}

/** The customer items of a response body or of an array of page bodies; a string on a bad shape. */
export function customerItems(body: unknown): unknown[] | string {
  const pages = Array.isArray(body) ? body : [body];
  const items: unknown[] = [];
  for (const [i, page] of pages.entries()) {
    const list = asObject(page)?.items;
    if (!Array.isArray(list)) {
      const where = Array.isArray(body) ? `page ${i + 1}` : 'the response';
      return `expected a Partner Center customers response {"items": [...]}, or an array of them; ${where} has no "items" array`;
    }
    for (const item of list) items.push(item);
  }
  return items;
}

/** One customer item, or the reason it cannot be used. */
export function customerInfo(item: unknown): CustomerInfo | string {
  const obj = asObject(item);
  if (obj === undefined) return 'customer item is not a JSON object';
  const id = normalizeGuid(text(obj.id));
  if (id === undefined) return `customer id ${showValue(obj.id ?? '')} is not a GUID`;
  const profile = asObject(obj.companyProfile) ?? {};
  const rawTenant = text(profile.tenantId);
  const tenantId = rawTenant === '' ? id : normalizeGuid(rawTenant);
  if (tenantId === undefined)
    return `customer ${id}: companyProfile.tenantId ${showValue(profile.tenantId)} is not a GUID`;
  // Names are kept exactly (quotes, ampersands, non-Latin scripts); only surrounding space goes.
  const name = text(profile.companyName) || text(profile.domain) || tenantId;
  return { id, tenantId, name };
}

/**
 * The usable customers of `items`, first occurrence of an id winning (pages fetched while the
 * list changes can overlap). Bad items are reported through `error`, at `lineOf(index)`.
 */
export function collectCustomers(
  items: readonly unknown[],
  lineOf: (index: number) => number,
  error: (line: number, reason: string) => boolean,
): CustomerInfo[] {
  const seen = new Set<string>();
  const out: CustomerInfo[] = [];
  for (let i = 0; i < items.length; i++) {
    const info = customerInfo(items[i]);
    if (typeof info === 'string') {
      if (!error(lineOf(i), info)) break;
      continue;
    }
    if (seen.has(info.id)) continue;
    seen.add(info.id);
    out.push(info);
  }
  return out;
}
