/**
 * The Partner Center analytics client: the legacy licenses-deployment collections (E1, E3) and the
 * commercial deployment resource (E5), shaped like the .NET SDK's
 * `partnerOperations.Analytics.Licenses.Deployment.Get()`.
 */
import { PartnerCenterError } from './errors.ts';
import {
  type Credentials,
  createTransport,
  lowerKeys,
  type RetryOptions,
  type Transport,
} from './transport.ts';
import type {
  Collection,
  CustomerLicensesDeploymentInsights,
  DeploymentPage,
  DeploymentQuery,
  DeploymentRowOf,
  Dimension,
  PartnerLicensesDeploymentInsights,
  RequestOptions,
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
  readonly customers: {
    byId(customerId: string): {
      readonly analytics: {
        readonly licenses: {
          readonly deployment: {
            get(options?: RequestOptions): Promise<Collection<CustomerLicensesDeploymentInsights>>;
          };
        };
      };
    };
  };
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
    toCollection<T>(await transport.getJson(path, call));
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
    customers: {
      byId: (customerId) => ({
        analytics: {
          licenses: {
            deployment: {
              get: (call) =>
                collection<CustomerLicensesDeploymentInsights>(
                  `/v1/customers/${encodeURIComponent(customerId)}/analytics/licenses/deployment`,
                  call,
                ),
            },
          },
        },
      }),
    },
  };
}

function licenseResource(transport: Transport): LicenseDeploymentResource {
  async function fetchPage<T>(pathOrUrl: string, call?: RequestOptions): Promise<DeploymentPage<T>> {
    const body = lowerKeys(await transport.getJson(pathOrUrl, call));
    const value = body.value;
    if (!Array.isArray(value)) throw malformed('the response has no Value array');
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

function toCollection<T>(json: unknown): Collection<T> {
  const body = lowerKeys(json);
  const items = body.items;
  if (!Array.isArray(items)) throw malformed('the response has no items array');
  const total = body.totalcount;
  return {
    totalCount: typeof total === 'number' ? total : items.length,
    items: items as T[],
    attributes: { objectType: 'Collection' },
  };
}

function malformed(description: string): PartnerCenterError {
  return new PartnerCenterError({ status: 200, description, requestId: '', correlationId: '' });
}
