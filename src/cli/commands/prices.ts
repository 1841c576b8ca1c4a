/**
 * Prices (docs/prices.md): `seatwise import --format prices FILE` stores the partner's price list
 * (overrides) or Partner Center's price sheet, and `seatwise prices` lists what is stored.
 */
import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import { type CatalogSku, skuCatalog } from '../../domain/sku-catalog.ts';
import { matchPriceSheet, readPricesFile } from '../../ingest/sources/index.ts';
import type { PriceRecord, PriceSource, Store, SubscriptionRecord } from '../../store/store.ts';
import { CliError } from '../cli-error.ts';
import { renderTable } from '../formats.ts';
import { rejectLoad } from '../load-errors.ts';
import { partnerOption } from '../options.ts';
import { withStore } from '../with-store.ts';

/** Unmatched price-sheet products listed by name before "and N more". */
const UNMATCHED_SHOWN = 10;

/**
 * `import --format prices FILE`: reads and checks the whole file, matches a price sheet to the
 * partner's products, and only then replaces the prices of that one source. Returns the summary.
 */
export async function importPrices(
  store: Store,
  files: readonly string[],
  partnerId: string,
): Promise<string> {
  if (files.length !== 1) {
    throw new CliError(
      'prices input is one file: import the price list and the price sheet in two calls, one market at a time',
      2,
    );
  }
  const file = files[0]!;
  const read = await readPricesFile(file);
  if (!read.ok) rejectLoad(read.errors, false);
  let source: PriceSource;
  let prices: PriceRecord[];
  let text: string;
  if (read.shape === 'override') {
    source = 'override';
    prices = read.prices;
    text = `${file}: the partner's price list (overrides), ${prices.length} row(s)\n`;
  } else {
    source = 'price-sheet';
    const skipped = [...read.skippedSegments].map(([segment, n]) => `${n} of segment ${segment}`);
    if (read.skippedTiers > 0) skipped.push(`${read.skippedTiers} of a further pricing tier`);
    text =
      `${file}: Partner Center price sheet, ${read.rows.length} row(s) used` +
      `${read.currency === '' ? '' : ` (${read.currency})`}` +
      `${skipped.length === 0 ? '' : `; rows skipped: ${skipped.join(', ')}`}\n`;
    const match = matchPriceSheet(
      read.rows,
      { subscriptions: await partnerSubscriptions(store, partnerId), catalog: await mergedCatalog(store) },
      file,
    );
    if (!match.ok) rejectLoad(match.errors, false);
    prices = match.prices;
    text += `matched to a licensed product: ${match.bySubscription} product(s) by subscription, ${match.byCatalog} by catalog\n`;
    const unmatched = match.unmatched;
    if (unmatched.length > 0) {
      text += `${unmatched.length} price-sheet product(s) matched no licensed product and are left out:\n`;
      for (const row of unmatched.slice(0, UNMATCHED_SHOWN)) {
        text += `  line ${row.line} ${row.offerId} ${JSON.stringify(row.title)}\n`;
      }
      if (unmatched.length > UNMATCHED_SHOWN) text += `  and ${unmatched.length - UNMATCHED_SHOWN} more\n`;
      text +=
        '  to price them: import a catalog that names them (import --format catalog), collect or import ' +
        'subscriptions that name their ProductId:SkuId and import the sheet again, or add an override row by skuId\n';
    }
  }
  const result = await store.replacePrices(partnerId, source, prices);
  if (result.prices === 0) {
    text += `${source} prices of partner ${partnerId} cleared: ${file} holds none\n`;
  } else {
    text += `${source}: ${result.prices} price(s) stored for partner ${partnerId}, replacing the previous ${source} prices\n`;
  }
  text += `${describeStored(await store.listPrices(partnerId))}\n`;
  return text;
}

/** Every subscription of the partner, newest snapshot first. */
async function partnerSubscriptions(store: Store, partnerId: string): Promise<SubscriptionRecord[]> {
  const out: SubscriptionRecord[] = [];
  for (const snapshot of await store.listSnapshots(partnerId)) {
    out.push(...(await store.listSubscriptions(partnerId, snapshot.processedDate)));
  }
  return out;
}

/** The bundled catalog with the imported entries over it. */
async function mergedCatalog(store: Store): Promise<Map<string, CatalogSku>> {
  const catalog = new Map<string, CatalogSku>(skuCatalog().map((s) => [s.skuId, s]));
  for (const s of await store.catalog()) catalog.set(s.skuId, s);
  return catalog;
}

/** `prices stored: override 3 (EUR 2, USD 1), price-sheet 5 (USD 5)`. */
function describeStored(prices: readonly PriceRecord[]): string {
  if (prices.length === 0) return 'prices stored: none';
  const parts: string[] = [];
  for (const source of ['override', 'price-sheet'] as const) {
    const mine = prices.filter((p) => p.source === source);
    if (mine.length === 0) continue;
    const byCurrency = new Map<string, number>();
    for (const p of mine) byCurrency.set(p.currency, (byCurrency.get(p.currency) ?? 0) + 1);
    const currencies = [...byCurrency]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    parts.push(`${source} ${mine.length} (${currencies})`);
  }
  return `prices stored: ${parts.join(', ')}; an override wins over the price sheet for its skuId`;
}

/** `seatwise prices`: the partner's stored prices. */
export function registerPrices(program: Command): void {
  program
    .command('prices')
    .description('list the prices stored for the partner (import --format prices), overrides and price sheet')
    .option('--partner <guid>', 'partner tenant id; default: the demo partner')
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .option('--json', 'print JSON (every stored field) instead of a table')
    .action(async (opts) => {
      const partnerId = partnerOption(opts.partner);
      const prices = await withStore(resolveDbPath(opts.db), (store) => store.listPrices(partnerId));
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify(prices, null, 2)}\n`);
        return;
      }
      if (prices.length === 0) {
        process.stdout.write(
          `no prices stored for partner ${partnerId}; add them with seatwise import --format prices FILE\n`,
        );
        return;
      }
      const rows = prices.map((p) => ({
        skuId: p.skuId,
        source: p.source,
        title: p.title,
        offerId: p.offerId,
        currency: p.currency,
        unitPrice: p.unitPrice,
        billingPlan: p.billingPlan,
        term: p.termDuration,
        monthlyPrice: Number(p.monthlyPrice.toFixed(4)),
      }));
      process.stdout.write(renderTable(Object.keys(rows[0]!), rows, process.stdout.columns ?? 160));
      process.stdout.write(
        `${prices.length} price(s); ${describeStored(prices).replace(/^prices stored: /, '')}\n`,
      );
    });
}
