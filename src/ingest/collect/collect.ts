/**
 * Reads one snapshot's inputs live from a Partner-Center-compatible API through a Partner Center
 * client (the SDK's, `createPartnerClient` in src/sdk/, which does the HTTP: retries, 429, 401,
 * byte-order marks): every customer page (chained by `MS-ContinuationToken`, so strictly one after
 * another), then each customer's subscribed SKUs and subscriptions (one call after the other, so a
 * customer holds one call in flight) with bounded concurrency. A customer counts as read only when
 * both calls succeeded; a failure of either makes it a failed customer. Nothing is mapped or
 * stored here: the caller decides what a failure means.
 */
import { normalizeGuid } from '../../domain/guid.ts';
import { runPool } from './pool.ts';

/** Per call: told of every HTTP attempt, so requests and retries can be counted. */
export interface PartnerCenterCallOptions {
  readonly onAttempt: (attempt: { readonly attempt: number }) => void;
}

/**
 * What collect needs of a Partner Center client, by shape: the SDK's `PartnerClient` is one (this
 * layer does not import src/sdk/; the CLI hands the client in).
 */
export interface PartnerCenterReader {
  readonly customers: {
    pages(
      query: { readonly size: number },
      options: PartnerCenterCallOptions,
    ): AsyncIterable<{ readonly items: readonly unknown[] }>;
    byId(customerId: string): {
      readonly subscribedSkus: {
        get(options: PartnerCenterCallOptions): Promise<{ readonly items: readonly unknown[] }>;
      };
      readonly subscriptions: {
        get(options: PartnerCenterCallOptions): Promise<{ readonly items: readonly unknown[] }>;
      };
    };
  };
}

export interface CollectOptions {
  readonly client: PartnerCenterReader;
  /** Most customers being read at once, each with one call in flight (default 8). */
  readonly concurrency?: number;
  /** Customers per page asked for (default 500, Partner Center's largest). */
  readonly pageSize?: number;
  /** Stop starting customers after the first customer fails for good. */
  readonly failFast?: boolean;
  /** Called after each customer's calls settle, and once when the list is known. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Receives the subscribedskus response of each customer read (both calls succeeded) as JSON
   * text (e.g. to save it); awaited.
   */
  readonly onSubscribedSkus?: (customerId: string, text: string) => Promise<void>;
  /** The same for its subscriptions response. */
  readonly onSubscriptions?: (customerId: string, text: string) => Promise<void>;
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
  /** The customers pages as the client returned them (items as received). */
  readonly pages: readonly unknown[];
  /** Every customer item listed, first occurrence of each id, in page order. */
  readonly customers: readonly unknown[];
  /** subscribedskus responses by customer id, for the customers read. */
  readonly subscribedSkus: ReadonlyMap<string, unknown>;
  /** subscriptions responses by customer id, for the same customers. */
  readonly subscriptions: ReadonlyMap<string, unknown>;
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
  const { client } = options;
  let requests = 0;
  let retries = 0;
  const counting: PartnerCenterCallOptions = {
    onAttempt: ({ attempt }) => {
      requests++;
      if (attempt > 1) retries++;
    },
  };

  const pages: unknown[] = [];
  const customers: unknown[] = [];
  const listed: CollectedCustomer[] = [];
  const seen = new Set<string>();
  try {
    for await (const page of client.customers.pages({ size: options.pageSize ?? 500 }, counting)) {
      pages.push(page);
      for (const item of page.items) {
        const customer = identify(item);
        if (customer === undefined)
          throw new CollectError(`customers page ${pages.length}: an item has no id`);
        const key = customer.id.toLowerCase();
        if (seen.has(key)) continue;
        seen.add(key);
        customers.push(item);
        listed.push(customer);
      }
    }
  } catch (err) {
    if (err instanceof CollectError) throw err;
    throw new CollectError(describeFailure(err), { cause: err });
  }

  const subscribedSkus = new Map<string, unknown>();
  const subscriptions = new Map<string, unknown>();
  const failures: CollectFailure[] = [];
  let done = 0;
  let started = 0;
  options.onProgress?.(0, listed.length);
  await runPool(
    listed,
    options.concurrency ?? 8,
    async (customer) => {
      started++;
      let read: { skus: unknown; subscriptions: unknown } | undefined;
      try {
        const one = client.customers.byId(customer.id);
        const skus = await one.subscribedSkus.get(counting);
        read = { skus, subscriptions: await one.subscriptions.get(counting) };
        subscribedSkus.set(customer.id, read.skus);
        subscriptions.set(customer.id, read.subscriptions);
      } catch (err) {
        failures.push({ ...customer, error: describeFailure(err) });
      }
      // Outside the try: a save that fails (disk full) fails the run, not the customer.
      if (read !== undefined) {
        await options.onSubscribedSkus?.(customer.id, JSON.stringify(read.skus));
        await options.onSubscriptions?.(customer.id, JSON.stringify(read.subscriptions));
      }
      options.onProgress?.(++done, listed.length);
    },
    () => options.failFast === true && failures.length > 0,
  );
  return {
    pages,
    customers,
    subscribedSkus,
    subscriptions,
    failures,
    skipped: listed.length - started,
    requests,
    retries,
  };
}

/**
 * A failed call in one line: the client's error (the SDK's PartnerCenterError, read by its fields)
 * as `HTTP 503: <description> (GET <url>, MS-RequestId <id>)`, or `no response: …` when none came.
 */
export function describeFailure(err: unknown): string {
  const e = err as { status?: unknown; description?: unknown; url?: unknown; requestId?: unknown };
  if (!(err instanceof Error) || typeof e.status !== 'number' || typeof e.description !== 'string')
    return err instanceof Error ? err.message : String(err);
  const where: string[] = [];
  if (typeof e.url === 'string' && e.url !== '') where.push(`GET ${e.url}`);
  if (typeof e.requestId === 'string' && e.requestId !== '') where.push(`MS-RequestId ${e.requestId}`);
  const what = e.status === 0 ? 'no response' : `HTTP ${e.status}`;
  return `${what}: ${e.description}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
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
