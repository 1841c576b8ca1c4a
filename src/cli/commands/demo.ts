import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import { rowCount } from '../../domain/row.ts';
import { generateDemo } from '../../ingest/demo.ts';
import type { Store } from '../../store/store.ts';
import { openCliStore } from '../open-store.ts';
import { partnerOption, positiveInt } from '../options.ts';

export interface DemoOptions {
  readonly partnerId: string;
  readonly customers: number;
  readonly days: number;
  readonly seed: number;
}

export const DEMO_DEFAULTS = Object.freeze({ customers: 500, days: 30, seed: 1 });

/** Generates the demo dataset and replaces the demo partner's snapshots of those days. */
export async function loadDemo(store: Store, options: DemoOptions): Promise<string> {
  const rows = generateDemo(options);
  const result = await store.replaceSnapshots([{ partnerId: options.partnerId, rows }]);
  const first = result.dates[0] ?? '-';
  const last = result.dates[result.dates.length - 1] ?? '-';
  return `demo data: ${rowCount(rows)} rows, ${options.customers} customers, ${result.dates.length} daily snapshots (${first} .. ${last}) for partner ${options.partnerId}`;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('load a realistic, deterministic demo dataset into the store')
    .option('--db <path>', 'database file (default ./data/seatwise.duckdb or $SEATWISE_DB)')
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
      const store = await openCliStore(resolveDbPath(opts.db));
      try {
        process.stdout.write(`${await loadDemo(store, options)}\n`);
      } finally {
        await store.close();
      }
    });
}
