/**
 * The server's evaluator on each real store (DuckDB, and PostgreSQL where a server answers) with a real local webhook receiver: the rules read
 * the store's seats, prices and subscriptions through the insights service; an alert is sent once
 * until it clears; what was sent survives a restart; a failing webhook leaves it to fire again.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../../test/fixtures/alerts/receiver.ts';
import { loadColumns } from '../../test/support/load.ts';
import { describeOnStores, openTestStore, type TestStore } from '../../test/support/stores.ts';
import type { RowColumns } from '../domain/row.ts';
import type { PriceRecord, SubscriptionRecord } from '../store/store.ts';
import { parseAlertsText } from './config.ts';
import { AlertEvaluator, previewAlerts } from './evaluator.ts';

const PARTNER = 'A1E7A1E7-0000-4000-8000-0000000E7A1E';
const C1 = 'A1E7A1E7-0000-4000-8000-0000000E0001';
const C2 = 'A1E7A1E7-0000-4000-8000-0000000E0002';
const E3 = '6FD2C87F-B296-42F0-B197-1E91E994B900';
const BB = '3B555118-DA6A-4418-894F-7DF1E2096870';

let t: TestStore;
let receiver: Receiver;
const logs: string[] = [];
const log = { info: (m: string) => logs.push(`info ${m}`), warn: (m: string) => logs.push(`warn ${m}`) };

/** One snapshot: Contoso's E3 seats as given, Fabrikam's 10 Business Basic with 4 deployed. */
async function snapshot(date: string, e3Deployed: number, subscriptions: SubscriptionRecord[] = []) {
  const rows = [
    [C1, 'Contoso', E3, 'OFFICE 365 E3', e3Deployed, 20],
    [C2, 'Fabrikam', BB, 'MICROSOFT 365 BUSINESS BASIC', 4, 10],
  ] as const;
  const cols: RowColumns = {
    processedDate: rows.map(() => date),
    serviceCode: rows.map(() => 'o365'),
    serviceName: rows.map(() => 'Microsoft Office 365'),
    channel: rows.map(() => 'reseller'),
    customerTenantId: rows.map((r) => r[0]),
    customerName: rows.map((r) => r[1]),
    productId: rows.map((r) => r[2]),
    productName: rows.map((r) => r[3]),
    licensesDeployed: rows.map((r) => r[4]),
    licensesSold: rows.map((r) => r[5]),
  };
  await loadColumns(t.store, PARTNER, cols, { subscriptions });
}

function subscription(date: string, endsOn: string): SubscriptionRecord {
  return {
    processedDate: date,
    customerTenantId: C1,
    subscriptionId: 'a1e7a1e7-5ub5-0000-0000-000000000001',
    offerId: 'CFQ7TTC0LF8Q:0001',
    offerName: 'Office 365 E3',
    friendlyName: 'Contoso E3',
    quantity: 20,
    unitType: 'Licenses',
    status: 'active',
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    commitmentEndDate: endsOn,
    autoRenewEnabled: false,
    isTrial: false,
    parentSubscriptionId: null,
    productId: E3,
    match: 'exact',
  };
}

function price(skuId: string, currency: string, monthly: number): PriceRecord {
  return {
    source: 'override',
    skuId,
    currency,
    unitPrice: monthly,
    billingPlan: 'monthly',
    termDuration: 'P1M',
    monthlyPrice: monthly,
    title: '',
    offerId: '',
  };
}

function config(rules: string, extra = '') {
  return parseAlertsText(
    [
      'checkEverySeconds: 0.05',
      'delivery: { attempts: 2, backoffSeconds: 0.01, timeoutSeconds: 2 }',
      'webhooks:',
      `  - url: ${receiver.url}`,
      'rules:',
      rules.replace(/^/gm, '  '),
      extra,
    ].join('\n'),
    'alerts.yaml',
  );
}

function evaluator(rules: string, extra = '') {
  return new AlertEvaluator({ store: t.store, config: config(rules, extra), partnerId: PARTNER, log });
}

const alertKeys = (i: number) =>
  ((receiver.posts[i]?.body as { alerts?: { key: string }[] } | undefined)?.alerts ?? []).map((a) => a.key);

