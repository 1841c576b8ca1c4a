/**
 * Graph and Partner Center fixtures (a free SKU with 10,000 units, a
 * company-wide SKU, warning and suspended units, a catalog CSV with a byte-order mark and tab
 * padding, names with quotes and non-Latin scripts) loaded into a real store, and E5 then returns
 * exactly the expected rows.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGraphFiles } from '../../src/ingest/sources/graph.ts';
import { readPartnerCenterDir } from '../../src/ingest/sources/partner-center.ts';
import type { SourceOptions } from '../../src/ingest/sources/types.ts';
import {
  DAY,
  FIXTURES,
  fixtureOptions,
  GRAPH_ROWS,
  PARTNER,
  PARTNER_CENTER_ROWS,
} from '../fixtures/sources/expected.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { loadColumns } from '../support/load.ts';
import { describeOnStores } from '../support/stores.ts';
import { E5, type Page, wireRow } from '../support/wire.ts';

const OTHER_DAY = '2026-02-28';

describeOnStores('import sources', (kind) => {
  let h: Harness;
  let token: string;
  let options: SourceOptions;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    token = await h.token(PARTNER);
    options = await fixtureOptions();
  });
  afterAll(() => h?.close());

  async function e5(query: string): Promise<Page> {
    const res = await h.get(`${E5}${query}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return json<Page>(res);
  }

  describe('import sources → E5', () => {
    it('serves exactly the rows of the Graph files', async () => {
      const r = await readGraphFiles([FIXTURES.graphDir], {
        ...options,
        customersFile: FIXTURES.graphCustomers,
      });
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      await loadColumns(h.store, r.load.partnerId, r.load.rows);
      const page = await e5(`?processedDateTime=${DAY}`);
      expect(page.Value).toEqual(GRAPH_ROWS.map((r) => wireRow(r)));
      expect(page.TotalCount).toBe(9);
      expect(page['@nextLink']).toBeNull();
    });

    it('re-importing the date from Partner Center replaces that snapshot and keeps other dates', async () => {
      const older = await readPartnerCenterDir(FIXTURES.partnerCenterDir, {
        ...options,
        processedDate: OTHER_DAY,
      });
      const r = await readPartnerCenterDir(FIXTURES.partnerCenterDir, options);
      if (!older.ok || !r.ok) throw new Error('partner-center fixture did not read');
      await loadColumns(h.store, older.load.partnerId, older.load.rows);
      await loadColumns(h.store, r.load.partnerId, r.load.rows);
      expect((await e5('')).Value).toEqual(PARTNER_CENTER_ROWS.map((r) => wireRow(r)));
      const previous = await e5(`?processedDateTime=${OTHER_DAY}`);
      expect(previous.Value).toEqual(
        PARTNER_CENTER_ROWS.map((x) => wireRow({ ...x, processedDate: OTHER_DAY })),
      );
    });

    it('filters and groups the imported names exactly as stored', async () => {
      const filter = encodeURIComponent(
        `customerName eq 'شركة "القاهرة" للتجارة' or customerName eq 'O''Neil & Sons, Ltd.'`,
      );
      const page = await e5(`?processedDateTime=${DAY}&filter=${filter}&groupby=serviceCode`);
      expect(page.Value).toEqual([
        { serviceCode: 'crm', licensesDeployed: 6, licensesSold: 6 },
        { serviceCode: 'o365', licensesDeployed: 49, licensesSold: 62 },
      ]);
    });
  });
});
