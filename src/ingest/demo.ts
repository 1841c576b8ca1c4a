import { addDays, isIsoDay, todayUtc } from '../domain/dates.ts';
import { normalizeGuid } from '../domain/guid.ts';
import { emptyRowColumns, type RowColumns } from '../domain/row.ts';
import { type CatalogSku, skuCatalog } from '../domain/sku-catalog.ts';
import { companyNames } from './demo-names.ts';
import { hashText, Rng } from './prng.ts';

/** The partner tenant the demo dataset belongs to by default. */
export const DEMO_PARTNER_ID = 'A1B2C3D4-0000-4000-8000-5EA7A15E0001';

export interface DemoSpec {
  readonly partnerId: string;
  readonly customers: number;
  readonly days: number;
  readonly seed: number;
  /** Last processed date, `YYYY-MM-DD`; default today (UTC). */
  readonly endDate?: string;
}

/** Channels and their shares: mostly CSP resale, some direct billing, a few indirect/advisor. */
const CHANNELS: readonly [string, number][] = [
  ['reseller', 0.85],
  ['direct', 0.1],
  ['indirect', 0.04],
  ['advisor', 0.01],
];

// Main suites every customer starts with (always o365, so every demo has o365 rows).
const SUITES = [
  'O365_BUSINESS_ESSENTIALS',
  'O365_BUSINESS_PREMIUM',
  'SPB',
  'SPE_E3',
  'SPE_E5',
  'ENTERPRISEPACK',
  'STANDARDPACK',
  'SPE_F1',
];
const ADDONS = [
  'EXCHANGESTANDARD',
  'EXCHANGEENTERPRISE',
  'EXCHANGEARCHIVE_ADDON',
  'MCOEV',
  'Microsoft_365_Copilot',
  'POWER_BI_PRO',
  'VISIOCLIENT',
  'PROJECTPROFESSIONAL',
  'EMS',
  'EMSPREMIUM',
  'INTUNE_A',
  'AAD_PREMIUM',
  'O365_BUSINESS',
  'MCOPSTN2',
  'DESKLESSPACK',
];
const CRM_SKUS = [
  'DYN365_ENTERPRISE_SALES',
  'DYN365_ENTERPRISE_CUSTOMER_SERVICE',
  'DYN365_ENTERPRISE_PLAN1',
  'DYN365_TEAM_MEMBERS',
  'DYN365_ENTERPRISE_TEAM_MEMBERS',
  'DYN365_BUSCENTRAL_ESSENTIAL',
  'DYN365_BUSCENTRAL_PREMIUM',
  'CRMSTANDARD',
];

interface Holding {
  readonly sku: CatalogSku;
  readonly channel: string;
  /** First day index the product is held (a purchase during the period). */
  readonly startDay: number;
  /** Unassigned shelfware stays at zero deployed. */
  readonly shelf: boolean;
  sold: number;
  deployed: number;
}

interface Customer {
  readonly tenantId: string;
  readonly name: string;
  readonly joinDay: number;
  /** First day index the customer is gone (churned); `days` when it stays. */
  readonly leaveDay: number;
  readonly holdings: Holding[];
}

/**
 * A realistic, deterministic licenses-deployment history: one snapshot per day from
 * endDate-days+1 to endDate. Identical inputs give identical output (seeded PRNG, no clock use
 * other than the default endDate). Customer 0 (o365) and, from two customers on, customer 1
 * (o365 + crm) are present every day, so every snapshot has o365 rows and, with two or more
 * customers, crm rows.
 */
