/**
 * The dashboard's insights in Chromium against the real app: the filter box and its error
 * positions, state in the URL (reload, back and forward), the customer page, CSV downloads of what
 * is on screen, keyboard use and a 390 px wide screen. Every number on screen is compared with the
 * API's own answer to the same question, and with values worked out by hand for the fixture.
 */
import { mkdir, readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_ID, generateDemo } from '../../src/ingest/demo.ts';
import type { PriceRecord, SubscriptionRecord } from '../../src/store/store.ts';
import { CUST, columns, DAY_1, DAY_2, PARTNER_A, PARTNER_A_ROWS, PROD } from '../fixtures/http-rows.ts';
import { hasChromium, launchChromium } from '../support/browser.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';
import { loadColumns } from '../support/load.ts';

interface E5Group {
  readonly [field: string]: string | number;
  readonly licensesSold: number;
  readonly licensesDeployed: number;
}
interface TrendItem {
  readonly processedDate: string;
  readonly productId: string;
  readonly productName: string;
  readonly licensesSold: number;
  readonly licensesDeployed: number;
}

const ONEIL = "O'Neil & Sons, Ltd.";
const E5 = '/v1/analytics/commercial/deployment/license/';

const fmt = new Intl.NumberFormat('en-US');
const pctText = (deployed: number, sold: number) =>
  `${(sold > 0 ? (100 * Math.min(deployed, sold)) / sold : 0).toFixed(1)} %`;

/** The text of every cell of a table's body, row by row. */
function tableText(page: Page, id: string): Promise<string[][]> {
  return page.$$eval(`#${id} tbody tr`, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  );
}

/** Evaluates an expression in the page (the tests are type-checked without the DOM's types). */
function js<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

/** The filter box's selection, focus and ARIA state. */
function filterBox(page: Page): Promise<Record<string, unknown>> {
  return js(
    page,
    `(() => {
      const input = document.getElementById('filter');
      return {
        focused: document.activeElement === input,
        start: input.selectionStart,
        end: input.selectionEnd,
        invalid: input.getAttribute('aria-invalid'),
        describedBy: input.getAttribute('aria-describedby'),
      };
    })()`,
  );
}

async function ready(page: Page, action: () => Promise<unknown>): Promise<void> {
  await page.evaluate("document.body.dataset.ready = 'false'");
  await action();
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
}

