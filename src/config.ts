/**
 * The service configuration: one typed object, parsed once from command-line flags and
 * environment variables (flags win), validated, frozen and passed explicitly.
 */

import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { IssuerConfig } from './auth/issuers.ts';
import { PARTNER_CENTER_AUDIENCE } from './auth/principal.ts';
import { parseRateLimit, type RateLimit } from './auth/rate-limiter.ts';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /**
   * The database: an absolute DuckDB file path, `:memory:`, or a `postgres://` / `postgresql://`
   * connection string (see `parseDbLocation`).
   */
  readonly db: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Expected `aud` of bearer tokens. */
  readonly audience: string;
  /** Prefix JSON bodies with a UTF-8 byte-order mark, as the real service does. */
  readonly byteOrderMark: boolean;
  /** Value of the `MS-ServerId` response header. */
  readonly serverId: string;
  readonly logLevel: LogLevel;
  /** External token issuers whose JWKS-verified tokens are accepted. */
  readonly issuers: readonly IssuerConfig[];
  /** Accept the local development issuer's tokens (default: only when no external issuer is set). */
  readonly localIssuer: boolean;
  /** Least time between two fetches of one JWKS. */
  readonly jwksRefetchFloorMs: number;
  /** Roles (names, directory role ids, group ids) allowed to read; null allows any delegated user. */
  readonly allowedRoles: readonly string[] | null;
  /** Requests per partner tenant (and per client address without a valid token); null: unlimited. */
  readonly rateLimit: RateLimit | null;
  /**
   * Count the rate limit in this Redis (`redis://` or `rediss://`), shared by every server given it;
   * undefined counts in a PostgreSQL `db`, else in the process.
   */
  readonly redisUrl: string | undefined;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). */
  readonly trustProxy: boolean;
  /**
   * Seconds a stopping server keeps answering, not ready and closing connections, before it stops
   * listening (behind a load balancer: longer than its health-check interval).
   */
  readonly drainSeconds: number;
  /** MiB of answers the response cache keeps (0: none); docs/scaling.md. */
  readonly cacheMb: number;
  /**
   * The local issuer's key file; undefined keeps the key beside a DuckDB file or inside a
   * PostgreSQL database.
   */
  readonly keyFile: string | undefined;
}

export const DEFAULT_DB = './data/seatwise.duckdb';

/** Documented in the README's configuration table; keep the two in step. */
export const ENV = Object.freeze({
  db: 'SEATWISE_DB',
  host: 'SEATWISE_HOST',
  port: 'SEATWISE_PORT',
  audience: 'SEATWISE_AUDIENCE',
  byteOrderMark: 'SEATWISE_BOM',
  serverId: 'SEATWISE_SERVER_ID',
  logLevel: 'SEATWISE_LOG_LEVEL',
  issuer: 'SEATWISE_ISSUER',
  jwksUri: 'SEATWISE_JWKS_URI',
  localIssuer: 'SEATWISE_LOCAL_ISSUER',
  allowedRoles: 'SEATWISE_ALLOWED_ROLES',
  rateLimit: 'SEATWISE_RATE_LIMIT',
  redisUrl: 'SEATWISE_REDIS_URL',
  trustProxy: 'SEATWISE_TRUST_PROXY',
  keyFile: 'SEATWISE_KEY_FILE',
  drainSeconds: 'SEATWISE_DRAIN_SECONDS',
  cacheMb: 'SEATWISE_CACHE_MB',
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ConfigInput {
  readonly db?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: string | number | undefined;
  readonly audience?: string | undefined;
  readonly byteOrderMark?: boolean | undefined;
  readonly serverId?: string | undefined;
  readonly logLevel?: string | undefined;
  readonly issuers?: readonly string[] | undefined;
  readonly jwksUris?: readonly string[] | undefined;
  readonly localIssuer?: boolean | undefined;
  readonly jwksRefetchFloorMs?: number | undefined;
  readonly allowedRoles?: string | undefined;
  readonly rateLimit?: string | undefined;
  readonly redisUrl?: string | undefined;
  readonly trustProxy?: boolean | undefined;
  readonly keyFile?: string | undefined;
  readonly drainSeconds?: string | number | undefined;
  readonly cacheMb?: string | number | undefined;
}

/**
 * The database: the flag, else `SEATWISE_DB`, else `./data/seatwise.duckdb`. A file path is made
 * absolute; a PostgreSQL connection string is kept as given.
 */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const text = flag ?? env[ENV.db] ?? DEFAULT_DB;
  return isPostgresUrl(text) ? text : resolve(text);
}

/** Where a `--db` value points. */
export type DbLocation =
  | { readonly kind: 'duckdb'; readonly path: string }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** The connection string without its password, for logs, banners and errors. */
      readonly display: string;
    };

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export function isPostgresUrl(text: string): boolean {
  return POSTGRES_URL.test(text);
}

