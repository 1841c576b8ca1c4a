/**
 * Every CLI command with `--db postgres://…`, run as a user would (the real bin, child processes):
 * each opens the database itself. Retention drops whole day partitions; import errors read exactly
 * as they do on DuckDB; a password in the connection string never reaches the output, and a wrong
 * host, port or database says what to do.
 *
 * Runs against `$SEATWISE_TEST_PG` (or the local default) in databases of its own; skipped, with
 * one printed line, where no PostgreSQL server answers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_ID } from '../../src/ingest/demo.ts';
import { EVERY_BAD_LINE_CSV, everyBadLineStderr } from '../support/bad-lines.ts';
import { type CliResult, queryAll, runCli, type ServeProcess, startServe } from '../support/cli.ts';
import { type QueriedRow, type SnapshotJson, snapshotsOf } from '../support/cli-output.ts';
import {
  FAKE_SKUS,
  type FakePartnerCenter,
  fakeCustomers,
  startFakePartnerCenter,
} from '../support/fake-partner-center.ts';
import { dayPartitions, sql } from '../support/pg-sql.ts';
import {
  ADMIN_URL,
  createTestDatabase,
  probePostgres,
  type TestDatabase,
  warnPostgresSkipped,
} from '../support/postgres.ts';
import { daysAgo, E3, e3Customers, HEADER } from '../support/row-csv.ts';

const probe = await probePostgres();
const noServer = probe.state === 'absent';
if (probe.state === 'absent') warnPostgresSkipped(probe);

const PARTNER = '88888888-8888-4888-8888-888888888888';
const OTHER = '99999999-9999-4999-8999-999999999999';
const { customerId, csvFor, jsonRows } = e3Customers('0C0C0C0C');

const OLD = daysAgo(30);
const DAY_1 = daysAgo(12);
const DAY_2 = daysAgo(11);
const DAY_3 = daysAgo(10);
const TODAY = daysAgo(0);

function partitionOf(day: string): string {
  return `deployment_p${day.replaceAll('-', '')}`;
}

/** The `kid` in a JWT's header. */
function kidOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-pg-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.skipIf(noServer)('every CLI command with --db postgres://…', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  let url: string;
  let fake: FakePartnerCenter;

  beforeAll(async () => {
    db = await createTestDatabase();
    url = db.url;
    fake = await startFakePartnerCenter({ customers: fakeCustomers(12), pageSize: 5 });
  });
  afterAll(async () => {
    await fake?.close();
    await db?.drop();
  });

  it('demo loads a small dataset', async () => {
    const r = await runCli(['demo', '--db', url, '--customers', '5', '--days', '2', '--seed', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^demo data: \\d+ rows, 5 customers, 2 daily snapshots \\(${daysAgo(1)} \\.\\. ${TODAY}\\), \\d+ subscriptions(, 62 illustrative USD prices)? for partner ${DEMO_PARTNER_ID}\\n$`,
      ),
    );
    const rows = Number(/demo data: (\d+) rows/.exec(r.stdout)![1]);
    const demo = await snapshotsOf(url, DEMO_PARTNER_ID);
    expect(demo.map((s) => [s.processedDate, s.customers, s.source])).toEqual([
      [TODAY, 5, 'demo'],
      [daysAgo(1), 5, 'demo'],
    ]);
    expect(demo[0]!.rows + demo[1]!.rows).toBe(rows);
    const [stored] = await sql<{ n: number }>(
      url,
      'SELECT count(*)::int AS n FROM deployment WHERE partner_id = $1',
      [DEMO_PARTNER_ID],
    );
    expect(stored!.n).toBe(rows);
  });

  it('import of CSV and JSON files writes the snapshots, one day partition each', async () => {
    for (const [day, customers, sold] of [
      [DAY_1, 50, 10],
      [DAY_2, 80, 20],
    ] as const) {
      const file = join(dir, `${day}.csv`);
      await writeFile(file, csvFor(day, customers, sold));
      const r = await runCli(['import', file, '--db', url, '--partner', PARTNER]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        `imported ${customers} rows (${customers} customers, 1 products) for partner ${PARTNER}\nsnapshots replaced: ${day}\n`,
      );
    }
    const file = join(dir, 'day3.json');
    const rows = jsonRows(DAY_3, 7);
    await writeFile(file, JSON.stringify(rows, null, 1));
    const r = await runCli(['import', file, '--db', url, '--partner', PARTNER]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`imported 7 rows (7 customers, 1 products) for partner ${PARTNER}`);
    const stored = await queryAll<QueriedRow>(url, PARTNER, DAY_3);
    expect(stored.map((s) => [s.customerTenantId, s.customerName, s.channel, s.licensesSold])).toEqual(
      rows.map((row, i) => [customerId(i), row.customerName, 'direct', 30 + i]),
    );
    expect(await dayPartitions(url)).toEqual(
      [DAY_1, DAY_2, DAY_3, daysAgo(1), TODAY].map(partitionOf).sort(),
    );
  });

  it('a bad import names every bad line as on DuckDB, and changes nothing', async () => {
    const f = EVERY_BAD_LINE_CSV;
    const partner = '45454545-4545-4545-8545-454545454545';
    const before = await dayPartitions(url);
    const r = await runCli(['import', f, '--db', url, '--partner', partner]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    // The same lines, word for word, as test/e2e/cli.test.ts expects of a DuckDB file.
    expect(r.stderr.split('\n')).toEqual(everyBadLineStderr(f));
    expect(await snapshotsOf(url, partner)).toEqual([]);
    const [rows] = await sql<{ n: number }>(
      url,
      'SELECT count(*)::int AS n FROM deployment WHERE partner_id = $1',
      [partner],
    );
    expect(rows!.n).toBe(0);
    expect(await dayPartitions(url)).toEqual(before);
  });

  it('query --db reads the database, and prints nothing to stdout when it fails', async () => {
    const grouped = await runCli([
      'query',
      '--db',
      url,
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
      url,
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
    expect(lines.map((l) => [l.processedDateTime, l.customerTenantId, l.licensesSold])).toEqual([
      [`${DAY_1}T00:00:00`, customerId(10), 10],
      [`${DAY_1}T00:00:00`, customerId(11), 10],
    ]);

    const failed = await runCli(['query', '--db', url, '--partner', PARTNER, '--filter', "nosuch eq 'x'"]);
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/Unknown field 'nosuch'/);
  });

  it('export --db writes the whole selection to a file', async () => {
    const out = join(dir, 'export.csv');
    const r = await runCli(['export', '--db', url, '--partner', PARTNER, '--date', DAY_2, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`exported 80 rows to ${out}`);
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(81);
    expect(lines[0]).toBe(HEADER);
    expect(lines[1]).toBe(
      `${DAY_2}T00:00:00,o365,Microsoft Office 365,reseller,${customerId(0)},Customer 0,${E3},OFFICE 365 E3,19,20`,
    );
    expect(lines[80]).toBe(
      `${DAY_2}T00:00:00,o365,Microsoft Office 365,reseller,${customerId(79)},Customer 79,${E3},OFFICE 365 E3,19,20`,
    );
  });

  it('collect fetches from Partner Center and stores the snapshot', async () => {
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
        url,
        '--json',
      ],
      { SEATWISE_COLLECT_RETRY_DELAYS_MS: '10,20,30' },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 12 customers with E3, every third (4) with Sales too.
    expect(JSON.parse(r.stdout)).toMatchObject({ written: true, rows: 16, customers: 12, products: 2 });
    const stored = await queryAll<QueriedRow>(url, PARTNER, TODAY);
    expect(stored).toHaveLength(16);
    expect(stored.find((s) => s.productId === FAKE_SKUS.e3.id.toUpperCase())).toMatchObject({
      customerTenantId: 'C0FFEE00-0000-4000-8000-000000000001',
      licensesSold: 10,
      licensesDeployed: 5,
    });
  });

  it('snapshots lists every snapshot, as JSON and as a table', async () => {
    const list = await snapshotsOf(url, PARTNER);
    expect(list.map((s) => [s.processedDate, s.rows, s.customers, s.products, s.source])).toEqual([
      [TODAY, 16, 12, 2, 'collect'],
      [DAY_3, 7, 7, 1, 'import rows'],
      [DAY_2, 80, 80, 1, 'import rows'],
      [DAY_1, 50, 50, 1, 'import rows'],
    ]);
    const table = await runCli(['snapshots', '--db', url, '--partner', PARTNER]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').filter((l) => l.startsWith(DAY_2))[0]).toMatch(
      /^\S+\s+80\s+80\s+1\s+yes\s+import rows/,
    );
    const none = await runCli(['snapshots', '--db', url, '--partner', OTHER]);
    expect(none.stdout).toBe(`no snapshots for partner ${OTHER}\n`);
  });

  it('token signs with the key kept in the database, or with --key-file', async () => {
    const [first, second] = await Promise.all([
      runCli(['token', '--db', url, '--partner', PARTNER]),
      runCli(['token', '--db', url, '--partner', OTHER, '--expires-in', '5m']),
    ]);
    for (const r of [first, second]) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    }
    // One key, in the database, shared by every process.
    expect(kidOf(first.stdout)).toBe(kidOf(second.stdout));
    const [key] = await sql<{ n: number; kid: string }>(
      url,
      "SELECT count(*)::int AS n, max(key_json::json->>'kid') AS kid FROM seatwise_issuer_key",
    );
    expect(key!.n).toBe(1);
    expect(JSON.stringify(key)).toContain(kidOf(first.stdout));

    const keyFile = join(dir, 'issuer.key.json');
    const own = await runCli(['token', '--db', url, '--key-file', keyFile]);
    expect(own.code).toBe(0);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(kidOf(own.stdout)).not.toBe(kidOf(first.stdout));
  });

  it('prune of one partner deletes its old rows and drops the partitions it left empty', async () => {
    expect(await dayPartitions(url)).toEqual(expect.arrayContaining([DAY_1, DAY_2, DAY_3].map(partitionOf)));
    const r = await runCli(['prune', '--keep-days', '5', '--partner', PARTNER, '--db', url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`removed 3 snapshot(s), ${50 + 80 + 7} rows, dated before ${daysAgo(4)}\n`);
    expect((await snapshotsOf(url, PARTNER)).map((s) => s.processedDate)).toEqual([TODAY]);
    expect((await snapshotsOf(url, DEMO_PARTNER_ID)).map((s) => s.processedDate)).toEqual([
      TODAY,
      daysAgo(1),
    ]);
    const left = await dayPartitions(url);
    for (const day of [DAY_1, DAY_2, DAY_3]) expect(left).not.toContain(partitionOf(day));
    expect(left).toEqual(expect.arrayContaining([partitionOf(TODAY), partitionOf(daysAgo(1))]));
  });

  it('prune of every partner drops whole day partitions', async () => {
    for (const [partner, customers] of [
      [PARTNER, 4],
      [OTHER, 6],
    ] as const) {
      const file = join(dir, `old-${partner}.csv`);
      await writeFile(file, csvFor(OLD, customers, 3));
      const r = await runCli(['import', file, '--db', url, '--partner', partner]);
      expect(r.code, r.stderr).toBe(0);
    }
    const before = await dayPartitions(url);
    expect(before).toContain(partitionOf(OLD));
    const r = await runCli(['prune', '--keep-days', '20', '--db', url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`removed 2 snapshot(s), 10 rows, dated before ${daysAgo(19)}\n`);
    expect(await dayPartitions(url)).toEqual(before.filter((p) => p !== partitionOf(OLD)));
    expect(await snapshotsOf(url, OTHER)).toEqual([]);
    expect((await snapshotsOf(url, PARTNER)).map((s) => s.processedDate)).toEqual([TODAY]);
  });
});

describe.skipIf(noServer)('a password in --db never shows', { timeout: 60_000 }, () => {
  const suffix = randomBytes(4).toString('hex');
  const role = `seatwise_pw_${suffix}`;
  const password = `s3cret-pw-${suffix}`;
  let db: TestDatabase;
  /** The test database, signed in to as `role` with its password. */
  let url: string;
  let server: ServeProcess | undefined;
  let serverErr = '';

  const expectNoPassword = (...outputs: (CliResult | string)[]) => {
    for (const o of outputs) {
      const text = typeof o === 'string' ? o : `${o.stdout}\n${o.stderr}`;
      expect(text).not.toContain(password);
      expect(text).not.toContain(encodeURIComponent(password));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // The role owns the database, so that it can create Seatwise's tables in its public schema.
    await sql(ADMIN_URL, `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await sql(ADMIN_URL, `ALTER DATABASE "${db.name}" OWNER TO ${role}`);
    const u = new URL(db.url);
    u.username = role;
    u.password = password;
    url = u.toString();
  });
  afterAll(async () => {
    if (server !== undefined && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await db?.drop();
    await sql(ADMIN_URL, `DROP ROLE IF EXISTS ${role}`);
  });

  it('import, snapshots, query, token and demo work with it and never print it', async () => {
    const file = join(dir, 'pw.csv');
    await writeFile(file, csvFor(DAY_1, 3, 2));
    const imported = await runCli(['import', file, '--db', url, '--partner', PARTNER]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain(`imported 3 rows (3 customers, 1 products) for partner ${PARTNER}`);
    const [owner] = await sql<{ owner: string }>(
      db.url,
      "SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'snapshots'",
    );
    expect(owner!.owner).toBe(role);

    // The rest at once: every process opens the database itself.
    const [listed, fromEnv, queried, token, demo, bad, badFilter] = await Promise.all([
      runCli(['snapshots', '--db', url, '--partner', PARTNER]),
      // The same through $SEATWISE_DB.
      runCli(['snapshots', '--partner', PARTNER, '--json'], { SEATWISE_DB: url }),
      runCli(['query', '--db', url, '--partner', PARTNER, '--format', 'json']),
      runCli(['token', '--db', url, '--partner', PARTNER]),
      runCli(['demo', '--db', url, '--customers', '2', '--days', '1']),
      runCli(['import', EVERY_BAD_LINE_CSV, '--db', url, '--partner', OTHER]),
      runCli(['query', '--db', url, '--partner', PARTNER, '--filter', "nosuch eq 'x'"]),
    ]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${DAY_1}\\s+3\\s+3\\s+1\\s+yes`, 'm'));
    expect(fromEnv.code).toBe(0);
    expect((JSON.parse(fromEnv.stdout) as SnapshotJson[]).map((s) => s.rows)).toEqual([3]);
    expect(queried.code).toBe(0);
    expect((JSON.parse(queried.stdout) as QueriedRow[]).map((r) => r.customerTenantId)).toEqual(
      [0, 1, 2].map(customerId),
    );
    expect(token.code).toBe(0);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/^demo data: \d+ rows, 2 customers, 1 daily snapshots/);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('import rejected: 10 error(s)');
    expect(badFilter.code).not.toBe(0);
    expect(badFilter.stderr).toMatch(/Unknown field 'nosuch'/);
    expectNoPassword(imported, listed, fromEnv, queried, token, demo, bad, badFilter);
  });

  it('serve shows the URL with *** in its banner and logs, and answers with the database key', async () => {
    server = await startServe(['--db', url, '--port', '0', '--log-level', 'debug']);
    server.child.stderr.on('data', (d: Buffer) => {
      serverErr += d.toString('utf8');
    });
    const redacted = new URL(db.url);
    redacted.username = role;
    redacted.password = '***';
    expect(server.stdout()).toContain(`is serving ${redacted.toString().replace('%2A%2A%2A', '***')}\n`);
    const api = /API:\s+(\S+)/.exec(server.stdout())![1]!;
    const token = (await runCli(['token', '--db', url, '--partner', PARTNER])).stdout.trim();
    const res = await fetch(`${api}?top=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { TotalCount: number }).TotalCount).toBe(3);
    const fault = await fetch(`${api}?filter=${encodeURIComponent("nosuch eq 'x'")}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(fault.status).toBe(400);
    expectNoPassword(await fault.text());
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expectNoPassword(server.stdout(), serverErr);
  });

  it('a wrong host, port or database says what to do, without the password', async () => {
    const wrong = (change: (u: URL) => void) => {
      const u = new URL(url);
      change(u);
      return u.toString();
    };
    const missing = `seatwise_missing_${suffix}`;
    const [port, host, database] = await Promise.all([
      runCli([
        'snapshots',
        '--db',
        wrong((u) => {
          u.port = '1';
        }),
      ]),
      runCli([
        'import',
        join(dir, 'pw.csv'),
        '--partner',
        PARTNER,
        '--db',
        wrong((u) => {
          u.hostname = 'seatwise-no-such-host.invalid';
        }),
      ]),
      runCli([
        'serve',
        '--port',
        '0',
        '--db',
        wrong((u) => {
          u.pathname = `/${missing}`;
        }),
      ]),
    ]);
    expect(port.code).toBe(1);
    expect(port.stderr).toMatch(
      new RegExp(
        `^seatwise: cannot reach PostgreSQL at postgres://${role}:\\*\\*\\*@127\\.0\\.0\\.1:1/${db.name} \\(connect ECONNREFUSED 127\\.0\\.0\\.1:1\\); check the host and port in --db and that the server runs\\n$`,
      ),
    );
    expect(host.code).toBe(1);
    expect(host.stderr).toMatch(
      /^seatwise: cannot reach PostgreSQL at postgres:\/\/\S+:\*\*\*@seatwise-no-such-host\.invalid/,
    );
    expect(host.stderr).toContain('check the host and port in --db');
    expect(database.code).toBe(1);
    expect(database.stdout).toBe('');
    expect(database.stderr).toContain(`database "${missing}" does not exist at postgres://${role}:***@`);
    expect(database.stderr).toContain(
      'create it first (e.g. createdb), or point --db at an existing database',
    );
    expectNoPassword(port, host, database);
  });
});
