/**
 * One owner of the file, one way in (docs/architecture.md): while `seatwise serve` runs on a
 * database, every command on the same --db goes through the server's socket and works, the server
 * answers from a new snapshot on the very next request, and no request fails meanwhile. A server
 * killed with SIGKILL leaves its socket behind; the next command removes it and opens the file.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_ID } from '../../src/ingest/demo.ts';
import { queryAll, runCli, type ServeProcess, startServe } from '../support/cli.ts';
import { type QueriedRow, snapshotsOf } from '../support/cli-output.ts';
import {
  FAKE_SKUS,
  type FakePartnerCenter,
  fakeCustomers,
  startFakePartnerCenter,
} from '../support/fake-partner-center.ts';
import { daysAgo, E3, e3Customers, HEADER } from '../support/row-csv.ts';

const PARTNER = '55555555-5555-4555-8555-555555555555';
const { customerId, csvFor, jsonRows } = e3Customers('0A0A0A0A');

const DAY_1 = daysAgo(12);
const DAY_2 = daysAgo(11);
const DAY_3 = daysAgo(10);
const TODAY = daysAgo(0);

let dir: string;
let scratch: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-serving-'));
  scratch = join(dir, 'tmp');
  await mkdir(scratch);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What the server's loads left in its temporary directory (tsx keeps its cache there too). */
async function loadScratch(): Promise<string[]> {
  return (await readdir(scratch)).filter((f) => f.startsWith('seatwise-load-'));
}

/** Starts serve with its temporary directory in `scratch`, so the test can see what it leaves. */
async function serveOn(db: string): Promise<ServeProcess> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    return await startServe(['--db', db, '--port', '0', '--log-level', 'silent']);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

