import { describe, expect, it } from 'vitest';
import { isGuid } from '../domain/guid.ts';
import { type RowColumns, rowCount } from '../domain/row.ts';
import { DEMO_PARTNER_ID, generateDemo } from './demo.ts';

const BASE = { partnerId: DEMO_PARTNER_ID, customers: 500, days: 30, seed: 1, endDate: '2026-06-30' };
const demo = generateDemo(BASE);
const n = rowCount(demo);

function indicesByDate(cols: RowColumns): Map<string, number[]> {
  const byDate = new Map<string, number[]>();
  cols.processedDate.forEach((d, i) => {
    byDate.set(d, [...(byDate.get(d) ?? []), i]);
  });
  return byDate;
}

describe('generateDemo', () => {
  it('is deterministic: same inputs give identical output, another seed different output', () => {
    expect(generateDemo(BASE)).toEqual(demo);
    const other = generateDemo({ ...BASE, seed: 2 });
    expect(other.customerTenantId).not.toEqual(demo.customerTenantId);
    expect(other.licensesSold).not.toEqual(demo.licensesSold);
  });

  it('covers endDate-days+1 .. endDate with one snapshot per day', () => {
    const dates = [...indicesByDate(demo).keys()];
    expect(dates).toHaveLength(30);
    expect(dates[0]).toBe('2026-06-01');
    expect(dates.at(-1)).toBe('2026-06-30');
  });

  it('has no duplicate key on any date, and valid upper-case GUIDs', () => {
    const keys = new Set<string>();
    for (let i = 0; i < n; i++) {
      keys.add(
        `${demo.processedDate[i]}|${demo.customerTenantId[i]}|${demo.productId[i]}|${demo.channel[i]}`,
      );
    }
    expect(keys.size).toBe(n);
    const ids = new Set([...demo.customerTenantId, ...demo.productId]);
    expect([...ids].filter((id) => !isGuid(id) || id !== id.toUpperCase())).toEqual([]);
    expect(new Set(demo.customerTenantId).size).toBeGreaterThan(450);
  });

  it('has o365 and crm rows on every day, with Partner Center service names', () => {
    for (const rows of indicesByDate(demo).values()) {
      expect(new Set(rows.map((i) => `${demo.serviceCode[i]}|${demo.serviceName[i]}`))).toEqual(
        new Set(['o365|Microsoft Office 365', 'crm|Microsoft Dynamics']),
      );
    }
  });

  it('shows realistic shelfware, over-assignment, channels and seat sizes', () => {
    let unassigned = 0;
    let over = 0;
    let high = 0;
    let worstOver = 0;
    for (let i = 0; i < n; i++) {
      const sold = demo.licensesSold[i]!;
      const deployed = demo.licensesDeployed[i]!;
      if (deployed === 0) unassigned++;
      if (deployed > sold) over++;
      if (deployed >= 0.8 * sold && deployed <= sold) high++;
      worstOver = Math.max(worstOver, deployed - sold);
    }
    expect(worstOver).toBeLessThanOrEqual(3);
    expect(unassigned / n).toBeGreaterThan(0.02);
    expect(over / n).toBeGreaterThan(0.005);
    expect(over / n).toBeLessThan(0.1);
    expect(high / n).toBeGreaterThan(0.5);
    expect(new Set(demo.channel)).toEqual(new Set(['reseller', 'direct', 'indirect', 'advisor']));
    expect(Math.max(...demo.licensesSold)).toBeGreaterThan(1000);
    expect(demo.productName.every((p) => p === p.toUpperCase())).toBe(true);
  });

  it('uses names with apostrophes, ampersands, commas, accents and non-Latin scripts, unique per customer', () => {
    const names = new Map<string, string>();
    demo.customerTenantId.forEach((t, i) => {
      names.set(t, demo.customerName[i]!);
    });
    const list = [...names.values()];
    expect(new Set(list).size).toBe(list.length);
    expect(list.some((s) => s.includes("'"))).toBe(true);
    expect(list.some((s) => s.includes(' & '))).toBe(true);
    expect(list.some((s) => s.includes(','))).toBe(true);
    expect(list.some((s) => /[äöüéçñåø]/i.test(s))).toBe(true);
    const nonLatin = list.filter((s) =>
      /[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/.test(s),
    );
    expect(nonLatin.length / list.length).toBeGreaterThan(0.05);
    expect(nonLatin.length / list.length).toBeLessThan(0.16);
  });

  it('changes gradually: most (customer, product, channel) rows are unchanged from one day to the next', () => {
    const byDate = [...indicesByDate(demo).values()];
    for (let d = 1; d < byDate.length; d++) {
      const before = new Map(
        byDate[d - 1]!.map((i) => [`${demo.customerTenantId[i]}|${demo.productId[i]}|${demo.channel[i]}`, i]),
      );
      let same = 0;
      let common = 0;
      let bigSteps = 0;
      for (const i of byDate[d]!) {
        const j = before.get(`${demo.customerTenantId[i]}|${demo.productId[i]}|${demo.channel[i]}`);
        if (j === undefined) continue;
        common++;
        if (
          demo.licensesSold[i] === demo.licensesSold[j] &&
          demo.licensesDeployed[i] === demo.licensesDeployed[j]
        )
          same++;
        const step = Math.abs(demo.licensesSold[i]! - demo.licensesSold[j]!);
        if (step > Math.max(1, Math.round(demo.licensesSold[j]! * 0.05))) bigSteps++;
      }
      expect(bigSteps).toBe(0);
      expect(same / common).toBeGreaterThan(0.8);
      expect(common / byDate[d]!.length).toBeGreaterThan(0.95);
    }
    // Customers onboard over the period: the last day has more rows than the first.
    expect(byDate.at(-1)!.length).toBeGreaterThan(byDate[0]!.length);
  });

  it('has an o365 row even with one customer and one day, and runs fast', () => {
    const tiny = generateDemo({ ...BASE, customers: 1, days: 1 });
    expect(tiny.serviceCode).toContain('o365');
    expect(new Set(tiny.processedDate)).toEqual(new Set(['2026-06-30']));
    const started = performance.now();
    generateDemo({ ...BASE, seed: 9 });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('rejects impossible specs', () => {
    expect(() => generateDemo({ ...BASE, customers: 0 })).toThrow(RangeError);
    expect(() => generateDemo({ ...BASE, endDate: '2026-02-30' })).toThrow(RangeError);
  });
});
