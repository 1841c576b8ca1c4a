/**
 * E5's `filter` compares text without case by Unicode's rules, not only ASCII's, on every store:
 * `customerName eq 'ÉCOLE'` is whole-value equality with any case of each letter, accented Latin,
 * Greek and Cyrillic alike, and `ne` is its exact complement.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeploymentRow } from '../../src/domain/row.ts';
import { canonicalOrder, columns, PARTNER_A, PROD } from '../fixtures/http-rows.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { describeOnStores } from '../support/stores.ts';
import { E5, type Page, wireRow } from '../support/wire.ts';

const DAY = '2026-11-20';

/** Customer names, each its own customer; the ids keep this order on the wire. */
const NAMES = [
  'École',
  'école',
  'ÉCOLE',
  'École Dupont',
  'Ecole',
  'ΑΘΗΝΑ',
  'Αθηνα',
  'αθηνα',
  'МОСКВА',
  'москва',
  'Москва-Сити',
] as const;
type Name = (typeof NAMES)[number];

const ROWS: readonly DeploymentRow[] = NAMES.map((customerName, i) => ({
  processedDate: DAY,
  serviceCode: 'o365',
  serviceName: i % 2 === 0 ? 'Éducation Nationale' : 'Microsoft Office 365',
  channel: 'reseller',
  customerTenantId: `0E0E0E0E-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
  customerName,
  productId: PROD.e3,
  productName: 'OFFICE 365 E3',
  licensesDeployed: i,
  licensesSold: 10 + i,
}));

const named = (...names: Name[]) => ROWS.filter((r) => names.includes(r.customerName as Name));
const except = (...names: Name[]) => ROWS.filter((r) => !names.includes(r.customerName as Name));

describeOnStores('case-insensitive filters on non-ASCII text', (kind) => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await createHarness({ store: kind });
    await h.load(PARTNER_A, columns(ROWS));
    token = await h.token(PARTNER_A);
  });
  afterAll(() => h?.close());

  /** The rows E5 serves for `filter`, checked to be the whole answer. */
  async function filtered(filter: string): Promise<Record<string, unknown>[]> {
    const res = await h.get(`${E5}?filter=${encodeURIComponent(filter)}`, token);
    expect(res.statusCode, res.body).toBe(200);
    const page = json<Page>(res);
    expect(page.TotalCount).toBe(page.Value.length);
    expect(page['@nextLink']).toBeNull();
    return page.Value;
  }

  const wire = (rows: readonly DeploymentRow[]) => canonicalOrder(rows).map((r) => wireRow(r));

  it('stores the names as given', async () => {
    expect(await filtered("serviceCode eq 'o365'")).toEqual(wire(ROWS));
  });

  it.each(["customerName eq 'ÉCOLE'", "customerName eq 'école'", "customerName eq 'ÉcOlE'"])(
    '%s matches École, école and ÉCOLE, not École Dupont or Ecole',
    async (filter) => {
      expect(await filtered(filter)).toEqual(wire(named('École', 'école', 'ÉCOLE')));
    },
  );

  it("customerName ne 'ÉCOLE' is every other row", async () => {
    expect(await filtered("customerName ne 'ÉCOLE'")).toEqual(wire(except('École', 'école', 'ÉCOLE')));
  });

  it.each(["customerName eq 'ΑΘΗΝΑ'", "customerName eq 'αθηνα'", "customerName eq 'ΑθΗνΑ'"])(
    '%s matches every case of the Greek name',
    async (filter) => {
      expect(await filtered(filter)).toEqual(wire(named('ΑΘΗΝΑ', 'Αθηνα', 'αθηνα')));
    },
  );

  it("customerName ne 'αΘηΝα' is every other row", async () => {
    expect(await filtered("customerName ne 'αΘηΝα'")).toEqual(wire(except('ΑΘΗΝΑ', 'Αθηνα', 'αθηνα')));
  });

  it("customerName eq 'москва' and 'МОСКВА' match both Cyrillic cases, not a longer name", async () => {
    const moscow = wire(named('МОСКВА', 'москва'));
    expect(await filtered("customerName eq 'москва'")).toEqual(moscow);
    expect(await filtered("customerName eq 'МОСКВА'")).toEqual(moscow);
    expect(await filtered("customerName ne 'Москва'")).toEqual(wire(except('МОСКВА', 'москва')));
  });

  it('folds case in every text field and inside and/or, also when grouping', async () => {
    const education = ROWS.filter((r) => r.serviceName === 'Éducation Nationale');
    expect(await filtered("serviceName eq 'ÉDUCATION NATIONALE'")).toEqual(wire(education));
    const both =
      "customerName eq 'ÉCOLE' or customerName eq 'МОСКВА' and serviceName eq 'éducation nationale'";
    // and binds tighter: the three écoles, and москва's row only where its service matches.
    const expected = named('École', 'école', 'ÉCOLE', 'МОСКВА', 'москва').filter(
      (r) => r.customerName.toLowerCase() === 'école' || r.serviceName === 'Éducation Nationale',
    );
    expect(await filtered(both)).toEqual(wire(expected));

    const res = await h.get(
      `${E5}?groupby=serviceName&filter=${encodeURIComponent("customerName ne 'ÉCOLE'")}`,
      token,
    );
    expect(res.statusCode, res.body).toBe(200);
    const sums = (rows: readonly DeploymentRow[], serviceName: string) => {
      const of = rows.filter((r) => r.serviceName === serviceName);
      return {
        serviceName,
        licensesDeployed: of.reduce((s, r) => s + r.licensesDeployed, 0),
        licensesSold: of.reduce((s, r) => s + r.licensesSold, 0),
      };
    };
    const rest = except('École', 'école', 'ÉCOLE');
    expect(json<Page>(res).Value).toEqual([
      sums(rest, 'Microsoft Office 365'),
      sums(rest, 'Éducation Nationale'),
    ]);
  });
});
