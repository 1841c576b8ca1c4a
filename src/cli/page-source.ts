/**
 * Where `seatwise query` and `seatwise export` read pages from: a Partner-Center-compatible API
 * through the SDK (`--url`), or a local store through the same service the server uses (`--db`).
 * Either way the rows have the wire shape of E5.
 */
import { resolveDbPath } from '../config.ts';
import { parseDeploymentQuery } from '../query/parse-query.ts';
import { createPartnerClient } from '../sdk/index.ts';
import { DeploymentService } from '../service/deployment-service.ts';
import { serializeDeploymentPage } from '../service/serialize.ts';
import { CliError } from './cli-error.ts';
import { openCliStore } from './open-store.ts';
import { partnerOption } from './options.ts';

export type WireRow = Readonly<Record<string, string | number>>;

export interface Page {
  readonly rows: readonly WireRow[];
  readonly totalCount: number;
}

export interface Selection {
  readonly filter?: string | undefined;
  readonly groupby?: string | undefined;
  readonly top?: string | undefined;
  readonly skip?: string | undefined;
  readonly date?: string | undefined;
}

export interface SourceOptions extends Selection {
  readonly url?: string | undefined;
  readonly token?: string | undefined;
  readonly db?: string | undefined;
  readonly partner?: string | undefined;
}

/** The E5 parameters of a selection, in wire form. */
function params(sel: Selection): Record<string, string> {
  const p: Record<string, string> = {};
  if (sel.filter !== undefined) p.filter = sel.filter;
  if (sel.groupby !== undefined) p.groupby = sel.groupby;
  if (sel.top !== undefined) p.top = sel.top;
  if (sel.skip !== undefined) p.skip = sel.skip;
  if (sel.date !== undefined) p.processedDateTime = sel.date;
  return p;
}

/** Yields the first page, or every page when `all`. The caller must finish or `return()` the iterator. */
export async function* openPages(options: SourceOptions, all: boolean): AsyncGenerator<Page> {
  if (options.url !== undefined) {
    yield* remotePages(options, all);
  } else {
    yield* localPages(options, all);
  }
}

async function* remotePages(options: SourceOptions, all: boolean): AsyncGenerator<Page> {
  const token = options.token ?? process.env.SEATWISE_TOKEN;
  if (token === undefined || token === '') throw new CliError('--url needs --token (or $SEATWISE_TOKEN)', 2);
  const client = createPartnerClient({ baseUrl: options.url!, credentials: token });
  const p = params(options);
  const query = {
    ...(p.filter === undefined ? {} : { filter: p.filter }),
    ...(p.groupby === undefined ? {} : { groupby: p.groupby.split(',').map((g) => g.trim()) as never }),
    ...(p.top === undefined ? {} : { top: Number(p.top) }),
    ...(p.skip === undefined ? {} : { skip: Number(p.skip) }),
    ...(p.processedDateTime === undefined ? {} : { processedDateTime: p.processedDateTime }),
  };
  for await (const page of client.analytics.commercial.deployment.license.pages(query)) {
    yield { rows: page.value as unknown as WireRow[], totalCount: page.totalCount };
    if (!all) return;
  }
}

async function* localPages(options: SourceOptions, all: boolean): AsyncGenerator<Page> {
  const partnerId = partnerOption(options.partner);
  const store = await openCliStore(resolveDbPath(options.db));
  try {
    const service = new DeploymentService(store);
    let query = parseDeploymentQuery(params(options));
    // Pin the snapshot so pages cannot shift under a concurrent import, as @nextLink does.
    const date = query.processedDate ?? (await service.latestSnapshot(partnerId));
    query = { ...query, processedDate: date ?? '0001-01-01' };
    for (;;) {
      const page = await service.queryPage(partnerId, query, { path: '/', params: [] });
      const body = JSON.parse(serializeDeploymentPage(page)) as { Value: WireRow[]; TotalCount: number };
      yield { rows: body.Value, totalCount: body.TotalCount };
      if (!all || page.nextLink === null) return;
      query = { ...query, skip: query.skip + body.Value.length };
    }
  } finally {
    await store.close();
  }
}
