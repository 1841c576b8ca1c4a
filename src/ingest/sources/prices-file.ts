/**
 * `seatwise import --format prices FILE` (docs/prices.md): the partner's own price list
 * (overrides, keyed by SKU GUID) or Partner Center's license-based price sheet (keyed by
 * `ProductId:SkuId`), told apart by the header. Both are read whole and checked line by line; the
 * price sheet's rows are then matched to licensed products (the deployment rows' productId, a
 * SKU GUID) through the partner's stored subscriptions or by title through the catalog.
 */
import { readFile } from 'node:fs/promises';
import { normalizeGuid } from '../../domain/guid.ts';
import type { CatalogSku } from '../../domain/sku-catalog.ts';
import type { PriceRecord, SubscriptionRecord } from '../../store/store.ts';
import { showValue } from '../row-fields.ts';
import { cleanCell, decodeText, headerKey, parseCsvTable } from './csv-table.ts';
import type { RowFileError } from './types.ts';

export type PriceFileShape = 'override' | 'price-sheet';

/** A valid price-sheet row, before it is matched to a licensed product. */
export interface PriceSheetRow {
  readonly line: number;
  /** `ProductId:SkuId` as Partner Center writes it, upper-cased (`CFQ7TTC0LH18:0001`). */
  readonly offerId: string;
  /** SkuTitle, or '' when the sheet has no such column. */
  readonly title: string;
  readonly currency: string;
  readonly unitPrice: number;
  readonly billingPlan: string;
  readonly termDuration: string;
  readonly monthlyPrice: number;
}

export interface OverrideRead {
  readonly ok: true;
  readonly shape: 'override';
  /** Source `override`, one per skuId, in file order. */
  readonly prices: PriceRecord[];
}

export interface PriceSheetRead {
  readonly ok: true;
  readonly shape: 'price-sheet';
  readonly rows: PriceSheetRow[];
  /** The sheet's one currency, or '' when it holds no row. */
  readonly currency: string;
  /** Rows left out for their Segment (anything but Commercial), by segment as written. */
  readonly skippedSegments: ReadonlyMap<string, number>;
  /** Rows left out as a further pricing tier (PricingTierRangeMin above 1). */
  readonly skippedTiers: number;
}

export type PricesReadResult = OverrideRead | PriceSheetRead | { ok: false; errors: RowFileError[] };

const MAX_ERRORS = 50;

/** The billing plans accepted, as written (lower case, trimmed), and what each is stored as. */
const PLANS: Readonly<Record<string, { plan: string; months: number | 'term' }>> = {
  monthly: { plan: 'monthly', months: 1 },
  annual: { plan: 'annual', months: 12 },
  annually: { plan: 'annual', months: 12 },
  yearly: { plan: 'annual', months: 12 },
  triennial: { plan: 'triennial', months: 36 },
  onetime: { plan: 'onetime', months: 'term' },
  'one time': { plan: 'onetime', months: 'term' },
  none: { plan: 'onetime', months: 'term' },
};
const PLAN_LIST = 'monthly, annual (or annually, yearly), triennial, onetime (or one time, none)';

const OVERRIDE_HEADER = 'skuId,unitPrice,currency,billingPlan,termDuration';
const NOT_PRICES =
  `not a price file: expected the partner's price list (${OVERRIDE_HEADER}) or Partner Center's ` +
  'license-based price sheet (ProductId, SkuId, SkuTitle, UnitPrice, Currency, TermDuration, BillingPlan, ...)';

export async function readPricesFile(path: string): Promise<PricesReadResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const reason = `cannot read file: ${err instanceof Error ? err.message : String(err)}`;
    return { ok: false, errors: [{ file: path, line: 0, reason }] };
  }
  return parsePricesText(decodeText(bytes).text, path);
}

/** The text of a price file; errors name `file` and the line. */
export function parsePricesText(text: string, file: string): PricesReadResult {
  const table = parseCsvTable(text);
  if (!table.ok) return { ok: false, errors: [{ file, line: table.line, reason: table.reason }] };
  const keys = table.header.map(headerKey);
  if (!keys.includes('skuid') || !keys.includes('unitprice')) {
    return { ok: false, errors: [{ file, line: 1, reason: NOT_PRICES }] };
  }
  const sheet = keys.includes('productid');
  const required = sheet ? ['currency', 'billingplan', 'termduration'] : ['currency', 'billingplan'];
  const missing = required.filter((k) => !keys.includes(k));
  if (missing.length > 0) {
    const what = sheet
      ? "Partner Center's price sheet needs the columns ProductId, SkuId, UnitPrice, Currency, TermDuration and BillingPlan"
      : `the price list needs the columns ${OVERRIDE_HEADER} (termDuration may be empty)`;
    const reason = `no ${missing.map(columnName).join(', ')} column; ${what}`;
    return { ok: false, errors: [{ file, line: 1, reason }] };
  }
  const records = table.records.map(({ line, fields }) => ({
    line,
    cell: (key: string): string => {
      const i = keys.indexOf(key);
      return i < 0 ? '' : cleanCell(fields[i] ?? '');
    },
    has: (key: string): boolean => keys.includes(key),
  }));
  return sheet ? readSheet(records, file) : readOverrides(records, file);
}

