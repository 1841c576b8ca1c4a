/**
 * Reads one snapshot's inputs live from a Partner-Center-compatible API: every customer
 * (`GET /v1/customers`, pages chained by the `MS-ContinuationToken` header of `links.next`, so
 * strictly one after another), then each customer's `GET /v1/customers/{id}/subscribedskus` with
 * bounded concurrency. Nothing is mapped or stored here: the caller decides what a failure means.
 */
import { normalizeGuid } from '../../domain/guid.ts';
import { type CollectHttp, CollectHttpError } from './http-client.ts';
import { runPool } from './pool.ts';

export interface CollectOptions {
  /** The API root without `/v1`, e.g. `https://api.partnercenter.microsoft.com`. */
  readonly baseUrl: string;
  readonly http: CollectHttp;
  /** Most subscribedskus calls in flight (default 8). */
  readonly concurrency?: number;
  /** Customers per page asked for (default 500, Partner Center's largest). */
  readonly pageSize?: number;
  /** Stop starting subscribedskus calls after the first customer fails for good. */
  readonly failFast?: boolean;
  /** Called after each customer's subscribedskus call settles, and once when the list is known. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Receives each successful subscribedskus body as received (e.g. to save it); awaited. */
  readonly onSubscribedSkus?: (customerId: string, text: string) => Promise<void>;
}

export interface CollectedCustomer {
  /** Partner Center customer id: the path segment of its subscribedskus call. */
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
}

export interface CollectFailure extends CollectedCustomer {
  /** The last error of the call, after its retries. */
  readonly error: string;
}

export interface CollectResult {
  /** The customers pages as received (parsed, byte-order mark removed). */
  readonly pages: readonly unknown[];
  /** Every customer item listed, first occurrence of each id, in page order. */
  readonly customers: readonly unknown[];
  /** subscribedskus bodies by customer id, for the customers that answered. */
  readonly subscribedSkus: ReadonlyMap<string, unknown>;
  readonly failures: readonly CollectFailure[];
  /** Customers never asked for because `failFast` stopped the run. */
  readonly skipped: number;
  readonly requests: number;
  readonly retries: number;
}

/** The run cannot continue (the customer list itself failed, or a response has the wrong shape). */
export class CollectError extends Error {
  override readonly name = 'CollectError';
}

export async function collectPartnerCenter(options: CollectOptions): Promise<CollectResult> {
  const v1 = `${options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/i, '')}/v1`;
  let requests = 0;
  let retries = 0;

  const pages: unknown[] = [];
  const customers: unknown[] = [];
  const listed: CollectedCustomer[] = [];
  const seen = new Set<string>();
  const linksSeen = new Set<string>();
  let url = `${v1}/customers?size=${options.pageSize ?? 500}`;
  let headers: Record<string, string> = {};
  for (;;) {
    const response = await options.http.getJson(url, headers);
    requests += 1 + response.retries;
    retries += response.retries;
    pages.push(response.body);
    const items = field(response.body, 'items');
    if (!Array.isArray(items))
      throw new CollectError(`customers page ${pages.length} has no items array (GET ${url})`);
    for (const item of items) {
      const customer = identify(item);
      if (customer === undefined)
        throw new CollectError(`customers page ${pages.length}: an item has no id (GET ${url})`);
      const key = customer.id.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      customers.push(item);
      listed.push(customer);
    }
    const next = nextLink(response.body, v1);
    if (next === undefined) break;
    const token = Object.entries(next.headers).find(([k]) => k.toLowerCase() === 'ms-continuationtoken');
    const link = `${next.url}\n${token?.[1] ?? ''}`;
    // A service that hands back the same link would otherwise page forever.
    if (linksSeen.has(link)) throw new CollectError('the customers list repeated its next link');
    linksSeen.add(link);
    url = next.url;
    headers = next.headers;
  }

  const subscribedSkus = new Map<string, unknown>();
  const failures: CollectFailure[] = [];
  let done = 0;
  let started = 0;
  options.onProgress?.(0, listed.length);
  await runPool(
    listed,
    options.concurrency ?? 8,
    async (customer) => {
      started++;
      const skusUrl = `${v1}/customers/${encodeURIComponent(customer.id)}/subscribedskus`;
      let text: string | undefined;
      try {
        const response = await options.http.getJson(skusUrl);
        requests += 1 + response.retries;
        retries += response.retries;
        if (!Array.isArray(field(response.body, 'items')))
          throw new Error(`the subscribedskus body has no items array (GET ${skusUrl})`);
        subscribedSkus.set(customer.id, response.body);
        text = response.text;
      } catch (err) {
        const r = err instanceof CollectHttpError ? err.retries : 0;
        requests += 1 + r;
        retries += r;
        failures.push({ ...customer, error: err instanceof Error ? err.message : String(err) });
      }
      // Outside the try: a save that fails (disk full) fails the run, not the customer.
      if (text !== undefined) await options.onSubscribedSkus?.(customer.id, text);
      options.onProgress?.(++done, listed.length);
    },
    () => options.failFast === true && failures.length > 0,
  );
  return {
    pages,
    customers,
    subscribedSkus,
    failures,
    skipped: listed.length - started,
    requests,
    retries,
  };
}

/** A property read without regard to case (`items` / `Items`). */
function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(value)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function identify(item: unknown): CollectedCustomer | undefined {
  const id = field(item, 'id');
  if (typeof id !== 'string' || id.trim() === '') return undefined;
  const profile = field(item, 'companyProfile');
  const tenantId = field(profile, 'tenantId');
  const name = field(profile, 'companyName');
  const tenant = typeof tenantId === 'string' && tenantId.trim() !== '' ? tenantId.trim() : id.trim();
  return {
    id: id.trim(),
    // Upper-case like every stored GUID, so messages match what `query` and `snapshots` show.
    tenantId: normalizeGuid(tenant) ?? tenant,
    name: typeof name === 'string' ? name : '',
  };
}

/**
 * `links.next`: a `uri` relative to `/v1` (Partner Center writes `/customers?size=500`) or absolute,
 * and the `headers` (`[{key, value}]`) the next request must carry.
 */
function nextLink(body: unknown, v1: string): { url: string; headers: Record<string, string> } | undefined {
  const next = field(field(body, 'links'), 'next');
  const uri = field(next, 'uri');
  if (typeof uri !== 'string' || uri === '') return undefined;
  const headers: Record<string, string> = {};
  const list = field(next, 'headers');
  for (const h of Array.isArray(list) ? list : []) {
    const key = field(h, 'key');
    const value = field(h, 'value');
    if (typeof key === 'string' && typeof value === 'string') headers[key] = value;
  }
  const url = /^https?:\/\//i.test(uri) ? uri : `${v1}${uri.startsWith('/') ? '' : '/'}${uri}`;
  return { url, headers };
}
