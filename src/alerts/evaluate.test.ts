import { describe, expect, it } from 'vitest';
import type { RenewalItem, ShelfwareItem } from '../contract/schemas.ts';
import type { AlertStateRecord } from '../store/store.ts';
import { parseAlertsText } from './config.ts';
import {
  type Alert,
  type AlertInputs,
  evaluateRules,
  type ProductSeats,
  readState,
  stateOf,
  transition,
} from './evaluate.ts';

const C1 = '6B4F1A2E-0C3D-4E5F-8A9B-0C1D2E3F4A5B';
const C2 = 'A7C2E9D1-3B4F-4A6E-9C8D-1E2F3A4B5C6D';
const E3 = '6FD2C87F-B296-42F0-B197-1E91E994B900';
const BB = '3B555118-DA6A-4418-894F-7DF1E2096870';

function config(rules: string, exclusions = '') {
  return parseAlertsText(
    `webhooks:\n  - url: http://127.0.0.1:1/\nrules:\n${rules.replace(/^/gm, '  ')}\n${exclusions}`,
    'alerts.yaml',
  );
}

function product(
  customer: string,
  name: string,
  productId: string,
  sold: number,
  deployed: number,
): ProductSeats {
  return {
    customerTenantId: customer,
    customerName: name,
    productId,
    productName: productId === E3 ? 'OFFICE 365 E3' : 'MICROSOFT 365 BUSINESS BASIC',
    licensesSold: sold,
    licensesDeployed: deployed,
  };
}

function shelf(p: ProductSeats, price?: { currency: string; monthly: number }): ShelfwareItem {
  const unassigned = Math.max(0, p.licensesSold - p.licensesDeployed);
  return {
    ...p,
    licensesUnassigned: unassigned,
    ...(price === undefined
      ? {}
      : {
          unitPrice: price.monthly,
          currency: price.currency,
          billingPlan: 'monthly',
          monthlyUnitPrice: price.monthly,
          monthlyCostUnassigned: Math.round(price.monthly * unassigned * 100) / 100,
        }),
  };
}

function renewal(customer: string, over: Partial<RenewalItem> = {}): RenewalItem {
  return {
    customerTenantId: customer,
    customerName: customer === C1 ? 'Contoso' : 'Fabrikam',
    subscriptionId: `sub-${customer.slice(0, 4)}`,
    offerId: 'CFQ7TTC0LF8Q:0001',
    offerName: 'Office 365 E3',
    friendlyName: 'E3 annual',
    productId: E3,
    productName: 'OFFICE 365 E3',
    quantity: 20,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    commitmentEndDate: '2026-12-20',
    daysUntilEnd: 19,
    autoRenewEnabled: true,
    licensesUnassigned: 5,
    reducibleSeats: 5,
    ...over,
  };
}

const PRODUCTS = [
  product(C1, 'Contoso', E3, 20, 13), // 7 unassigned
  product(C1, 'Contoso', BB, 10, 10),
  product(C2, 'Fabrikam', E3, 10, 8), // 2 unassigned
  product(C2, 'Fabrikam', BB, 100, 40), // 60 unassigned
];

function inputs(over: Partial<AlertInputs> = {}): AlertInputs {
  return {
    processedDate: '2026-12-01',
    products: PRODUCTS,
    shelfware: PRODUCTS.filter((p) => p.licensesSold > p.licensesDeployed).map((p) => shelf(p)),
    renewals: [],
    ...over,
  };
}

const keys = (alerts: readonly Alert[]) => alerts.map((a) => a.key);

