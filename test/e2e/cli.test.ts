import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERY_BAD_LINE_CSV, everyBadLineStderr } from '../support/bad-lines.ts';
import { runCli, startServe } from '../support/cli.ts';
import { HEADER } from '../support/row-csv.ts';

let dir: string;
let db: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seatwise-e2e-'));
  db = join(dir, 'e2e.duckdb');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('seatwise CLI end to end', () => {
  it('demo loads a deterministic dataset and reports it', async () => {
    const r = await runCli(['demo', '--db', db, '--customers', '40', '--days', '3', '--seed', '7']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo data: \d+ rows, 40 customers, 3 daily snapshots/);
  });

  it('token writes only a JWT to stdout, and the issuer key is private to its owner', async () => {
    const r = await runCli(['token', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    expect((await stat(`${db}.key.json`)).mode & 0o777).toBe(0o600);
  });

  it('a bad import names every bad line, exits non-zero and leaves the store unchanged', async () => {
    const good = join(dir, 'good.csv');
    const bad = join(dir, 'bad.csv');
    const partner = '44444444-4444-4444-8444-444444444444';
    await writeFile(
      good,
      `${HEADER}\n2026-01-05T00:00:00,o365,Microsoft Office 365,reseller,0a0a0a0a-0000-4000-8000-000000000001,"Acme, Inc.",6fd2c87f-b296-42f0-b197-1e91e994b900,OFFICE 365 E3,3,5\n`,
    );
    await writeFile(
      bad,
      `${HEADER}\n2026-01-06,o365,Microsoft Office 365,reseller,not-a-guid,X,6fd2c87f-b296-42f0-b197-1e91e994b900,E3,1,1\n` +
        `2026-01-06,o365,Microsoft Office 365,reseller,0a0a0a0a-0000-4000-8000-000000000001,X,6fd2c87f-b296-42f0-b197-1e91e994b900,E3,-4,1\n`,
    );
    const rejected = await runCli(['import', good, bad, '--db', db, '--partner', partner]);
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toContain(`${bad}:2: `);
    expect(rejected.stderr).toContain(`${bad}:3: `);
    expect(rejected.stderr).toMatch(/store is unchanged/);

    const ok = await runCli(['import', good, '--db', db, '--partner', partner]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/imported 1 rows \(1 customers, 1 products\)/);
    expect(ok.stdout).toContain('2026-01-05');
    expect(ok.stdout).toMatch(/took \d+\.\d s\n$/);
  });

  it('names every kind of bad line of a CSV file by its physical line, and changes nothing', async () => {
    const f = EVERY_BAD_LINE_CSV;
    const partner = '45454545-4545-4545-8545-454545454545';
    const r = await runCli(['import', f, '--db', db, '--partner', partner]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual(everyBadLineStderr(f));
    const listed = await runCli(['snapshots', '--db', db, '--partner', partner, '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('serve prints a curl that works as printed, and shuts down cleanly on SIGTERM', async () => {
    const server = await startServe(['--db', db, '--port', '0', '--log-level', 'silent']);
    try {
      const banner = server.stdout();
      const m = /curl -s -H "Authorization: Bearer ([^"]+)" "([^"]+)"/.exec(banner);
      expect(m, banner).not.toBeNull();
      const [, token, url] = m!;
      const res = await fetch(url!, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        Value: { serviceCode: string; channel: string; licensesSold: number }[];
        TotalCount: number;
      };
      expect(body.TotalCount).toBeGreaterThanOrEqual(2);
      expect(body.Value.map((r) => r.serviceCode)).toEqual(expect.arrayContaining(['o365', 'crm']));
      expect(body.Value.every((r) => r.licensesSold > 0)).toBe(true);

      const appOnly = (await runCli(['token', '--db', db, '--app-only'])).stdout.trim();
      const forbidden = await fetch(url!, { headers: { authorization: `Bearer ${appOnly}` } });
      expect(forbidden.status).toBe(403);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toMatch(/SIGTERM: finishing in-flight requests/);
    // The store was closed cleanly: another process can open it right away.
    const after = await runCli(['demo', '--db', db, '--customers', '5', '--days', '1']);
    expect(after.code).toBe(0);
    expect(await readFile(`${db}.key.json`, 'utf8')).toContain('privateJwk');
  });
});
