/**
 * `GET /seatwise/v1/changes` through the front door, on every store: the rows that differ between
 * two snapshots against a hand-computed fixture (added, removed, changed, with counts and deltas),
 * the filter, tenant isolation, and bad parameters as ApiFaults (400, or 404 for a missing snapshot).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { D1, D2, D3, EXTENSION_A_ROWS, EXTENSION_B_ROWS } from '../fixtures/extension-rows.ts';
import { CUST, columns, PARTNER_A, PARTNER_B, PROD } from '../fixtures/http-rows.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';

const CHANGES = '/seatwise/v1/changes';

interface Changes {
  from: string;
  to: string;
  value: Record<string, string | number>[];
  '@nextLink'?: string;
  totalCount: number;
}
interface Fault {
  code: number;
  description: string;
}

const ONEIL = { customerTenantId: CUST.oneil, customerName: 'Oneil' };
const TOKYO = { customerTenantId: CUST.tokyo, customerName: 'Tokyo' };
const SALES = {
  productId: PROD.sales,
  productName: 'DYNAMICS 365 FOR SALES ENTERPRISE EDITION',
  serviceCode: 'crm',
  serviceName: 'Microsoft Dynamics',
  channel: 'direct',
};
const E3 = {
  productId: PROD.e3,
  productName: 'OFFICE 365 E3',
  serviceCode: 'o365',
  serviceName: 'Microsoft Office 365',
  channel: 'reseller',
};

function counts(kind: string, sold: [number, number], deployed: [number, number]) {
  return {
    kind,
    licensesSoldBefore: sold[0],
    licensesSoldAfter: sold[1],
    licensesSoldDelta: sold[1] - sold[0],
    licensesDeployedBefore: deployed[0],
    licensesDeployedAfter: deployed[1],
    licensesDeployedDelta: deployed[1] - deployed[0],
  };
}

describeOnStores('GET /seatwise/v1/changes', (kind) => {
  let h: Harness;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await h.load(PARTNER_A, columns(EXTENSION_A_ROWS));
    await h.load(PARTNER_B, columns(EXTENSION_B_ROWS));
    tokenA = await h.token(PARTNER_A);
    tokenB = await h.token(PARTNER_B);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function changes(query: string, token = tokenA): Promise<Changes> {
    const res = await h.get(`${CHANGES}${query}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return json<Changes>(res);
  }

  async function fault(query: string, status: number, token = tokenA): Promise<Fault> {
    const res = await h.get(`${CHANGES}${query}`, token);
    expect(res.statusCode, res.body).toBe(status);
    return json<Fault>(res);
  }

  it('lists the rows added and changed between two snapshots, in E5 order, unchanged ones left out', async () => {
    expect(await changes(`?from=${D1}&to=${D2}`)).toEqual({
      from: D1,
      to: D2,
      value: [
        { ...ONEIL, ...SALES, ...counts('added', [0, 3], [0, 1]) },
        { ...ONEIL, ...E3, ...counts('changed', [10, 10], [4, 6]) },
        { ...TOKYO, ...E3, ...counts('changed', [5, 5], [5, 2]) },
      ],
      totalCount: 3,
    });
  });

  it('lists removed rows, and compares in either direction', async () => {
    expect((await changes(`?from=${D2}&to=${D3}`)).value).toEqual([
      { ...ONEIL, ...SALES, ...counts('removed', [3, 0], [1, 0]) },
      { ...ONEIL, ...E3, ...counts('removed', [10, 0], [6, 0]) },
      { ...TOKYO, ...SALES, ...counts('added', [0, 7], [0, 7]) },
      { ...TOKYO, ...E3, ...counts('removed', [5, 0], [2, 0]) },
    ]);
    expect((await changes(`?from=${D2}&to=${D1}`)).value).toEqual([
      { ...ONEIL, ...SALES, ...counts('removed', [3, 0], [1, 0]) },
      { ...ONEIL, ...E3, ...counts('changed', [10, 10], [6, 4]) },
      { ...TOKYO, ...E3, ...counts('changed', [5, 5], [2, 5]) },
    ]);
    expect(await changes(`?from=${D2}&to=${D2}`)).toEqual({ from: D2, to: D2, value: [], totalCount: 0 });
  });

  it('pages with top and skip, linking the next page as E5 does', async () => {
    const first = await changes(`?from=${D2}&to=${D3}&top=3`);
    expect(first.value.map((c) => c.kind)).toEqual(['removed', 'removed', 'added']);
    expect(first.totalCount).toBe(4);
    expect(first['@nextLink']).toBe(`/seatwise/v1/changes?from=${D2}&to=${D3}&top=3&skip=3`);
    const next = json<Changes>(await h.get(String(first['@nextLink']), tokenA));
    expect(next.value).toEqual([{ ...TOKYO, ...E3, ...counts('removed', [5, 0], [2, 0]) }]);
    expect(next.totalCount).toBe(4);
    expect(next['@nextLink']).toBeUndefined();
    const none = await changes(`?from=${D2}&to=${D3}&top=0`);
    expect(none.value).toEqual([]);
    expect(none.totalCount).toBe(4);
    const past = await changes(`?from=${D2}&to=${D3}&skip=10`);
    expect(past.value).toEqual([]);
    expect(past.totalCount).toBe(4);
    expect(past['@nextLink']).toBeUndefined();
  });

  it("applies the E5 filter to both snapshots' rows", async () => {
    const reseller = encodeURIComponent("channel eq 'RESELLER' and customerName ne 'oneil'");
    expect((await changes(`?from=${D1}&to=${D2}&filter=${reseller}`)).value).toEqual([
      { ...TOKYO, ...E3, ...counts('changed', [5, 5], [5, 2]) },
    ]);
  });

  it("sees only the token's partner: another partner's snapshots are not found", async () => {
    const missing = await fault(`?from=${D1}&to=${D2}`, 404, tokenB);
    expect(missing.code).toBe(1000);
    expect(missing.description).toContain(D2);
    expect(missing.description).toContain("'to'");
    expect(await changes(`?from=${D1}&to=${D1}`, tokenB)).toEqual({
      from: D1,
      to: D1,
      value: [],
      totalCount: 0,
    });
    const stranger = await h.token('33333333-CCCC-4CCC-8CCC-333333333333');
    expect((await fault(`?from=${D1}&to=${D2}`, 404, stranger)).description).toContain("'from'");
  });

  it('answers bad parameters with ApiFaults naming them', async () => {
    const noFrom = await fault(`?to=${D2}`, 400);
    expect(noFrom.code).toBe(800002);
    expect(noFrom.description).toContain("'from' is required");
    expect((await fault(`?from=${D1}`, 400)).description).toContain("'to' is required");
    expect((await fault(`?from=2026-02-30&to=${D2}`, 400)).description).toContain("'from'");
    expect((await fault(`?from=${D1}&to=${D2}&TO=${D3}`, 400)).description).toContain('more than once');
    expect((await fault(`?from=${D1}&to=${D2}&top=-1`, 400)).description).toContain("'top'");
    expect((await fault(`?from=${D1}&to=${D2}&skip=x`, 400)).description).toContain("'skip'");
    expect((await fault(`?from=${D1}&to=${D2}&filter=${encodeURIComponent('channel eq')}`, 400)).code).toBe(
      800002,
    );
    expect((await fault(`?from=${D1}&to=2026-11-09`, 404)).description).toContain('2026-11-09');
  });

  describe('the rest of the front door', () => {
    it('needs a token, refuses other methods and is in the OpenAPI document', async () => {
      expect((await h.get(`${CHANGES}?from=${D1}&to=${D2}`)).statusCode).toBe(401);
      const res = await h.app.inject({
        method: 'DELETE',
        url: CHANGES,
        headers: { authorization: `Bearer ${tokenA}` },
      });
      expect(res.statusCode).toBe(405);
      const doc = json<{
        paths: Record<string, { get: { parameters: { name: string }[]; tags: string[] } }>;
      }>(await h.get('/openapi.json'));
      expect(doc.paths[CHANGES]?.get.tags).toEqual(['seatwise']);
      expect(doc.paths[CHANGES]?.get.parameters.map((p) => p.name).sort()).toEqual([
        'filter',
        'from',
        'skip',
        'to',
        'top',
      ]);
    });
  });
});
