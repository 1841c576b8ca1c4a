import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import { generateDemo } from '../../ingest/demo.ts';
import { demoPrices, demoSubscriptions } from '../../ingest/demo-commerce.ts';
import { feedRowColumns } from '../../ingest/row-files.ts';
import type { Store } from '../../store/store.ts';
import { loaded } from '../load-errors.ts';
import { partnerOption, positiveInt } from '../options.ts';
import { withStore } from '../with-store.ts';

export interface DemoOptions {
  readonly partnerId: string;
  readonly customers: number;
  readonly days: number;
  readonly seed: number;
}

export const DEMO_DEFAULTS = Object.freeze({ customers: 500, days: 30, seed: 1 });

/**
 * Generates the demo dataset and replaces the demo partner's snapshots of those days, the latest
 * with subscriptions; gives the partner the demo's illustrative prices when it has none.
 */
export async function loadDemo(store: Store, options: DemoOptions): Promise<string> {
  const rows = generateDemo(options);
  const subscriptions = demoSubscriptions(rows, options.partnerId, options.seed);
  const result = loaded(
    await store.load({ partnerId: options.partnerId, source: 'demo', subscriptions }, (sink) =>
      feedRowColumns(rows, 'demo', sink),
    ),
    'demo',
  );
  let priced = '';
  if ((await store.listPrices(options.partnerId)).length === 0) {
    const { prices } = await store.replacePrices(options.partnerId, 'price-sheet', demoPrices());
    priced = `, ${prices} illustrative USD prices`;
  }
  const first = result.dates[0] ?? '-';
  const last = result.dates[result.dates.length - 1] ?? '-';
  return `demo data: ${result.rows} rows, ${options.customers} customers, ${result.dates.length} daily snapshots (${first} .. ${last}), ${subscriptions.length} subscriptions${priced} for partner ${options.partnerId}`;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('load a realistic, deterministic demo dataset into the store')
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .option('--partner <guid>', 'partner tenant id; default: the demo partner')
    .option('--customers <n>', 'number of customer tenants', String(DEMO_DEFAULTS.customers))
    .option('--days <n>', 'daily snapshots ending today (UTC)', String(DEMO_DEFAULTS.days))
    .option('--seed <n>', 'random seed; the same seed gives the same data', String(DEMO_DEFAULTS.seed))
    .action(async (opts) => {
      const options: DemoOptions = {
        partnerId: partnerOption(opts.partner),
        customers: positiveInt('--customers', opts.customers),
        days: positiveInt('--days', opts.days),
        seed: positiveInt('--seed', opts.seed, { allowZero: true }),
      };
      const report = await withStore(resolveDbPath(opts.db), (store) => loadDemo(store, options));
      process.stdout.write(`${report}\n`);
    });
}
