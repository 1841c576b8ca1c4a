import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columns, DAY_2, PARTNER_A, PARTNER_A_ROWS, toRow } from '../fixtures/http-rows.ts';
import { hasChromium, launchChromium } from '../support/browser.ts';
import { createHarness, type Harness } from '../support/harness.ts';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';

describe.runIf(hasChromium)('dashboard in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    h = await createHarness();
    const hostileRow = toRow(DAY_2, [
      'EEEEEEEE-0000-4000-8000-00000000000E',
      HOSTILE,
      '6FD2C87F-B296-42F0-B197-1E91E994B900',
      'reseller',
      1,
      500,
    ]);
    await h.load(PARTNER_A, columns([...PARTNER_A_ROWS, hostileRow]));
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('shows the latest snapshot totals, the service table and the shelfware list from the API', async () => {
    const page = await browser.newPage();
    const token = await h.token(PARTNER_A);
    await page.goto(`${base}/dashboard#token=${token}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });

    // The token leaves the address bar once it is read; the snapshot shown takes its place.
    expect(page.url()).toBe(`${base}/dashboard?day=${DAY_2}`);
    expect(await page.inputValue('#day')).toBe(DAY_2);

    // Day 2 of partner A plus the hostile row: sold 50+5+3+25+10+2+9+8+120+500 = 732;
    // deployed 40+5+1+0+12+2+7+3+100+1 = 171; the KPIs compare the sums: 561 unassigned, 23.4 %.
    expect(await page.textContent('#kpi-sold')).toBe('732');
    expect(await page.textContent('#kpi-deployed')).toBe('171');
    expect(await page.textContent('#kpi-unassigned')).toBe('561');
    expect(await page.textContent('#kpi-percent')).toBe('23.4 %');

    const services = await page.$$eval('#by-service tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(services.map((r) => r.slice(0, 3))).toEqual([
      ['crm', 'direct', '3'],
      ['crm', 'reseller', '13'],
      ['o365', 'direct', '2'],
      ['o365', 'reseller', '714'],
    ]);

    const shelf = await page.$$eval('#shelfware tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    // Hostile markup is shown as text, not run.
    expect(shelf[0]).toEqual([HOSTILE, 'OFFICE 365 E3', '500', '1', '499', '0.2 %']);
    expect(shelf[1]).toEqual(['株式会社テスト', 'MICROSOFT 365 BUSINESS BASIC', '25', '0', '25', '0.0 %']);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();

    // A filter re-queries every panel with it.
    await page.evaluate("document.body.dataset.ready = 'false'");
    await page.fill('#filter', "serviceCode eq 'crm'");
    await page.press('#filter', 'Enter');
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#kpi-sold')).toBe('16');

    // The hostile name is text on its customer page too.
    await page.evaluate("document.body.dataset.ready = 'false'");
    await page.fill('#filter', '');
    await page.press('#filter', 'Enter');
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#shelfware tbody tr:first-child a.customer-link');
    await page.waitForSelector('#customer:not([hidden])');
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#customer-name')).toBe(HOSTILE);
    expect(await page.$$eval('#c-products tbody tr', (trs) => trs.length)).toBe(1);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();

    await page.setViewportSize({ width: 1100, height: 1100 });
    await page.screenshot({ path: `${h.dir}/dashboard.png`, fullPage: true });
    await page.close();
  });

  it('asks for a token when there is none, and accepts a pasted one', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/dashboard`);
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#token-input', await h.token(PARTNER_A));
    await page.click('#token-form button');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    expect(await page.textContent('#kpi-sold')).toBe('732');
    await page.close();
  });
});