/** Tells a DuckDB file from a PostgreSQL connection string; a malformed URL is a ConfigError. */
export function parseDbLocation(db: string): DbLocation {
  if (!isPostgresUrl(db)) return { kind: 'duckdb', path: db };
  let url: URL;
  try {
    url = new URL(db);
  } catch {
    // The text may hold a password: the message shows only its scheme.
    throw new ConfigError(
      'the --db connection string is not a valid URL; write it as postgres://user[:password]@host[:port]/database',
    );
  }
  if (url.pathname.length <= 1) {
    throw new ConfigError(
      `the --db connection string ${redactDbUrl(db)} names no database; add /database, e.g. postgres://user@host:5432/seatwise`,
    );
  }
  return { kind: 'postgres', url: db, display: redactDbUrl(db) };
}

/**
 * A connection string (PostgreSQL, Redis, any URL) with any password (in the user info or a
 * `password` parameter) replaced by `***`.
 */
export function redactDbUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text.replace(/\/\/[^@/]*@/, '//***@');
  }
  if (url.password !== '') url.password = '***';
  for (const name of [...url.searchParams.keys()]) {
    if (/pass|secret|key/i.test(name)) url.searchParams.set(name, '***');
  }
  return url.toString();
}

/**
 * Hides a URL's password wherever a message quotes it (as given or percent-decoded), for errors
 * from drivers that were handed the URL.
 */
export function passwordHider(url: string): (message: string) => string {
  let secrets: string[] = [];
  try {
    const { password } = new URL(url);
    if (password !== '') secrets = [...new Set([password, decodeURIComponent(password)])];
  } catch {
    // Not a URL: nothing to find.
  }
  return (message) => secrets.reduce((text, secret) => text.replaceAll(secret, '***'), message);
}

/** How a `--db` value is shown to people: a file path as it is, a connection string without its password. */
export function displayDb(db: string): string {
  return isPostgresUrl(db) ? redactDbUrl(db) : db;
}

