/**
 * The Partner Center client, shaped like the .NET SDK's `partnerOperations`: the licenses-deployment
 * analytics (the legacy collections E1 and E3, the commercial deployment resource E5) and the
 * customer calls Seatwise's own `collect` makes (the customers list, a customer's subscribed SKUs
 * and subscriptions). Every call goes through the one transport in transport.ts.
 */
import {
  type Credentials,
  createTransport,
  type JsonResponse,
  lowerKeys,
  malformed,
  type RetryOptions,
  type Transport,
} from './transport.ts';
import type {
  ChangeItem,
  Changes,
  ChangesQuery,
  Collection,
  Customer,
  CustomerLicensesDeploymentInsights,
  CustomersPage,
  CustomersQuery,
  DeploymentPage,
  DeploymentQuery,
  DeploymentRowOf,
  Dimension,
  Link,
  PartnerLicensesDeploymentInsights,
  Renewals,
  RenewalsQuery,
  RequestOptions,
  Shelfware,
  ShelfwareQuery,
  SubscribedSku,
  Subscription,
  Trend,
  TrendItemOf,
  TrendQuery,
} from './types.ts';

export interface PartnerClientOptions {
  /** Default `https://api.partnercenter.microsoft.com`; point it at Seatwise to test against it. */
  readonly baseUrl?: string;
  /** A bearer token, or a function returning one (called again with `forceRefresh` after a 401). */
  readonly credentials: Credentials;
  readonly fetch?: typeof fetch;
  /** Per HTTP attempt. Default 100 s. */
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  /** Sent as MS-CorrelationId on every call; default a new GUID per client. */
  readonly correlationId?: string;
  /** Sent as X-Locale. Default `en-US`. */
  readonly locale?: string;
}

export const PARTNER_CENTER_BASE_URL = 'https://api.partnercenter.microsoft.com';
const E5_PATH = '/v1/analytics/commercial/deployment/license/';
const CUSTOMERS_PATH = '/v1/customers';
const TREND_PATH = '/seatwise/v1/trend';
const CHANGES_PATH = '/seatwise/v1/changes';
const SHELFWARE_PATH = '/seatwise/v1/shelfware';
const RENEWALS_PATH = '/seatwise/v1/renewals';
/** Customers per page when `size` is not given: the most Partner Center hands out. */
const DEFAULT_CUSTOMERS_PAGE_SIZE = 500;
const CONTINUATION_HEADER = 'MS-ContinuationToken';

export interface LicenseDeploymentResource {
  /** One page of rows (or groups). */
  get<const G extends readonly Dimension[] | undefined = undefined>(
    query?: DeploymentQuery<G>,
    options?: RequestOptions,
  ): Promise<DeploymentPage<DeploymentRowOf<G>>>;
  /** Every page of the query, following `@nextLink`. */
  pages<const G extends readonly Dimension[] | undefined = undefined>(
    query?: DeploymentQuery<G>,
    options?: RequestOptions,
  ): AsyncIterableIterator<DeploymentPage<DeploymentRowOf<G>>>;
  /** Every row (or group) of the query, page after page, following `@nextLink`. */
  iterate<const G extends readonly Dimension[] | undefined = undefined>(
    query?: DeploymentQuery<G>,
    options?: RequestOptions,
  ): AsyncIterableIterator<DeploymentRowOf<G>>;
}

export interface PartnerClient {
  readonly analytics: {
    readonly licenses: {
      readonly deployment: {
        get(options?: RequestOptions): Promise<Collection<PartnerLicensesDeploymentInsights>>;
      };
    };
    readonly commercial: { readonly deployment: { readonly license: LicenseDeploymentResource } };
  };
  readonly customers: CustomersResource;
  /** Seatwise's own endpoints under `/seatwise/v1/` (not on Partner Center). */
  readonly seatwise: SeatwiseResource;
}