describe.runIf(hasChromium)('dashboard insights in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  let token: string;

  const api = async <T>(path: string, params: Record<string, string>): Promise<T> => {
    const res = await h.get(`${path}?${new URLSearchParams(params)}`, token);
    expect(res.statusCode).toBe(200);
    return json<T>(res);
  };

  /** A new page signed in and showing `search` (e.g. `?day=…`), once every panel is drawn. */
  const open = async (search = '', viewport = { width: 1280, height: 900 }): Promise<Page> => {
    const page = await browser.newPage({ viewport });
    await page.goto(`${base}/dashboard${search}#token=${token}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    return page;
  };

  beforeAll(async () => {
    h = await createHarness();
    await h.load(PARTNER_A, columns(PARTNER_A_ROWS));
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    token = await h.token(PARTNER_A);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('applies the filter box to every panel, with the numbers E5 gives for that filter', async () => {
    const page = await open();
    expect(page.url()).toBe(`${base}/dashboard?day=${DAY_2}`);
    // Day 2: sold 50+5+3+25+10+2+9+8+120 = 232, deployed 40+5+1+0+12+2+7+3+100 = 170.
    expect(await page.textContent('#kpi-sold')).toBe('232');
    expect(await page.textContent('#kpi-unassigned')).toBe('62');
    expect(await page.textContent('#kpi-percent')).toBe('73.3 %');

    const filter = "serviceCode eq 'o365' and channel ne 'direct'";
    await ready(page, async () => {
      await page.fill('#filter', filter);
      await page.press('#filter', 'Enter');
    });
    expect(new URL(page.url()).searchParams.get('filter')).toBe(filter);

    // By hand: o365 reseller rows of day 2: 50+25+10+9+120 = 214 sold, 40+0+12+7+100 = 159 deployed.
    const groups = await api<{ Value: E5Group[] }>(E5, {
      groupby: 'serviceCode,channel',
      processedDateTime: DAY_2,
      filter,
    });
    const sold = groups.Value.reduce((s, g) => s + g.licensesSold, 0);
    const deployed = groups.Value.reduce((s, g) => s + g.licensesDeployed, 0);
    expect([sold, deployed]).toEqual([214, 159]);
    expect(await page.textContent('#kpi-sold')).toBe(fmt.format(sold));
    expect(await page.textContent('#kpi-deployed')).toBe(fmt.format(deployed));
    expect(await page.textContent('#kpi-unassigned')).toBe('55');
    expect(await page.textContent('#kpi-percent')).toBe(pctText(deployed, sold));
    expect(await tableText(page, 'by-service')).toEqual(
      groups.Value.map((g) => [
        String(g.serviceCode),
        String(g.channel),
        fmt.format(g.licensesSold),
        fmt.format(g.licensesDeployed),
        fmt.format(Math.max(0, g.licensesSold - g.licensesDeployed)),
        pctText(g.licensesDeployed, g.licensesSold),
      ]),
    );
    expect(await tableText(page, 'by-service')).toEqual([['o365', 'reseller', '214', '159', '55', '74.3 %']]);

    // The most unassigned list is E5's customer-product groups for the filter, largest first.
    const products = await api<{ Value: E5Group[] }>(E5, {
      groupby: 'customerTenantId,customerName,productName',
      processedDateTime: DAY_2,
      filter,
      top: '10000',
    });
    const worst = products.Value.map((g) => ({ g, unassigned: g.licensesSold - g.licensesDeployed }))
      .filter((x) => x.unassigned > 0)
      .sort(
        (a, b) =>
          b.unassigned - a.unassigned || String(a.g.customerName).localeCompare(String(b.g.customerName)),
      );
    expect(await tableText(page, 'shelfware')).toEqual(
      worst.map(({ g, unassigned }) => [
        String(g.customerName),
        String(g.productName),
        fmt.format(g.licensesSold),
        fmt.format(g.licensesDeployed),
        fmt.format(unassigned),
        pctText(g.licensesDeployed, g.licensesSold),
      ]),
    );
    expect((await tableText(page, 'shelfware')).map((r) => [r[0], r[4]])).toEqual([
      ['株式会社テスト', '25'],
      ['Ärzte Zentrum 🩺', '20'],
      [ONEIL, '10'],
      ['smith & jones', '2'],
    ]);
    await page.close();
  });

  it('shows a bad filter’s error and marks the reported position in the box', async () => {
    const page = await open(`?day=${DAY_2}`);
    await ready(page, async () => {
      await page.fill('#filter', "serviceCode gt 'o365'");
      await page.press('#filter', 'Enter');
    });
    const res = await h.get(
      `${E5}?${new URLSearchParams({ filter: "serviceCode gt 'o365'", top: '0' })}`,
      token,
    );
    expect(res.statusCode).toBe(400);
    const fault = json<{ description: string; data: { position: number; token: string }[] }>(res);
    expect(fault.data[0]).toEqual({ position: 12, token: 'gt' });

    expect(await page.isVisible('#filter-error')).toBe(true);
    expect(await page.textContent('#filter-error-text')).toBe(fault.description);
    expect(await page.textContent('#filter-error-text')).toBe(
      "Unknown operator 'gt' at position 12: expected eq or ne.",
    );
    expect(await page.textContent('#filter-echo mark')).toBe('gt');
    expect(await filterBox(page)).toEqual({
      focused: true,
      start: 12,
      end: 14,
      invalid: 'true',
      describedBy: 'filter-error-text filter-help',
    });
    // No numbers for a filter the API refused.
    expect(await page.isVisible('#content')).toBe(false);

    // An error at the end of the filter puts the caret there.
    await ready(page, async () => {
      await page.fill('#filter', "serviceCode eq 'o365' and");
      await page.press('#filter', 'Enter');
    });
    expect(await page.textContent('#filter-error-text')).toContain('at position 25');
    expect(await filterBox(page)).toMatchObject({ focused: true, start: 25, end: 25, invalid: 'true' });
    expect(await page.$eval('#filter-echo mark', (m) => m.className)).toBe('at-end');

    // An unknown field (code 3000) is marked too; fixing it clears the error.
    await ready(page, async () => {
      await page.fill('#filter', "channel eq 'reseller' and colour eq 'red'");
      await page.press('#filter', 'Enter');
    });
    expect(await page.textContent('#filter-echo mark')).toBe('colour');
    expect(await filterBox(page)).toMatchObject({ start: 26, end: 32 });
    await ready(page, async () => {
      await page.fill('#filter', "channel eq 'reseller'");
      await page.press('#filter', 'Enter');
    });
    expect(await page.isVisible('#filter-error')).toBe(false);
    expect(await page.getAttribute('#filter', 'aria-invalid')).toBeNull();
    // Reseller rows of day 2: 50+5+25+10+9+8+120.
    expect(await page.textContent('#kpi-sold')).toBe('227');
    await page.close();
  });

  it('says when the day has no snapshot or the filter matches nothing', async () => {
    const page = await open('?day=2026-11-18');
    expect(await page.textContent('#status')).toBe('No snapshot on 2026-11-18.');
    expect(await page.textContent('#kpi-sold')).toBe('0');
    await ready(page, async () => {
      await page.fill('#day', DAY_2);
      await page.fill('#filter', "customerName eq 'Nobody'");
      await page.press('#filter', 'Enter');
    });
    expect(await page.textContent('#status')).toBe(`No rows of the snapshot of ${DAY_2} match the filter.`);
    expect(await page.isVisible('#shelfware')).toBe(false);
    await ready(page, async () => {
      await page.fill('#filter', '');
      await page.press('#filter', 'Enter');
    });
    expect(await page.textContent('#status')).toBe('');
    expect(await page.textContent('#kpi-sold')).toBe('232');
    await page.close();
  });

  it('opens a customer page with its products on the snapshot and over time, as the trend gives them', async () => {
    const page = await open(`?day=${DAY_2}`);
    await ready(page, () => page.click(`#shelfware a.customer-link[data-customer="${CUST.oneil}"]`));
    expect(await page.isVisible('#customer')).toBe(true);
    expect(await page.isVisible('#overview')).toBe(false);
    expect(new URL(page.url()).searchParams.get('customer')).toBe(CUST.oneil);
    expect(await page.textContent('#customer-name')).toBe(ONEIL);

    const filter = `customerTenantId eq '${CUST.oneil}'`;
    const trend = await api<{ value: TrendItem[] }>('/seatwise/v1/trend', {
      groupby: 'productId,productName',
      from: '2026-10-22',
      to: DAY_2,
      filter,
    });
    const row = (v: TrendItem) => [
      fmt.format(v.licensesSold),
      fmt.format(v.licensesDeployed),
      fmt.format(Math.max(0, v.licensesSold - v.licensesDeployed)),
      pctText(v.licensesDeployed, v.licensesSold),
    ];
    expect(await tableText(page, 'c-history')).toEqual(
      trend.value.map((v) => [v.processedDate, v.productName, ...row(v)]),
    );
    expect(await tableText(page, 'c-products')).toEqual(
      trend.value
        .filter((v) => v.processedDate === DAY_2)
        .map((v) => [v.productName, v.productId, ...row(v)]),
    );
    // By hand: day 1 has E3 at 30 of 50; day 2 has Sales 1+5 of 3+5 and E3 at 40 of 50 (productId order).
    expect(await tableText(page, 'c-history')).toEqual([
      [DAY_1, 'OFFICE 365 E3', '50', '30', '20', '60.0 %'],
      [DAY_2, 'DYNAMICS 365 FOR SALES ENTERPRISE EDITION', '8', '6', '2', '75.0 %'],
      [DAY_2, 'OFFICE 365 E3', '50', '40', '10', '80.0 %'],
    ]);
    expect((await tableText(page, 'c-products')).map((r) => r[1])).toEqual([PROD.sales, PROD.e3]);
    const header = await api<{ Value: E5Group[] }>(E5, {
      groupby: 'customerTenantId,customerName',
      processedDateTime: DAY_2,
      filter,
    });
    expect(header.Value).toHaveLength(1);
    expect(await page.textContent('#c-kpi-sold')).toBe(String(header.Value[0]?.licensesSold));
    expect(await page.textContent('#c-kpi-deployed')).toBe(String(header.Value[0]?.licensesDeployed));
    expect(
      await Promise.all(
        ['sold', 'deployed', 'unassigned', 'percent'].map((k) => page.textContent(`#c-kpi-${k}`)),
      ),
    ).toEqual(['58', '46', '12', '79.3 %']);
    // The chart has a line of assigned and one of sold seats per product.
    expect(await js(page, "document.getElementById('c-trend').width > 0")).toBe(true);
    expect(await js(page, 'Chart.getChart("c-trend").data.datasets.map((d) => d.label)')).toEqual([
      'DYNAMICS 365 FOR SALES ENTERPRISE EDITION assigned',
      'DYNAMICS 365 FOR SALES ENTERPRISE EDITION sold',
      'OFFICE 365 E3 assigned',
      'OFFICE 365 E3 sold',
    ]);
    expect(await js(page, 'Chart.getChart("c-trend").data.datasets[2].data')).toEqual([30, 40]);
    await page.close();
  });

  it('keeps day, filter and customer in the URL: a reload restores them, back and forward move between views', async () => {
    const page = await open(`?day=${DAY_2}`);
    await ready(page, () => page.fill('#day', DAY_1));
    expect(new URL(page.url()).searchParams.get('day')).toBe(DAY_1);
    // Day 1: 50+20+2 sold.
    expect(await page.textContent('#kpi-sold')).toBe('72');
    await ready(page, async () => {
      await page.fill('#filter', "channel eq 'reseller'");
      await page.press('#filter', 'Enter');
    });
    await ready(page, () => page.click(`#shelfware a.customer-link[data-customer="${CUST.tokyo}"]`));
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({
      day: DAY_1,
      filter: "channel eq 'reseller'",
      customer: CUST.tokyo,
    });
    expect(page.url()).not.toContain(token);
    expect(url.hash).toBe('');
    const before = await tableText(page, 'c-history');
    expect(before).toEqual([[DAY_1, 'MICROSOFT 365 BUSINESS BASIC', '20', '0', '20', '0.0 %']]);

    await ready(page, () => page.reload());
    expect(await page.isVisible('#customer')).toBe(true);
    expect(await page.inputValue('#day')).toBe(DAY_1);
    expect(await page.inputValue('#filter')).toBe("channel eq 'reseller'");
    expect(await page.textContent('#customer-name')).toBe('株式会社テスト');
    expect(await tableText(page, 'c-history')).toEqual(before);

    // A shared link (another tab with the same token) shows the same.
    const shared = await open(url.search);
    expect(await shared.isVisible('#customer')).toBe(true);
    expect(await tableText(shared, 'c-history')).toEqual(before);
    await shared.close();

    await ready(page, () => page.goBack());
    expect(await page.isVisible('#overview')).toBe(true);
    expect(await page.isVisible('#customer')).toBe(false);
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
      day: DAY_1,
      filter: "channel eq 'reseller'",
    });
    // Reseller rows of day 1: 50+20.
    expect(await page.textContent('#kpi-sold')).toBe('70');
    await ready(page, () => page.goBack());
    expect(await page.inputValue('#filter')).toBe('');
    expect(await page.textContent('#kpi-sold')).toBe('72');
    await ready(page, () => page.goBack());
    expect(await page.inputValue('#day')).toBe(DAY_2);
    expect(await page.textContent('#kpi-sold')).toBe('232');
    await ready(page, () => page.goForward());
    await ready(page, () => page.goForward());
    await ready(page, () => page.goForward());
    expect(await page.isVisible('#customer')).toBe(true);
    expect(await page.textContent('#customer-name')).toBe('株式会社テスト');
    await page.close();
  });

  it('downloads each table as CSV: the rows and columns on screen, numbers raw, fields quoted', async () => {
    const page = await open(`?day=${DAY_2}`);
    const csvOf = async (table: string): Promise<{ name: string; text: string }> => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`button.csv[data-table="${table}"]`),
      ]);
      const path = await download.path();
      return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
    };
    const most = await csvOf('shelfware');
    expect(most.name).toBe(`seatwise-most-unassigned-${DAY_2}.csv`);
    expect(most.text).toBe(
      [
        'Customer,Product,Sold,Assigned,Unassigned,Deployed',
        '株式会社テスト,MICROSOFT 365 BUSINESS BASIC,25,0,25,0.0',
        'Ärzte Zentrum 🩺,MICROSOFT 365 BUSINESS BASIC,120,100,20,83.3',
        `"${ONEIL}",OFFICE 365 E3,50,40,10,80.0`,
        'شركة القاهرة,DYNAMICS 365 FOR SALES ENTERPRISE EDITION,8,3,5,37.5',
        `"${ONEIL}",DYNAMICS 365 FOR SALES ENTERPRISE EDITION,8,6,2,75.0`,
        'smith & jones,OFFICE 365 E3,9,7,2,77.8',
        '',
      ].join('\r\n'),
    );
    // The CSV has exactly the rows on screen.
    const shown = await tableText(page, 'shelfware');
    expect(most.text.trimEnd().split('\r\n')).toHaveLength(shown.length + 1);

    const services = await csvOf('by-service');
    expect(services.text).toBe(
      [
        'Service,Channel,Sold,Assigned,Unassigned,Deployed',
        'crm,direct,3,1,2,33.3',
        'crm,reseller,13,8,5,61.5',
        'o365,direct,2,2,0,100.0',
        'o365,reseller,214,159,55,74.3',
        '',
      ].join('\r\n'),
    );

    await ready(page, () => page.click(`#shelfware a.customer-link[data-customer="${CUST.oneil}"]`));
    await page.click('#c-history-details summary');
    expect(await page.textContent('#c-history-count')).toBe('3');
    const history = await csvOf('c-history');
    expect(history.name).toBe(`seatwise-customer-products-over-time-${CUST.oneil}-${DAY_2}.csv`);
    expect(history.text).toBe(
      [
        'Date,Product,Sold,Assigned,Unassigned,Deployed',
        `${DAY_1},OFFICE 365 E3,50,30,20,60.0`,
        `${DAY_2},DYNAMICS 365 FOR SALES ENTERPRISE EDITION,8,6,2,75.0`,
        `${DAY_2},OFFICE 365 E3,50,40,10,80.0`,
        '',
      ].join('\r\n'),
    );
    await page.close();
  });

  it('works by keyboard: Tab reaches a customer link, Enter opens its page, Escape returns to it', async () => {
    const page = await open(`?day=${DAY_2}`);
    await js(page, 'document.activeElement?.blur()');
    const stops: string[] = [];
    let found = false;
    for (let i = 0; i < 80 && !found; i++) {
      await page.keyboard.press('Tab');
      const stop = await js<{ what: string; customer: string | null; outline: string }>(
        page,
        `(() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {
            what: el.tagName.toLowerCase() + '#' + el.id + '.' + el.className,
            customer: el.dataset.customer ?? null,
            outline: style.outlineStyle + ' ' + style.outlineWidth,
          };
        })()`,
      );
      // The date input's day, month and year are stops of their own.
      if (stops.at(-1) !== stop.what) stops.push(stop.what);
      // Every stop shows where the focus is.
      expect(stop.outline, stop.what).toBe('solid 3px');
      found = stop.customer === CUST.tokyo;
    }
    expect(found, stops.join(' → ')).toBe(true);
    expect(stops.slice(0, 3)).toEqual(['input#day.', 'input#filter.', 'button#apply.']);
    expect(stops).toContain('button#.csv');

    await ready(page, () => page.keyboard.press('Enter'));
    expect(await page.isVisible('#customer')).toBe(true);
    expect(await page.textContent('#customer-name')).toBe('株式会社テスト');
    expect(await js(page, 'document.activeElement.id')).toBe('customer-name');

    await ready(page, () => page.keyboard.press('Escape'));
    expect(await page.isVisible('#overview')).toBe(true);
    expect(new URL(page.url()).searchParams.get('customer')).toBeNull();
    expect(await js(page, 'document.activeElement.dataset.customer')).toBe(CUST.tokyo);

    // The back link returns as well.
    await ready(page, () => page.keyboard.press('Enter'));
    await page.focus('#back');
    await ready(page, () => page.keyboard.press('Enter'));
    expect(await page.isVisible('#overview')).toBe(true);
    await page.close();
  });

  it('fits a 390 px wide screen: no page-wide horizontal scroll, wide tables scroll in their section', async () => {
    const page = await open(`?day=${DAY_2}`, { width: 390, height: 844 });
    const fits = () =>
      js<{ scroll: number; inner: number }>(
        page,
        '({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })',
      );
    let { scroll, inner } = await fits();
    expect(inner).toBe(390);
    expect(scroll).toBeLessThanOrEqual(inner);
    // The wide tables scroll inside their own box.
    const wrap = await js<{ box: number; table: number; overflow: string }>(
      page,
      `(() => {
        const table = document.getElementById('shelfware');
        const box = table.parentElement;
        return { box: box.clientWidth, table: table.scrollWidth, overflow: getComputedStyle(box).overflowX };
      })()`,
    );
    expect(wrap.overflow).toBe('auto');
    expect(wrap.box).toBeLessThanOrEqual(390);

    await ready(page, () => page.click(`#shelfware a.customer-link[data-customer="${CUST.oneil}"]`));
    ({ scroll, inner } = await fits());
    expect(scroll).toBeLessThanOrEqual(inner);

    // A filter error with a long filter stays inside the screen too.
    await ready(page, async () => {
      await page.fill('#filter', `customerName eq 'a very long customer name that goes on and on' and x`);
      await page.press('#filter', 'Enter');
    });
    expect(await page.isVisible('#filter-error')).toBe(true);
    ({ scroll, inner } = await fits());
    expect(scroll).toBeLessThanOrEqual(inner);
    await page.close();
  });

  // SEATWISE_SCREENSHOTS=1 npx vitest run test/e2e/dashboard-insights.test.ts -t screenshots
  it.runIf(process.env.SEATWISE_SCREENSHOTS === '1')(
    'screenshots for the README: 1280 and 390 px wide',
    async () => {
      const rows = generateDemo({
        partnerId: DEMO_PARTNER_ID,
        customers: 60,
        days: 30,
        seed: 7,
        endDate: DAY_2,
      });
      // Prices for every product and a renewal for some of the last day's products, so each panel has
      // something to show.
      const products = [...new Set(rows.productId)].sort();
      const subscriptions: SubscriptionRecord[] = [];
      const seen = new Set<string>();
      for (let i = 0; i < rows.processedDate.length; i++) {
        const key = `${rows.customerTenantId[i]}/${rows.productId[i]}`;
        if (rows.processedDate[i] !== DAY_2 || seen.has(key)) continue;
        seen.add(key);
        if (seen.size % 4 !== 0) continue;
        subscriptions.push(
          subscription(rows.customerTenantId[i] ?? '', `sub-${seen.size}`, {
            offerName: rows.productName[i] ?? '',
            quantity: rows.licensesSold[i] ?? 0,
            productId: rows.productId[i] ?? null,
            match: 'exact',
            commitmentEndDate: dayAfter(DAY_2, seen.size % 45),
            autoRenewEnabled: seen.size % 3 !== 0,
          }),
        );
      }
      await loadColumns(h.store, DEMO_PARTNER_ID, rows, { subscriptions });
      await h.store.replacePrices(
        DEMO_PARTNER_ID,
        'override',
        products
          .filter((_, i) => i % 6 !== 5)
          .map((id, i) => {
            const monthly = Math.round((3 + ((i * 7.35) % 52)) * 100) / 100;
            return price(id, i % 5 === 4 ? 'USD' : 'EUR', monthly, 'monthly', monthly);
          }),
      );
      const demoToken = await h.token(DEMO_PARTNER_ID);
      const out = new URL('../../docs/screenshots/', import.meta.url);
      await mkdir(out, { recursive: true });
      // The whole overview at 1280 px; the first screens of it at 390 px.
      for (const [width, height, fullPage] of [
        [1280, 900, true],
        [390, 1500, false],
      ] as const) {
        const page = await browser.newPage({ viewport: { width, height } });
        await page.goto(`${base}/dashboard?day=${DAY_2}#token=${demoToken}`);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
        await page.screenshot({ path: new URL(`dashboard-${width}.png`, out).pathname, fullPage });
        await page.close();
      }
    },
  );
});

