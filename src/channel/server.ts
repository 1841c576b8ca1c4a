/**
 * The one way into a database that `seatwise serve` owns: an HTTP server on a Unix socket beside
 * it (`<db>.sock`, mode 0600), through which CLI commands use the server's own store. Calls and
 * the framing of streamed loads are described in `protocol.ts`.
 *
 * The socket is the proof of life: a command that connects knows a server is there, and a socket
 * file left by a killed server refuses connections and is removed by whoever finds it. Only the
 * file's owner (and root) can connect, the same people who could open the database file itself.
 */
import { chmod, type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadRequest, LoadSink, Store } from '../store/store.ts';
import { serverAnswers } from './probe.ts';
import { BadRequest, FrameReader, isCall, MAX_CALL_BYTES, parseFrame } from './protocol.ts';
import { socketPathFor } from './socket-path.ts';

export interface Channel {
  /** Where commands connect. */
  readonly socketPath: string;
  /**
   * Stops listening and removes the socket. Calls in progress and loads whose body has arrived
   * finish; loads still receiving their body are cut off, so the store rolls them back.
   */
  close(): Promise<void>;
}

class NotFound extends Error {}

export async function listenChannel(store: Store, db: string): Promise<Channel> {
  const socketPath = socketPathFor(db);
  if (await serverAnswers(socketPath)) {
    throw new Error(`another seatwise serve already owns ${db} (it answers on ${socketPath}); stop it first`);
  }

  const state: State = { closing: false, receiving: new Set() };
  const server = createServer((req, res) => {
    void handle(store, req, res, state);
  });
  // A large load streams for as long as it takes; Node's default gives a request 5 minutes.
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`another seatwise serve already owns ${db} (it took ${socketPath} just now)`)
          : new Error(`cannot listen on ${socketPath}: ${err.message}`),
      );
    server.once('error', failed);
    // The socket is created owner-only from the start: binding happens inside listen(), and the
    // umask is restored as soon as it returns.
    const umask = process.umask(0o177);
    try {
      server.listen(socketPath, () => {
        server.off('error', failed);
        resolve();
      });
    } finally {
      process.umask(umask);
    }
  });
  try {
    await chmod(socketPath, 0o600);
  } catch (err) {
    await closeServer(server, socketPath, state);
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    socketPath,
    close: () => {
      closing ??= closeServer(server, socketPath, state);
      return closing;
    },
  };
}

interface State {
  /** Set by close(): answers then close their connection instead of keeping it alive. */
  closing: boolean;
  /** Loads still reading their body, cut off by close(). */
  readonly receiving: Set<IncomingMessage>;
}

async function closeServer(server: Server, socketPath: string, state: State): Promise<void> {
  state.closing = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  for (const req of state.receiving) req.destroy();
  await closed;
  await rm(socketPath, { force: true });
}

async function handle(store: Store, req: IncomingMessage, res: ServerResponse, state: State): Promise<void> {
  const { receiving } = state;
  try {
    if (req.method !== 'POST') throw new NotFound(`${req.method} ${req.url}: the channel takes POST only`);
    const url = req.url ?? '';
    if (url === '/load') {
      receiving.add(req);
      try {
        send(res, 200, await load(store, req, () => receiving.delete(req)), state);
      } finally {
        receiving.delete(req);
      }
      return;
    }
    const method = url.startsWith('/call/') ? url.slice('/call/'.length) : undefined;
    if (method === undefined || !isCall(method)) throw new NotFound(`no such call: ${url}`);
    const args = await readArguments(req);
    const fn = store[method] as (...args: unknown[]) => Promise<unknown>;
    send(res, 200, (await fn.apply(store, args)) ?? null, state);
  } catch (err) {
    const status = err instanceof BadRequest ? 400 : err instanceof NotFound ? 404 : 500;
    send(res, status, { message: err instanceof Error ? err.message : String(err) }, state);
  }
}

function send(res: ServerResponse, status: number, body: unknown, state: State): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(state.closing ? { connection: 'close' } : {}),
  });
  res.end(text);
}

async function readArguments(req: IncomingMessage): Promise<unknown[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CALL_BYTES) throw new BadRequest(`call arguments larger than ${MAX_CALL_BYTES} bytes`);
    chunks.push(chunk);
  }
  let args: unknown;
  try {
    args = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('the call arguments are not JSON');
  }
  if (!Array.isArray(args)) throw new BadRequest('the call arguments must be a JSON array');
  return args.map((a) => (a === null ? undefined : a));
}

/** Runs one streamed load; `bodyDone` is called once the whole body has arrived. */
async function load(store: Store, req: IncomingMessage, bodyDone: () => void) {
  const reader = new FrameReader(req as AsyncIterable<Buffer>, () => {
    if (!req.complete) throw new Error('the client went away before the load was complete');
    bodyDone();
  });
  const request = parseLoadRequest(await reader.line());
  const scratch = new Scratch();
  try {
    return await store.load(request, (sink) => feed(reader, sink, scratch));
  } finally {
    await scratch.remove();
  }
}

function parseLoadRequest(line: string | undefined): LoadRequest {
  let value: unknown;
  try {
    value = line === undefined ? undefined : JSON.parse(line);
  } catch {
    // Reported below.
  }
  const r = value as Partial<Record<keyof LoadRequest, unknown>> | undefined;
  const strings = (v: unknown) =>
    v === undefined || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (
    r === null ||
    typeof r !== 'object' ||
    typeof r.partnerId !== 'string' ||
    typeof r.source !== 'string' ||
    !strings(r.dates) ||
    !strings(r.missingCustomers) ||
    !(r.subscriptions === undefined || Array.isArray(r.subscriptions)) ||
    !(r.maxErrors === undefined || typeof r.maxErrors === 'number')
  ) {
    throw new BadRequest('a load must start with a LoadRequest line (partnerId, source, …)');
  }
  return r as LoadRequest;
}

async function feed(reader: FrameReader, sink: LoadSink, scratch: Scratch): Promise<void> {
  for (;;) {
    const line = await reader.line();
    if (line === undefined) return;
    const frame = parseFrame(line);
    if (frame.kind === 'rows') {
      await sink.rows(frame.name, frame.batch);
    } else if (frame.kind === 'error') {
      sink.error(frame.name, frame.line, frame.reason);
    } else {
      const path = await scratch.file();
      const file = await open(path, 'wx', 0o600);
      try {
        let piece = frame;
        for (;;) {
          await reader.bytes(piece.bytes, (bytes) => writeAll(file, bytes));
          if (piece.end) break;
          const next = await reader.line();
          const nextFrame = next === undefined ? undefined : parseFrame(next);
          if (nextFrame?.kind !== 'csv' || nextFrame.name !== piece.name) {
            throw new BadRequest(`the CSV file ${piece.name} ends without its last piece`);
          }
          piece = nextFrame;
        }
      } finally {
        await file.close();
      }
      await sink.csvFile(path, frame.name);
    }
  }
}

async function writeAll(file: FileHandle, bytes: Buffer): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += (await file.write(bytes, at, bytes.length - at)).bytesWritten;
}

/** A private temporary directory for one load's CSV files, made on first use. */
class Scratch {
  #dir: Promise<string> | undefined;
  #count = 0;

  async file(): Promise<string> {
    this.#dir ??= mkdtemp(join(tmpdir(), 'seatwise-load-'));
    return join(await this.#dir, `${++this.#count}.csv`);
  }

  async remove(): Promise<void> {
    if (this.#dir === undefined) return;
    const dir = await this.#dir.catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
}