export interface SeatwiseResource {
  /** `GET /seatwise/v1/trend`: licenses sold and deployed per processed date (and groupby fields). */
  trend<const G extends readonly Dimension[] | undefined = undefined>(
    query?: TrendQuery<G>,
    options?: RequestOptions,
  ): Promise<Trend<TrendItemOf<G>>>;
  /**
   * `GET /seatwise/v1/changes`: the rows added, removed or changed between two snapshots, every
   * page of them (following `@nextLink`).
   */
  changes(query: ChangesQuery, options?: RequestOptions): Promise<Changes>;
  /**
   * `GET /seatwise/v1/shelfware`: unassigned seats per customer and product on a snapshot, with
   * their monthly cost where a price is known; every page, and the totals per currency.
   */
  shelfware(query?: ShelfwareQuery, options?: RequestOptions): Promise<Shelfware>;
  /**
   * `GET /seatwise/v1/renewals`: subscriptions whose term ends within `withinDays` of the snapshot,
   * with the seats that could be dropped at renewal; every page, and the totals per currency.
   */
  renewals(query?: RenewalsQuery, options?: RequestOptions): Promise<Renewals>;
}

export interface CustomersResource {
  /**
   * `GET /v1/customers?size=N`, page after page: each next page is asked for with the
   * `MS-ContinuationToken` the previous one handed out, until a page hands out none. Only one page
   * is held at a time.
   */
  pages(query?: CustomersQuery, options?: RequestOptions): AsyncIterableIterator<CustomersPage>;
  /** Every customer, page after page (see `pages`). */
  iterate(query?: CustomersQuery, options?: RequestOptions): AsyncIterableIterator<Customer>;
  byId(customerId: string): CustomerResource;
}

export interface CustomerResource {
  readonly analytics: {
    readonly licenses: {
      readonly deployment: {
        get(options?: RequestOptions): Promise<Collection<CustomerLicensesDeploymentInsights>>;
      };
    };
  };
  /** `GET /v1/customers/{id}/subscribedskus`: the customer's products with their seat counts. */
  readonly subscribedSkus: { get(options?: RequestOptions): Promise<Collection<SubscribedSku>> };
  /** `GET /v1/customers/{id}/subscriptions`: the customer's subscriptions. */
  readonly subscriptions: { get(options?: RequestOptions): Promise<Collection<Subscription>> };
}

/**
 * Creates a client.
 *
 * @example
 * const client = createPartnerClient({ baseUrl: 'http://127.0.0.1:8080', credentials: token });
 * const page = await client.analytics.commercial.deployment.license.get({
 *   groupby: ['serviceCode', 'channel'],
 * });
 * for (const g of page.value) console.log(g.serviceCode, g.channel, g.licensesSold);
 */
