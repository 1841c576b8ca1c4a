/**
 * Write half of the store contract: `load` normalises and validates every value, and replaces
 * exactly the (partner, date) snapshots it holds, atomically, one load at a time; a load with any
 * problem changes nothing and names each problem as `file:line: reason`. Retention, the catalog
 * and closing too. Each case opens its own fresh store.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROW_FIELDS, type RowField } from '../../src/domain/fields.ts';
import { type DeploymentRow, emptyRowColumns, type RowColumns } from '../../src/domain/row.ts';
import type { CatalogSku } from '../../src/domain/sku-catalog.ts';
import type { LoadOutcome, LoadSink, Store } from '../../src/store/store.ts';
import {
  CUSTOMER,
  canonicalOrder,
  DAY_1,
  DAY_2,
  PARTNER_A,
  PARTNER_A_INPUT,
  PARTNER_A_ROWS,
  PARTNER_B,
  PARTNER_B_INPUT,
  PARTNER_B_ROWS,
  PRODUCT,
  toColumns,
} from '../fixtures/contract-rows.ts';
import { loadColumns } from '../support/load.ts';
import { type ScratchDir, scratchDir } from '../support/test-files.ts';
import { allRows, pageRow, plan, rawRow, rowsOf, storeState } from './contract-helpers.ts';

const PARTNERS = [PARTNER_A, PARTNER_B] as const;

function simpleRow(
  day: string,
  customer: string,
  product: string,
  channel: string,
  n: number,
): DeploymentRow {
  return {
    processedDate: day,
    serviceCode: 'o365',
    serviceName: 'Microsoft Office 365',
    channel,
    customerTenantId: customer,
    customerName: `Customer ${customer.slice(0, 2)}`,
    productId: product,
    productName: 'OFFICE 365 E3',
    licensesDeployed: n,
    licensesSold: n + 1,
  };
}

function corrupt(
  rows: RowColumns,
  edit: (cols: { -readonly [K in keyof RowColumns]: RowColumns[K] }) => void,
): RowColumns {
  const copy = { ...emptyRowColumns() } as { -readonly [K in keyof RowColumns]: RowColumns[K] };
  for (const key of Object.keys(rows) as (keyof RowColumns)[]) (copy[key] as unknown[]) = [...rows[key]];
  edit(copy);
  return copy;
}

const raw = rawRow;

/** The key GOOD_RAW has, as a duplicate's reason names it. */
const GOOD_KEY =
  `duplicate row for processed date ${DAY_2}, customerTenantId ${CUSTOMER.cairo}, ` +
  `productId ${PRODUCT.e3}, channel "direct"; first at`;

/** Errors as `file:line: reason`, the way commands print them. */
function errorLines(outcome: LoadOutcome): string[] {
  if (outcome.ok) throw new Error(`expected the load to fail, it stored ${outcome.rows} rows`);
  return outcome.errors.map((e) => `${e.file}:${e.line}: ${e.reason}`);
}

const HEADER =
  'processedDateTime,serviceCode,serviceName,channel,customerTenantId,customerName,productId,productName,licensesDeployed,licensesSold';

/** A CSV line in HEADER's column order. */
function csv(customer: string, changes: Partial<Record<RowField, string>> = {}): string {
  const values: Record<RowField, string> = {
    processedDateTime: DAY_2,
    serviceCode: 'o365',
    serviceName: 'Microsoft Office 365',
    channel: 'reseller',
    customerTenantId: customer,
    customerName: 'Contoso',
    productId: PRODUCT.e3,
    productName: 'OFFICE 365 E3',
    licensesDeployed: '1',
    licensesSold: '2',
    ...changes,
  };
  return ROW_FIELDS.map((f) => values[f]).join(',');
}

const C = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * A row file with a problem of every kind. Physical lines are numbered in the comments: the
 * quoted value on lines 3-4 spans two lines and the blank lines 5 and 10 hold no record, so from
 * line 5 on a CSV reader's record numbers are not the lines an editor shows, which errors must name.
 */
