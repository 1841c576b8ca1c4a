/**
 * The channel end to end in one process: a real DuckDB store served on a real Unix socket, used
 * through `RemoteStore` and through raw requests, compared with the same store (or a twin loaded
 * directly).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueryPlan } from '../query/query-plan.ts';
import { openDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import type { LoadRequest, LoadSink, RawRow, Store } from '../store/store.ts';
import { connectToServer } from './connect.ts';
import { RemoteStore } from './remote-store.ts';
import { type Channel, listenChannel } from './server.ts';
import { MAX_SOCKET_PATH_BYTES, socketPathFor } from './socket-path.ts';

const PARTNER = '55555555-5555-4555-8555-555555555555';
const HEADER =
  'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold';
const PRODUCT = '6FD2C87F-B296-42F0-B197-1E91E994B900';

/** A row file of one day; names carry multi-byte characters so pieces split inside them. */
function csvFor(day: string, customers: number, sold: number): string {
  let text = `${HEADER}\n`;
  for (let i = 0; i < customers; i++) {
    text += `${day},o365,Microsoft Office 365,reseller,${customerId(i)},"Kunde ${i} — Müller & Söhne, 株式会社",${PRODUCT},OFFICE 365 E3,${sold - 1},${sold}\n`;
  }
  return text;
}

