/**
 * A scriptable fake of Partner Center's customers API — a real node:http listener on port 0 — for
 * tests of `seatwise collect`, of the SDK and of anything else that reads `GET /v1/customers` (paged
 * with `MS-ContinuationToken`, a UTF-8 byte-order mark like the real service),
 * `GET /v1/customers/{id}/subscribedskus` and `GET /v1/customers/{id}/subscriptions`.
 *
 * Faults are rules matched against each request in order (429 with Retry-After, 5xx, slow answers);
 * every request is logged with its headers so tests can assert retries kept their MS-RequestId.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSku {
  readonly id: string;
  readonly name: string;
  readonly partNumber: string;
  readonly targetType?: 'User' | 'Tenant';
  readonly totalUnits: number;
  readonly consumedUnits: number;
  readonly warningUnits?: number;
  readonly suspendedUnits?: number;
  readonly capabilityStatus?: string;
}

export interface FakeSubscription {
  readonly id: string;
  readonly offerId: string;
  readonly offerName: string;
  readonly quantity: number;
  /** Default `active`. */
  readonly status?: string;
  readonly billingCycle?: string;
}

export interface FakeCustomer {
  /** The Partner Center customer id (a GUID, usually equal to the tenant id). */
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly skus: readonly FakeSku[];
  /** Default: one monthly subscription per SKU (see `fakeSubscriptions`). */
  readonly subscriptions?: readonly FakeSubscription[];
}

export type FakeRequestKind = 'customers' | 'subscribedskus' | 'subscriptions' | 'other';

export interface FakeRequest {
  /** Milliseconds since the fake started (monotonic). */
  readonly at: number;
  readonly path: string;
  readonly kind: FakeRequestKind;
  /** Zero-based page index for `customers` requests (resolved from the continuation token). */
  readonly page?: number;
  readonly customerId?: string;
  readonly requestId: string | undefined;
  readonly correlationId: string | undefined;
  readonly authorization: string | undefined;
  readonly continuationToken: string | undefined;
  readonly locale: string | undefined;
  readonly accept: string | undefined;
  status: number;
}

export interface FaultRule {
  readonly match: (request: FakeRequest) => boolean;
  readonly status: number;
  /** Sent as `Retry-After` (seconds). */
  readonly retryAfterSeconds?: number;
  /** How many matching requests fail; default 1, `Infinity` for always. */
  times?: number;
  /** Delay before answering (ms), to provoke client timeouts; the status is still sent afterwards. */
  readonly delayMs?: number;
}

export interface FakePartnerCenterOptions {
  readonly customers: readonly FakeCustomer[];
  /** Most customers per page, whatever `size` asks for (default 500, as the real service). */
  readonly pageSize?: number;
  /** Prefix successful bodies with a byte-order mark (default true, as the real service). */
  readonly bom?: boolean;
  /**
   * How a customers page points at the next one: `links.next` with an `MS-ContinuationToken` header
   * and the token in the body's `continuationToken` too (`both`, the default), only the link
   * (`link`), or only the body's token (`body`). The next page is whichever request carries the token.
   */
  readonly continuation?: 'both' | 'link' | 'body';
  /** Accepts a bearer token; default: any non-empty one. */
  readonly acceptToken?: (token: string) => boolean;
  readonly faults?: readonly FaultRule[];
}

export interface FakePartnerCenter {
  /** `http://127.0.0.1:<port>` (no `/v1`). */
  readonly baseUrl: string;
  readonly requests: readonly FakeRequest[];
  /** Adds fault rules at run time (evaluated after earlier ones). */
  fault(rule: FaultRule): void;
  close(): Promise<void>;
}

const CONTINUATION = 'ms-continuationtoken';