const BAD_CSV_LINES: readonly string[] = [
  /* 1 */ HEADER,
  /* 2 */ csv(C(1)),
  /* 3 */ `${DAY_2},o365,Microsoft Office 365,reseller,${C(2)},"Two`,
  /* 4 */ `lines, ""quoted""",${PRODUCT.e3},OFFICE 365 E3,1,2`,
  /* 5 */ '',
  /* 6 */ `${DAY_2},o365,Microsoft Office 365,reseller`,
  /* 7 */ `${csv(C(3))},extra`,
  /* 8 */ csv(C(4), { customerName: '"Broken"quote' }),
  /* 9 */ csv('not-a-guid'),
  /* 10 */ '',
  /* 11 */ csv(C(5), { processedDateTime: '2026-02-30' }),
  /* 12 */ csv(C(6), { licensesDeployed: '-1' }),
  /* 13 */ csv(C(7), { licensesSold: '1.5' }),
  /* 14 */ csv(C(8), { licensesSold: '2147483648' }),
  /* 15 */ csv(C(9), { customerName: '' }),
  /* 16 */ csv(C(1).toLowerCase(), { channel: 'Reseller', customerName: 'Again' }),
  /* 17 */ csv(C(10)),
];

const BAD_CSV_ERRORS: readonly string[] = [
  'bad.csv:6: expected 10 fields as in the header, found 4',
  'bad.csv:7: expected 10 fields as in the header, found 11',
  'bad.csv:8: broken quoting: a quoted value must end with a quote followed by a comma or the line end',
  'bad.csv:9: customerTenantId "not-a-guid" is not a GUID',
  'bad.csv:11: processedDateTime "2026-02-30" is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss)',
  'bad.csv:12: licensesDeployed "-1" is not a non-negative integer',
  'bad.csv:13: licensesSold "1.5" is not a non-negative integer',
  'bad.csv:14: licensesSold "2147483648" is larger than 2147483647',
  'bad.csv:15: customerName is empty',
  `bad.csv:16: duplicate row for processed date ${DAY_2}, customerTenantId ${C(1)}, productId ${PRODUCT.e3}, channel "reseller"; first at bad.csv:2`,
];

type Feed = (sink: LoadSink) => Promise<void>;

const BAD_FEEDS: readonly (readonly [label: string, feed: Feed, errors: readonly string[]])[] = [
  [
    'a missing field (null)',
    (sink) => sink.rows('rows.json', [raw(2), raw(3, { customerName: null, customerTenantId: C(3) })]),
    ['rows.json:3: customerName is missing'],
  ],
  [
    'empty text, also after trimming',
    (sink) =>
      sink.rows('rows.json', [
        raw(2, { serviceCode: '' }),
        raw(3, { customerName: ' \t\u00a0\ufeff\u3000 ' }),
      ]),
    ['rows.json:2: serviceCode is empty', 'rows.json:3: customerName is empty'],
  ],
  [
    'a bad GUID',
    (sink) =>
      sink.rows('rows.json', [
        raw(2, { customerTenantId: 'not-a-guid' }),
        raw(3, { productId: `{${PRODUCT.e3}`, customerTenantId: C(3) }),
      ]),
    [
      'rows.json:2: customerTenantId "not-a-guid" is not a GUID',
      `rows.json:3: productId "{${PRODUCT.e3}" is not a GUID`,
    ],
  ],
  [
    'a bad date',
    (sink) =>
      sink.rows('rows.json', [
        raw(2, { processedDateTime: '2026-02-30' }),
        raw(3, { processedDateTime: '03/02/2026', customerTenantId: C(3) }),
      ]),
    [
      'rows.json:2: processedDateTime "2026-02-30" is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss)',
      'rows.json:3: processedDateTime "03/02/2026" is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss)',
    ],
  ],
  [
    'a negative count',
    (sink) =>
      sink.rows('rows.json', [
        raw(2, { licensesDeployed: -1 }),
        raw(3, { licensesSold: '-0', customerTenantId: C(3) }),
      ]),
    [
      'rows.json:2: licensesDeployed "-1" is not a non-negative integer',
      'rows.json:3: licensesSold "-0" is not a non-negative integer',
    ],
  ],
  [
    'a non-integer count',
    (sink) =>
      sink.rows('rows.json', [
        raw(2, { licensesDeployed: 1.5 }),
        raw(3, { licensesSold: '2e3', customerTenantId: C(3) }),
        raw(4, { licensesSold: Number.NaN, customerTenantId: C(4) }),
      ]),
    [
      'rows.json:2: licensesDeployed "1.5" is not a non-negative integer',
      'rows.json:3: licensesSold "2e3" is not a non-negative integer',
      'rows.json:4: licensesSold "NaN" is not a non-negative integer',
    ],
  ],
  [
    'a count larger than 2147483647',
    (sink) =>
      sink.rows('rows.json', [
        raw(2, { licensesSold: 2_147_483_648 }),
        raw(3, { licensesDeployed: '99999999999', customerTenantId: C(3) }),
      ]),
    [
      'rows.json:2: licensesSold "2147483648" is larger than 2147483647',
      'rows.json:3: licensesDeployed "99999999999" is larger than 2147483647',
    ],
  ],
  [
    'every problem of one row, in field order',
    (sink) =>
      sink.rows('rows.json', [
        raw(7, { processedDateTime: null, channel: ' ', productId: 'x', licensesSold: -2 }),
      ]),
    [
      'rows.json:7: processedDateTime is missing',
      'rows.json:7: channel is empty',
      'rows.json:7: productId "x" is not a GUID',
      'rows.json:7: licensesSold "-2" is not a non-negative integer',
    ],
  ],
  [
    'a duplicate key within one row batch',
    (sink) => sink.rows('rows.json', [raw(2), raw(3, { customerTenantId: C(3) }), raw(4)]),
    [`rows.json:4: ${GOOD_KEY} rows.json:2`],
  ],
  [
    'a duplicate key across two row batches of different names, equal once normalised',
    async (sink) => {
      await sink.rows('a.json', [raw(4)]);
      await sink.rows('b.json', [
        raw(8, { customerTenantId: C(3) }),
        raw(9, {
          processedDateTime: `${DAY_2}T22:00:00Z`,
          channel: ' DIRECT',
          customerTenantId: `{${CUSTOMER.cairo.toLowerCase()}}`,
          productId: PRODUCT.e3.toLowerCase(),
        }),
      ]);
    },
    [`b.json:9: ${GOOD_KEY} a.json:4`],
  ],
  [
    'a duplicate key next to another problem',
    async (sink) => {
      await sink.rows('a.json', [raw(4), raw(5, { licensesSold: 'many', customerTenantId: C(3) })]);
      await sink.rows('b.json', [raw(1)]);
    },
    ['a.json:5: licensesSold "many" is not a non-negative integer', `b.json:1: ${GOOD_KEY} a.json:4`],
  ],
  [
    'a problem the source reported itself',
    async (sink) => {
      await sink.rows('rows.json', [raw(2)]);
      sink.error('rows.json', 5, 'invalid JSON: unexpected end of input');
      sink.error('other.json', 0, 'cannot read file: ENOENT');
    },
    ['rows.json:5: invalid JSON: unexpected end of input', 'other.json:0: cannot read file: ENOENT'],
  ],
];