export function loadConfig(flags: ConfigInput, env: NodeJS.ProcessEnv = process.env): Config {
  const port = parsePort(flags.port ?? env[ENV.port] ?? '8080');
  const logLevel = (flags.logLevel ?? env[ENV.logLevel] ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }
  const serverId = flags.serverId ?? env[ENV.serverId] ?? defaultServerId();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(serverId))
    throw new ConfigError('server id must be 1-64 of [A-Za-z0-9._-]');
  const issuers = parseIssuers(
    flags.issuers ?? splitList(env[ENV.issuer]),
    flags.jwksUris ?? splitList(env[ENV.jwksUri]),
  );
  const rateText = flags.rateLimit ?? env[ENV.rateLimit];
  const rateLimit = rateText === undefined || rateText === '' ? null : parseRateLimit(rateText);
  if (rateLimit === undefined) throw new ConfigError(`rate limit must look like 600/1m, got '${rateText}'`);
  const redisUrl = checkedRedisUrl(flags.redisUrl ?? env[ENV.redisUrl]);
  const rolesText = flags.allowedRoles ?? env[ENV.allowedRoles];
  const allowedRoles = rolesText === undefined || rolesText.trim() === '' ? null : splitList(rolesText);
  return Object.freeze({
    db: checkedDb(resolveDbPath(flags.db, env)),
    host: flags.host ?? env[ENV.host] ?? '127.0.0.1',
    port,
    audience: flags.audience ?? env[ENV.audience] ?? PARTNER_CENTER_AUDIENCE,
    byteOrderMark: flags.byteOrderMark ?? parseBool(env[ENV.byteOrderMark], ENV.byteOrderMark),
    serverId,
    logLevel: logLevel as LogLevel,
    issuers,
    localIssuer:
      flags.localIssuer ??
      (env[ENV.localIssuer] === undefined
        ? issuers.length === 0
        : parseBool(env[ENV.localIssuer], ENV.localIssuer)),
    jwksRefetchFloorMs: flags.jwksRefetchFloorMs ?? 30_000,
    allowedRoles: allowedRoles === null ? null : Object.freeze(allowedRoles),
    rateLimit,
    redisUrl,
    trustProxy: flags.trustProxy ?? parseBool(env[ENV.trustProxy], ENV.trustProxy),
    keyFile: resolveKeyFile(flags.keyFile, env),
    drainSeconds: parseDrain(flags.drainSeconds ?? env[ENV.drainSeconds] ?? 0),
    cacheMb: parseCacheMb(flags.cacheMb ?? env[ENV.cacheMb] ?? DEFAULT_CACHE_MB),
  });
}

/** The issuer key file: the flag, else `SEATWISE_KEY_FILE`, else none (absolute when given). */
export function resolveKeyFile(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const text = flag ?? env[ENV.keyFile];
  return text === undefined || text === '' ? undefined : resolve(text);
}

const REDIS_URL = /^rediss?:\/\//i;

/** A `redis://` or `rediss://` URL, or undefined when none is given. */
function checkedRedisUrl(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (!REDIS_URL.test(text) || !URL.canParse(text)) {
    // The text may hold a password: it is shown without it.
    throw new ConfigError(
      `--redis-url must look like redis://[user:password@]host[:port][/db] or rediss://…, got '${redactDbUrl(text)}'`,
    );
  }
  return text;
}

function checkedDb(db: string): string {
  parseDbLocation(db);
  return db;
}

function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Pairs each `--issuer` with the `--jwks-uri` in the same position. */
function parseIssuers(issuers: readonly string[], jwksUris: readonly string[]): IssuerConfig[] {
  if (issuers.length !== jwksUris.length) {
    throw new ConfigError(
      `each --issuer needs a --jwks-uri (got ${issuers.length} issuers, ${jwksUris.length} JWKS URIs)`,
    );
  }
  return issuers.map((issuer, i) => {
    const jwksUri = jwksUris[i]!;
    for (const [name, value] of [
      ['issuer', issuer.replaceAll('{tid}', '00000000-0000-0000-0000-000000000000')],
      ['JWKS URI', jwksUri],
    ]) {
      let url: URL;
      try {
        url = new URL(value!);
      } catch {
        throw new ConfigError(`${name} must be an absolute URL, got '${value}'`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new ConfigError(`${name} must be http(s): '${value}'`);
    }
    return Object.freeze({ issuer, jwksUri });
  });
}

/** The response cache's default bound, in MiB. */
export const DEFAULT_CACHE_MB = 64;

function parseCacheMb(value: string | number): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > 65_536) {
    throw new ConfigError(`cache must be 0-65536 MiB (0 turns it off), got '${value}'`);
  }
  return n;
}

function parseDrain(value: string | number): number {
  const n = typeof value === 'number' ? value : /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || n > 600) {
    throw new ConfigError(`drain must be 0-600 seconds, got '${value}'`);
  }
  return n;
}

function parsePort(value: string | number): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`port must be 0-65535, got '${value}'`);
  return n;
}

function parseBool(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '') return false;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, got '${value}'`);
}

/** Partner Center sends a numeric server id; ours is stable per host. */
function defaultServerId(): string {
  const digest = createHash('sha256').update(hostname()).digest();
  return String(digest.readUInt32BE(0) % 1_000_000_000).padStart(9, '1');
}