export function generateDemo(spec: DemoSpec): RowColumns {
  const { customers, days, seed } = spec;
  if (!Number.isSafeInteger(customers) || customers < 1)
    throw new RangeError('customers must be a positive integer');
  if (!Number.isSafeInteger(days) || days < 1) throw new RangeError('days must be a positive integer');
  const endDate = spec.endDate ?? todayUtc();
  if (!isIsoDay(endDate)) throw new RangeError(`endDate must be YYYY-MM-DD, got '${endDate}'`);
  const partner = normalizeGuid(spec.partnerId);
  if (partner === undefined) throw new RangeError(`partnerId must be a GUID, got '${spec.partnerId}'`);
  // Mixing in the partner keeps two partners' demo tenants apart while staying deterministic.
  const rng = new Rng((seed ^ hashText(partner)) >>> 0);
  const bySku = new Map(skuCatalog().map((s) => [s.partNumber, s]));
  const sku = (partNumber: string): CatalogSku => {
    const found = bySku.get(partNumber);
    if (found === undefined) throw new Error(`demo SKU ${partNumber} is missing from the catalog`);
    return found;
  };
  const names = companyNames(rng, customers);
  const tenantIds = new Set<string>();
  const all: Customer[] = names.map((name, i) => {
    let tenantId = rng.guid();
    while (tenantIds.has(tenantId)) tenantId = rng.guid();
    tenantIds.add(tenantId);
    const anchor = i < 2;
    const joinDay = !anchor && days > 1 && rng.chance(0.15) ? rng.int(1, days - 1) : 0;
    const leaveDay =
      !anchor && days > 2 && rng.chance(0.03) ? rng.int(Math.max(joinDay + 1, 1), days - 1) : days;
    const crm = i === 1 || (!anchor && rng.chance(0.15));
    return { tenantId, name, joinDay, leaveDay, holdings: holdings(rng, sku, crm, days) };
  });
  const cols = emptyRowColumns();
  const firstDate = addDays(endDate, 1 - days);
  for (let day = 0; day < days; day++) {
    const date = addDays(firstDate, day);
    for (const c of all) {
      for (const h of c.holdings) {
        if (day > 0) drift(rng, h);
        if (day < c.joinDay || day >= c.leaveDay || day < h.startDay) continue;
        cols.processedDate.push(date);
        cols.serviceCode.push(h.sku.serviceCode);
        cols.serviceName.push(h.sku.serviceName);
        cols.channel.push(h.channel);
        cols.customerTenantId.push(c.tenantId);
        cols.customerName.push(c.name);
        cols.productId.push(h.sku.skuId);
        cols.productName.push(h.sku.productName);
        cols.licensesDeployed.push(h.deployed);
        cols.licensesSold.push(h.sold);
      }
    }
  }
  return cols;
}

/** 2–8 products: a suite sized to the company, add-ons for part of it, Dynamics for some. */
function holdings(rng: Rng, sku: (partNumber: string) => CatalogSku, crm: boolean, days: number): Holding[] {
  const r = rng.next();
  // Most customers are small businesses; a few are large enterprises.
  const seats = r < 0.8 ? rng.int(5, 50) : r < 0.92 ? rng.int(51, 200) : Math.round(200 * 25 ** rng.next());
  const channel = pickChannel(rng);
  const count = rng.int(2, 8);
  const chosen = new Set<string>([rng.pick(SUITES)]);
  if (crm) chosen.add(rng.pick(CRM_SKUS));
  if (crm && count > 3 && rng.chance(0.4)) chosen.add(rng.pick(CRM_SKUS));
  while (chosen.size < count) chosen.add(rng.pick(ADDONS));
  const result: Holding[] = [];
  let first = true;
  for (const partNumber of chosen) {
    const sold = first ? seats : Math.max(1, Math.round(seats * (0.05 + 0.6 * rng.next())));
    const startDay = !first && days > 1 && rng.chance(0.04) ? rng.int(1, days - 1) : 0;
    const q = rng.next();
    const shelf = q < 0.05;
    // Deployment: mostly 80–100 %, some 30–70 %, a few unassigned, a few over-assigned in grace.
    const ratio = shelf ? 0 : q < 0.25 ? 0.3 + 0.4 * rng.next() : 0.8 + 0.2 * rng.next();
    const deployed = q >= 0.25 && q < 0.29 ? sold + rng.int(1, 3) : Math.round(sold * ratio);
    result.push({ sku: sku(partNumber), channel, startDay, shelf, sold, deployed });
    first = false;
  }
  // A few customers also buy some suite seats directly from Microsoft: same product, second channel.
  const suite = result[0]!;
  if (rng.chance(0.02) && suite.channel !== 'direct') {
    const sold = Math.max(1, Math.round(suite.sold * 0.1));
    result.push({ ...suite, channel: 'direct', sold, deployed: sold });
  }
  return result;
}

function pickChannel(rng: Rng): string {
  let r = rng.next();
  for (const [channel, share] of CHANNELS) {
    if (r < share) return channel;
    r -= share;
  }
  return 'reseller';
}

/** Small day-to-day change: a seat purchase or reduction now and then, users assigned or removed. */
function drift(rng: Rng, h: Holding): void {
  const r = rng.next();
  if (r < 0.03) {
    const step = rng.int(1, Math.max(1, Math.round(h.sold * 0.05)));
    // A reduction leaves at most a few seats over-assigned (the grace period of data-sources.md).
    h.sold = rng.chance(0.6) ? h.sold + step : Math.max(1, h.sold - step, h.deployed - 3);
  } else if (r < 0.1 && !h.shelf) {
    const step = rng.int(1, Math.max(1, Math.round(h.sold * 0.03)));
    // Assignments follow seats; over-assignment after a reduction persists (grace period).
    const up = h.deployed < h.sold && rng.chance(0.6);
    h.deployed = Math.max(0, up ? Math.min(h.sold, h.deployed + step) : h.deployed - step);
  }
}