function customerId(i: number): string {
  return `0A0A0A0A-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

function rawRows(day: string, customers: number): RawRow[] {
  return Array.from({ length: customers }, (_, i) => ({
    line: i + 2,
    values: [
      day,
      'o365',
      'Microsoft Office 365',
      'direct',
      customerId(i).toLowerCase(),
      `Direct ${i}`,
      PRODUCT,
      'OFFICE 365 E3',
      i,
      String(i + 5),
    ],
  }));
}

const REQUEST: LoadRequest = { partnerId: PARTNER, source: 'channel test' };

let root: string;
let savedTmp: string | undefined;
/** Where the server's scratch files go (TMPDIR for this test file). */
let scratchRoot: string;
let next = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'seatwise-channel-'));
  scratchRoot = join(root, 'tmp');
  await mkdir(scratchRoot);
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = scratchRoot;
});
afterAll(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  await rm(root, { recursive: true, force: true });
});

interface Served {
  readonly db: string;
  readonly store: Store;
  readonly channel: Channel;
  readonly remote: Store;
}

const open: Served[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.remote.close();
    await s.channel.close();
    await s.store.close();
  }
});

async function serve(): Promise<Served> {
  const db = join(root, `served-${next++}.duckdb`);
  const store = await openDuckDbStore({ path: db });
  const channel = await listenChannel(store, db);
  const remote = await connectToServer(db);
  if (remote === undefined) throw new Error('no server answers on the socket just opened');
  const served = { db, store, channel, remote };
  open.push(served);
  return served;
}

async function twin(): Promise<Store> {
  return openDuckDbStore({ path: join(root, `twin-${next++}.duckdb`) });
}

async function file(name: string, text: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, text);
  return path;
}

function pagePlan(date: string, overrides: Partial<QueryPlan> = {}): QueryPlan {
  return {
    partnerId: PARTNER,
    processedDate: date,
    filter: null,
    groupBy: [],
    top: 10_000,
    skip: 0,
    ...overrides,
  };
}

/** A raw request (by default a `/load`), written by the test piece by piece, and its answer. */
function rawRequest(socketPath: string, path = '/load') {
  const req = request({ socketPath, method: 'POST', path });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
  answer.catch(() => {});
  return { req, answer };
}

/** Waits until the served store has no load in progress: a load of nothing goes through. */
async function writesSettled(store: Store): Promise<void> {
  await store.load(REQUEST, async () => {});
}

describe('loads through the socket', () => {
  it('a CSV file (in several pieces) and mapped rows give the outcome of a direct load', async () => {
    const { remote } = await serve();
    const direct = await twin();
    try {
      // About 2.5 MB: three pieces of at most 1 MiB, boundaries inside multi-byte characters.
      const csv = await file('big.csv', csvFor('2026-11-18', 20_000, 10));
      expect((await stat(csv)).size).toBeGreaterThan(2 * 1024 * 1024);
      const feed = async (sink: LoadSink) => {
        await sink.csvFile(csv, 'big.csv');
        // About 2.4 MB of JSON: three rows frames.
        await sink.rows('direct.json', rawRows('2026-11-19', 12_000));
      };
      const viaSocket = await remote.load(REQUEST, feed);
      expect(viaSocket).toEqual({
        ok: true,
        rows: 32_000,
        customers: 20_000,
        products: 1,
        dates: ['2026-11-18', '2026-11-19'],
      });
      expect(await direct.load(REQUEST, feed)).toEqual(viaSocket);
      // Names arrived byte for byte.
      const page = await remote.deploymentPage(pagePlan('2026-11-18', { top: 1, skip: 12_345 }));
      expect(page.totalCount).toBe(20_000);
      expect(page.rows.columns.customerName).toEqual(['Kunde 12345 — Müller & Söhne, 株式会社']);
      // The server's scratch copies are gone.
      expect(await readdir(scratchRoot)).toEqual([]);
    } finally {
      await direct.close();
    }
  });

  it('rejected rows are reported with the client’s file names and lines, as in a direct load', async () => {
    const { remote, store } = await serve();
    const direct = await twin();
    try {
      const good = csvFor('2026-11-18', 5, 10);
      const bad = await file(
        'bad.csv',
        `${good}2026-11-18,o365,Office,reseller,not-a-guid,X,${PRODUCT},E3,1,2\n2026-11-18,o365,Office,reseller,${customerId(9)},Y,${PRODUCT},E3,many,2\n`,
      );
      const rows = rawRows('2026-11-18', 3);
      const broken: RawRow = { line: 7, values: [...rows[0]!.values.slice(0, 8), Number.NaN, 3] };
      const feed = async (sink: LoadSink) => {
        await sink.csvFile(bad, 'bad.csv');
        await sink.rows('rows.json', [...rows, broken]);
        sink.error('rows.json', 9, 'invalid JSON: unexpected end');
      };
      const viaSocket = await remote.load(REQUEST, feed);
      expect(viaSocket.ok).toBe(false);
      expect(await direct.load(REQUEST, feed)).toEqual(viaSocket);
      if (viaSocket.ok) return;
      const places = viaSocket.errors.map((e) => `${e.file}:${e.line}`);
      expect(places).toEqual(
        expect.arrayContaining(['bad.csv:7', 'bad.csv:8', 'rows.json:7', 'rows.json:9']),
      );
      expect(await store.listSnapshots(PARTNER)).toEqual([]);
    } finally {
      await direct.close();
    }
  });

  it('a feed that throws on the client rolls the load back and its error comes back', async () => {
    const { remote, store } = await serve();
    await remote.load(REQUEST, async (sink) => sink.rows('a', rawRows('2026-11-17', 4)));
    const before = await store.listSnapshots(PARTNER);
    const csv = await file('replace.csv', csvFor('2026-11-17', 50, 3));
    await expect(
      remote.load(REQUEST, async (sink) => {
        await sink.csvFile(csv, 'replace.csv');
        throw new Error('the source broke');
      }),
    ).rejects.toThrow('the source broke');
    await writesSettled(store);
    expect(await store.listSnapshots(PARTNER)).toEqual(before);
    expect(before.map((s) => s.rows)).toEqual([4]);
  });

  it('a client that disconnects in the middle of a CSV file leaves the store unchanged', async () => {
    const { channel, store, remote } = await serve();
    await remote.load(REQUEST, async (sink) => sink.rows('a', rawRows('2026-11-17', 4)));
    const before = await store.listSnapshots(PARTNER);

    const bytes = Buffer.from(csvFor('2026-11-17', 1000, 7));
    const { req, answer } = rawRequest(channel.socketPath);
    req.write(`${JSON.stringify(REQUEST)}\n`);
    // A whole file first, so that a server treating the cut as the end would have something to commit.
    const first = Buffer.from(csvFor('2026-11-20', 5, 2));
    req.write(`${JSON.stringify({ csv: 'first.csv', bytes: first.length, end: true })}\n`);
    req.write(first);
    req.write(`${JSON.stringify({ csv: 'cut.csv', bytes: bytes.length, end: true })}\n`);
    // Half the file, cut after a whole line: on its own it would be a valid file to commit.
    req.write(bytes.subarray(0, bytes.indexOf('\n', bytes.length >> 1) + 1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    req.destroy();
    await expect(answer).rejects.toThrow();

    await writesSettled(store);
    expect(await store.listSnapshots(PARTNER)).toEqual(before);
    expect(await readdir(scratchRoot)).toEqual([]);
    // The write connection is free again: a whole load of the same day goes through.
    const whole = await file('whole.csv', bytes.toString('utf8'));
    expect(await remote.load(REQUEST, async (sink) => sink.csvFile(whole, 'whole.csv'))).toMatchObject({
      ok: true,
      rows: 1000,
    });
  });

  it('a body that ends inside a CSV piece is refused and nothing is stored', async () => {
    const { channel, store } = await serve();
    const { req, answer } = rawRequest(channel.socketPath);
    req.write(`${JSON.stringify(REQUEST)}\n`);
    req.write(`${JSON.stringify({ csv: 'short.csv', bytes: 1000, end: true })}\n`);
    req.end(`${HEADER}\n`);
    const { status, body } = await answer;
    expect(status).toBe(400);
    expect(JSON.parse(body)).toEqual({ message: 'the load body ended inside a CSV piece' });
    expect(await store.listSnapshots(PARTNER)).toEqual([]);
  });

  it('a store that gives up while the body is still coming answers at once, and the client stops', async () => {
    const db = join(root, `stub-${next++}.duckdb`);
    const outcome = {
      ok: false,
      errors: [{ file: 'x', line: 1, reason: 'enough' }],
      truncated: true,
    } as const;
    const giveUp = (how: 'fail' | 'answer') =>
      ({
        load: async (_request: LoadRequest, feed: (sink: LoadSink) => Promise<void>) => {
          const stop = new Error('disk full');
          try {
            await feed({
              rows: async () => {
                throw stop;
              },
              csvFile: async () => {},
              error: () => {},
            });
          } catch (err) {
            if (err !== stop || how === 'fail') throw err;
            return outcome;
          }
          throw new Error('the feed ended although the store refused its rows');
        },
      }) as unknown as Store;
    const big = await file('after.csv', csvFor('2026-11-18', 20_000, 10));
    for (const how of ['fail', 'answer'] as const) {
      const channel = await listenChannel(giveUp(how), db);
      const remote = new RemoteStore(channel.socketPath);
      let csvSent = false;
      const loading = remote.load(REQUEST, async (sink) => {
        await sink.rows('r', rawRows('2026-11-18', 2));
        await sink.csvFile(big, 'after.csv');
        csvSent = true;
      });
      if (how === 'fail') await expect(loading).rejects.toThrow('disk full');
      else expect(await loading).toEqual(outcome);
      expect(csvSent).toBe(false);
      await remote.close();
      await channel.close();
    }
  });

  it('a store error comes back as an Error with the store’s message', async () => {
    const { remote } = await serve();
    await expect(remote.load({ ...REQUEST, dates: ['18.11.2026'] }, async () => {})).rejects.toThrow(
      'snapshot date "18.11.2026" is not YYYY-MM-DD',
    );
  });
});

describe('calls through the socket', () => {
  it('answers every read as the served store does', async () => {
    const { store, remote } = await serve();
    await store.load(REQUEST, async (sink) => {
      await sink.rows('a', rawRows('2026-11-18', 40));
      await sink.rows('b', rawRows('2026-11-19', 25));
    });
    const latest = await remote.latestSnapshot(PARTNER);
    expect(latest).toBe('2026-11-19');
    expect(await remote.latestSnapshot('66666666-6666-4666-8666-666666666666')).toBeNull();
    const plans = [
      pagePlan('2026-11-18', { top: 7, skip: 3 }),
      pagePlan('2026-11-19', { groupBy: ['serviceCode', 'channel'] }),
      pagePlan('2026-11-18', {
        filter: {
          kind: 'comparison',
          field: 'customerName',
          op: 'eq',
          value: 'Direct 4',
          span: { start: 0, end: 0 },
        },
      }),
      pagePlan('2026-11-18', { top: 0 }),
    ];
    for (const plan of plans)
      expect(await remote.deploymentPage(plan)).toEqual(await store.deploymentPage(plan));
    const page = await remote.deploymentPage(plans[0]!);
    expect(page.totalCount).toBe(40);
    expect(page.rows.rowCount).toBe(7);
    expect(page.rows.columns.customerTenantId?.[0]).toBe(customerId(3));
    expect(await remote.serviceTotals(PARTNER, '2026-11-19')).toEqual(
      await store.serviceTotals(PARTNER, '2026-11-19'),
    );
    const customer = customerId(10);
    expect(await remote.customerLatestSnapshot(PARTNER, customer)).toBe('2026-11-19');
    expect(await remote.customerProducts(PARTNER, customer, '2026-11-19')).toEqual(
      await store.customerProducts(PARTNER, customer, '2026-11-19'),
    );
    const snapshots = await remote.listSnapshots(PARTNER);
    expect(snapshots).toEqual(await store.listSnapshots(PARTNER));
    expect(snapshots.map((s) => [s.processedDate, s.rows, s.source])).toEqual([
      ['2026-11-19', 25, 'channel test'],
      ['2026-11-18', 40, 'channel test'],
    ]);
  });

  it('writes: prune one partner and the catalog', async () => {
    const { store, remote } = await serve();
    await store.load(REQUEST, async (sink) => {
      await sink.rows('a', rawRows('2026-11-18', 40));
      await sink.rows('b', rawRows('2026-11-19', 25));
    });
    expect(await remote.deleteSnapshotsBefore('2026-11-19', PARTNER)).toEqual({ snapshots: 1, rows: 40 });
    expect(await remote.deleteSnapshotsBefore('2026-11-19')).toEqual({ snapshots: 0, rows: 0 });
    expect((await store.listSnapshots(PARTNER)).map((s) => s.processedDate)).toEqual(['2026-11-19']);
    const sku = {
      skuId: '11111111-2222-4333-8444-555555555555',
      partNumber: 'TEST_SKU',
      displayName: 'Test SKU',
      productName: 'TEST SKU',
      serviceCode: 'o365',
      serviceName: 'Microsoft Office 365',
    };
    expect(await remote.upsertCatalog([sku])).toEqual({ skus: 1 });
    expect(await remote.catalog()).toEqual([sku]);
    expect(await store.catalog()).toEqual([sku]);
  });

  it('answers 404 to anything but the listed calls and describes the remote store', async () => {
    const { channel, remote } = await serve();
    expect(remote.kind).toBe('remote');
    expect(remote.description).toBe(`server on ${channel.socketPath}`);
    for (const path of ['/call/close', '/call/load', '/call/constructor', '/other']) {
      const { req, answer } = rawRequest(channel.socketPath, path);
      req.end('[]');
      const { status, body } = await answer;
      expect(status, path).toBe(404);
      expect((JSON.parse(body) as { message: string }).message).toMatch(/^no such call/);
    }
  });
});

describe('the socket', () => {
  it('lies beside the database, owner-only', async () => {
    const { db, channel } = await serve();
    expect(channel.socketPath).toBe(`${db}.sock`);
    const s = await stat(channel.socketPath);
    expect(s.isSocket()).toBe(true);
    expect(s.mode & 0o777).toBe(0o600);
  });

  it('a second server on the same database is refused; the first keeps serving', async () => {
    const { db, store, remote } = await serve();
    await expect(listenChannel(store, db)).rejects.toThrow(`another seatwise serve already owns ${db}`);
    expect(await remote.listSnapshots(PARTNER)).toEqual([]);
  });

  it('is removed on close, and then no server is found', async () => {
    const db = join(root, `closing-${next++}.duckdb`);
    const store = await openDuckDbStore({ path: db });
    try {
      const channel = await listenChannel(store, db);
      await channel.close();
      await expect(stat(`${db}.sock`)).rejects.toThrow(/ENOENT/);
      expect(await connectToServer(db)).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('close() cuts off a load still receiving its body, which is rolled back', async () => {
    const db = join(root, `cut-${next++}.duckdb`);
    const store = await openDuckDbStore({ path: db });
    try {
      const channel = await listenChannel(store, db);
      const { req, answer } = rawRequest(channel.socketPath);
      req.write(`${JSON.stringify(REQUEST)}\n`);
      req.write(`${JSON.stringify({ rows: 'r', batch: rawRows('2026-11-18', 10) })}\n`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await channel.close();
      await expect(answer).rejects.toThrow();
      await writesSettled(store);
      expect(await store.listSnapshots(PARTNER)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('left behind by a killed server, it is found stale and removed by the next command', async () => {
    const db = join(root, `killed-${next++}.duckdb`);
    const path = `${db}.sock`;
    // A real listener in another process, killed so that nothing unlinks its socket.
    const child = spawn(
      process.execPath,
      ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('ready'))", path],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect((await stat(path)).isSocket()).toBe(true);

    expect(await connectToServer(db)).toBeUndefined();
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('left behind by a killed server, it is replaced by the next server', async () => {
    const db = join(root, `restarted-${next++}.duckdb`);
    const path = `${db}.sock`;
    const child = spawn(
      process.execPath,
      ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('ready'))", path],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const store = await openDuckDbStore({ path: db });
    try {
      const channel = await listenChannel(store, db);
      const remote = await connectToServer(db);
      expect(remote).toBeInstanceOf(RemoteStore);
      expect(await remote!.latestSnapshot(PARTNER)).toBeNull();
      await remote!.close();
      await channel.close();
    } finally {
      await store.close();
    }
  });

  it('a file that is not a socket is left alone, with a message saying so', async () => {
    const db = join(root, `squatted-${next++}.duckdb`);
    await writeFile(`${db}.sock`, 'not a socket');
    await expect(connectToServer(db)).rejects.toThrow(/exists but is not a socket/);
    expect((await stat(`${db}.sock`)).isFile()).toBe(true);
  });
});

describe('socketPathFor', () => {
  it('is the absolute path when it fits, else relative to the working directory, else an error', () => {
    expect(socketPathFor('data/x.duckdb')).toBe(join(process.cwd(), 'data/x.duckdb.sock'));
    // `./<name>/x.duckdb.sock` is exactly the limit; the absolute path is longer.
    const name = 'a'.repeat(MAX_SOCKET_PATH_BYTES - './'.length - '/x.duckdb.sock'.length);
    expect(socketPathFor(join(name, 'x.duckdb'))).toBe(`./${name}/x.duckdb.sock`);
    expect(() => socketPathFor(join(`${name}b`, 'x.duckdb'))).toThrow(/use a shorter --db path/);
  });

  it('a database path too long for a socket has no server', async () => {
    expect(await connectToServer(join(root, 'b'.repeat(200), 'x.duckdb'))).toBeUndefined();
  });
});