export function createPartnerClient(options: PartnerClientOptions): PartnerClient {
  const transport = createTransport({
    baseUrl: options.baseUrl ?? PARTNER_CENTER_BASE_URL,
    credentials: options.credentials,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    timeoutMs: options.timeoutMs ?? 100_000,
    retry: options.retry ?? {},
    correlationId: options.correlationId ?? crypto.randomUUID(),
    locale: options.locale ?? 'en-US',
  });
  const collection = async <T>(path: string, call?: RequestOptions): Promise<Collection<T>> =>
    toCollection<T>(await transport.get(path, call));
  return {
    analytics: {
      licenses: {
        deployment: {
          get: (call) =>
            collection<PartnerLicensesDeploymentInsights>('/v1/analytics/licenses/deployment', call),
        },
      },
      commercial: { deployment: { license: licenseResource(transport) } },
    },
    customers: customersResource(transport, collection),
    seatwise: {
      trend: async (query = {}, call) => {
        const response = await transport.get(TREND_PATH + trendQueryString(query), call);
        const body = lowerKeys(response.body);
        const value = body.value;
        if (!Array.isArray(value)) throw malformed(response, 'the trend has no value array');
        const total = body.totalcount;
        return { value, totalCount: typeof total === 'number' ? total : value.length };
      },
      changes: async (query, call) => {
        const parts = [
          `from=${encodeURIComponent(utcDay(query.from))}`,
          `to=${encodeURIComponent(utcDay(query.to))}`,
        ];
        if (query.filter !== undefined) parts.push(`filter=${encodeURIComponent(String(query.filter))}`);
        if (query.top !== undefined) parts.push(`top=${encodeURIComponent(String(query.top))}`);
        const { first, value } = await everyPage<ChangeItem>(transport, CHANGES_PATH, parts, 'changes', call);
        return {
          from: typeof first.from === 'string' ? first.from : utcDay(query.from),
          to: typeof first.to === 'string' ? first.to : utcDay(query.to),
          value,
          totalCount: typeof first.totalcount === 'number' ? first.totalcount : value.length,
        };
      },
      shelfware: async (query = {}, call) => {
        const { first, value } = await everyPage<Shelfware['value'][number]>(
          transport,
          SHELFWARE_PATH,
          insightParams(query),
          'shelfware',
          call,
        );
        return {
          processedDate: typeof first.processeddate === 'string' ? first.processeddate : null,
          value,
          totalCount: typeof first.totalcount === 'number' ? first.totalcount : value.length,
          totals: Array.isArray(first.totals) ? (first.totals as Shelfware['totals']) : [],
          unpriced: (first.unpriced as Shelfware['unpriced'] | undefined) ?? {
            items: 0,
            licensesUnassigned: 0,
          },
        };
      },
      renewals: async (query = {}, call) => {
        const parts = insightParams(query);
        if (query.withinDays !== undefined)
          parts.unshift(`withinDays=${encodeURIComponent(String(query.withinDays))}`);
        const { first, value } = await everyPage<Renewals['value'][number]>(
          transport,
          RENEWALS_PATH,
          parts,
          'renewals',
          call,
        );
        return {
          processedDate: typeof first.processeddate === 'string' ? first.processeddate : null,
          withinDays: typeof first.withindays === 'number' ? first.withindays : (query.withinDays ?? 30),
          value,
          totalCount: typeof first.totalcount === 'number' ? first.totalcount : value.length,
          totals: Array.isArray(first.totals) ? (first.totals as Renewals['totals']) : [],
        };
      },
    },
  };
}

/** The shelfware's and renewals' common parameters, in the order sent. */
function insightParams(query: ShelfwareQuery): string[] {
  const parts: string[] = [];
  if (query.processedDateTime !== undefined) {
    parts.push(`processedDateTime=${encodeURIComponent(utcDay(query.processedDateTime))}`);
  }
  if (query.filter !== undefined) parts.push(`filter=${encodeURIComponent(String(query.filter))}`);
  if (query.top !== undefined) parts.push(`top=${encodeURIComponent(String(query.top))}`);
  return parts;
}

/**
 * Reads every page of a `/seatwise/v1/` list, following `@nextLink` (resolved against the page's
 * URL, as E5's): the first page's body (lower-cased keys) and every page's `value`.
 */
async function everyPage<T>(
  transport: Transport,
  path: string,
  parts: readonly string[],
  what: string,
  call: RequestOptions | undefined,
): Promise<{ first: Record<string, unknown>; value: T[] }> {
  let url = `${transport.baseUrl}${path}${parts.length === 0 ? '' : `?${parts.join('&')}`}`;
  const value: T[] = [];
  const asked = new Set<string>();
  let first: Record<string, unknown> | undefined;
  for (;;) {
    asked.add(url);
    const response = await transport.get(url, call);
    const body = lowerKeys(response.body);
    first ??= body;
    const page = body.value;
    if (!Array.isArray(page)) throw malformed(response, `the ${what} have no value array`);
    value.push(...(page as T[]));
    const next = body['@nextlink'];
    if (typeof next !== 'string' || next === '') return { first, value };
    url = new URL(next, url).toString();
    if (asked.has(url)) throw malformed(response, `the ${what} linked a page already read`);
  }
}

/** A day as sent: a string as given, a Date as its UTC day. */
function utcDay(d: string | Date): string {
  return d instanceof Date ? d.toISOString().slice(0, 10) : d;
}

