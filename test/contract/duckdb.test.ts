import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { PARTNER_A, PARTNER_A_INPUT, toColumns } from '../fixtures/contract-rows.ts';
import { loadColumns } from '../support/load.ts';
import { expectPartnerAKept, expectUnicodeRoundTrip } from './contract-helpers.ts';
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
    expect(store.kind).toBe('duckdb');
    await loadColumns(store, PARTNER_A, toColumns(PARTNER_A_INPUT));
    const list = await store.listSnapshots(PARTNER_A);
    await store.close();
    expect(existsSync(path)).toBe(true);

    const readOnly = await openDuckDbStore({ path, readOnly: true });
    try {
      expect(readOnly.kind).toBe('duckdb');
      await expectPartnerAKept(readOnly, list);
      await expect(loadColumns(readOnly, PARTNER_A, toColumns(PARTNER_A_INPUT))).rejects.toThrow(
        `${path} is open read-only`,
      );
      await expect(readOnly.deleteSnapshotsBefore('2999-01-01')).rejects.toThrow(/read-only/);
      await expect(readOnly.upsertCatalog([])).rejects.toThrow(/read-only/);
      expect(await readOnly.listSnapshots(PARTNER_A)).toEqual(list);
    } finally {
      await readOnly.close();
    }
  });

  it('round-trips awkward Unicode text through the load, including U+0000 inside a value', async () => {
    // Every value survives trimming; the white space run keeps only the U+0085 JavaScript's trim
    // leaves in place.
    await expectUnicodeRoundTrip(
      () => openDuckDbStore({ path: nextPath() }),
      [
        'nul\u0000inside',
        '\u0000',
        '\\4 \\5 \\\\4',
        '\t\n\r\v\f\u0085\u2028\u2029',
        '"',
        '""',
        ',',
        'a,"b",\r\nc',
        '\\N',
        'NULL',
        'b\uFEFFom',
        'in\u00a0\u3000side',
        '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 e\u0301',
        '\u0301 combining first',
      ],
    );
  });

  // Known limitation: @duckdb/node-api decodes VARCHAR with a default `new TextDecoder()`, whose
  // ignoreBOM=false drops a U+FEFF at the START of each value on read (the stored value is intact).
  // A load trims a leading U+FEFF, so only a catalog entry (stored as given) can start with one.
  // This case documents it and starts failing once the driver keeps the character.
  it.fails('keeps a leading U+FEFF in a value read back', async () => {
    const store = await openDuckDbStore({ path: nextPath() });
    try {
      const sku = {
        skuId: '6FD2C87F-B296-42F0-B197-1E91E994B900',
        partNumber: 'ENTERPRISEPACK',
        displayName: '\uFEFFOffice 365 E3',
        productName: 'OFFICE 365 E3',
        serviceCode: 'o365',
        serviceName: 'Microsoft Office 365',
      };
      await store.upsertCatalog([sku]);
      expect(await store.catalog()).toEqual([sku]);
    } finally {
      await store.close();
    }
  });
});