function dayAfter(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** An override price of one product, per seat and month. */
function price(
  skuId: string,
  currency: string,
  unitPrice: number,
  billingPlan: string,
  monthlyPrice: number,
): PriceRecord {
  return {
    source: 'override',
    skuId,
    currency,
    unitPrice,
    billingPlan,
    termDuration: 'P1Y',
    monthlyPrice,
    title: '',
    offerId: '',
  };
}

function subscription(
  customerTenantId: string,
  subscriptionId: string,
  changes: Partial<SubscriptionRecord>,
): SubscriptionRecord {
  return {
    processedDate: DAY_2,
    customerTenantId,
    subscriptionId,
    offerId: 'CFQ7TTC0LFLX:0001',
    offerName: 'Office 365 E3',
    friendlyName: '',
    quantity: 1,
    unitType: 'Licenses',
    status: 'active',
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    commitmentEndDate: '2026-12-01',
    autoRenewEnabled: true,
    isTrial: false,
    parentSubscriptionId: null,
    productId: null,
    match: 'none',
    ...changes,
  };
}

interface ShelfwareBody {
  value: {
    customerTenantId: string;
    customerName: string;
    productName: string;
    licensesSold: number;
    licensesDeployed: number;
    licensesUnassigned: number;
    monthlyUnitPrice?: number;
    monthlyCostUnassigned?: number;
    currency?: string;
  }[];
  totalCount: number;
  totals: { currency: string; items: number; licensesUnassigned: number; monthlyCostUnassigned: number }[];
  unpriced: { items: number; licensesUnassigned: number };
}

interface RenewalsBody {
  value: {
    customerName: string;
    subscriptionId: string;
    offerName: string;
    friendlyName: string;
    productName: string | null;
    commitmentEndDate: string;
    daysUntilEnd: number;
    quantity: number;
    licensesUnassigned: number | null;
    reducibleSeats: number;
    autoRenewEnabled: boolean | null;
    monthlyCostReducible?: number;
    currency?: string;
  }[];
  totalCount: number;
  totals: { currency: string; reducibleSeats: number; monthlyCostReducible: number }[];
}

describe.runIf(hasChromium)('dashboard money panels in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  let token: string;

  const api = async <T>(path: string, params: Record<string, string>): Promise<T> => {
    const res = await h.get(`${path}?${new URLSearchParams(params)}`, token);
    expect(res.statusCode).toBe(200);
    return json<T>(res);
  };
  const money = (amount: number | undefined, currency: string | undefined) =>
    amount === undefined || currency === undefined
      ? '—'
      : new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);

  const open = async (search: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/dashboard${search}#token=${token}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    return page;
  };

  beforeAll(async () => {
    h = await createHarness();
    // Day 2 (DAY_2 + 30 days = 2026-12-20 closes the renewals window).
    await loadColumns(h.store, PARTNER_A, columns(PARTNER_A_ROWS), {
      subscriptions: [
        subscription(CUST.oneil, 'sub-e3', {
          friendlyName: 'E3, "sales" team',
          quantity: 50,
          productId: PROD.e3,
          match: 'name',
          commitmentEndDate: '2026-12-01',
        }),
        subscription(CUST.tokyo, 'sub-basic', {
          offerName: 'Microsoft 365 Business Basic',
          quantity: 20,
          productId: PROD.bizBasic,
          match: 'name',
          commitmentEndDate: '2026-12-15',
          autoRenewEnabled: false,
        }),
        subscription(CUST.cairo, 'sub-sales', {
          offerName: 'Dynamics 365 Sales',
          quantity: 8,
          productId: PROD.sales,
          match: 'name',
          commitmentEndDate: '2026-11-25',
          autoRenewEnabled: null,
        }),
        subscription(CUST.zeta, 'sub-addon', {
          offerName: 'Unmatched add-on',
          quantity: 3,
          commitmentEndDate: '2026-12-10',
        }),
        subscription(CUST.smith, 'sub-late', {
          productId: PROD.e3,
          match: 'name',
          commitmentEndDate: '2027-03-01',
        }),
      ],
    });
    // Office 365 E3 in euros, Business Basic in dollars (billed yearly), Dynamics without a price.
    await h.store.replacePrices(PARTNER_A, 'override', [
      price(PROD.e3, 'EUR', 20.55, 'monthly', 20.55),
      price(PROD.bizBasic, 'USD', 72.24, 'annual', 6.02),
    ]);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    token = await h.token(PARTNER_A);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('shows the monthly cost of unassigned seats per currency, as the shelfware endpoint gives it', async () => {
    const page = await open(`?day=${DAY_2}`);
    const body = await api<ShelfwareBody>('/seatwise/v1/shelfware', { processedDateTime: DAY_2, top: '25' });
    expect(await tableText(page, 'cost')).toEqual(
      body.value.map((s) => [
        s.customerName,
        s.productName,
        fmt.format(s.licensesSold),
        fmt.format(s.licensesDeployed),
        fmt.format(s.licensesUnassigned),
        money(s.monthlyUnitPrice, s.currency),
        money(s.monthlyCostUnassigned, s.currency),
        s.currency ?? '',
      ]),
    );
    // By hand: E3 at €20.55 a month: O'Neil 10 seats €205.50, smith 2 seats €41.10; Business Basic
    // at $72.24 a year ($6.02 a month): 株式会社テスト 25 seats $150.50, Ärzte 20 seats $120.40;
    // Dynamics has no price (cairo 5, O'Neil 2 seats) and comes last.
    expect((await tableText(page, 'cost')).map((r) => [r[0], r[4], r[5], r[6], r[7]])).toEqual([
      [ONEIL, '10', '€20.55', '€205.50', 'EUR'],
      ['株式会社テスト', '25', '$6.02', '$150.50', 'USD'],
      ['Ärzte Zentrum 🩺', '20', '$6.02', '$120.40', 'USD'],
      ['smith & jones', '2', '€20.55', '€41.10', 'EUR'],
      ['شركة القاهرة', '5', '—', '—', ''],
      [ONEIL, '2', '—', '—', ''],
    ]);
    // One line per currency, never a sum across them.
    const lines = await page.$$eval('#cost-totals li', (lis) =>
      lis.map((li) => [li.textContent, li.getAttribute('data-currency'), li.getAttribute('data-amount')]),
    );
    expect(body.totals).toEqual([
      { currency: 'EUR', items: 2, licensesUnassigned: 12, monthlyCostUnassigned: 246.6 },
      { currency: 'USD', items: 2, licensesUnassigned: 45, monthlyCostUnassigned: 270.9 },
    ]);
    expect(lines).toEqual([
      ...body.totals.map((t) => [
        `${money(t.monthlyCostUnassigned, t.currency)} per month — ${t.licensesUnassigned} unassigned seats in ${t.items} items`,
        t.currency,
        String(t.monthlyCostUnassigned),
      ]),
      [
        `No known price: ${body.unpriced.licensesUnassigned} unassigned seats in ${body.unpriced.items} items`,
        null,
        null,
      ],
    ]);
    expect(lines.map((l) => l[0])).toEqual([
      '€246.60 per month — 12 unassigned seats in 2 items',
      '$270.90 per month — 45 unassigned seats in 2 items',
      'No known price: 7 unassigned seats in 2 items',
    ]);

    // The CSV has the amounts raw and the currency beside them.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('button.csv[data-table="cost"]'),
    ]);
    expect(await readFile(await download.path(), 'utf8')).toBe(
      [
        'Customer,Product,Sold,Assigned,Unassigned,Per seat and month,Monthly cost,Currency',
        `"${ONEIL}",OFFICE 365 E3,50,40,10,20.55,205.5,EUR`,
        '株式会社テスト,MICROSOFT 365 BUSINESS BASIC,25,0,25,6.02,150.5,USD',
        'Ärzte Zentrum 🩺,MICROSOFT 365 BUSINESS BASIC,120,100,20,6.02,120.4,USD',
        'smith & jones,OFFICE 365 E3,9,7,2,20.55,41.1,EUR',
        'شركة القاهرة,DYNAMICS 365 FOR SALES ENTERPRISE EDITION,8,3,5,,,',
        `"${ONEIL}",DYNAMICS 365 FOR SALES ENTERPRISE EDITION,8,6,2,,,`,
        '',
      ].join('\r\n'),
    );
    await page.close();
  });

  it('shows the renewals within 30 days with the seats and money that could be dropped', async () => {
    const page = await open(`?day=${DAY_2}`);
    const body = await api<RenewalsBody>('/seatwise/v1/renewals', {
      withinDays: '30',
      processedDateTime: DAY_2,
      top: '25',
    });
    const yesNo = (v: boolean | null) => (v === true ? 'yes' : v === false ? 'no' : 'unknown');
    const shown = await tableText(page, 'renewals');
    expect(shown).toEqual(
      body.value.map((r) => [
        r.customerName,
        r.friendlyName || r.offerName,
        r.commitmentEndDate,
        fmt.format(r.daysUntilEnd),
        fmt.format(r.quantity),
        r.licensesUnassigned === null ? '—' : fmt.format(r.licensesUnassigned),
        fmt.format(r.reducibleSeats),
        yesNo(r.autoRenewEnabled),
        money(r.monthlyCostReducible, r.currency),
        r.currency ?? '',
      ]),
    );
    // By hand: four commitments end by 2026-12-20 (smith's ends in March). O'Neil: 50 seats, 10
    // unassigned, €205.50; 株式会社テスト: 20 seats of 25 unassigned, 20 × $6.02; cairo: 5 of 8, no
    // price; Ärzte's add-on matches no product: nothing known unassigned, nothing to drop.
    const bySubscription = Object.fromEntries(shown.map((r) => [r[1], r.slice(2)]));
    expect(bySubscription).toEqual({
      'E3, "sales" team': ['2026-12-01', '11', '50', '10', '10', 'yes', '€205.50', 'EUR'],
      'Microsoft 365 Business Basic': ['2026-12-15', '25', '20', '25', '20', 'no', '$120.40', 'USD'],
      'Dynamics 365 Sales': ['2026-11-25', '5', '8', '5', '5', 'unknown', '—', ''],
      'Unmatched add-on': ['2026-12-10', '20', '3', '—', '0', 'yes', '—', ''],
    });
    expect(await page.$$eval('#renewals-totals li', (lis) => lis.map((li) => li.textContent))).toEqual([
      ...body.totals.map(
        (t) => `${money(t.monthlyCostReducible, t.currency)} per month reducible — ${t.reducibleSeats} seats`,
      ),
    ]);
    expect(body.totals.map((t) => [t.currency, t.reducibleSeats, t.monthlyCostReducible])).toEqual([
      ['EUR', 10, 205.5],
      ['USD', 20, 120.4],
    ]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('button.csv[data-table="renewals"]'),
    ]);
    const csv = (await readFile(await download.path(), 'utf8')).split('\r\n');
    expect(csv[0]).toBe(
      'Customer,Subscription,Ends,Days,Seats,Unassigned,Reducible,Auto-renew,Reducible per month,Currency',
    );
    expect(csv).toContain(`"${ONEIL}","E3, ""sales"" team",2026-12-01,11,50,10,10,yes,205.5,EUR`);
    expect(csv).toContain('Ärzte Zentrum 🩺,Unmatched add-on,2026-12-10,20,3,,0,yes,,');
    expect(csv).toHaveLength(body.value.length + 2);
    await page.close();
  });

  it('shows a customer’s own cost and renewals on its page, and a filter renewals cannot apply as a note', async () => {
    const page = await open(`?day=${DAY_2}&customer=${CUST.oneil}`);
    expect(await tableText(page, 'c-cost')).toEqual([
      ['OFFICE 365 E3', '50', '40', '10', '€20.55', '€205.50', 'EUR'],
      ['DYNAMICS 365 FOR SALES ENTERPRISE EDITION', '8', '6', '2', '—', '—', ''],
    ]);
    expect(await page.$$eval('#c-cost-totals li', (lis) => lis.map((li) => li.textContent))).toEqual([
      '€205.50 per month — 10 unassigned seats in 1 item',
      'No known price: 2 unassigned seats in 1 item',
    ]);
    expect((await tableText(page, 'c-renewals')).map((r) => [r[0], r[5], r[7]])).toEqual([
      ['E3, "sales" team', '10', '€205.50'],
    ]);

    // Renewals have no service: the panel says so, the rest of the page follows the filter.
    await ready(page, async () => {
      await page.fill('#filter', "serviceCode eq 'o365'");
      await page.press('#filter', 'Enter');
    });
    expect(await page.isVisible('#filter-error')).toBe(false);
    expect(await page.textContent('#c-renewals-note')).toMatch(/^Not shown: .*serviceCode/);
    expect(await page.isVisible('#c-renewals')).toBe(false);
    expect(await tableText(page, 'c-cost')).toEqual([
      ['OFFICE 365 E3', '50', '40', '10', '€20.55', '€205.50', 'EUR'],
    ]);
    await page.close();
  });
});
