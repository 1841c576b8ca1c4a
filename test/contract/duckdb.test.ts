import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileDeploymentPage, compileLatestSnapshot } from '../../src/sql/compile.ts';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { DAY_2, PARTNER_A, PARTNER_A_ROWS, toColumns } from '../fixtures/contract-rows.ts';
import { plan, rowsOf } from './contract-helpers.ts';
import { describeStoreContract } from './store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'seatwise-contract-'));
let next = 0;
const nextPath = (): string => join(dir, `nested-${next}`, `store-${next++}.duckdb`);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeStoreContract('duckdb', () => openDuckDbStore({ path: nextPath() }));

describe('duckdb store specifics', () => {
  it('creates the parent directory, describes itself by path and persists across reopening', async () => {
    const path = nextPath();
    const store = await openDuckDbStore({ path });
    expect(store.description).toBe(path);
    expect(store.dialect.name).toBe('duckdb');
    await store.replaceSnapshots([{ partnerId: PARTNER_A, rows: toColumns(PARTNER_A_ROWS) }]);
    await store.close();
    expect(existsSync(path)).toBe(true);

    const readOnly = await openDuckDbStore({ path, readOnly: true });
    try {
      const latest = rowsOf(await readOnly.select(compileLatestSnapshot(PARTNER_A, readOnly.dialect)));
      expect(latest).toEqual([{ processedDate: DAY_2 }]);
      await expect(
        readOnly.replaceSnapshots([{ partnerId: PARTNER_A, rows: toColumns(PARTNER_A_ROWS) }]),
      ).rejects.toThrow();
      await expect(readOnly.select({ sql: 'CREATE TABLE nope (x INTEGER)', params: [] })).rejects.toThrow();
    } finally {
      await readOnly.close();
    }
  });

  it('round-trips any Unicode string through the staging file, including U+0000', async () => {
    const store = await openDuckDbStore({ path: nextPath() });
    try {
      const values = [
        'nul\u0000inside',
        '\u0000',
        '\\4 \\5 \\\\4',
        '\t\n\r\v\f\u0085\u2028\u2029',
        '"',
        '""',
        ',',
        '\\N',
        'NULL',
        ' ',
        'b\uFEFFom',
        '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 e\u0301',
      ];
      const rows = toColumns(
        values.map((v, i) => ({
          ...PARTNER_A_ROWS[0]!,
          processedDate: DAY_2,
          customerTenantId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          customerName: v,
          productName: v,
          serviceName: v,
          channel: v,
        })),
      );
      await store.replaceSnapshots([{ partnerId: PARTNER_A, rows }]);
      const page = rowsOf(await store.select(compileDeploymentPage(plan(PARTNER_A, DAY_2), store.dialect)));
      for (const field of ['customerName', 'productName', 'serviceName', 'channel']) {
        expect(page.map((r) => r[field])).toEqual(values);
      }
    } finally {
      await store.close();
    }
  });

  // Known limitation: @duckdb/node-api decodes VARCHAR with a default `new TextDecoder()`, whose
  // ignoreBOM=false drops a U+FEFF at the START of each value on read (the stored value is intact).
  // This case documents it and starts failing once the driver keeps the character.
  it.fails('keeps a leading U+FEFF in a value read back', async () => {
    const store = await openDuckDbStore({ path: nextPath() });
    try {
      const result = await store.select({ sql: 'SELECT chr(65279) || $1 AS v', params: ['x'] });
      expect(result.columns.v).toEqual(['\uFEFFx']);
    } finally {
      await store.close();
    }
  });
});