function trendQueryString(query: TrendQuery<readonly Dimension[] | undefined>): string {
  const parts: string[] = [];
  const add = (name: string, value: string) => parts.push(`${name}=${encodeURIComponent(value)}`);
  if (query.from !== undefined) add('from', utcDay(query.from));
  if (query.to !== undefined) add('to', utcDay(query.to));
  if (query.groupby !== undefined && query.groupby.length > 0) add('groupby', query.groupby.join(','));
  if (query.filter !== undefined) add('filter', String(query.filter));
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function customersResource(
  transport: Transport,
  collection: <T>(path: string, call?: RequestOptions) => Promise<Collection<T>>,
): CustomersResource {
  async function* pages(
    query: CustomersQuery = {},
    call?: RequestOptions,
  ): AsyncIterableIterator<CustomersPage> {
    const size = query.size ?? DEFAULT_CUSTOMERS_PAGE_SIZE;
    const first = `${CUSTOMERS_PATH}?size=${encodeURIComponent(String(size))}`;
    let next: { url: string; headers: Record<string, string> } | undefined =
      query.continuationToken === undefined
        ? { url: first, headers: {} }
        : continueWith(first, query.continuationToken);
    // A service that hands out the same page twice would otherwise be paged forever.
    const asked = new Set<string>();
    while (next !== undefined) {
      asked.add(requestKey(transport, next));
      const response = await transport.get(next.url, call, next.headers);
      const page = customersPage(response);
      yield page;
      next = nextPage(page, first);
      if (next !== undefined && asked.has(requestKey(transport, next)))
        throw malformed(response, 'the customers list handed out a continuation it had already answered');
    }
  }
  return {
    pages,
    async *iterate(query, call) {
      for await (const page of pages(query, call)) yield* page.items;
    },
    byId: (customerId) => {
      const path = `${CUSTOMERS_PATH}/${encodeURIComponent(customerId)}`;
      return {
        analytics: {
          licenses: {
            deployment: {
              get: (call) =>
                collection<CustomerLicensesDeploymentInsights>(`${path}/analytics/licenses/deployment`, call),
            },
          },
        },
        subscribedSkus: { get: (call) => collection<SubscribedSku>(`${path}/subscribedskus`, call) },
        subscriptions: { get: (call) => collection<Subscription>(`${path}/subscriptions`, call) },
      };
    },
  };
}

/** The request for the page after `token` when the service gave no link: the first one's, seeking next. */
function continueWith(first: string, token: string): { url: string; headers: Record<string, string> } {
  return { url: `${first}&seekOperation=Next`, headers: { [CONTINUATION_HEADER]: token } };
}

function customersPage(response: JsonResponse): CustomersPage {
  const body = lowerKeys(response.body);
  const items = body.items;
  if (!Array.isArray(items)) throw malformed(response, 'the customers page has no items array');
  const links = lowerKeys(body.links);
  const self = link(links.self);
  const next = link(links.next);
  const fromLink = next?.headers.find((h) => h.key.toLowerCase() === CONTINUATION_HEADER.toLowerCase());
  const token = fromLink?.value ?? body.continuationtoken;
  const total = body.totalcount;
  return {
    totalCount: typeof total === 'number' ? total : items.length,
    items: items as Customer[],
    continuationToken: typeof token === 'string' && token !== '' ? token : null,
    links: { ...(self === undefined ? {} : { self }), ...(next === undefined ? {} : { next }) },
    attributes: { objectType: 'Collection' },
  };
}

/**
 * Where the next page is: `links.next` (its `uri` relative to `/v1`, as Partner Center writes
 * `/customers?size=500`, or starting with `/v1/`, or absolute) with the headers it lists; else, when
 * the body carries only a `continuationToken`, the first request seeking next with that token.
 */
function nextPage(
  page: CustomersPage,
  first: string,
): { url: string; headers: Record<string, string> } | undefined {
  const next = page.links.next;
  if (next !== undefined && next.uri !== '') {
    const headers: Record<string, string> = {};
    for (const h of next.headers) headers[h.key] = h.value;
    const uri = next.uri;
    const url =
      /^https?:\/\//i.test(uri) || /^\/v1(\/|\?|$)/i.test(uri)
        ? uri
        : `/v1${uri.startsWith('/') ? '' : '/'}${uri}`;
    return { url, headers };
  }
  return page.continuationToken === null ? undefined : continueWith(first, page.continuationToken);
}

function requestKey(transport: Transport, request: { url: string; headers: Record<string, string> }): string {
  return `${transport.url(request.url)}\n${JSON.stringify(request.headers)}`;
}

/** A `Link` as sent, keys read in any case; undefined when it has no `uri`. */
function link(value: unknown): Link | undefined {
  const l = lowerKeys(value);
  if (typeof l.uri !== 'string') return undefined;
  const headers: { key: string; value: string }[] = [];
  for (const h of Array.isArray(l.headers) ? l.headers : []) {
    const { key, value: v } = lowerKeys(h);
    if (typeof key === 'string' && typeof v === 'string') headers.push({ key, value: v });
  }
  return { uri: l.uri, method: typeof l.method === 'string' ? l.method : 'GET', headers };
}

function licenseResource(transport: Transport): LicenseDeploymentResource {
  async function fetchPage<T>(pathOrUrl: string, call?: RequestOptions): Promise<DeploymentPage<T>> {
    const response = await transport.get(pathOrUrl, call);
    const body = lowerKeys(response.body);
    const value = body.value;
    if (!Array.isArray(value)) throw malformed(response, 'the response has no Value array');
    const next = body['@nextlink'] ?? body['@odata.nextlink'] ?? body.nextlink ?? null;
    const total = body.totalcount;
    return {
      value: value as T[],
      nextLink: typeof next === 'string' && next !== '' ? next : null,
      totalCount: typeof total === 'number' ? total : value.length,
    };
  }

  async function* pages<const G extends readonly Dimension[] | undefined = undefined>(
    query: DeploymentQuery<G> = {},
    call?: RequestOptions,
  ): AsyncIterableIterator<DeploymentPage<DeploymentRowOf<G>>> {
    let url = `${transport.baseUrl}${E5_PATH}${queryString(query)}`;
    let skip = query.skip ?? 0;
    for (;;) {
      const page = await fetchPage<DeploymentRowOf<G>>(url, call);
      yield page;
      skip += page.value.length;
      if (page.nextLink !== null) {
        // Root-relative, absolute and segment-relative links all resolve against the page's URL.
        url = new URL(page.nextLink, url).toString();
      } else if (page.value.length > 0 && skip < page.totalCount) {
        // A server that sends no link but has more rows: page by skip, as the documentation describes.
        url = `${transport.baseUrl}${E5_PATH}${queryString({ ...query, skip })}`;
      } else {
        return;
      }
    }
  }

  return {
    get: (query = {}, call) => fetchPage(E5_PATH + queryString(query), call),
    pages,
    async *iterate<const G extends readonly Dimension[] | undefined = undefined>(
      query: DeploymentQuery<G> = {},
      call?: RequestOptions,
    ): AsyncIterableIterator<DeploymentRowOf<G>> {
      for await (const page of pages(query, call)) yield* page.value;
    },
  };
}

function queryString(query: DeploymentQuery<readonly Dimension[] | undefined>): string {
  const parts: string[] = [];
  const add = (name: string, value: string) => parts.push(`${name}=${encodeURIComponent(value)}`);
  if (query.filter !== undefined) add('filter', String(query.filter));
  if (query.groupby !== undefined && query.groupby.length > 0) add('groupby', query.groupby.join(','));
  if (query.top !== undefined) add('top', String(query.top));
  if (query.skip !== undefined) add('skip', String(query.skip));
  if (query.processedDateTime !== undefined) {
    const d = query.processedDateTime;
    add('processedDateTime', d instanceof Date ? d.toISOString() : d);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function toCollection<T>(response: JsonResponse): Collection<T> {
  const body = lowerKeys(response.body);
  const items = body.items;
  if (!Array.isArray(items)) throw malformed(response, 'the response has no items array');
  const total = body.totalcount;
  return {
    totalCount: typeof total === 'number' ? total : items.length,
    items: items as T[],
    attributes: { objectType: 'Collection' },
  };
}
