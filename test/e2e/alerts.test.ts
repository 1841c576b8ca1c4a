/**
 * `seatwise serve --alerts FILE` as a user runs it (the real bin, a DuckDB file, port 0) with a
 * real local webhook receiver: an import that crosses a threshold delivers one POST, an import with
 * the same state delivers none, clearing and crossing again delivers one more, and a restart does
 * not send again what was sent. `seatwise alerts test` prints what would fire, sending nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../fixtures/alerts/receiver.ts';
import { runCli, type ServeProcess, startServe } from '../support/cli.ts';
import { daysAgo, E3, HEADER } from '../support/row-csv.ts';

const PARTNER = 'A1E7A1E7-0000-4000-8000-00000000A1E7';
const CONTOSO = 'A1E7A1E7-0000-4000-8000-000000000001';
const FABRIKAM = 'A1E7A1E7-0000-4000-8000-000000000002';
const NORTHWIND = 'A1E7A1E7-0000-4000-8000-000000000003';
const BB = '3B555118-DA6A-4418-894F-7DF1E2096870';
const FIXTURE = fileURLToPath(new URL('../fixtures/alerts/alerts.yaml', import.meta.url));

let dir: string;
let db: string;
let alertsFile: string;
let receiver: Receiver;
let serve: ServeProcess | undefined;

function row(date: string, tenant: string, name: string, product: string, deployed: number, sold: number) {
  const productName = product === E3 ? 'OFFICE 365 E3' : 'MICROSOFT 365 BUSINESS BASIC';
  return `${date},o365,Microsoft Office 365,reseller,${tenant},${name},${product},${productName},${deployed},${sold}`;
}

/** Imports one snapshot of Contoso's E3 seats (and a fully deployed Fabrikam) through the running server. */
async function importSnapshot(date: string, deployed: number, sold = 20): Promise<void> {
  const file = join(dir, `rows-${date}-${deployed}.csv`);
  await writeFile(
    file,
    [
      HEADER,
      row(date, CONTOSO, 'Contoso', E3, deployed, sold),
      row(date, FABRIKAM, 'Fabrikam', E3, 10, 10),
    ].join('\n'),
  );
  const r = await runCli(['import', file, '--db', db, '--partner', PARTNER]);
  expect(r.code, r.stderr).toBe(0);
}

/** The server's "evaluated" log lines, parsed from its JSON log. */
function evaluations(): { date: string; line: string }[] {
  const out: { date: string; line: string }[] = [];
  for (const text of (serve?.stdout() ?? '').split('\n')) {
    if (!text.startsWith('{')) continue;
    const msg = (JSON.parse(text) as { msg?: string }).msg ?? '';
    const m = /^alerts: evaluated the snapshot of (\d{4}-\d{2}-\d{2})/.exec(msg);
    if (m !== null) out.push({ date: m[1]!, line: msg });
  }
  return out;
}