/** One data line of a price file: its cells by header key. */
interface PriceLine {
  readonly line: number;
  cell(key: string): string;
  has(key: string): boolean;
}

/** Header keys as the messages name them. */
function columnName(key: string): string {
  const names: Record<string, string> = {
    skuid: 'skuId',
    unitprice: 'unitPrice',
    currency: 'currency',
    billingplan: 'billingPlan',
    termduration: 'termDuration',
  };
  return names[key] ?? key;
}

/** The fields both shapes share, checked; column names as the shape spells them. */
interface Priced {
  currency: string;
  unitPrice: number;
  billingPlan: string;
  termDuration: string;
  monthlyPrice: number;
}

function pricedFields(
  r: PriceLine,
  names: { unitPrice: string; currency: string; billingPlan: string; termDuration: string },
  termRequired: boolean,
): Priced | string {
  const priceText = r.cell('unitprice');
  const unitPrice = parseUnitPrice(priceText, names.unitPrice);
  if (typeof unitPrice === 'string') return unitPrice;
  const currencyText = r.cell('currency');
  if (currencyText === '') return `${names.currency} is empty; give the ISO 4217 code (e.g. EUR)`;
  if (!/^[A-Za-z]{3}$/.test(currencyText)) {
    return `${names.currency} ${showValue(currencyText)} is not a three-letter ISO 4217 code (e.g. EUR)`;
  }
  const termText = r.cell('termduration');
  let termDuration = '';
  let termMonths: number | undefined;
  if (termText === '') {
    if (termRequired)
      return `${names.termDuration} is empty; give an ISO 8601 duration such as P1M, P1Y or P3Y`;
  } else {
    const term = parseTerm(termText);
    if (term === undefined) {
      return `${names.termDuration} ${showValue(termText)} is not an ISO 8601 duration in years or months (P1M, P1Y, P3Y, ...)`;
    }
    termDuration = term.text;
    termMonths = term.months;
  }
  const planText = r.cell('billingplan');
  const plan = PLANS[planText.toLowerCase().replace(/\s+/g, ' ')];
  if (plan === undefined) {
    const shown =
      planText === ''
        ? `${names.billingPlan} is empty`
        : `${names.billingPlan} ${showValue(planText)} is not accepted`;
    return `${shown}; use one of ${PLAN_LIST}`;
  }
  let months: number;
  if (plan.months === 'term') {
    if (termMonths === undefined) {
      return `${names.billingPlan} ${showValue(planText)} is paid once for the term, but ${names.termDuration} is empty; give the term (e.g. P1Y)`;
    }
    months = termMonths;
  } else {
    months = plan.months;
  }
  return {
    currency: currencyText.toUpperCase(),
    unitPrice,
    billingPlan: plan.plan,
    termDuration,
    monthlyPrice: unitPrice / months,
  };
}

/** A decimal number ≥ 0 with `.` as decimal separator, or the reason it is not. */
function parseUnitPrice(text: string, name: string): number | string {
  if (text === '') return `${name} is empty; give the price of one seat for one billing period (e.g. 33.75)`;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^-\s*\d/.test(text)) return `${name} ${showValue(text)} is negative; a price is 0 or more`;
  if (/^[\d.,\s'’]+$/.test(text) && /[,\s'’]/.test(text)) {
    return (
      `${name} ${showValue(text)} has a comma, space or apostrophe in it; write the number with '.' ` +
      'as the decimal separator and no thousands separators (e.g. 1234.50)'
    );
  }
  return `${name} ${showValue(text)} is not a number; write it with '.' as the decimal separator (e.g. 1234.50)`;
}

/** An ISO 8601 duration of whole years or months (`P1Y`, `p36m`) and the months it covers. */
export function parseTerm(text: string): { text: string; months: number } | undefined {
  const m = /^P(\d+)([YM])$/i.exec(text.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n === 0) return undefined;
  const unit = m[2]!.toUpperCase();
  return { text: `P${n}${unit}`, months: unit === 'Y' ? n * 12 : n };
}

