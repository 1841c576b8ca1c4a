/**
 * Analytics answers through the front door, on every store: each carries a strong ETag and
 * `Cache-Control: private, no-cache`; `If-None-Match` with it gets a 304 without a body; a new
 * snapshot, or new prices, give a new answer and a new ETag; bodies of 1 KiB or more come
 * compressed with brotli or gzip when asked for, and decompress to exactly the plain body; a
 * server that sends the byte-order mark puts it in every form; a cache of 0 bytes keeps nothing
 * and answers the same.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CUST,
  columns,
  DAY_1,
  PARTNER_A,
  PARTNER_A_ROWS,
  PARTNER_B,
  PROD,
  toRow,
} from '../fixtures/http-rows.ts';
import { loadInsights } from '../fixtures/insights.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';

const E5 = '/v1/analytics/commercial/deployment/license/';
const ANSWERS = [
  `${E5}?top=10`,
  `${E5}?groupby=serviceCode`,
  '/v1/analytics/licenses/deployment',
  '/seatwise/v1/trend?groupby=serviceCode',
  '/seatwise/v1/shelfware',
  '/seatwise/v1/renewals',
];

describeOnStores('cached answers: ETag, 304 and compression', (kind) => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await loadInsights(h.store);
    token = await h.token(PARTNER_A);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('gives every analytics answer an ETag, and a 304 without a body to If-None-Match', async () => {
    for (const url of ANSWERS) {
      const first = await h.get(url, token);
      expect(first.statusCode, url).toBe(200);
      const etag = first.headers.etag as string;
      expect(etag, url).toMatch(/^"[\w-]{32}"$/);
      expect(first.headers['cache-control']).toBe('private, no-cache');
      expect(first.headers.vary).toBe('Accept-Encoding');
      const again = await h.get(url, token);
      expect(again.body).toBe(first.body);
      expect(again.headers.etag).toBe(etag);

      const notModified = await h.get(url, token, { 'if-none-match': `W/"other", ${etag}` });
      expect(notModified.statusCode, url).toBe(304);
      expect(notModified.body).toBe('');
      expect(notModified.headers.etag).toBe(etag);
      expect(notModified.headers['ms-requestid']).toBeDefined();
      expect((await h.get(url, token, { 'if-none-match': '"other"' })).statusCode).toBe(200);
    }
  });

  it('answers each partner its own data under its own ETag', async () => {
    const a = await h.get(`${E5}?groupby=serviceCode`, token);
    const b = await h.get(`${E5}?groupby=serviceCode`, await h.token(PARTNER_B));
    expect(b.body).not.toBe(a.body);
    expect(b.headers.etag).not.toBe(a.headers.etag);
    const stale = await h.get(`${E5}?groupby=serviceCode`, await h.token(PARTNER_B), {
      'if-none-match': a.headers.etag as string,
    });
    expect(stale.statusCode).toBe(200);
  });

  it('gives a new answer and ETag once a load or new prices change the data', async () => {
    const url = '/seatwise/v1/shelfware';
    const before = await h.get(url, token);
    await h.store.replacePrices(PARTNER_A, 'override', []);
    const repriced = await h.get(url, token, { 'if-none-match': before.headers.etag as string });
    expect(repriced.statusCode).toBe(200);
    // Without the euro override, Oneil's E3 is priced from the sheet: 13 × $23.
    expect(JSON.parse(repriced.body).value[0]).toMatchObject({ currency: 'USD', monthlyCostUnassigned: 299 });
    expect(repriced.headers.etag).not.toBe(before.headers.etag);

    const page = await h.get(`${E5}?groupby=serviceCode`, token);
    await h.load(PARTNER_A, columns([toRow('2026-12-01', [CUST.oneil, 'Oneil', PROD.e3, 'reseller', 1, 2])]));
    const loaded = await h.get(`${E5}?groupby=serviceCode`, token, {
      'if-none-match': page.headers.etag as string,
    });
    expect(loaded.statusCode).toBe(200);
    expect(JSON.parse(loaded.body).Value).toEqual([
      { serviceCode: 'o365', licensesDeployed: 1, licensesSold: 2 },
    ]);
  });

  it('compresses answers of 1 KiB or more with brotli or gzip, to exactly the plain bytes', async () => {
    const url = `${E5}?top=10&processedDateTime=2026-11-30`;
    const plain = await h.get(url, token);
    expect(plain.rawPayload.length).toBeGreaterThan(1024);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gz = await h.get(url, token, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(plain.rawPayload)).toBe(true);
    expect(gz.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    const br = await h.get(url, token, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).equals(plain.rawPayload)).toBe(true);
    // Asked again: the same compressed bytes, and the same ETag for every form.
    const gzAgain = await h.get(url, token, { 'accept-encoding': 'gzip' });
    expect(gzAgain.rawPayload.equals(gz.rawPayload)).toBe(true);
    expect(new Set([plain, gz, br, gzAgain].map((r) => r.headers.etag)).size).toBe(1);
    // Refused or unknown encodings get the plain body.
    for (const ae of ['identity', 'gzip;q=0, br;q=0', 'compress']) {
      const r = await h.get(url, token, { 'accept-encoding': ae });
      expect(r.headers['content-encoding'], ae).toBeUndefined();
      expect(r.rawPayload.equals(plain.rawPayload)).toBe(true);
    }
    // A small answer is sent as it is.
    const small = await h.get('/v1/analytics/licenses/deployment', token, { 'accept-encoding': 'gzip' });
    expect(small.rawPayload.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});

describe('cached answers with the byte-order mark, and without a cache', () => {
  it('puts the byte-order mark once in the plain and the compressed body', async () => {
    const h = await createHarness({ byteOrderMark: true });
    try {
      await h.load(PARTNER_A, columns(PARTNER_A_ROWS));
      const token = await h.token(PARTNER_A);
      const url = `${E5}?processedDateTime=${DAY_1}`;
      for (let i = 0; i < 2; i++) {
        const plain = await h.get(url, token);
        expect(plain.rawPayload.subarray(0, 4).equals(Buffer.from([0xef, 0xbb, 0xbf, 0x7b]))).toBe(true);
        const gz = await h.get(url, token, { 'accept-encoding': 'gzip' });
        expect(gunzipSync(gz.rawPayload).equals(plain.rawPayload)).toBe(true);
      }
    } finally {
      await h.close();
    }
  });

  it('counts its entries, bytes, hits and misses on the status route', async () => {
    const h = await createHarness({ cacheBytes: 4096 });
    try {
      await h.load(PARTNER_A, columns(PARTNER_A_ROWS));
      const token = await h.token(PARTNER_A);
      const stats = async () =>
        JSON.parse((await h.get('/seatwise/v1/status', token)).body).cache as Record<string, number>;
      expect(await stats()).toEqual({ entries: 0, bytes: 0, maxBytes: 4096, hits: 0, misses: 0 });
      const small = await h.get(`${E5}?top=1`, token);
      await h.get(`${E5}?top=1`, token);
      expect(await stats()).toEqual({
        entries: 1,
        bytes: small.rawPayload.length,
        maxBytes: 4096,
        hits: 1,
        misses: 1,
      });
      // Answers beyond the bound push the older ones out: the bytes kept never pass it.
      for (let top = 2; top <= 12; top++) await h.get(`${E5}?top=${top}`, token);
      const after = await stats();
      expect(after.misses).toBe(12);
      expect(after.bytes).toBeLessThanOrEqual(4096);
      expect(after.entries).toBeLessThan(12);
    } finally {
      await h.close();
    }
  });

  it('answers the same with a cache of 0 bytes', async () => {
    const cached = await createHarness();
    const none = await createHarness({ cacheBytes: 0 });
    try {
      for (const h of [cached, none]) await h.load(PARTNER_A, columns(PARTNER_A_ROWS));
      for (const url of [`${E5}?top=3`, `${E5}?groupby=channel`]) {
        const a = await cached.get(url, await cached.token(PARTNER_A));
        const b = await none.get(url, await none.token(PARTNER_A));
        expect(b.body).toBe(a.body);
        expect(b.headers.etag).toBe(a.headers.etag);
      }
    } finally {
      await cached.close();
      await none.close();
    }
  });
});