export async function startFakePartnerCenter(options: FakePartnerCenterOptions): Promise<FakePartnerCenter> {
  const started = performance.now();
  const pageSize = options.pageSize ?? 500;
  const faults: FaultRule[] = [...(options.faults ?? [])];
  const requests: FakeRequest[] = [];
  const byId = new Map(options.customers.map((c) => [c.id.toLowerCase(), c]));
  // Opaque tokens, as the real service's: the client must echo them, not compute them.
  const tokens = new Map<string, number>();
  const tokenFor = (page: number) => {
    const token = `ct-${page}-${Math.random().toString(36).slice(2)}`;
    tokens.set(token, page);
    return token;
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => send(res, 500, { message: String(err) }, false));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const one = /^\/v1\/customers\/([^/]+)\/(subscribedskus|subscriptions)$/i.exec(url.pathname);
    const continuationToken = header(CONTINUATION);
    const kind: FakeRequestKind =
      url.pathname === '/v1/customers'
        ? 'customers'
        : one?.[2]?.toLowerCase() === 'subscribedskus'
          ? 'subscribedskus'
          : one
            ? 'subscriptions'
            : 'other';
    const page =
      kind === 'customers'
        ? continuationToken === undefined
          ? 0
          : (tokens.get(continuationToken) ?? -1)
        : undefined;
    const entry: FakeRequest = {
      at: performance.now() - started,
      path: `${url.pathname}${url.search}`,
      kind,
      ...(page === undefined ? {} : { page }),
      ...(one?.[1] === undefined ? {} : { customerId: decodeURIComponent(one[1]) }),
      requestId: header('ms-requestid'),
      correlationId: header('ms-correlationid'),
      authorization: header('authorization'),
      continuationToken,
      locale: header('x-locale'),
      accept: header('accept'),
      status: 0,
    };
    requests.push(entry);
    const reply = (status: number, body: unknown, bom = false, extra: Record<string, string> = {}) => {
      entry.status = status;
      send(res, status, body, bom, { 'ms-requestid': entry.requestId ?? '', ...extra });
    };

    const bearer = /^Bearer (.+)$/.exec(entry.authorization ?? '')?.[1];
    if (bearer === undefined || !(options.acceptToken ?? (() => true))(bearer)) {
      reply(401, { code: 800001, description: 'token missing or invalid' }, false, {
        'www-authenticate': 'Bearer',
      });
      return;
    }
    const rule = faults.find((f) => (f.times ?? 1) > 0 && f.match(entry));
    if (rule !== undefined) {
      rule.times = (rule.times ?? 1) - 1;
      if (rule.delayMs !== undefined) await new Promise((r) => setTimeout(r, rule.delayMs));
      const retry: Record<string, string> =
        rule.retryAfterSeconds === undefined ? {} : { 'retry-after': String(rule.retryAfterSeconds) };
      const body =
        rule.status === 429
          ? {
              statusCode: 429,
              message: `Rate limit is exceeded. Try again in ${rule.retryAfterSeconds ?? 1} seconds.`,
            }
          : { code: 800003, description: `scripted ${rule.status}` };
      reply(rule.status, body, false, retry);
      return;
    }

    if (kind === 'customers') {
      if (page === undefined || page < 0) {
        reply(400, { code: 800002, description: 'invalid continuation token' });
        return;
      }
      const size = Math.min(pageSize, Number(url.searchParams.get('size') ?? pageSize) || pageSize);
      const items = options.customers.slice(page * size, (page + 1) * size).map(customerItem);
      const more = (page + 1) * size < options.customers.length;
      const style = options.continuation ?? 'both';
      const token = more ? tokenFor(page + 1) : undefined;
      const body = {
        totalCount: items.length,
        items,
        links: {
          self: { uri: `/customers?size=${size}`, method: 'GET', headers: [] },
          ...(token !== undefined && style !== 'body'
            ? {
                next: {
                  uri: `/customers?size=${size}&seekOperation=Next`,
                  method: 'GET',
                  headers: [{ key: 'MS-ContinuationToken', value: token }],
                },
              }
            : {}),
        },
        ...(token !== undefined && style !== 'link' ? { continuationToken: token } : {}),
        attributes: { objectType: 'Collection' },
      };
      reply(200, body, options.bom ?? true);
      return;
    }
    if (kind === 'subscribedskus' || kind === 'subscriptions') {
      const customer = byId.get((entry.customerId ?? '').toLowerCase());
      if (customer === undefined) {
        reply(404, { code: 900118, description: 'invalid customer id' });
        return;
      }
      const items =
        kind === 'subscribedskus'
          ? customer.skus.map(skuItem)
          : (customer.subscriptions ?? fakeSubscriptions(customer)).map(subscriptionItem);
      reply(
        200,
        { totalCount: items.length, items, attributes: { objectType: 'Collection' } },
        options.bom ?? true,
      );
      return;
    }
    reply(404, { code: 1000, description: 'not found' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    fault: (rule) => {
      faults.push(rule);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  bom: boolean,
  headers: Record<string, string> = {},
): void {
  const text = `${bom ? '\uFEFF' : ''}${JSON.stringify(body)}`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

function customerItem(c: FakeCustomer): Record<string, unknown> {
  return {
    id: c.id,
    companyProfile: {
      tenantId: c.tenantId,
      domain: `${c.name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.onmicrosoft.com`,
      companyName: c.name,
      attributes: { objectType: 'CustomerCompanyProfile' },
    },
    relationshipToPartner: 'reseller',
    attributes: { objectType: 'Customer' },
  };
}

function skuItem(s: FakeSku): Record<string, unknown> {
  const warning = s.warningUnits ?? 0;
  return {
    availableUnits: Math.max(0, s.totalUnits - s.consumedUnits),
    activeUnits: s.totalUnits - warning,
    consumedUnits: s.consumedUnits,
    suspendedUnits: s.suspendedUnits ?? 0,
    totalUnits: s.totalUnits,
    warningUnits: warning,
    productSku: {
      id: s.id,
      name: s.name,
      skuPartNumber: s.partNumber,
      targetType: s.targetType ?? 'User',
      licenseGroupId: 'group1',
    },
    servicePlans: [],
    capabilityStatus: s.capabilityStatus ?? 'Enabled',
    attributes: { objectType: 'SubscribedSku' },
  };
}

function subscriptionItem(s: FakeSubscription): Record<string, unknown> {
  return {
    id: s.id,
    offerId: s.offerId,
    offerName: s.offerName,
    friendlyName: s.offerName,
    quantity: s.quantity,
    unitType: 'Licenses',
    hasPurchasableAddons: false,
    creationDate: '2025-06-01T00:00:00Z',
    effectiveStartDate: '2025-06-01T00:00:00Z',
    commitmentEndDate: '2026-06-01T00:00:00Z',
    status: s.status ?? 'active',
    autoRenewEnabled: true,
    isTrial: false,
    billingType: 'license',
    billingCycle: s.billingCycle ?? 'monthly',
    termDuration: 'P1M',
    contractType: 'subscription',
    links: { self: { uri: `/customers/x/subscriptions/${s.id}`, method: 'GET', headers: [] } },
    attributes: { objectType: 'Subscription' },
  };
}

/**
 * A customer's default subscriptions: one per SKU, its quantity the SKU's total units, its id the
 * SKU id's first four groups and the customer id's last, its offer id the SKU id upper-cased.
 */
export function fakeSubscriptions(customer: FakeCustomer): FakeSubscription[] {
  return customer.skus.map((sku) => ({
    id: `${sku.id.slice(0, 24)}${customer.id.slice(-12)}`,
    offerId: sku.id.toUpperCase(),
    offerName: sku.name,
    quantity: sku.totalUnits,
    status: sku.capabilityStatus === 'Suspended' ? 'suspended' : 'active',
  }));
}

/** Real catalog SKUs (see src/domain/sku-catalog.csv), so mapped rows carry known names. */
export const FAKE_SKUS = Object.freeze({
  e3: { id: '6fd2c87f-b296-42f0-b197-1e91e994b900', name: 'Office 365 E3', partNumber: 'ENTERPRISEPACK' },
  e5: { id: '06ebc4ee-1bb5-47dd-8120-11324bc54e06', name: 'Microsoft 365 E5', partNumber: 'SPE_E5' },
  sales: {
    id: '1e1a282c-9c54-43a2-9310-98ef728faace',
    name: 'Dynamics 365 for Sales Enterprise Edition',
    partNumber: 'DYN365_ENTERPRISE_SALES',
  },
});

/** `n` deterministic customers (customer id = tenant id), each with E3 and every third with Sales. */
export function fakeCustomers(n: number): FakeCustomer[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `c0ffee00-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`;
    const skus: FakeSku[] = [{ ...FAKE_SKUS.e3, totalUnits: 10 + i, consumedUnits: 5 + (i % 7) }];
    if (i % 3 === 0) skus.push({ ...FAKE_SKUS.sales, totalUnits: 4, consumedUnits: 3 });
    return { id, tenantId: id, name: `Customer ${i + 1} & Sons`, skus };
  });
}