describe('evaluateRules', () => {
  it('unassigned: per customer and product, at least minSeats', () => {
    const alerts = evaluateRules(config('- kind: unassigned\n  minSeats: 5'), inputs());
    expect(keys(alerts)).toEqual([`unassigned/${C1}/${E3}`, `unassigned/${C2}/${BB}`]);
    expect(alerts[0]).toEqual({
      key: `unassigned/${C1}/${E3}`,
      rule: 'unassigned',
      kind: 'unassigned',
      customerTenantId: C1,
      customerName: 'Contoso',
      productId: E3,
      productName: 'OFFICE 365 E3',
      message: 'Contoso: 7 of 20 seats of OFFICE 365 E3 are not assigned (rule: at least 5)',
      values: { licensesSold: 20, licensesDeployed: 13, licensesUnassigned: 7, minSeats: 5 },
    });
    expect(keys(evaluateRules(config('- kind: unassigned\n  minSeats: 61'), inputs()))).toEqual([]);
    expect(keys(evaluateRules(config('- kind: unassigned\n  minSeats: 2'), inputs()))).toHaveLength(3);
  });

  it('deployment: per customer, deployed share below the percentage, with enough seats sold', () => {
    // Contoso 23/30 = 76.67 %, Fabrikam 48/110 = 43.64 %.
    const alerts = evaluateRules(config('- kind: deployment\n  belowPercent: 60'), inputs());
    expect(keys(alerts)).toEqual([`deployment/${C2}`]);
    expect(alerts[0]?.message).toBe('Fabrikam: 43.64% of 110 seats deployed (rule: below 60%)');
    expect(alerts[0]?.values).toEqual({
      licensesSold: 110,
      licensesDeployed: 48,
      deploymentPercent: 43.64,
      belowPercent: 60,
    });
    expect(keys(evaluateRules(config('- kind: deployment\n  belowPercent: 80'), inputs()))).toEqual([
      `deployment/${C1}`,
      `deployment/${C2}`,
    ]);
    expect(
      keys(evaluateRules(config('- kind: deployment\n  belowPercent: 80\n  minSold: 50'), inputs())),
    ).toEqual([`deployment/${C2}`]);
    // Seats deployed beyond those sold of one product do not lift the share of another.
    const over = inputs({
      products: [product(C1, 'Contoso', E3, 10, 30), product(C1, 'Contoso', BB, 10, 0)],
    });
    expect(
      evaluateRules(config('- kind: deployment\n  belowPercent: 60'), over)[0]?.values.deploymentPercent,
    ).toBe(50);
  });

  it('cost: per customer and product, the monthly cost of unassigned seats, in one currency if asked', () => {
    const priced = inputs({
      shelfware: [
        shelf(PRODUCTS[0]!, { currency: 'EUR', monthly: 20 }), // 7 × 20 = 140 EUR
        shelf(PRODUCTS[2]!, { currency: 'USD', monthly: 60 }), // 2 × 60 = 120 USD
        shelf(PRODUCTS[3]!), // unpriced: never a cost alert
      ],
    });
    const any = evaluateRules(config('- kind: cost\n  minMonthlyCost: 100'), priced);
    expect(keys(any)).toEqual([`cost/${C1}/${E3}`, `cost/${C2}/${E3}`]);
    expect(any[0]?.message).toBe(
      'Contoso: 7 unassigned seats of OFFICE 365 E3 cost 140.00 EUR a month (rule: at least 100.00)',
    );
    expect(any[0]?.values).toEqual({
      licensesUnassigned: 7,
      monthlyCostUnassigned: 140,
      currency: 'EUR',
      monthlyUnitPrice: 20,
      minMonthlyCost: 100,
    });
    const eur = evaluateRules(config('- kind: cost\n  minMonthlyCost: 100\n  currency: EUR'), priced);
    expect(keys(eur)).toEqual([`cost/${C1}/${E3}`]);
    expect(eur[0]?.message).toContain('(rule: at least 100.00 EUR)');
    expect(keys(evaluateRules(config('- kind: cost\n  minMonthlyCost: 130'), priced))).toEqual([
      `cost/${C1}/${E3}`,
    ]);
  });

  it('renewal: per subscription ending within the window with enough reducible seats', () => {
    const subs = inputs({
      renewals: [
        renewal(C1, { monthlyCostReducible: 100, currency: 'EUR' }),
        renewal(C2, { daysUntilEnd: 45, commitmentEndDate: '2027-01-15' }),
        renewal(C2, { subscriptionId: 'sub-small', reducibleSeats: 0, licensesUnassigned: 0 }),
      ],
    });
    const alerts = evaluateRules(config('- kind: renewal\n  withinDays: 30'), subs);
    expect(keys(alerts)).toEqual([`renewal/${C1}/sub-6B4F`]);
    expect(alerts[0]?.message).toBe(
      'Contoso: E3 annual (20 seats) ends on 2026-12-20, in 19 days, with 5 seats that could be dropped, ' +
        '100.00 EUR a month; it renews automatically (rule: within 30 days, at least 1)',
    );
    expect(alerts[0]).toMatchObject({
      productId: E3,
      values: { subscriptionId: 'sub-6B4F', reducibleSeats: 5 },
    });
    expect(keys(evaluateRules(config('- kind: renewal\n  withinDays: 60'), subs))).toEqual([
      `renewal/${C1}/sub-6B4F`,
      `renewal/${C2}/sub-A7C2`,
    ]);
    expect(keys(evaluateRules(config('- kind: renewal\n  withinDays: 60\n  minSeats: 6'), subs))).toEqual([]);
  });

  it('never fires for an excluded customer, SKU or customer and SKU pair', () => {
    const rules = '- kind: unassigned\n  minSeats: 1\n- kind: deployment\n  belowPercent: 99';
    const subs = { renewals: [renewal(C1), renewal(C2)] };
    const all = evaluateRules(config(`${rules}\n- kind: renewal\n  withinDays: 30`), inputs(subs));
    expect(keys(all)).toEqual([
      `deployment/${C1}`,
      `deployment/${C2}`,
      `renewal/${C1}/sub-6B4F`,
      `renewal/${C2}/sub-A7C2`,
      `unassigned/${C1}/${E3}`,
      `unassigned/${C2}/${BB}`,
      `unassigned/${C2}/${E3}`,
    ]);
    const byCustomer = evaluateRules(
      config(
        `${rules}\n- kind: renewal\n  withinDays: 30`,
        `exclusions:\n  customers: [${C2.toLowerCase()}]\n`,
      ),
      inputs(subs),
    );
    expect(keys(byCustomer)).toEqual([
      `deployment/${C1}`,
      `renewal/${C1}/sub-6B4F`,
      `unassigned/${C1}/${E3}`,
    ]);
    const bySku = evaluateRules(
      config(`${rules}\n- kind: renewal\n  withinDays: 30`, `exclusions:\n  skus: [${E3}]\n`),
      inputs(subs),
    );
    // Without E3, Contoso is fully deployed (10 of 10 Business Basic) and Fabrikam at 40 %.
    expect(keys(bySku)).toEqual([`deployment/${C2}`, `unassigned/${C2}/${BB}`]);
    expect(bySku[0]?.values).toMatchObject({ licensesSold: 100, licensesDeployed: 40 });
    const byPair = evaluateRules(
      config(rules, `exclusions:\n  pairs:\n    - customer: ${C2}\n      sku: ${BB}\n`),
      inputs(),
    );
    expect(keys(byPair)).toEqual([
      `deployment/${C1}`,
      `deployment/${C2}`,
      `unassigned/${C1}/${E3}`,
      `unassigned/${C2}/${E3}`,
    ]);
    expect(byPair[1]?.values).toMatchObject({ licensesSold: 10, licensesDeployed: 8 });
  });

  it('keys alerts by the rule id, so two rules of a kind fire apart', () => {
    const alerts = evaluateRules(
      config('- kind: unassigned\n  id: some\n  minSeats: 5\n- kind: unassigned\n  id: many\n  minSeats: 50'),
      inputs(),
    );
    expect(keys(alerts)).toEqual([`many/${C2}/${BB}`, `some/${C1}/${E3}`, `some/${C2}/${BB}`]);
  });
});