describeOnStores('AlertEvaluator', (kind) => {
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());
  beforeEach(async () => {
    t = await openTestStore(kind);
    receiver.posts.length = 0;
    logs.length = 0;
  });
  afterEach(() => t.close());

  it('evaluates each new snapshot once: fires, holds, clears, fires again', async () => {
    const e = evaluator('- kind: unassigned\n  minSeats: 5');
    expect(await e.check()).toBeNull(); // no snapshot yet
    await snapshot('2026-11-01', 13); // Contoso 7 unassigned, Fabrikam 6
    expect(await e.check()).toMatchObject({ processedDate: '2026-11-01', holding: 2, fired: 2, cleared: 0 });
    expect(receiver.posts).toHaveLength(1);
    expect(alertKeys(0)).toEqual([`unassigned/${C1}/${E3}`, `unassigned/${C2}/${BB}`]);
    expect(await e.check()).toBeNull(); // nothing new
    await snapshot('2026-11-02', 13);
    expect(await e.check()).toMatchObject({ holding: 2, fired: 0, cleared: 0, deliveries: [] });
    await snapshot('2026-11-03', 18); // Contoso 2 unassigned: clears
    expect(await e.check()).toMatchObject({ holding: 1, fired: 0, cleared: 1, deliveries: [] });
    expect(receiver.posts).toHaveLength(1);
    await snapshot('2026-11-04', 10); // crosses again
    expect(await e.check()).toMatchObject({ holding: 2, fired: 1, cleared: 0 });
    expect(receiver.posts).toHaveLength(2);
    expect(alertKeys(1)).toEqual([`unassigned/${C1}/${E3}`]);
    expect(e.status()).toMatchObject({ partnerId: PARTNER, evaluations: 4, lastError: null });

    // A new evaluator on the same store (a restart) sends nothing that was sent.
    const again = evaluator('- kind: unassigned\n  minSeats: 5');
    expect(await again.check()).toMatchObject({ holding: 2, fired: 0 });
    expect(receiver.posts).toHaveLength(2);
    expect((await t.store.listAlertStates(PARTNER)).map((s) => s.key)).toEqual([
      `unassigned/${C1}/${E3}`,
      `unassigned/${C2}/${BB}`,
    ]);
  });

  it('fires cost and renewal alerts from the imported prices and subscriptions', async () => {
    await t.store.replacePrices(PARTNER, 'override', [price(E3, 'EUR', 20), price(BB, 'USD', 6)]);
    await snapshot('2026-11-01', 13, [subscription('2026-11-01', '2026-11-20')]);
    const e = evaluator(
      '- kind: cost\n  minMonthlyCost: 100\n  currency: EUR\n- kind: renewal\n  withinDays: 30\n  minSeats: 5',
    );
    expect(await e.check()).toMatchObject({ holding: 2, fired: 2 });
    const body = receiver.posts[0]?.body as { alerts: { key: string; message: string; values: unknown }[] };
    expect(body.alerts.map((a) => a.key)).toEqual([
      `cost/${C1}/${E3}`,
      `renewal/${C1}/a1e7a1e7-5ub5-0000-0000-000000000001`,
    ]);
    expect(body.alerts[0]?.message).toBe(
      'Contoso: 7 unassigned seats of OFFICE 365 E3 cost 140.00 EUR a month (rule: at least 100.00 EUR)',
    );
    expect(body.alerts[1]?.message).toBe(
      'Contoso: Contoso E3 (20 seats) ends on 2026-11-20, in 19 days, with 7 seats that could be dropped, ' +
        '140.00 EUR a month; it does not renew automatically (rule: within 30 days, at least 5)',
    );
    // Fabrikam's 6 unassigned Business Basic seats cost 36 USD: below 100, and not EUR anyway.
    const preview = await previewAlerts(t.store, config('- kind: cost\n  minMonthlyCost: 30'), PARTNER);
    expect(preview.alerts.map((a) => a.key)).toEqual([`cost/${C1}/${E3}`, `cost/${C2}/${BB}`]);
    // The preview reads what was sent: Contoso's cost alert (same rule id) went out already.
    expect(preview.firing.map((a) => a.key)).toEqual([`cost/${C2}/${BB}`]);
  });

  it('leaves alerts unsent to fire again when no webhook takes them, and says so', async () => {
    await snapshot('2026-11-01', 13);
    receiver.plan({ status: 500 }, { status: 500 });
    const e = evaluator('- kind: unassigned\n  minSeats: 7');
    expect(await e.check()).toMatchObject({ holding: 1, fired: 0, deliveries: [{ ok: false, attempts: 2 }] });
    expect(await t.store.listAlertStates(PARTNER)).toEqual([]);
    expect(logs.filter((l) => l.startsWith('warn'))).toEqual([
      `warn alerts: http://127.0.0.1:${new URL(receiver.url).port}/…: attempt 1 failed (HTTP 500); retrying in 10 ms`,
      `warn alerts: delivery to http://127.0.0.1:${new URL(receiver.url).port}/… failed after 2 attempt(s): HTTP 500`,
    ]);
    expect(logs.at(-1)).toContain(
      '1 holding, 1 new, 0 cleared (not delivered: they fire again on the next snapshot)',
    );
    await snapshot('2026-11-02', 13);
    expect(await e.check()).toMatchObject({ fired: 1 });
    expect(receiver.posts).toHaveLength(3);
  });

  it('with notifyCleared, also tells when alerts clear', async () => {
    const e = evaluator('- kind: unassigned\n  minSeats: 7', 'notifyCleared: true');
    await snapshot('2026-11-01', 13);
    await e.check();
    await snapshot('2026-11-02', 20);
    expect(await e.check()).toMatchObject({ holding: 0, fired: 0, cleared: 1 });
    expect(receiver.posts).toHaveLength(2);
    expect(receiver.posts[1]?.body).toMatchObject({
      processedDate: '2026-11-02',
      alerts: [],
      cleared: [{ key: `unassigned/${C1}/${E3}`, firedAt: expect.any(String) }],
    });
  });

  it('runs in the background once started, and stops', async () => {
    await snapshot('2026-11-01', 13);
    const e = evaluator('- kind: unassigned\n  minSeats: 5');
    e.start();
    for (let i = 0; i < 100 && e.status().evaluations === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(receiver.posts).toHaveLength(1);
    await snapshot('2026-11-02', 20);
    for (let i = 0; i < 100 && e.status().evaluations < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(e.status().lastEvaluation).toMatchObject({ processedDate: '2026-11-02', cleared: 1 });
    await e.stop();
    await snapshot('2026-11-03', 13);
    await new Promise((r) => setTimeout(r, 200));
    expect(e.status().evaluations).toBe(2);
    expect(receiver.posts).toHaveLength(1);
  });
});
