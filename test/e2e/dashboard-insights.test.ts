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
import { CUST, columns, DAY_1, DAY_2, PARTNER_A, PARTNER_A_ROWS, PROD } from '../fixtures/http-rows.ts';
import { hasChromium, launchChromium } from '../support/browser.ts';
import { createHarness, type Harness, json } from '../support/harness.ts';

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
      await h.load(
        DEMO_PARTNER_ID,
        generateDemo({ partnerId: DEMO_PARTNER_ID, customers: 60, days: 30, seed: 7, endDate: DAY_2 }),
      );
      const demoToken = await h.token(DEMO_PARTNER_ID);
      const out = new URL('../../docs/screenshots/', import.meta.url);
      await mkdir(out, { recursive: true });
      for (const width of [1280, 390]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        await page.goto(`${base}/dashboard?day=${DAY_2}#token=${demoToken}`);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
        await page.screenshot({ path: new URL(`dashboard-${width}.png`, out).pathname, fullPage: true });
        await page.close();
      }
    },
  );
});