describe('transition', () => {
  const rule = config('- kind: unassigned\n  minSeats: 5');
  const fired = (alerts: readonly Alert[], date: string) =>
    alerts.map((a) => stateOf(a, date, `${date}T06:00:00.000Z`));

  it('fires once, holds without firing again, clears, and fires again after crossing anew', () => {
    let stored: AlertStateRecord[] = [];
    const step = (input: AlertInputs) => {
      const t = transition(evaluateRules(rule, input), stored);
      const gone = new Set(t.cleared.map((c) => c.key));
      stored = [...stored.filter((s) => !gone.has(s.key)), ...fired(t.firing, input.processedDate)];
      return { firing: keys(t.firing), holding: keys(t.holding), cleared: keys(t.cleared) };
    };
    const crossing = inputs({ shelfware: [shelf(product(C1, 'Contoso', E3, 20, 13))] });
    const below = inputs({ shelfware: [shelf(product(C1, 'Contoso', E3, 20, 18))] });
    const key = `unassigned/${C1}/${E3}`;
    expect(step(crossing)).toEqual({ firing: [key], holding: [], cleared: [] });
    expect(step({ ...crossing, processedDate: '2026-12-02' })).toEqual({
      firing: [],
      holding: [key],
      cleared: [],
    });
    expect(step({ ...below, processedDate: '2026-12-03' })).toEqual({
      firing: [],
      holding: [],
      cleared: [key],
    });
    expect(step({ ...below, processedDate: '2026-12-04' })).toEqual({ firing: [], holding: [], cleared: [] });
    expect(step({ ...crossing, processedDate: '2026-12-05' })).toEqual({
      firing: [key],
      holding: [],
      cleared: [],
    });
  });

  it('stores what fired, and reads it back for the cleared list (even a state it cannot read)', () => {
    const [alert] = evaluateRules(rule, inputs());
    const record = stateOf(alert!, '2026-12-01', '2026-12-01T06:00:00.000Z');
    expect(record).toMatchObject({ key: alert!.key, updatedAt: '2026-12-01T06:00:00.000Z' });
    expect(readState(record)).toEqual({
      ...alert,
      processedDate: '2026-12-01',
      firedAt: '2026-12-01T06:00:00.000Z',
    });
    const { cleared } = transition(
      [],
      [record, { key: `deployment/${C2}`, state: 'not json', updatedAt: 'x' }],
    );
    expect(cleared.map((c) => [c.key, c.kind, c.customerTenantId])).toEqual([
      [alert!.key, 'unassigned', C1],
      [`deployment/${C2}`, 'deployment', C2],
    ]);
  });
});
