/**
 * Answers kept exactly as sent. A committed snapshot never changes until a write replaces it, and
 * every such write moves the store's generation on (`Store.generation`), so an answer is kept under
 * (partner, generation, request URL) and served again, byte for byte, to the same request while the
 * generation stands. A request that reads a newer generation never meets an older answer: entries
 * of older generations are simply never asked for again, and the least recently used make room.
 *
 * Each entry has a strong ETag (a hash of its bytes): `If-None-Match` gets `304 Not Modified`.
 * Bodies of 1 KiB or more are sent compressed when the client accepts brotli or gzip; each
 * compressed form is made once per entry, when first asked for, and kept beside it. The cache is
 * bounded in bytes, compressed forms included.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Bodies smaller than this are sent as they are: compressing them saves too little. */
export const COMPRESS_THRESHOLD = 1024;
/** Brotli at quality 4: close to gzip's speed with smaller output (11, zlib's default, is far slower). */
const BROTLI_OPTIONS = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };
const ENCODINGS = ['br', 'gzip'] as const;
type Encoding = (typeof ENCODINGS)[number];

interface Entry {
  readonly body: Buffer;
  readonly etag: string;
  readonly compressed: Partial<Record<Encoding, Buffer>>;
}

export interface ResponseCacheOptions {
  /** The most bytes kept, compressed forms included. 0 keeps nothing (every answer is computed). */
  readonly maxBytes: number;
  /** Prepended to every body (the byte-order mark, when the server sends one). */
  readonly prefix?: string;
}

export interface CacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly maxBytes: number;
  readonly hits: number;
  readonly misses: number;
}

/** `Cache-Control` of cached answers: for this caller only, and to be revalidated with the ETag. */
export const CACHE_CONTROL = 'private, no-cache';

export class ResponseCache {
  readonly #entries: LRUCache<string, Entry> | undefined;
  readonly #prefix: string;
  readonly #maxBytes: number;
  /** Computations under way, so that concurrent identical requests compute once. */
  readonly #pending = new Map<string, Promise<Entry>>();
  #hits = 0;
  #misses = 0;

  constructor(options: ResponseCacheOptions) {
    this.#prefix = options.prefix ?? '';
    this.#maxBytes = options.maxBytes;
    this.#entries =
      options.maxBytes > 0
        ? new LRUCache<string, Entry>({
            maxSize: options.maxBytes,
            sizeCalculation: (e) =>
              Math.max(1, e.body.length + (e.compressed.br?.length ?? 0) + (e.compressed.gzip?.length ?? 0)),
          })
        : undefined;
  }

  stats(): CacheStats {
    return {
      entries: this.#entries?.size ?? 0,
      bytes: this.#entries?.calculatedSize ?? 0,
      maxBytes: this.#maxBytes,
      hits: this.#hits,
      misses: this.#misses,
    };
  }

  /**
   * Sends the answer for `key` (which must name everything the body depends on): the kept one, or
   * the one `compute` makes, which is then kept. Sets ETag, Cache-Control and Vary; answers 304
   * when the request's If-None-Match names the ETag; compresses when the client accepts it.
   */
  async send(
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    compute: () => Promise<string>,
  ): Promise<FastifyReply> {
    const entry = await this.#entry(key, compute);
    reply.header('ETag', entry.etag);
    reply.header('Cache-Control', CACHE_CONTROL);
    reply.header('Vary', 'Accept-Encoding');
    if (matches(request.headers['if-none-match'], entry.etag)) return reply.code(304).send();
    const encoding = entry.body.length >= COMPRESS_THRESHOLD ? accepted(request) : undefined;
    if (encoding === undefined) return reply.send(entry.body);
    const body = await this.#compressed(key, entry, encoding);
    reply.header('Content-Encoding', encoding);
    return reply.send(body);
  }

  async #entry(key: string, compute: () => Promise<string>): Promise<Entry> {
    const kept = this.#entries?.get(key);
    if (kept !== undefined) {
      this.#hits++;
      return kept;
    }
    const pending = this.#pending.get(key);
    if (pending !== undefined) {
      this.#hits++;
      return pending;
    }
    this.#misses++;
    const made = (async () => {
      const body = Buffer.from(this.#prefix + (await compute()), 'utf8');
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
      const entry: Entry = { body, etag, compressed: {} };
      this.#entries?.set(key, entry);
      return entry;
    })();
    if (this.#entries !== undefined) this.#pending.set(key, made);
    try {
      return await made;
    } finally {
      this.#pending.delete(key);
    }
  }

  async #compressed(key: string, entry: Entry, encoding: Encoding): Promise<Buffer> {
    const kept = entry.compressed[encoding];
    if (kept !== undefined) return kept;
    const body =
      encoding === 'br' ? await brotliAsync(entry.body, BROTLI_OPTIONS) : await gzipAsync(entry.body);
    entry.compressed[encoding] = body;
    // Set again so that the cache counts the compressed bytes (when the entry is still kept).
    if (this.#entries?.peek(key) === entry) this.#entries.set(key, entry);
    return body;
  }
}

/** The encoding to send, from the request's Accept-Encoding (brotli preferred), or undefined. */
function accepted(request: FastifyRequest): Encoding | undefined {
  const header = request.headers['accept-encoding'];
  if (typeof header !== 'string' || header === '') return undefined;
  const chosen = negotiate(header, [...ENCODINGS]);
  return chosen === 'br' || chosen === 'gzip' ? chosen : undefined;
}

/** Whether If-None-Match (a list of entity tags, or `*`) names `etag`, compared weakly (RFC 9110). */
function matches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text.trim() === '*') return true;
  return text
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .includes(etag);
}
