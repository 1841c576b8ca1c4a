/**
 * What travels over the socket of a running `seatwise serve` (docs/architecture.md, "One owner of
 * the file, one way in"). HTTP/1.1 over a Unix socket, two kinds of request, both `POST`:
 *
 * - `/call/<method>`: the body is a JSON array of the arguments of one `Store` method in `CALLS`;
 *   the answer is its JSON result (`null` for none). A top-level `null` argument arrives as
 *   `undefined` (JSON has no `undefined`, and no method takes a null argument).
 * - `/load`: a streamed body of lines and raw bytes that drives one `Store.load`:
 *
 *   ```
 *   {"partnerId": "…", "source": "import rows", …}   the LoadRequest, one line
 *   {"csv": "<name>", "bytes": N}                      then exactly N raw bytes of a CSV file
 *   {"csv": "<name>", "bytes": N, "end": true}         the file's last piece (N may be 0)
 *   {"rows": "<name>", "batch": [RawRow, …]}           one line
 *   {"error": ["<name>", line, "reason"]}              one line
 *   ```
 *
 *   Every line ends with `\n`; the bytes of a CSV piece follow its line directly and the next line
 *   starts right after them. A file is sent as consecutive pieces of the same name (so neither side
 *   needs its size in advance, and a pipe works as well as a file); the server copies them to a
 *   private temporary file and hands that to `LoadSink.csvFile` at the piece marked `end`. The end
 *   of the body ends the feed; a body that stops inside a line or a piece, or a client that goes
 *   away, makes the feed throw, so the store rolls the load back. The answer is the JSON
 *   `LoadOutcome`.
 *
 * Failures are answered with a 4xx or 5xx status and `{"message": "…"}`; the client throws them as
 * `Error(message)`.
 */
import type { RawRow, RawValue, Store } from '../store/store.ts';

/** The `Store` methods `/call/<method>` runs; everything else is answered 404. */
export const CALLS = [
  'generation',
  'latestSnapshot',
  'deploymentPage',
  'serviceTotals',
  'trend',
  'changes',
  'shelfware',
  'renewals',
  'customerLatestSnapshot',
  'customerProducts',
  'listSnapshots',
  'listSubscriptions',
  'catalog',
  'recordCollectionRun',
  'listCollectionRuns',
  'deleteSnapshotsBefore',
  'upsertCatalog',
  'replacePrices',
  'listPrices',
  'listAlertStates',
  'saveAlertStates',
] as const satisfies readonly (keyof Store)[];

export type CallName = (typeof CALLS)[number];

export function isCall(name: string): name is CallName {
  return (CALLS as readonly string[]).includes(name);
}

/**
 * Longest line the server reads (a frame header or one `rows` batch). The client cuts batches at
 * `ROWS_FRAME_BYTES`, so only a single row larger than this could reach it.
 */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;
/** A `rows` frame is cut once its JSON exceeds this. */
export const ROWS_FRAME_BYTES = 1024 * 1024;
/** Largest `/call` body (the arguments); `upsertCatalog` with a large catalog is the biggest. */
export const MAX_CALL_BYTES = MAX_LINE_BYTES;

/** A problem with what the client sent; answered 400. */
export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

export type Frame =
  | { readonly kind: 'csv'; readonly name: string; readonly bytes: number; readonly end: boolean }
  | { readonly kind: 'rows'; readonly name: string; readonly batch: readonly RawRow[] }
  | { readonly kind: 'error'; readonly name: string; readonly line: number; readonly reason: string };

// ---- client side: encoding ----

export function csvHeader(name: string, bytes: number, end: boolean): string {
  return `${JSON.stringify(end ? { csv: name, bytes, end: true } : { csv: name, bytes })}\n`;
}

export function errorFrame(name: string, line: number, reason: string): string {
  return `${JSON.stringify({ error: [name, line, reason] })}\n`;
}

/**
 * `rows` frames for a batch, each at most about `ROWS_FRAME_BYTES` of JSON, made one at a time as
 * they are sent. A number JSON cannot carry (NaN, ±Infinity) is sent as its text, as the store
 * would stage it, instead of turning into a missing value.
 */