function readOverrides(records: readonly PriceLine[], file: string): PricesReadResult {
  const errors: RowFileError[] = [];
  const prices: PriceRecord[] = [];
  const seen = new Map<string, number>();
  const names = {
    unitPrice: 'unitPrice',
    currency: 'currency',
    billingPlan: 'billingPlan',
    termDuration: 'termDuration',
  };
  for (const r of records) {
    if (errors.length >= MAX_ERRORS) break;
    const fail = (reason: string) => errors.push({ file, line: r.line, reason });
    const rawSku = r.cell('skuid');
    const skuId = normalizeGuid(rawSku);
    if (skuId === undefined) {
      fail(
        rawSku === ''
          ? 'skuId is empty; give the SKU GUID of the licensed product (the productId of deployment rows)'
          : `skuId ${showValue(rawSku)} is not a GUID; an override names the licensed product by its SKU GUID (the productId of deployment rows)`,
      );
      continue;
    }
    const first = seen.get(skuId);
    if (first !== undefined) {
      fail(
        `skuId ${skuId} is priced on line ${first} already; the price list holds one row per skuId, keep one`,
      );
      continue;
    }
    seen.set(skuId, r.line);
    const priced = pricedFields(r, names, false);
    if (typeof priced === 'string') {
      fail(priced);
      continue;
    }
    prices.push({
      source: 'override',
      skuId,
      ...priced,
      title: r.cell('productname'),
      offerId: '',
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, shape: 'override', prices };
}

function readSheet(records: readonly PriceLine[], file: string): PricesReadResult {
  const errors: RowFileError[] = [];
  const rows: PriceSheetRow[] = [];
  const skippedSegments = new Map<string, number>();
  let skippedTiers = 0;
  let currency: { code: string; line: number } | undefined;
  const seen = new Map<string, number>();
  const names = {
    unitPrice: 'UnitPrice',
    currency: 'Currency',
    billingPlan: 'BillingPlan',
    termDuration: 'TermDuration',
  };
  for (const r of records) {
    if (errors.length >= MAX_ERRORS) break;
    const fail = (reason: string) => errors.push({ file, line: r.line, reason });
    if (r.has('segment')) {
      const segment = r.cell('segment');
      if (segment.toLowerCase() !== 'commercial') {
        const shown = segment === '' ? '(empty)' : segment;
        skippedSegments.set(shown, (skippedSegments.get(shown) ?? 0) + 1);
        continue;
      }
    }
    const tierText = r.cell('pricingtierrangemin');
    if (tierText !== '') {
      if (!/^\d+(\.\d+)?$/.test(tierText)) {
        fail(
          `PricingTierRangeMin ${showValue(tierText)} is not a number; leave it empty or give the tier's first seat`,
        );
        continue;
      }
      if (Number(tierText) > 1) {
        skippedTiers++;
        continue;
      }
    }
    const product = r.cell('productid').toUpperCase();
    const sku = r.cell('skuid').toUpperCase();
    if (product === '' || sku === '') {
      fail(
        `${product === '' ? 'ProductId' : 'SkuId'} is empty; a price-sheet row names its product as ProductId and SkuId (e.g. CFQ7TTC0LH18 and 0001)`,
      );
      continue;
    }
    if (product.includes(':') || sku.includes(':')) {
      fail(
        `ProductId ${showValue(product)} or SkuId ${showValue(sku)} holds a ':'; give them as two columns (e.g. CFQ7TTC0LH18 and 0001)`,
      );
      continue;
    }
    const priced = pricedFields(r, names, true);
    if (typeof priced === 'string') {
      fail(priced);
      continue;
    }
    if (currency === undefined) currency = { code: priced.currency, line: r.line };
    else if (currency.code !== priced.currency) {
      fail(
        `Currency ${priced.currency} differs from ${currency.code} on line ${currency.line}; a price sheet import ` +
          "holds one currency: import one market's sheet at a time and give prices in other currencies as overrides",
      );
      continue;
    }
    const offerId = `${product}:${sku}`;
    const key = [offerId, priced.currency, priced.termDuration, priced.billingPlan].join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) {
      fail(
        `${offerId} ${priced.currency} ${priced.termDuration} ${priced.billingPlan} is priced on line ${first} already ` +
          '(same product, currency, term and billing plan); keep one of the two rows',
      );
      continue;
    }
    seen.set(key, r.line);
    rows.push({ line: r.line, offerId, title: r.cell('skutitle'), ...priced });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    shape: 'price-sheet',
    rows,
    currency: currency?.code ?? '',
    skippedSegments,
    skippedTiers,
  };
}

/** What the price sheet's rows are matched against: the partner's stored data and the catalog. */
export interface PriceMatchInput {
  /** The partner's subscriptions, newest snapshot first. */
  readonly subscriptions: readonly SubscriptionRecord[];
  /** The bundled catalog with the imported entries over it, by skuId. */
  readonly catalog: ReadonlyMap<string, CatalogSku>;
}

export type PriceMatch =
  | {
      readonly ok: true;
      /** Source `price-sheet`, in file order. */
      readonly prices: PriceRecord[];
      /** Distinct offers (`ProductId:SkuId`) matched through a subscription, and through the catalog. */
      readonly bySubscription: number;
      readonly byCatalog: number;
      /** Rows of the offers that matched nothing, one (the first) per offer, in file order. */
      readonly unmatched: PriceSheetRow[];
    }
  | { readonly ok: false; readonly errors: RowFileError[] };

/**
 * Ties each price-sheet row to a licensed product: through a subscription whose offer id starts
 * with the row's `ProductId:SkuId` and that was matched to a product (the newest snapshot's
 * first), else through a catalog SKU whose display name is the row's SkuTitle (case-insensitive,
 * exactly one such SKU). Two rows of different offers that land on one product with the same
 * currency, term and billing plan are an error naming both lines.
 */
export function matchPriceSheet(
  rows: readonly PriceSheetRow[],
  input: PriceMatchInput,
  file: string,
): PriceMatch {
  const bySubscription = new Map<string, string>();
  for (const s of input.subscriptions) {
    if (s.productId === null) continue;
    const parts = s.offerId.toUpperCase().split(':');
    if (parts.length < 2) continue;
    const offer = `${parts[0]}:${parts[1]}`;
    if (!bySubscription.has(offer)) bySubscription.set(offer, s.productId);
  }
  const byTitle = new Map<string, string[]>();
  for (const sku of input.catalog.values()) {
    const key = cleanCell(sku.displayName).toLowerCase();
    if (key === '') continue;
    const list = byTitle.get(key);
    if (list === undefined) byTitle.set(key, [sku.skuId]);
    else list.push(sku.skuId);
  }
  const how = new Map<string, 'subscription' | 'catalog' | 'none'>();
  const productOf = (row: PriceSheetRow): string | undefined => {
    const viaSubscription = bySubscription.get(row.offerId);
    if (viaSubscription !== undefined) {
      how.set(row.offerId, 'subscription');
      return viaSubscription;
    }
    const candidates = byTitle.get(row.title.toLowerCase()) ?? [];
    if (row.title !== '' && candidates.length === 1) {
      if (!how.has(row.offerId)) how.set(row.offerId, 'catalog');
      return candidates[0];
    }
    return undefined;
  };
  const prices: PriceRecord[] = [];
  const unmatched = new Map<string, PriceSheetRow>();
  const taken = new Map<string, PriceSheetRow>();
  const errors: RowFileError[] = [];
  for (const row of rows) {
    const skuId = productOf(row);
    if (skuId === undefined) {
      if (!unmatched.has(row.offerId)) unmatched.set(row.offerId, row);
      continue;
    }
    const key = [skuId, row.currency, row.termDuration, row.billingPlan].join('\u0000');
    const other = taken.get(key);
    if (other !== undefined) {
      errors.push({
        file,
        line: row.line,
        reason:
          `${row.offerId} ${showValue(row.title)} and ${other.offerId} ${showValue(other.title)} on line ${other.line} ` +
          `both match product ${skuId} with ${row.currency} ${row.termDuration} ${row.billingPlan}; ` +
          'remove one of the two rows, or price the product with an override row by skuId',
      });
      if (errors.length >= MAX_ERRORS) break;
      continue;
    }
    taken.set(key, row);
    prices.push({
      source: 'price-sheet',
      skuId,
      currency: row.currency,
      unitPrice: row.unitPrice,
      billingPlan: row.billingPlan,
      termDuration: row.termDuration,
      monthlyPrice: row.monthlyPrice,
      title: row.title,
      offerId: row.offerId,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  const counts = [...how.values()];
  return {
    ok: true,
    prices,
    bySubscription: counts.filter((h) => h === 'subscription').length,
    byCatalog: counts.filter((h) => h === 'catalog').length,
    unmatched: [...unmatched.values()],
  };
}
