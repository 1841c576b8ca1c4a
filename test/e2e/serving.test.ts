/**
 * Issue #4, item 5: every CLI command works while `seatwise serve` runs on the same store, and the
 * server answers from a new snapshot as soon as it is committed, with no failed request.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe } from '../support/cli.ts';
import { fakeCustomers, startFakePartnerCenter } from '../support/fake-partner-center.ts';

const PARTNER = '55555555-5555-4555-8555-555555555555';
const HEADER =
  'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold';

let dir: string;
let db: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-serving-'));
  db = join(dir, 'serving.duckdb');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function csvFor(day: string, customers: number, sold: number): string {
  let text = `${HEADER}\n`;
  for (let i = 0; i < customers; i++) {
    const id = `0A0A0A0A-0000-4000-8000-${String(i).padStart(12, '0')}`;
    text += `${day},o365,Microsoft Office 365,reseller,${id},Customer ${i},6FD2C87F-B296-42F0-B197-1E91E994B900,OFFICE 365 E3,${sold - 1},${sold}\n`;
  }
  return text;
}

describe('CLI commands while serve runs on the same store', () => {
  it('import, collect, snapshots, prune and token all work, and queries never fail', async () => {
    const first = join(dir, 'day1.csv');
    await writeFile(first, csvFor('2026-11-18', 50, 10));
    expect((await runCli(['import', first, '--db', db, '--partner', PARTNER])).code).toBe(0);

    const server = await startServe(['--db', db, '--port', '0', '--log-level', 'silent']);
    const fake = await startFakePartnerCenter({ customers: fakeCustomers(12), pageSize: 5 });
    let running = true;
    let poller: Promise<void> | undefined;
    try {
      const base = /API:\s+(\S+)/.exec(server.stdout())![1]!;
      const token = (await runCli(['token', '--db', db, '--partner', PARTNER])).stdout.trim();
      expect(token).toMatch(/^ey/);

      // Query in a loop for the whole test; every answer must be a 200.
      const seenTotals = new Set<number>();
      const statuses: number[] = [];
      poller = (async () => {
        while (running) {
          const res = await fetch(`${base}?top=0`, {
            headers: { authorization: `Bearer ${token}` },
          });
          statuses.push(res.status);
          seenTotals.add(((await res.json()) as { TotalCount: number }).TotalCount);
        }
      })();

      const second = join(dir, 'day2.csv');
      await writeFile(second, csvFor('2026-11-19', 80, 20));
      const imported = await runCli(['import', second, '--db', db, '--partner', PARTNER]);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      // The server ran the direct load on a link to the file.
      expect(imported.stdout).toContain('(direct CSV load)');
      expect(await readdir(`${db}.incoming`)).toEqual([]);

      // A file that needs normalising is validated here and its rows handed over instead.
      const upper = join(dir, 'day2-padded.csv');
      await writeFile(upper, csvFor('2026-11-19', 80, 20).replaceAll(',Customer ', ', Customer '));
      const handed = await runCli(['import', upper, '--db', db, '--partner', PARTNER]);
      expect(handed.stderr).toBe('');
      expect(handed.code).toBe(0);
      expect(handed.stdout).toContain('imported 80 rows');
      expect(handed.stdout).not.toContain('direct CSV load');

      // The new snapshot is served right away, without a restart.
      const latest = await fetch(base, { headers: { authorization: `Bearer ${token}` } });
      expect(((await latest.json()) as { TotalCount: number }).TotalCount).toBe(80);

      const collected = await runCli(
        [
          'collect',
          '--base-url',
          fake.baseUrl,
          '--token-command',
          'echo pc-token',
          '--date',
          '2026-11-20',
          '--partner',
          PARTNER,
          '--db',
          db,
        ],
        { SEATWISE_COLLECT_RETRY_DELAYS_MS: '10,20,30' },
      );
      expect(collected.stderr).toBe('');
      expect(collected.code).toBe(0);

      const listed = await runCli(['snapshots', '--db', db, '--partner', PARTNER, '--json']);
      expect(listed.code).toBe(0);
      const snapshots = JSON.parse(listed.stdout) as {
        processedDate: string;
        rows: number;
        source: string;
      }[];
      expect(snapshots.map((s) => s.processedDate)).toEqual(['2026-11-20', '2026-11-19', '2026-11-18']);
      expect(snapshots[1]).toMatchObject({ rows: 80 });
      expect(snapshots[0]!.source).toBe('collect');

      const pruned = await runCli(['prune', '--keep-days', '2', '--db', db]);
      expect(pruned.code).toBe(0);
      // Relative to today (UTC); these dates lie in the past or today, so check the effect directly.
      const after = JSON.parse(
        (await runCli(['snapshots', '--db', db, '--partner', PARTNER, '--json'])).stdout,
      ) as {
        processedDate: string;
      }[];
      const cutoff = /dated before (\S+)/.exec(pruned.stdout)![1]!;
      expect(after.every((s) => s.processedDate >= cutoff)).toBe(true);

      running = false;
      await poller;
      expect(statuses.length).toBeGreaterThan(5);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(seenTotals.has(50)).toBe(true);
      expect(seenTotals.has(80)).toBe(true);
    } finally {
      // Stop querying first, also when an assertion failed, so the server can shut down.
      running = false;
      await poller?.catch(() => {});
      await fake.close();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
    // The announcement is withdrawn and the store closed: direct access works again.
    await expect(stat(`${db}.serve.json`)).rejects.toThrow();
    expect((await runCli(['snapshots', '--db', db, '--partner', PARTNER])).code).toBe(0);
  }, 90_000);

  it('a stale announcement from a killed server is ignored', async () => {
    const own = join(dir, 'stale.duckdb');
    const server = await startServe(['--db', own, '--port', '0', '--log-level', 'silent']);
    server.child.kill('SIGKILL');
    await server.exited;
    const r = await runCli(['snapshots', '--db', own, '--partner', PARTNER]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no snapshots');
  });
});
