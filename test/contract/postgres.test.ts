/**
 * The store contract on PostgreSQL: every `open()` is a new database on the test server
 * (test/support/postgres.ts), dropped when the suite closes the store. Skipped, with a printed
 * line, where no server answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROW_FIELDS } from '../../src/domain/fields.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { LoadOutcome, Store } from '../../src/store/store.ts';
import {
  CUSTOMER,
  DAY_1,
  DAY_2,
  PARTNER_A,
  PARTNER_A_INPUT,
  PRODUCT,
  toColumns,
} from '../fixtures/contract-rows.ts';
import { loadColumns } from '../support/load.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { openOwnedStore, storeSkipped } from '../support/stores.ts';
import { type ScratchDir, scratchDir } from '../support/test-files.ts';
import { expectPartnerAKept, expectUnicodeRoundTrip, rawRow, storeState } from './contract-helpers.ts';
import { describeStoreContract } from './store-contract.ts';

describe.skipIf(storeSkipped('postgres'))('postgres', () => {
  describeStoreContract('postgres', () => openOwnedStore('postgres'));

  describe('postgres store specifics', () => {
    let files: ScratchDir;
    beforeAll(async () => {
      files = await scratchDir();
    });
    afterAll(async () => {
      await files?.remove();
    });

    /** Runs `body` on a store of its own, closed (and its database dropped) afterwards. */
    async function withStore(body: (store: Store) => Promise<void>): Promise<void> {
      const store = await openOwnedStore('postgres');
      try {
        await body(store);
      } finally {
        await store.close();
      }
    }

    it('describes itself without the password, keeps its rows across reopening and migrates once', async () => {
      const db = await createTestDatabase();
      try {
        const url = new URL(db.url);
        url.password = 'hunter2-secret';
        // The test server may not ask for a password; either way the description must not show it.
        const first = await openPostgresStore({ url: db.url });
        let list: Awaited<ReturnType<Store['listSnapshots']>>;
        try {
          expect(first.kind).toBe('postgres');
          expect(first.description).toContain(db.name);
          await loadColumns(first, PARTNER_A, toColumns(PARTNER_A_INPUT));
          list = await first.listSnapshots(PARTNER_A);
          expect(list.map((s) => s.processedDate)).toEqual([DAY_2, DAY_1]);
        } finally {
          await first.close();
        }
        const again = await openPostgresStore({ url: url.toString() }).catch((err: unknown) => err);
        if (again instanceof Error) {
          // A server that checks passwords refuses the made-up one: the error must not quote it.
          expect(again.message).not.toContain('hunter2-secret');
          const reopened = await openPostgresStore({ url: db.url });
          try {
            expect(await reopened.listSnapshots(PARTNER_A)).toEqual(list);
          } finally {
            await reopened.close();
          }
        } else {
          const reopened = again as Store;
          try {
            expect(reopened.description).not.toContain('hunter2-secret');
            expect(reopened.description).toContain(db.name);
            await expectPartnerAKept(reopened, list);
          } finally {
            await reopened.close();
          }
        }
      } finally {
        await db.drop();
      }
    });

    it('round-trips awkward Unicode text through the load (everything but U+0000)', async () => {
      // As on DuckDB (test/contract/duckdb.test.ts) minus U+0000, which PostgreSQL text cannot hold.
      await expectUnicodeRoundTrip(
        () => openOwnedStore('postgres'),
        [
          '\\4 \\5 \\\\4',
          '\t\n\r\v\f\u0085\u2028\u2029',
          '"',
          '""',
          ',',
          'a,"b",\r\nc',
          '\\N',
          'NULL',
          '\\.',
          'tab\tinside',
          'b\uFEFFom',
          'in\u00a0\u3000side',
          '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 e\u0301',
          '\u0301 combining first',
          '\u0001\u001f\u007f control',
        ],
      );
    });

    it('refuses U+0000 in a value with an error naming the file and line, and changes nothing', async () => {
      await withStore(async (store) => {
        await loadColumns(store, PARTNER_A, toColumns(PARTNER_A_INPUT));
        const before = await storeState(store, [PARTNER_A]);
        const csvPath = await files.write(
          'nul.csv',
          [
            ROW_FIELDS.join(','),
            `${DAY_2},o365,Microsoft Office 365,direct,${CUSTOMER.oneil},Fine,${PRODUCT.e3},OFFICE 365 E3,1,2`,
            `${DAY_2},o365,Microsoft Office 365,direct,${CUSTOMER.tokyo},a\u0000b,${PRODUCT.e3},OFFICE 365 E3,1,2`,
            '',
          ].join('\n'),
        );
        const outcome: LoadOutcome = await store.load(
          { partnerId: PARTNER_A, source: 'test' },
          async (sink) => {
            await sink.rows('rows.json', [
              rawRow(3),
              rawRow(7, { customerName: 'nul\u0000inside' }),
              rawRow(9, { customerTenantId: CUSTOMER.tokyo, productName: '\u0000' }),
            ]);
            await sink.csvFile(csvPath, 'nul.csv');
          },
        );
        expect(outcome.ok).toBe(false);
        if (outcome.ok) return;
        expect(outcome.errors.map((e) => [e.file, e.line])).toEqual([
          ['rows.json', 7],
          ['rows.json', 9],
          ['nul.csv', 3],
        ]);
        for (const e of outcome.errors) expect(e.reason).toMatch(/U\+0000|NUL/i);
        expect(await storeState(store, [PARTNER_A])).toEqual(before);
      });
    });
  });
});
