/**
 * The `Store` port over the socket of a running `seatwise serve` (protocol.ts): every method is a
 * call to the server's own store, and a load streams what the feed puts in its sink, CSV files
 * included, with the socket's flow control holding the feed back while the server is busy.
 */

import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import type { CatalogSku } from '../domain/sku-catalog.ts';
import type { ChangesPlan, QueryPlan, RenewalsPlan, ShelfwarePlan, TrendPlan } from '../query/query-plan.ts';
import type {
  AlertStateRecord,
  CollectionRunRecord,
  ColumnarResult,
  CustomerProduct,
  DeploymentPage,
  InsightPage,
  LoadOutcome,
  LoadRequest,
  LoadSink,
  PriceRecord,
  PriceSource,
  ServiceTotals,
  SnapshotInfo,
  Store,
  SubscriptionRecord,
} from '../store/store.ts';
import { type CallName, csvHeader, errorFrame, rowsFrames } from './protocol.ts';

/** CSV files are read and sent in pieces of this size. */
const CSV_PIECE_BYTES = 1024 * 1024;

interface Answer {
  readonly status: number;
  readonly text: string;
}

export class RemoteStore implements Store {
  readonly kind = 'remote';
  readonly description: string;
  readonly #socketPath: string;
  readonly #agent = new Agent({ keepAlive: true });

  constructor(socketPath: string) {
    this.#socketPath = socketPath;
    this.description = `server on ${socketPath}`;
  }

  generation(): Promise<string> {
    return this.#call('generation', []);
  }
  latestSnapshot(partnerId: string): Promise<string | null> {
    return this.#call('latestSnapshot', [partnerId]);
  }
  deploymentPage(plan: QueryPlan): Promise<DeploymentPage> {
    return this.#call('deploymentPage', [plan]);
  }
  changes(plan: ChangesPlan): Promise<ColumnarResult> {
    return this.#call('changes', [plan]);
  }
  trend(plan: TrendPlan): Promise<ColumnarResult> {
    return this.#call('trend', [plan]);
  }
  shelfware(plan: ShelfwarePlan): Promise<InsightPage> {
    return this.#call('shelfware', [plan]);
  }
  renewals(plan: RenewalsPlan): Promise<InsightPage> {
    return this.#call('renewals', [plan]);
  }
  serviceTotals(partnerId: string, date: string): Promise<ServiceTotals[]> {
    return this.#call('serviceTotals', [partnerId, date]);
  }
  customerLatestSnapshot(partnerId: string, customerId: string): Promise<string | null> {
    return this.#call('customerLatestSnapshot', [partnerId, customerId]);
  }
  customerProducts(partnerId: string, customerId: string, date: string): Promise<CustomerProduct[]> {
    return this.#call('customerProducts', [partnerId, customerId, date]);
  }
  listSnapshots(partnerId: string): Promise<SnapshotInfo[]> {
    return this.#call('listSnapshots', [partnerId]);
  }
  listSubscriptions(partnerId: string, processedDate: string): Promise<SubscriptionRecord[]> {
    return this.#call('listSubscriptions', [partnerId, processedDate]);
  }
  catalog(): Promise<CatalogSku[]> {
    return this.#call('catalog', []);
  }
  recordCollectionRun(partnerId: string, run: CollectionRunRecord): Promise<void> {
    return this.#call('recordCollectionRun', [partnerId, run]);
  }
  listCollectionRuns(partnerId: string, limit: number): Promise<CollectionRunRecord[]> {
    return this.#call('listCollectionRuns', [partnerId, limit]);
  }
  deleteSnapshotsBefore(before: string, partnerId?: string): Promise<{ snapshots: number; rows: number }> {
    return this.#call('deleteSnapshotsBefore', partnerId === undefined ? [before] : [before, partnerId]);
  }
  upsertCatalog(skus: readonly CatalogSku[]): Promise<{ skus: number }> {
    return this.#call('upsertCatalog', [skus]);
  }
  replacePrices(
    partnerId: string,
    source: PriceSource,
    prices: readonly PriceRecord[],
  ): Promise<{ prices: number }> {
    return this.#call('replacePrices', [partnerId, source, prices]);
  }
  listPrices(partnerId: string): Promise<PriceRecord[]> {
    return this.#call('listPrices', [partnerId]);
  }
  listAlertStates(partnerId: string): Promise<AlertStateRecord[]> {
    return this.#call('listAlertStates', [partnerId]);
  }
  saveAlertStates(
    partnerId: string,
    set: readonly AlertStateRecord[],
    clear: readonly string[],
  ): Promise<void> {
    return this.#call('saveAlertStates', [partnerId, set, clear]);
  }

  async close(): Promise<void> {
    this.#agent.destroy();
  }