export function* rowsFrames(name: string, rows: readonly RawRow[]): Generator<string> {
  const head = `{"rows":${JSON.stringify(name)},"batch":[`;
  let parts: string[] = [];
  let size = 0;
  for (const row of rows) {
    const json = `{"line":${JSON.stringify(row.line)},"values":${valuesJson(row.values)}}`;
    if (parts.length > 0 && size + json.length > ROWS_FRAME_BYTES) {
      yield `${head}${parts.join(',')}]}\n`;
      parts = [];
      size = 0;
    }
    parts.push(json);
    size += json.length + 1;
  }
  // An empty batch is sent too: the store learns the source's name from it, as locally.
  if (parts.length > 0 || rows.length === 0) yield `${head}${parts.join(',')}]}\n`;
}

function valuesJson(values: readonly RawValue[]): string {
  for (const v of values) {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      return JSON.stringify(
        values.map((x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)),
      );
    }
  }
  return JSON.stringify(values);
}

// ---- server side: decoding ----

/** Parses a frame header or `rows`/`error` line; throws `BadRequest` on anything else. */
export function parseFrame(line: string): Frame {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new BadRequest(`a load frame is not JSON: ${preview(line)}`);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const f = value as Record<string, unknown>;
    if (typeof f.csv === 'string' && Number.isSafeInteger(f.bytes) && (f.bytes as number) >= 0) {
      return { kind: 'csv', name: f.csv, bytes: f.bytes as number, end: f.end === true };
    }
    if (typeof f.rows === 'string' && Array.isArray(f.batch) && f.batch.every(isRawRow)) {
      return { kind: 'rows', name: f.rows, batch: f.batch as RawRow[] };
    }
    if (Array.isArray(f.error) && f.error.length === 3) {
      const [name, at, reason] = f.error as unknown[];
      if (typeof name === 'string' && typeof at === 'number' && typeof reason === 'string') {
        return { kind: 'error', name, line: at, reason };
      }
    }
  }
  throw new BadRequest(`not a load frame: ${preview(line)}`);
}

function isRawRow(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const row = value as { line?: unknown; values?: unknown };
  return typeof row.line === 'number' && Array.isArray(row.values);
}

function preview(line: string): string {
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;

/**
 * Reads a `/load` body as lines and byte runs, pulling chunks only when it needs them: while the
 * store is busy nothing is read, the socket's buffers fill and the client's writes wait.
 */
export class FrameReader {
  readonly #source: AsyncIterator<Buffer>;
  /** Called when the source ends; throws when it ended early (the client went away). */
  readonly #checkEnd: () => void;
  #pending: Buffer = EMPTY;
  #ended = false;

  constructor(source: AsyncIterable<Buffer>, checkEnd: () => void) {
    this.#source = source[Symbol.asyncIterator]();
    this.#checkEnd = checkEnd;
  }

  async #pull(): Promise<Buffer | undefined> {
    if (this.#ended) return undefined;
    const next = await this.#source.next();
    if (next.done === true) {
      this.#ended = true;
      this.#checkEnd();
      return undefined;
    }
    return next.value;
  }

  /** The next line without its `\n`, or undefined where the body ends cleanly. */
  async line(): Promise<string | undefined> {
    const first = this.#pending;
    let at = first.indexOf(NEWLINE);
    if (at >= 0) {
      this.#pending = first.subarray(at + 1);
      return first.toString('utf8', 0, at);
    }
    const parts = first.length > 0 ? [first] : [];
    let size = first.length;
    this.#pending = EMPTY;
    for (;;) {
      const chunk = await this.#pull();
      if (chunk === undefined) {
        if (size === 0) return undefined;
        throw new BadRequest('the load body ended inside a line');
      }
      at = chunk.indexOf(NEWLINE);
      if (at >= 0) {
        parts.push(chunk.subarray(0, at));
        this.#pending = chunk.subarray(at + 1);
        return Buffer.concat(parts).toString('utf8');
      }
      size += chunk.length;
      if (size > MAX_LINE_BYTES) {
        throw new BadRequest(`a load frame line is longer than ${MAX_LINE_BYTES} bytes`);
      }
      parts.push(chunk);
    }
  }

  /** Hands the next `n` bytes to `write`, piece by piece as they arrive, awaiting each. */
  async bytes(n: number, write: (piece: Buffer) => Promise<void>): Promise<void> {
    let left = n;
    while (left > 0) {
      let piece = this.#pending.length > 0 ? this.#pending : await this.#pull();
      this.#pending = EMPTY;
      if (piece === undefined) throw new BadRequest('the load body ended inside a CSV piece');
      if (piece.length > left) {
        this.#pending = piece.subarray(left);
        piece = piece.subarray(0, left);
      }
      left -= piece.length;
      await write(piece);
    }
  }
}
