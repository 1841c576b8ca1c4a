import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const ENTRA = 'https://login.microsoftonline.com/{tid}/v2.0';
const KEYS = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';

describe('loadConfig', () => {
  it('has working defaults: local issuer on, no roles, no rate limit, Partner Center audience', () => {
    const c = loadConfig({}, {});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      audience: 'https://api.partnercenter.microsoft.com',
      byteOrderMark: false,
      issuers: [],
      localIssuer: true,
      allowedRoles: null,
      rateLimit: null,
      redisUrl: undefined,
      trustProxy: false,
      logLevel: 'info',
    });
    expect(c.db.endsWith('/data/seatwise.duckdb')).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the environment: issuers pair with JWKS URIs, the local issuer turns off', () => {
    const c = loadConfig(
      {},
      {
        SEATWISE_ISSUER: `${ENTRA}, https://sts.example/`,
        SEATWISE_JWKS_URI: `${KEYS},https://sts.example/keys`,
        SEATWISE_ALLOWED_ROLES: 'AdminAgents, 62e90394-69f5-4237-9190-012177145e10',
        SEATWISE_RATE_LIMIT: '600/1m',
        SEATWISE_REDIS_URL: 'redis://cache.internal:6379/2',
        SEATWISE_TRUST_PROXY: 'true',
        SEATWISE_BOM: '1',
        SEATWISE_PORT: '0',
      },
    );
    expect(c.issuers).toEqual([
      { issuer: ENTRA, jwksUri: KEYS },
      { issuer: 'https://sts.example/', jwksUri: 'https://sts.example/keys' },
    ]);
    expect(c).toMatchObject({
      localIssuer: false,
      allowedRoles: ['AdminAgents', '62e90394-69f5-4237-9190-012177145e10'],
      rateLimit: { limit: 600, periodSeconds: 60 },
      redisUrl: 'redis://cache.internal:6379/2',
      trustProxy: true,
      byteOrderMark: true,
      port: 0,
    });
  });

  it('flags win over the environment, and --local-issuer keeps local tokens beside external ones', () => {
    const c = loadConfig(
      { issuers: [ENTRA], jwksUris: [KEYS], localIssuer: true, port: 9000 },
      {
        SEATWISE_PORT: '7000',
        SEATWISE_ISSUER: 'https://other.example/',
        SEATWISE_JWKS_URI: 'https://other.example/k',
      },
    );
    expect(c.issuers).toEqual([{ issuer: ENTRA, jwksUri: KEYS }]);
    expect([c.localIssuer, c.port]).toEqual([true, 9000]);
  });

  it.each([
    [{ issuers: [ENTRA] }, /each --issuer needs a --jwks-uri/],
    [{ issuers: ['not a url'], jwksUris: [KEYS] }, /issuer must be an absolute URL/],
    [{ issuers: [ENTRA], jwksUris: ['ftp://keys.example/'] }, /JWKS URI must be http/],
    [{ rateLimit: 'lots' }, /rate limit must look like 600\/1m/],
    [{ port: '99999' }, /port must be 0-65535/],
    [{ redisUrl: 'cache.internal:6379' }, /--redis-url must look like redis:\/\//],
    [{ redisUrl: 'http://cache.internal:6379' }, /--redis-url must look like redis:\/\//],
    [{ logLevel: 'chatty' }, /log level must be one of/],
    [{ drainSeconds: 'soon' }, /drain must be 0-600 seconds, got 'soon'/],
    [{ drainSeconds: '601' }, /drain must be 0-600 seconds/],
    [{ db: 'postgres://user:s3cret@db.example' }, /names no database; add \/database/],
  ] as const)('rejects %j', (flags, message) => {
    expect(() => loadConfig(flags, {})).toThrow(ConfigError);
    expect(() => loadConfig(flags, {})).toThrow(message);
  });

  it('takes a rediss:// URL, and never shows the password of a malformed one', () => {
    expect(loadConfig({ redisUrl: 'rediss://:pw@cache:6380' }, {}).redisUrl).toBe('rediss://:pw@cache:6380');
    expect(loadConfig({}, { SEATWISE_REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect(() => loadConfig({ redisUrl: 'redis://user:s3cret@[bad' }, {})).toThrow(
      "--redis-url must look like redis://[user:password@]host[:port][/db] or rediss://…, got 'redis://***@[bad'",
    );
  });

  it('takes --drain seconds from the flag or the environment, 0 by default', () => {
    expect(loadConfig({}, {}).drainSeconds).toBe(0);
    expect(loadConfig({}, { SEATWISE_DRAIN_SECONDS: '2.5' }).drainSeconds).toBe(2.5);
    expect(loadConfig({ drainSeconds: '5' }, { SEATWISE_DRAIN_SECONDS: '1' }).drainSeconds).toBe(5);
  });

  it('keeps a PostgreSQL --db as given, and never shows its password in an error', () => {
    const url = 'postgres://seatwise:s3cret@db.example:5432/seatwise';
    expect(loadConfig({ db: url }, {}).db).toBe(url);
    expect(loadConfig({}, { SEATWISE_DB: url }).db).toBe(url);
    expect(() => loadConfig({ db: 'postgres://seatwise:s3cret@db.example' }, {})).toThrow(
      'the --db connection string postgres://seatwise:***@db.example names no database',
    );
    expect(() => loadConfig({ db: 'postgres://seatwise:s3cret@[bad/x' }, {})).toThrow(
      /^the --db connection string is not a valid URL/,
    );
  });
});