  async #call<T>(method: CallName, args: readonly unknown[]): Promise<T> {
    const body = JSON.stringify(args);
    const req = this.#request(`/call/${method}`, { 'content-length': String(Buffer.byteLength(body)) });
    const answer = readAnswer(req);
    req.end(body);
    try {
      return parseAnswer<T>(await answer);
    } catch (err) {
      throw this.#lost(err, '');
    }
  }

  /**
   * Streams the feed's sources to the server, which runs the load on its store. If the feed
   * throws, the request is cut off, the server's feed throws in turn and the store rolls back.
   * If the server answers before the body is complete (it gave up, or failed), that answer is the
   * outcome and the feed's further calls are refused.
   */
  async load(request: LoadRequest, feed: (sink: LoadSink) => Promise<void>): Promise<LoadOutcome> {
    const req = this.#request('/load', { 'content-type': 'application/x-seatwise-load' });
    const upload = new Upload(req);
    const answer = readAnswer(req);
    answer.then(
      () => {
        if (!req.writableEnded) req.destroy();
      },
      () => {},
    );
    let fed = false;
    let feedError: unknown;
    try {
      await upload.write(`${JSON.stringify(request)}\n`);
      await feed(upload.sink);
      await upload.settled();
      fed = true;
    } catch (err) {
      feedError = err;
    }
    if (!upload.answered) {
      if (!fed) {
        const broken = upload.broken;
        req.destroy();
        // The server never saw the end of the body, so it has rolled the load back.
        if (broken !== undefined) throw this.#lost(broken, '; the load was not applied');
        throw feedError;
      }
      req.end();
    }
    try {
      return parseAnswer<LoadOutcome>(await answer);
    } catch (err) {
      throw this.#lost(
        err,
        upload.answered || !fed
          ? ''
          : "; if the server stopped while committing, the load may have been applied: check with 'seatwise snapshots'",
      );
    }
  }

  #request(path: string, headers: Record<string, string>): ClientRequest {
    return httpRequest({
      socketPath: this.#socketPath,
      agent: this.#agent,
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...headers },
    });
  }

  /** A connection failure, said in the user's terms; the server's own answers pass through. */
  #lost(err: unknown, more: string): unknown {
    if (err instanceof ServerAnswer) return new Error(err.message);
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return new Error(
      `lost the connection to seatwise serve on ${this.#socketPath} (${code})${more}; if the server ` +
        'has stopped, run the command again and it opens the database itself',
    );
  }
}

/** An error the server answered with; its message is the server's. */
class ServerAnswer extends Error {}

/** Thrown into the feed once the server has answered: nothing more is wanted. */
class LoadAnswered extends Error {
  constructor() {
    super('the server answered the load before it was complete');
  }
}

function readAnswer(req: ClientRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    req.on('error', reject);
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', reject);
      res.once('aborted', () => reject(new Error('the answer was cut off')));
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
  });
}

function parseAnswer<T>(answer: Answer): T {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new ServerAnswer(`seatwise serve answered ${answer.status}: ${answer.text.slice(0, 200)}`);
  }
  if (answer.status === 200) return body as T;
  const message = (body as { message?: unknown } | null)?.message;
  throw new ServerAnswer(typeof message === 'string' ? message : `seatwise serve answered ${answer.status}`);
}

/** The body of one `/load` request: frames written in order, each waiting for the socket. */
class Upload {
  readonly #req: ClientRequest;
  /** Rejects once the request is closed or failed; every wait races it. */
  readonly #gone: Promise<never>;
  /** The tail of the writes in order (`error` frames are written without the caller waiting). */
  #tail: Promise<void> = Promise.resolve();
  answered = false;
  /** Why the connection failed, if it did before the server answered. */
  broken: Error | undefined;

  readonly sink: LoadSink = {
    csvFile: (path, name) => this.#enqueue(() => this.#sendCsv(path, name)),
    rows: (name, rows) =>
      this.#enqueue(async () => {
        for (const frame of rowsFrames(name, rows)) await this.write(frame);
      }),
    error: (name, line, reason) => {
      this.#enqueue(() => this.write(errorFrame(name, line, reason))).catch(() => {});
    },
  };

  constructor(req: ClientRequest) {
    this.#req = req;
    req.once('response', () => {
      this.answered = true;
    });
    this.#gone = new Promise<never>((_, reject) => {
      const fail = (err: Error) => {
        if (!this.answered) this.broken ??= err;
        reject(err);
      };
      req.on('error', fail);
      req.once('close', () => fail(Object.assign(new Error('the connection closed'), { code: 'EPIPE' })));
    });
    this.#gone.catch(() => {});
  }

  /** Resolves when every frame so far has been handed to the socket. */
  settled(): Promise<void> {
    return this.#enqueue(async () => {});
  }

  async write(data: string | Buffer): Promise<void> {
    if (this.answered) throw new LoadAnswered();
    if (!this.#req.write(data)) await Promise.race([once(this.#req, 'drain'), this.#gone]);
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    // A failed step fails every later one too: the body is broken from there on.
    const run = this.#tail.then(step);
    this.#tail = run;
    return run;
  }

  async #sendCsv(path: string, name: string): Promise<void> {
    const stream = createReadStream(path, { highWaterMark: CSV_PIECE_BYTES });
    try {
      for await (const piece of stream as AsyncIterable<Buffer>) {
        await this.write(csvHeader(name, piece.length, false));
        await this.write(piece);
      }
    } finally {
      stream.destroy();
    }
    await this.write(csvHeader(name, 0, true));
  }
}