async function until<T>(what: string, probe: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what}; the server said:\n${serve?.stdout()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits for the server to evaluate the snapshot of `date` (the n-th evaluation of that date). */
function evaluated(date: string, nth = 1): Promise<string> {
  return until(
    `the evaluation of ${date}`,
    () => evaluations().filter((e) => e.date === date)[nth - 1]?.line,
  );
}

async function stopServe(): Promise<void> {
  if (serve !== undefined && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-alerts-'));
  db = join(dir, 'alerts.duckdb');
  receiver = await startReceiver();
  alertsFile = join(dir, 'alerts.yaml');
  await writeFile(
    alertsFile,
    [
      `partnerId: ${PARTNER.toLowerCase()}`,
      'checkEverySeconds: 0.2',
      'delivery: { attempts: 3, backoffSeconds: 0.05, timeoutSeconds: 5 }',
      'webhooks:',
      `  - url: ${receiver.url}`,
      '    format: generic',
      'rules:',
      '  - kind: unassigned',
      '    minSeats: 5',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await stopServe();
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('serve --alerts', () => {
  it('delivers one webhook per crossing: none while it holds, one again after it clears and crosses anew', async () => {
    serve = await startServe(['--db', db, '--port', '0', '--log-level', 'info', '--alerts', alertsFile]);
    expect(serve.stdout()).toContain(
      `Alerts:     1 rule(s) from ${alertsFile} for partner ${PARTNER}, 1 webhook(s)`,
    );

    // 7 of 20 seats unassigned: crosses minSeats 5.
    await importSnapshot(daysAgo(3), 13);
    expect(await evaluated(daysAgo(3))).toContain('1 holding, 1 new, 0 cleared');
    await until('the POST', () => (receiver.posts.length > 0 ? true : undefined));
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0]?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(receiver.posts[0]?.body).toEqual({
      source: 'seatwise',
      partnerId: PARTNER,
      processedDate: daysAgo(3),
      alerts: [
        {
          key: `unassigned/${CONTOSO}/${E3}`,
          rule: 'unassigned',
          kind: 'unassigned',
          customerTenantId: CONTOSO,
          customerName: 'Contoso',
          productId: E3,
          productName: 'OFFICE 365 E3',
          message: 'Contoso: 7 of 20 seats of OFFICE 365 E3 are not assigned (rule: at least 5)',
          values: { licensesSold: 20, licensesDeployed: 13, licensesUnassigned: 7, minSeats: 5 },
        },
      ],
      cleared: [],
    });

    // The same state on the next day: evaluated, nothing sent.
    await importSnapshot(daysAgo(2), 13);
    expect(await evaluated(daysAgo(2))).toContain('1 holding, 0 new, 0 cleared');
    expect(receiver.posts).toHaveLength(1);

    // 2 unassigned: cleared, silently (notifyCleared is off).
    await importSnapshot(daysAgo(1), 18);
    expect(await evaluated(daysAgo(1))).toContain('0 holding, 0 new, 1 cleared');
    expect(receiver.posts).toHaveLength(1);

    // Crossing again (today's snapshot, 6 unassigned): one more POST.
    await importSnapshot(daysAgo(0), 14);
    expect(await evaluated(daysAgo(0))).toContain('1 holding, 1 new, 0 cleared');
    await until('the second POST', () => (receiver.posts.length > 1 ? true : undefined));
    expect(receiver.posts).toHaveLength(2);
    expect(receiver.posts[1]?.body).toMatchObject({
      processedDate: daysAgo(0),
      alerts: [{ key: `unassigned/${CONTOSO}/${E3}`, values: { licensesUnassigned: 6 } }],
    });

    // The same day imported again with the same state is a new snapshot: evaluated, nothing sent.
    // (Stores keep the import time to the second: a snapshot replaced within the same second looks
    // unchanged.)
    await new Promise((r) => setTimeout(r, 1100));
    await importSnapshot(daysAgo(0), 14);
    expect(await evaluated(daysAgo(0), 2)).toContain('1 holding, 0 new, 0 cleared');
    expect(receiver.posts).toHaveLength(2);

    // A backfilled older day does not change the newest snapshot: no evaluation.
    await importSnapshot(daysAgo(5), 0);
    await new Promise((r) => setTimeout(r, 600));
    expect(evaluations().filter((e) => e.date === daysAgo(5))).toEqual([]);
    expect(receiver.posts).toHaveLength(2);
  }, 120_000);

  it('does not send again after a restart what it sent before', async () => {
    await stopServe();
    serve = await startServe(['--db', db, '--port', '0', '--log-level', 'info', '--alerts', alertsFile]);
    expect(await evaluated(daysAgo(0))).toContain('1 holding, 0 new, 0 cleared');
    expect(receiver.posts).toHaveLength(2);
  }, 60_000);

  it('refuses a bad alerts file before it listens', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      `webhooks:\n  - url: ${receiver.url}\nrules:\n  - kind: unassigned\n    minSeats: 0\n`,
    );
    const r = await runCli(['serve', '--db', join(dir, 'other.duckdb'), '--port', '0', '--alerts', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`seatwise: ${bad}: rules[0].minSeats: expected a whole number ≥ 1, got 0\n`);
    expect(r.stdout).not.toContain('Press Ctrl+C');

    const noPartner = join(dir, 'no-partner.yaml');
    await writeFile(
      noPartner,
      `webhooks:\n  - url: ${receiver.url}\nrules:\n  - kind: unassigned\n    minSeats: 1\n`,
    );
    const r2 = await runCli([
      'serve',
      '--db',
      join(dir, 'other.duckdb'),
      '--port',
      '0',
      '--alerts',
      noPartner,
    ]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${noPartner}: partnerId: missing`);
  });
});

describe('seatwise alerts test', () => {
  it('prints what would fire on the latest snapshot, sending and storing nothing', async () => {
    const testDb = join(dir, 'test.duckdb');
    const file = join(dir, 'fixture-rows.csv');
    const day = daysAgo(1);
    await writeFile(
      file,
      [
        HEADER,
        // Contoso: 7 E3 seats unassigned (fires), Business Basic fully deployed; 23 of 30 deployed.
        row(day, CONTOSO, 'Contoso', E3, 13, 20),
        row(day, CONTOSO, 'Contoso', BB, 10, 10),
        // Fabrikam: 4 unassigned (below 5), but 6 of 10 deployed… and 2 of 12 Business Basic: 8 of 22.
        row(day, FABRIKAM, 'Fabrikam', E3, 6, 10),
        row(day, FABRIKAM, 'Fabrikam', BB, 2, 12),
        // Northwind: excluded by the file.
        row(day, NORTHWIND, 'Northwind', E3, 0, 50),
        // An older snapshot the command does not read.
        row(daysAgo(9), CONTOSO, 'Contoso', E3, 0, 99),
      ].join('\n'),
    );
    const imported = await runCli(['import', file, '--db', testDb, '--partner', PARTNER]);
    expect(imported.code, imported.stderr).toBe(0);

    const r = await runCli(['alerts', 'test', '--alerts', FIXTURE, '--db', testDb]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `3 alerts on the snapshot of ${day} (partner ${PARTNER}), 3 not yet sent by a server`,
    );
    expect(lines[1]).toMatch(/^rule +customer +product +message +sent$/);
    expect(lines.slice(3).map((l) => l.replace(/ {2,}/g, ' | '))).toEqual([
      'deployment | Fabrikam | 36.36% of 22 seats deployed (rule: below 50%) | no',
      'unassigned | Contoso | OFFICE 365 E3 | 7 of 20 seats of OFFICE 365 E3 are not assigned (rule: at least 5) | no',
      'unassigned | Fabrikam | MICROSOFT 365 BUSINESS BASIC | 10 of 12 seats of MICROSOFT 365 BUSINESS BASIC are not assigned (rule: at least 5) | no',
    ]);

    const json = await runCli(['alerts', 'test', '--alerts', FIXTURE, '--db', testDb, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      partnerId: string;
      processedDate: string;
      alerts: { key: string; alreadyFired: boolean; values: Record<string, unknown> }[];
      cleared: unknown[];
    };
    expect(parsed).toMatchObject({ partnerId: PARTNER, processedDate: day, cleared: [] });
    expect(parsed.alerts.map((a) => [a.key, a.alreadyFired])).toEqual([
      [`deployment/${FABRIKAM}`, false],
      [`unassigned/${CONTOSO}/${E3}`, false],
      [`unassigned/${FABRIKAM}/${BB}`, false],
    ]);
    expect(parsed.alerts[0]?.values).toEqual({
      licensesSold: 22,
      licensesDeployed: 8,
      deploymentPercent: 36.36,
      belowPercent: 50,
    });

    // An older snapshot on request; a bad file is refused with its path.
    const older = await runCli(['alerts', 'test', '--alerts', FIXTURE, '--db', testDb, '--date', daysAgo(9)]);
    expect(older.stdout).toContain(`2 alerts on the snapshot of ${daysAgo(9)}`);
    const none = await runCli(['alerts', 'test', '--alerts', FIXTURE, '--db', testDb, '--date', daysAgo(8)]);
    expect(none.stdout).toBe(
      `partner ${PARTNER} has no snapshot of ${daysAgo(8)} (seatwise snapshots lists them)\n`,
    );
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ webhooks: [{ url: 'http://x/' }], rules: [{ kind: 'cost' }] }));
    const refused = await runCli(['alerts', 'test', '--alerts', bad, '--db', testDb, '--partner', PARTNER]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`seatwise: ${bad}: rules[0].minMonthlyCost: missing\n`);
  });

  it('--send posts the holding alerts as a test message, and still stores nothing', async () => {
    const before = receiver.posts.length;
    const sent = await runCli(['alerts', 'test', '--alerts', alertsFile, '--db', db, '--send']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain(`sent a test message to http://127.0.0.1:${new URL(receiver.url).port}/…`);
    expect(receiver.posts).toHaveLength(before + 1);
    expect(receiver.posts.at(-1)?.body).toMatchObject({
      source: 'seatwise',
      test: true,
      partnerId: PARTNER,
      processedDate: daysAgo(0),
      alerts: [{ key: `unassigned/${CONTOSO}/${E3}` }],
    });
    // What the server sent is still what is stored.
    const json = await runCli(['alerts', 'test', '--alerts', alertsFile, '--db', db, '--json']);
    expect((JSON.parse(json.stdout) as { alerts: { alreadyFired: boolean }[] }).alerts).toEqual([
      expect.objectContaining({ alreadyFired: true }),
    ]);
  });
});