describe('every command while serve runs on the same --db', { timeout: 90_000 }, () => {
  let db: string;
  let server: ServeProcess;
  let fake: FakePartnerCenter;
  let api: string;
  let token: string;
  let polling = true;
  let poller: Promise<void>;
  const statuses: number[] = [];
  const seenTotals = new Set<number>();

  const latest = async (): Promise<{ TotalCount: number; Value: QueriedRow[] }> => {
    const res = await fetch(`${api}?top=3`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { TotalCount: number; Value: QueriedRow[] };
  };

  beforeAll(async () => {
    db = join(dir, 'serving.duckdb');
    // The first snapshot is imported before any server runs: the command opens the file itself.
    const seed = join(dir, 'day1.csv');
    await writeFile(seed, csvFor(DAY_1, 50, 10));
    const seeded = await runCli(['import', seed, '--db', db, '--partner', PARTNER]);
    expect(seeded.stderr).toBe('');
    expect(seeded.stdout).toContain('imported 50 rows (50 customers, 1 products)');

    server = await serveOn(db);
    fake = await startFakePartnerCenter({ customers: fakeCustomers(12), pageSize: 5 });
    api = /API:\s+(\S+)/.exec(server.stdout())![1]!;
    token = (await runCli(['token', '--db', db, '--partner', PARTNER])).stdout.trim();
    expect(token).toMatch(/^ey/);
    // Query the API for as long as the commands run; every answer must be a 200.
    poller = (async () => {
      while (polling) {
        const res = await fetch(`${api}?top=0`, { headers: { authorization: `Bearer ${token}` } });
        statuses.push(res.status);
        seenTotals.add(((await res.json()) as { TotalCount: number }).TotalCount);
      }
    })();
  }, 60_000);

  afterAll(async () => {
    polling = false;
    await poller?.catch(() => {});
    await fake?.close();
    if (server !== undefined) {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, 60_000);

  it('serve owns the file and listens on <db>.sock, owner-only', async () => {
    const s = await stat(`${db}.sock`);
    expect(s.isSocket()).toBe(true);
    expect(s.mode & 0o777).toBe(0o600);
    expect(server.stdout()).toContain(`go through ${db}.sock`);
    // Nothing of the old hand-over is left beside the database.
    const beside = (await readdir(dir)).filter((f) => f.startsWith('serving.duckdb'));
    expect(beside).toEqual(
      expect.arrayContaining(['serving.duckdb', 'serving.duckdb.key.json', 'serving.duckdb.sock']),
    );
    expect(beside.some((f) => f.endsWith('.serve.json') || f.endsWith('.incoming'))).toBe(false);
  });

  it('a second serve on the same --db is refused and the first keeps serving', async () => {
    const second = await runCli(['serve', '--db', db, '--port', '0', '--log-level', 'silent']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`another seatwise serve already owns ${db}`);
    expect((await latest()).TotalCount).toBe(50);
  });

  it('import of a CSV file goes through the server and the next API request answers from it', async () => {
    const file = join(dir, 'day2.csv');
    await writeFile(file, csvFor(DAY_2, 80, 20));
    const r = await runCli(['import', file, '--db', db, '--partner', PARTNER]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `imported 80 rows (80 customers, 1 products) for partner ${PARTNER}\nsnapshots replaced: ${DAY_2}\n`,
    );
    const page = await latest();
    expect(page.TotalCount).toBe(80);
    expect(page.Value[0]).toMatchObject({
      processedDateTime: `${DAY_2}T00:00:00`,
      customerTenantId: customerId(0),
      licensesSold: 20,
      licensesDeployed: 19,
    });
    // The server's copy of the file is gone.
    expect(await loadScratch()).toEqual([]);
  });

  it('a rejected import names the user’s file and lines, and changes nothing', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(file, `${csvFor(DAY_2, 3, 4)}${DAY_2},o365,Office,reseller,not-a-guid,X,${E3},E3,1,2\n`);
    const r = await runCli(['import', file, '--db', db, '--partner', PARTNER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`${file.replaceAll('/', '\\/')}:5: .*customerTenantId`));
    expect(r.stderr).toContain('the store is unchanged');
    expect((await latest()).TotalCount).toBe(80);
    expect(await loadScratch()).toEqual([]);
  });

  it('import of JSON rows goes through the server', async () => {
    const file = join(dir, 'day3.json');
    const rows = jsonRows(DAY_3, 7);
    await writeFile(file, JSON.stringify(rows, null, 1));
    const r = await runCli(['import', file, '--db', db, '--partner', PARTNER]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `imported 7 rows (7 customers, 1 products) for partner ${PARTNER}\nsnapshots replaced: ${DAY_3}\n`,
    );
    const stored = await queryAll<QueriedRow>(db, PARTNER, DAY_3);
    expect(stored.map((s) => [s.customerTenantId, s.customerName, s.channel, s.licensesSold])).toEqual(
      rows.map((row, i) => [customerId(i), row.customerName, 'direct', 30 + i]),
    );
  });

  it('query --db reads through the server, and prints nothing to stdout when it fails', async () => {
    const grouped = await runCli([
      'query',
      '--db',
      db,
      '--partner',
      PARTNER,
      '--date',
      DAY_2,
      '--groupby',
      'serviceCode,channel',
      '--format',
      'json',
    ]);
    expect(grouped.stderr).toBe('');
    expect(grouped.code).toBe(0);
    expect(JSON.parse(grouped.stdout)).toEqual([
      { serviceCode: 'o365', channel: 'reseller', licensesDeployed: 80 * 19, licensesSold: 80 * 20 },
    ]);

    const page = await runCli([
      'query',
      '--db',
      db,
      '--partner',
      PARTNER,
      '--date',
      DAY_1,
      '--top',
      '2',
      '--skip',
      '10',
      '--format',
      'ndjson',
    ]);
    expect(page.code).toBe(0);
    const lines = page.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as QueriedRow);
    expect(lines.map((l) => [l.customerTenantId, l.licensesSold])).toEqual([
      [customerId(10), 10],
      [customerId(11), 10],
    ]);

    const failed = await runCli(['query', '--db', db, '--partner', PARTNER, '--filter', "nosuch eq 'x'"]);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/Unknown field 'nosuch'/);
  });

  it('export --db writes the selection read through the server', async () => {
    const out = join(dir, 'export.csv');
    const r = await runCli(['export', '--db', db, '--partner', PARTNER, '--date', DAY_2, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`exported 80 rows to ${out}`);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(81);
    expect(lines[0]).toBe(HEADER);
    expect(lines[1]).toBe(
      `${DAY_2}T00:00:00,o365,Microsoft Office 365,reseller,${customerId(0)},Customer 0,${E3},OFFICE 365 E3,19,20`,
    );
  });

  it('demo loads through the server', async () => {
    const r = await runCli(['demo', '--db', db, '--customers', '5', '--days', '2', '--seed', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^demo data: \\d+ rows, 5 customers, 2 daily snapshots \\(${daysAgo(1)} \\.\\. ${TODAY}\\), \\d+ subscriptions(, 62 illustrative USD prices)? for partner ${DEMO_PARTNER_ID}\\n$`,
      ),
    );
    const rows = Number(/demo data: (\d+) rows/.exec(r.stdout)![1]);
    const demo = await snapshotsOf(db, DEMO_PARTNER_ID);
    expect(demo.map((s) => [s.processedDate, s.source])).toEqual([
      [TODAY, 'demo'],
      [daysAgo(1), 'demo'],
    ]);
    expect(demo[0]!.rows + demo[1]!.rows).toBe(rows);
  });

  it('collect fetches from Partner Center and stores through the server', async () => {
    const r = await runCli(
      [
        'collect',
        '--base-url',
        fake.baseUrl,
        '--token-command',
        'echo pc-token',
        '--date',
        TODAY,
        '--partner',
        PARTNER,
        '--db',
        db,
        '--json',
      ],
      { SEATWISE_COLLECT_RETRY_DELAYS_MS: '10,20,30' },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 12 customers with E3, every third (4) with Sales too.
    expect(JSON.parse(r.stdout)).toMatchObject({ written: true, rows: 16, customers: 12, products: 2 });
    const stored = await queryAll<QueriedRow>(db, PARTNER, TODAY);
    expect(stored).toHaveLength(16);
    const first = stored.find((s) => s.productId === FAKE_SKUS.e3.id.toUpperCase());
    expect(first).toMatchObject({
      customerTenantId: 'C0FFEE00-0000-4000-8000-000000000001',
      licensesSold: 10,
      licensesDeployed: 5,
    });
    expect((await latest()).TotalCount).toBe(16);
  });

  it('snapshots lists every snapshot through the server', async () => {
    const list = await snapshotsOf(db, PARTNER);
    expect(list.map((s) => [s.processedDate, s.rows, s.customers, s.products, s.source])).toEqual([
      [TODAY, 16, 12, 2, 'collect'],
      [DAY_3, 7, 7, 1, 'import rows'],
      [DAY_2, 80, 80, 1, 'import rows'],
      [DAY_1, 50, 50, 1, 'import rows'],
    ]);
    const table = await runCli(['snapshots', '--db', db, '--partner', PARTNER]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').filter((l) => l.startsWith(DAY_2))[0]).toMatch(
      /^\S+\s+80\s+80\s+1\s+yes\s+import rows/,
    );
  });

  it('prune removes old snapshots through the server', async () => {
    const r = await runCli(['prune', '--keep-days', '5', '--partner', PARTNER, '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`removed 3 snapshot(s), ${50 + 80 + 7} rows, dated before ${daysAgo(4)}\n`);
    expect((await snapshotsOf(db, PARTNER)).map((s) => s.processedDate)).toEqual([TODAY]);
    expect((await snapshotsOf(db, DEMO_PARTNER_ID)).map((s) => s.processedDate)).toEqual([TODAY, daysAgo(1)]);
  });

  it('no API request failed meanwhile, and each snapshot was served', async () => {
    polling = false;
    await poller;
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect([50, 80, 16].every((t) => seenTotals.has(t))).toBe(true);
  });

  it('after serve stops, the socket is gone and commands open the file again', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await expect(stat(`${db}.sock`)).rejects.toThrow(/ENOENT/);
    expect((await snapshotsOf(db, PARTNER)).map((s) => [s.processedDate, s.rows])).toEqual([[TODAY, 16]]);
  });
});

describe('a server killed with SIGKILL', { timeout: 90_000 }, () => {
  it('leaves <db>.sock behind; the next command removes it and works on the file directly', async () => {
    const db = join(dir, 'killed.duckdb');
    const seed = join(dir, 'killed.csv');
    await writeFile(seed, csvFor(DAY_1, 3, 2));
    expect((await runCli(['import', seed, '--db', db, '--partner', PARTNER])).code).toBe(0);

    const server = await serveOn(db);
    // Through the server first.
    expect((await snapshotsOf(db, PARTNER)).map((s) => s.rows)).toEqual([3]);
    server.child.kill('SIGKILL');
    await server.exited;
    expect((await stat(`${db}.sock`)).isSocket()).toBe(true);

    const next = join(dir, 'killed-2.csv');
    await writeFile(next, csvFor(DAY_2, 4, 2));
    const r = await runCli(['import', next, '--db', db, '--partner', PARTNER]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('imported 4 rows');
    await expect(stat(`${db}.sock`)).rejects.toThrow(/ENOENT/);
    expect((await snapshotsOf(db, PARTNER)).map((s) => [s.processedDate, s.rows])).toEqual([
      [DAY_2, 4],
      [DAY_1, 3],
    ]);

    // And a new server takes the database over again.
    const again = await serveOn(db);
    try {
      expect((await snapshotsOf(db, PARTNER)).map((s) => s.rows)).toEqual([4, 3]);
      expect((await stat(`${db}.sock`)).isSocket()).toBe(true);
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }
  });
});
