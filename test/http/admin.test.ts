/**
 * The local admin API (src/http/routes/admin.ts) through which CLI commands reach a store the
 * server owns: it answers only to the secret, reads hand-overs only from the incoming directory,
 * and runs the direct CSV load on linked files, declining those that need validating.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { csvLine, E3, HEADER, PARTNER, T1, T2 } from '../support/test-files.ts';

const SECRET = 'admin-secret-for-tests-0123456789abcdef';
let h: Harness;
let incoming: string;

beforeAll(async () => {
  h = await createHarness({ adminSecret: SECRET });
  incoming = `${h.dbPath}.incoming`;
  await mkdir(incoming, { recursive: true });
});
afterAll(() => h.close());

function post(path: string, body: unknown, secret = SECRET) {
  return h.app.inject({
    method: 'POST',
    url: `/_seatwise/admin${path}`,
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

/** A CSV file outside the incoming directory, and a link to it inside. */
async function linked(name: string, text: string): Promise<{ file: string; link: string }> {
  const file = join(h.dir, name);
  await writeFile(file, text);
  const link = join(incoming, `${name}.link.csv`);
  await symlink(file, link);
  return { file, link };
}

async function storedRows(): Promise<unknown[][]> {
  const r = await h.store.select({
    sql: "SELECT strftime(processed_date, '%Y-%m-%d') AS d, customer_tenant_id AS t, channel AS c FROM deployment ORDER BY d, ord",
    params: [],
  });
  return r.columns.d!.map((d, i) => [d, r.columns.t![i], r.columns.c![i]]);
}

describe('admin API', () => {
  it('refuses a wrong secret with 401', async () => {
    const res = await post('/import-rows', { files: [], partnerId: PARTNER }, 'wrong');
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body).description).toBe('The admin secret is missing or wrong.');
  });

  it('import-rows loads linked files directly and reports the summary', async () => {
    const { link } = await linked(
      'good.csv',
      `${HEADER}\n${csvLine('2026-11-20', T1, E3)}\n${csvLine('2026-11-20', T2, E3)}\n`,
    );
    const res = await post('/import-rows', {
      files: [link],
      partnerId: PARTNER.toLowerCase(),
      source: 'import rows',
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      loaded: true,
      summary: { rows: 2, customers: 2, products: 1, dates: ['2026-11-20'], files: 1 },
    });
    expect(await storedRows()).toEqual([
      ['2026-11-20', T1, 'reseller'],
      ['2026-11-20', T2, 'reseller'],
    ]);
  });

  it('import-rows declines a file that needs normalising and changes nothing', async () => {
    const before = await storedRows();
    const { link } = await linked(
      'upper.csv',
      `${HEADER}\n${csvLine('2026-11-20', T1, E3, { name: ' Contoso ' })}\n`,
    );
    const res = await post('/import-rows', { files: [link], partnerId: PARTNER });
    expect(res.statusCode).toBe(200);
    const outcome = JSON.parse(res.body) as { loaded: boolean; reason: string };
    expect(outcome.loaded).toBe(false);
    expect(outcome.reason).toMatch(/:2: customerName needs normalising$/);
    expect(await storedRows()).toEqual(before);
  });

  it('reads nothing outside the incoming directory', async () => {
    const { file } = await linked('outside.csv', `${HEADER}\n${csvLine('2026-11-21', T1, E3)}\n`);
    for (const [path, body] of [
      ['/import-rows', { files: [file], partnerId: PARTNER }],
      ['/import-rows', { files: [join(incoming, '..', 'outside.csv')], partnerId: PARTNER }],
      ['/replace', { file }],
    ] as const) {
      const res = await post(path, body);
      expect(res.statusCode, path).toBe(400);
      expect(JSON.parse(res.body).description).toBe(
        'file must be a hand-over file in the incoming directory.',
      );
    }
    expect((await storedRows()).some(([d]) => d === '2026-11-21')).toBe(false);
  });

  it('import-rows refuses a request without files or partner', async () => {
    for (const [body, description] of [
      [{ partnerId: PARTNER }, 'files is required.'],
      [{ files: [] }, 'partnerId is required.'],
      [{ files: [], partnerId: 'nope' }, 'partner must be a GUID.'],
    ] as const) {
      const res = await post('/import-rows', body);
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body).description).toBe(description);
    }
  });
});