export function describeWrites(open: () => Promise<Store>): void {
  describe('load', () => {
    const opened: Store[] = [];
    let files: ScratchDir;
    const fresh = async (): Promise<Store> => {
      const store = await open();
      opened.push(store);
      await loadColumns(store, PARTNER_A, toColumns(PARTNER_A_INPUT));
      await loadColumns(store, PARTNER_B, toColumns(PARTNER_B_INPUT));
      return store;
    };
    beforeAll(async () => {
      files = await scratchDir();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    afterAll(async () => {
      await files?.remove();
    });
    const state = (store: Store) => storeState(store, PARTNERS);
    const page = async (store: Store, partnerId: string, day: string) =>
      rowsOf((await store.deploymentPage(plan(partnerId, day))).rows);
    const listed = async (store: Store, partnerId: string) =>
      (await store.listSnapshots(partnerId)).map((s) => [s.processedDate, s.rows, s.customers, s.products]);
    const good = (store: Store) =>
      loadColumns(store, PARTNER_B, toColumns([simpleRow(DAY_2, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1)]));

    it('pages every snapshot by position in canonical order', async () => {
      const store = await fresh();
      for (const [partner, rows] of [
        [PARTNER_A, PARTNER_A_ROWS],
        [PARTNER_B, PARTNER_B_ROWS],
      ] as const) {
        for (const day of [DAY_1, DAY_2]) {
          const expected = canonicalOrder(rows.filter((r) => r.processedDate === day)).map(pageRow);
          const one = async (skip: number) =>
            rowsOf((await store.deploymentPage(plan(partner, day, { top: 1, skip }))).rows);
          for (let i = 0; i < expected.length; i++) expect(await one(i)).toEqual([expected[i]]);
          expect(await one(expected.length)).toEqual([]);
        }
      }
    });

    it('replaces only the (partner, date) snapshots it holds and keeps every other one', async () => {
      const store = await fresh();
      const before = await state(store);
      const replacement = [
        simpleRow(DAY_2, CUSTOMER.tokyo, PRODUCT.e3, 'reseller', 7),
        simpleRow(DAY_2, CUSTOMER.oneil, PRODUCT.e3, 'direct', 3),
      ];
      expect(await loadColumns(store, PARTNER_A, toColumns(replacement))).toEqual({
        ok: true,
        rows: 2,
        customers: 2,
        products: 1,
        dates: [DAY_2],
      });
      const after = await state(store);
      expect(after.partners[PARTNER_B]).toEqual(before.partners[PARTNER_B]);
      expect(after.partners[PARTNER_A]!.rows[DAY_1]).toEqual(before.partners[PARTNER_A]!.rows[DAY_1]);
      expect(after.partners[PARTNER_A]!.snapshots[1]).toEqual(before.partners[PARTNER_A]!.snapshots[1]);
      expect(after.partners[PARTNER_A]!.rows[DAY_2]).toEqual(canonicalOrder(replacement).map(pageRow));
      expect(await listed(store, PARTNER_A)).toEqual([
        [DAY_2, 2, 2, 1],
        [DAY_1, 3, 3, 2],
      ]);
    });

    it('keeps the latest date when an older one is loaded, and moves it for a newer one', async () => {
      const store = await fresh();
      const older = '2026-02-27';
      const newer = '2026-03-05';
      await loadColumns(
        store,
        PARTNER_A,
        toColumns([simpleRow(older, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1)]),
      );
      expect(await store.latestSnapshot(PARTNER_A)).toBe(DAY_2);
      await loadColumns(
        store,
        PARTNER_B,
        toColumns([simpleRow(newer, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1)]),
      );
      expect(await store.latestSnapshot(PARTNER_A)).toBe(DAY_2);
      const result = await loadColumns(
        store,
        PARTNER_A,
        toColumns([
          simpleRow(newer, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 1),
          simpleRow(older, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 2),
          simpleRow(older, CUSTOMER.oneil, PRODUCT.e3, 'direct', 2),
        ]),
      );
      expect(result).toEqual({ ok: true, rows: 3, customers: 2, products: 1, dates: [older, newer] });
      expect(await store.latestSnapshot(PARTNER_A)).toBe(newer);
      expect(await store.latestSnapshot(PARTNER_B)).toBe(newer);
      expect(await listed(store, PARTNER_A)).toEqual([
        [newer, 1, 1, 1],
        [DAY_2, 13, 10, 3],
        [DAY_1, 3, 3, 2],
        [older, 2, 2, 1],
      ]);
    });

    it('replaces a date listed in `dates` even without rows, leaving an empty snapshot', async () => {
      const store = await fresh();
      const before = await state(store);
      expect(await loadColumns(store, PARTNER_A, emptyRowColumns(), { dates: [DAY_2] })).toEqual({
        ok: true,
        rows: 0,
        customers: 0,
        products: 0,
        dates: [DAY_2],
      });
      const [empty, ...rest] = await store.listSnapshots(PARTNER_A);
      expect(empty).toMatchObject({
        processedDate: DAY_2,
        rows: 0,
        customers: 0,
        products: 0,
        source: 'test',
        missingCustomers: [],
      });
      expect(rest).toEqual(before.partners[PARTNER_A]!.snapshots.slice(1));
      expect(await store.latestSnapshot(PARTNER_A)).toBe(DAY_2);
      expect(await store.deploymentPage(plan(PARTNER_A, DAY_2))).toEqual({
        rows: expect.objectContaining({ rowCount: 0 }),
        totalCount: 0,
      });
      expect(await store.customerLatestSnapshot(PARTNER_A, CUSTOMER.oneil)).toBe(DAY_1);
      expect((await state(store)).partners[PARTNER_B]).toEqual(before.partners[PARTNER_B]);

      // Alongside rows of another date, both are replaced.
      const rows = toColumns([simpleRow(DAY_1, CUSTOMER.tokyo, PRODUCT.e3, 'direct', 4)]);
      expect(await loadColumns(store, PARTNER_B, rows, { dates: [DAY_2] })).toEqual({
        ok: true,
        rows: 1,
        customers: 1,
        products: 1,
        dates: [DAY_1, DAY_2],
      });
      expect(await listed(store, PARTNER_B)).toEqual([
        [DAY_2, 0, 0, 0],
        [DAY_1, 1, 1, 1],
      ]);
    });

    it('records where a snapshot came from and which customers a partial load misses, sorted', async () => {
      const store = await fresh();
      const partner = 'C0C0C0C0-0000-4000-8000-00000000000C';
      const c1 = 'A1000000-0000-4000-8000-000000000001';
      await loadColumns(store, partner, toColumns([simpleRow('2026-03-01', c1, PRODUCT.e3, 'reseller', 4)]), {
        source: 'collect',
        missingCustomers: ['F2000000-0000-4000-8000-000000000002', 'B3000000-0000-4000-8000-000000000003'],
      });
      const [snap, ...more] = await store.listSnapshots(partner);
      expect(more).toEqual([]);
      expect(snap).toEqual({
        processedDate: '2026-03-01',
        rows: 1,
        customers: 1,
        products: 1,
        importedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
        source: 'collect',
        missingCustomers: ['B3000000-0000-4000-8000-000000000003', 'F2000000-0000-4000-8000-000000000002'],
      });
      // The next complete load of that date records no missing customers.
      await loadColumns(store, partner, toColumns([simpleRow('2026-03-01', c1, PRODUCT.e3, 'reseller', 5)]));
      expect(await store.listSnapshots(partner)).toMatchObject([{ source: 'test', missingCustomers: [] }]);
    });

    it('stores every value in its normalised form', async () => {
      const store = await fresh();
      const partner = 'C0C0C0C0-0000-4000-8000-00000000000C';
      const dates: readonly (readonly [input: string, day: string])[] = [
        [` ${DAY_2} `, DAY_2],
        [`${DAY_2}T10:00:00Z`, DAY_2],
        [`${DAY_2}t10:00:00z`, DAY_2],
        [`${DAY_2} 23:59:59.123456789`, DAY_2],
        [`${DAY_2}T10:00`, DAY_2],
        [`${DAY_1}T23:30:00-01:00`, DAY_2],
        [`${DAY_1}T23:30:00-0100`, DAY_2],
        [`${DAY_2}T00:30:00+01:00`, DAY_1],
        [`${DAY_1}T24:00:00`, DAY_2],
      ];
      const outcome = await store.load({ partnerId: partner, source: 'test' }, (sink) =>
        sink.rows(
          'rows.json',
          dates.map(([date], i) =>
            raw(i + 1, {
              processedDateTime: date,
              serviceCode: '\tO365 ',
              serviceName: ' Microsoft\u00a0Office 365\u2028',
              channel: '\u3000ReSeLLeR\ufeff',
              customerTenantId: i % 2 === 0 ? ` {${C(i).toLowerCase()}}\n` : C(i).toLowerCase(),
              customerName: `\r\n Name ${i}\u00a0\u00a0`,
              productId: `{${PRODUCT.e3.toLowerCase()}}`,
              productName: '  OFFICE 365 E3\t',
              licensesDeployed: i === 0 ? ' 007 ' : i,
              licensesSold: i === 1 ? '2147483647' : `${i + 1}`,
            }),
          ),
        ),
      );
      expect(outcome).toEqual({ ok: true, rows: 9, customers: 9, products: 1, dates: [DAY_1, DAY_2] });
      const row = (i: number) => ({
        serviceCode: 'o365',
        serviceName: 'Microsoft\u00a0Office 365',
        channel: 'reseller',
        customerTenantId: C(i),
        customerName: `Name ${i}`,
        productId: PRODUCT.e3,
        productName: 'OFFICE 365 E3',
        licensesDeployed: i === 0 ? 7 : i,
        licensesSold: i === 1 ? 2_147_483_647 : i + 1,
      });
      expect(await allRows(store, partner, DAY_2)).toEqual([0, 1, 2, 3, 4, 5, 6, 8].map(row));
      expect(await allRows(store, partner, DAY_1)).toEqual([row(7)]);
    });

    it('changes nothing for an empty load', async () => {
      const store = await fresh();
      const before = await state(store);
      const none = { ok: true, rows: 0, customers: 0, products: 0, dates: [] };
      expect(await loadColumns(store, PARTNER_A, emptyRowColumns())).toEqual(none);
      expect(await store.load({ partnerId: PARTNER_A, source: 'test' }, async () => {})).toEqual(none);
      expect(
        await store.load({ partnerId: PARTNER_A, source: 'test' }, (sink) => sink.rows('rows.json', [])),
      ).toEqual(none);
      expect(await state(store)).toEqual(before);
    });

    it.each(BAD_FEEDS)(
      'rejects %s with file:line errors and leaves the store exactly as it was',
      async (_label, feed, errors) => {
        const store = await fresh();
        const before = await state(store);
        const outcome = await store.load({ partnerId: PARTNER_A, source: 'test' }, feed);
        expect(errorLines(outcome)).toEqual(errors);
        expect(outcome).toMatchObject({ ok: false, truncated: false });
        expect(await state(store)).toEqual(before);
        // The store is still usable: the next good load goes through.
        expect(await good(store)).toMatchObject({ ok: true, rows: 1, dates: [DAY_2] });
      },
    );

    it.each([
      [
        'a bad count',
        (c: RowColumns) =>
          corrupt(c, (x) => {
            x.licensesSold[1] = Number.NaN;
          }),
        'test:0: licensesSold "NaN" is not a non-negative integer',
      ],
      [
        'a bad date',
        (c: RowColumns) =>
          corrupt(c, (x) => {
            x.processedDate[1] = '2026-02-30';
          }),
        'test:0: processedDateTime "2026-02-30" is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss)',
      ],
      [
        'columns of different lengths',
        (c: RowColumns) =>
          corrupt(c, (x) => {
            x.customerName.pop();
          }),
        'test:0: customerName is missing',
      ],
    ])('rejects built rows with %s (loadColumns throws the errors)', async (_label, edit, error) => {
      const store = await fresh();
      const before = await state(store);
      await expect(loadColumns(store, PARTNER_B, edit(toColumns(PARTNER_B_INPUT)))).rejects.toThrow(
        `the store rejected the load:\n  ${error}`,
      );
      expect(await state(store)).toEqual(before);
    });

    it('stops at maxErrors and says the list is truncated', async () => {
      const store = await fresh();
      const before = await state(store);
      const rows = [
        raw(2, { licensesSold: 'x', licensesDeployed: 'y' }),
        raw(3, { customerTenantId: 'z' }),
        raw(4, { channel: '' }),
        raw(5, { serviceName: null }),
      ];
      const feed: Feed = (sink) => sink.rows('rows.json', rows);
      const all = [
        'rows.json:2: licensesDeployed "y" is not a non-negative integer',
        'rows.json:2: licensesSold "x" is not a non-negative integer',
        'rows.json:3: customerTenantId "z" is not a GUID',
        'rows.json:4: channel is empty',
        'rows.json:5: serviceName is missing',
      ];
      const load = (maxErrors: number) =>
        store.load({ partnerId: PARTNER_A, source: 'test', maxErrors }, feed);
      for (const n of [1, 2, 3, 4]) {
        const outcome = await load(n);
        expect(errorLines(outcome)).toEqual(all.slice(0, n));
        expect(outcome).toMatchObject({ truncated: true });
      }
      for (const n of [5, 6, 50]) {
        const outcome = await load(n);
        expect(errorLines(outcome)).toEqual(all);
        expect(outcome).toMatchObject({ truncated: false });
      }
      expect(await state(store)).toEqual(before);
    });

    it('rejects load() with the error a feed throws and leaves the store unchanged', async () => {
      const store = await fresh();
      const before = await state(store);
      const failure = new Error('the source went away');
      await expect(
        store.load({ partnerId: PARTNER_A, source: 'test' }, async (sink) => {
          await sink.rows('rows.json', [raw(2), raw(3, { processedDateTime: DAY_1 })]);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await state(store)).toEqual(before);
      expect(await good(store)).toMatchObject({ ok: true, rows: 1 });
    });

    it('stores the exact rows of a CSV file: any column order, extra columns, quoting, CRLF, BOM', async () => {
      const store = await fresh();
      const path = await files.write(
        'good.csv',
        '\uFEFF' +
          [
            'licensesSold,Note,CUSTOMERNAME,processedDateTime,productId,serviceCode,channel,serviceName,customerTenantId,productName,licensesDeployed,more',
            `5,x,"Comma, Inc.",${DAY_2},${PRODUCT.e3},O365,Reseller,Office,${C(1).toLowerCase()},"Line\r\nbreak ""quoted"", here",3,y`,
            `7,,  Plain  ,${DAY_1}T23:30:00-02:00,{${PRODUCT.sales}},crm,direct,"Dynamics, ""365""",${C(2)},Sales,4,`,
            `0,"a,b",'Single',${DAY_1},${PRODUCT.basic},o365,direct,Office,${C(3)},Basic,0,""`,
            '',
          ].join('\r\n'),
      );
      const outcome = await store.load({ partnerId: PARTNER_A, source: 'import rows' }, (sink) =>
        sink.csvFile(path, 'good.csv'),
      );
      expect(outcome).toEqual({ ok: true, rows: 3, customers: 3, products: 3, dates: [DAY_1, DAY_2] });
      expect(await allRows(store, PARTNER_A, DAY_2)).toEqual([
        {
          serviceCode: 'o365',
          serviceName: 'Office',
          channel: 'reseller',
          customerTenantId: C(1),
          customerName: 'Comma, Inc.',
          productId: PRODUCT.e3,
          productName: 'Line\r\nbreak "quoted", here',
          licensesDeployed: 3,
          licensesSold: 5,
        },
        {
          serviceCode: 'crm',
          serviceName: 'Dynamics, "365"',
          channel: 'direct',
          customerTenantId: C(2),
          customerName: 'Plain',
          productId: PRODUCT.sales,
          productName: 'Sales',
          licensesDeployed: 4,
          licensesSold: 7,
        },
      ]);
      expect(await allRows(store, PARTNER_A, DAY_1)).toEqual([
        {
          serviceCode: 'o365',
          serviceName: 'Office',
          channel: 'direct',
          customerTenantId: C(3),
          customerName: "'Single'",
          productId: PRODUCT.basic,
          productName: 'Basic',
          licensesDeployed: 0,
          licensesSold: 0,
        },
      ]);
      expect(await store.listSnapshots(PARTNER_A)).toMatchObject([
        { processedDate: DAY_2, rows: 2, source: 'import rows' },
        { processedDate: DAY_1, rows: 1, source: 'import rows' },
      ]);
    });

    it.each([
      ['LF', '\n'],
      ['CRLF', '\r\n'],
    ])('names every bad line of a CSV file (%s) by its physical line number', async (ending, eol) => {
      const store = await fresh();
      const before = await state(store);
      const path = await files.write(`bad-${ending}.csv`, BAD_CSV_LINES.join(eol) + eol);
      const outcome = await store.load({ partnerId: PARTNER_A, source: 'test' }, (sink) =>
        sink.csvFile(path, 'bad.csv'),
      );
      expect(errorLines(outcome)).toEqual(BAD_CSV_ERRORS);
      expect(outcome).toMatchObject({ truncated: false });
      expect(await state(store)).toEqual(before);
    });

    it('rejects CSV files without a row-file header, file by file, and reads a header-only file as no rows', async () => {
      const store = await fresh();
      const before = await state(store);
      const write = (name: string, text: string) => files.write(name, text);
      const headerOnly = await write('header-only.csv', HEADER);
      expect(
        await store.load({ partnerId: PARTNER_A, source: 'test' }, (sink) =>
          sink.csvFile(headerOnly, 'header-only.csv'),
        ),
      ).toEqual({ ok: true, rows: 0, customers: 0, products: 0, dates: [] });
      const paths = [
        await write('empty.csv', ''),
        await write('missing.csv', `${HEADER.replace(',channel', '').replace(',licensesSold', '')}\n`),
        await write('twice.csv', `${HEADER},Channel\n${csv(C(1))},direct\n`),
        headerOnly,
        await write('fine.csv', `${HEADER}\n${csv(C(1))}\n`),
      ];
      const outcome = await store.load({ partnerId: PARTNER_A, source: 'test' }, async (sink) => {
        for (const path of paths) await sink.csvFile(path, path.slice(files.dir.length + 1));
      });
      expect(errorLines(outcome)).toEqual([
        'empty.csv:1: the file is empty; expected a header naming the ten row fields',
        'missing.csv:1: header is missing columns channel, licensesSold',
        'twice.csv:1: header names column channel twice',
      ]);
      expect(await state(store)).toEqual(before);
    });

    it('names a duplicate in a CSV file, and across a CSV file and rows, by physical lines', async () => {
      const store = await fresh();
      const before = await state(store);
      const path = await files.write(
        'dup.csv',
        [
          /* 1 */ '',
          /* 2 */ HEADER,
          /* 3-4 */ csv(C(1), { customerName: '"Spans\ntwo lines"' }),
          /* 5 */ '',
          /* 6 */ csv(C(2)),
          /* 7 */ csv(C(3)),
          /* 8 */ csv(C(1), { customerName: 'Again', processedDateTime: `${DAY_2}T08:00:00` }),
          /* 9 */ csv(CUSTOMER.cairo, { channel: 'direct' }),
        ].join('\n') + '\n',
      );
      const outcome = await store.load({ partnerId: PARTNER_A, source: 'test' }, async (sink) => {
        await sink.csvFile(path, 'dup.csv');
        await sink.rows('rows.json', [raw(3, { customerTenantId: C(9) }), raw(4)]);
      });
      expect(errorLines(outcome)).toEqual([
        `dup.csv:8: duplicate row for processed date ${DAY_2}, customerTenantId ${C(1)}, productId ${PRODUCT.e3}, channel "reseller"; first at dup.csv:3`,
        `rows.json:4: ${GOOD_KEY} dup.csv:9`,
      ]);
      expect(await state(store)).toEqual(before);
    });

    it('deletes snapshots before a day, for one partner or all, and nothing else', async () => {
      const store = await fresh();
      const before = await state(store);
      expect(await store.deleteSnapshotsBefore(DAY_1, PARTNER_A)).toEqual({ snapshots: 0, rows: 0 });
      expect(await state(store)).toEqual(before);
      expect(await store.deleteSnapshotsBefore(DAY_2, PARTNER_A)).toEqual({ snapshots: 1, rows: 3 });
      const after = await state(store);
      expect(after.partners[PARTNER_B]).toEqual(before.partners[PARTNER_B]);
      const a = before.partners[PARTNER_A]!;
      expect(after.partners[PARTNER_A]).toEqual({
        snapshots: a.snapshots.filter((s) => s.processedDate !== DAY_1),
        rows: { [DAY_2]: a.rows[DAY_2] },
      });
      expect(await store.customerLatestSnapshot(PARTNER_A, CUSTOMER.gone)).toBeNull();
      expect(await store.deleteSnapshotsBefore('2999-01-01')).toEqual({ snapshots: 2, rows: 15 });
      expect(await state(store)).toEqual({
        partners: {
          [PARTNER_A]: { snapshots: [], rows: {} },
          [PARTNER_B]: { snapshots: [], rows: {} },
        },
        catalog: [],
      });
      expect(await store.latestSnapshot(PARTNER_A)).toBeNull();
    });

    it('upserts catalog SKUs by skuId and lists them by skuId', async () => {
      const store = await open();
      opened.push(store);
      expect(await store.catalog()).toEqual([]);
      const sku = (skuId: string, displayName: string): CatalogSku => ({
        skuId,
        partNumber: `PART_${displayName.length}`,
        displayName,
        productName: displayName.toUpperCase(),
        serviceCode: 'o365',
        serviceName: 'Microsoft Office 365',
      });
      const e3 = sku(PRODUCT.e3, 'Office 365 E3');
      const basic = sku(PRODUCT.basic, 'Microsoft 365 Business Basic');
      expect(await store.upsertCatalog([e3, basic])).toEqual({ skus: 2 });
      expect(await store.catalog()).toEqual([basic, e3]);
      const renamed = sku(PRODUCT.e3, 'Office 365 E3 (renamed), "quoted" 🎉');
      const sales = sku(PRODUCT.sales, 'Dynamics 365 Sales');
      expect(await store.upsertCatalog([renamed, sales])).toEqual({ skus: 2 });
      expect(await store.catalog()).toEqual([sales, basic, renamed]);
    });

    it('runs concurrent loads one at a time while reads go on', async () => {
      const store = await fresh();
      const days = ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04'];
      const loads = days.map((day, i) =>
        loadColumns(
          store,
          PARTNER_A,
          toColumns([
            simpleRow(day, CUSTOMER.tokyo, PRODUCT.e3, 'direct', i),
            simpleRow(day, CUSTOMER.oneil, PRODUCT.e3, 'direct', i),
          ]),
        ),
      );
      const reads = days.map(() => page(store, PARTNER_A, DAY_2));
      expect((await Promise.all(loads)).map((r) => r.dates)).toEqual(days.map((d) => [d]));
      for (const r of await Promise.all(reads)) expect(r).toHaveLength(13);
      expect(await listed(store, PARTNER_A)).toEqual([
        ...[...days].reverse().map((d) => [d, 2, 2, 1]),
        [DAY_2, 13, 10, 3],
        [DAY_1, 3, 3, 2],
      ]);
      for (const [i, day] of days.entries()) {
        expect((await page(store, PARTNER_A, day)).map((r) => r.licensesDeployed)).toEqual([i, i]);
      }
    });

    it('closes idempotently and refuses work afterwards', async () => {
      const store = await open();
      await store.close();
      await store.close();
      await expect(store.latestSnapshot(PARTNER_A)).rejects.toThrow();
      await expect(store.deploymentPage(plan(PARTNER_A, DAY_2))).rejects.toThrow();
      await expect(loadColumns(store, PARTNER_A, toColumns(PARTNER_A_INPUT))).rejects.toThrow();
      await expect(store.deleteSnapshotsBefore(DAY_2)).rejects.toThrow();
    });
  });
}
