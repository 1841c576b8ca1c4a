import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import { isIsoDay } from '../../domain/dates.ts';
import { CliError } from '../cli-error.ts';
import { renderTable } from '../formats.ts';
import { partnerOption } from '../options.ts';
import { withStore } from '../with-store.ts';

/** `seatwise subscriptions`: the Partner Center subscriptions stored with one snapshot. */
export function registerSubscriptions(program: Command): void {
  program
    .command('subscriptions')
    .description(
      'list the Partner Center subscriptions stored with a snapshot (collect, import --format partner-center) and the product each was matched to',
    )
    .option('--date <day>', 'processed date YYYY-MM-DD (default: the latest snapshot)')
    .option('--partner <guid>', 'partner tenant id; default: the demo partner')
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .option('--json', 'print JSON (every stored field) instead of a table')
    .action(async (opts) => {
      const partnerId = partnerOption(opts.partner);
      if (opts.date !== undefined && !isIsoDay(opts.date))
        throw new CliError(`--date must be YYYY-MM-DD, got '${opts.date}'`, 2);
      const found = await withStore(resolveDbPath(opts.db), async (store) => {
        const date = opts.date ?? (await store.latestSnapshot(partnerId));
        return date === null ? undefined : { date, list: await store.listSubscriptions(partnerId, date) };
      });
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify(found?.list ?? [], null, 2)}\n`);
        return;
      }
      if (found === undefined) {
        process.stdout.write(`no snapshots for partner ${partnerId}\n`);
        return;
      }
      if (found.list.length === 0) {
        process.stdout.write(
          `no subscriptions stored with the snapshot ${found.date} of partner ${partnerId}\n`,
        );
        return;
      }
      const rows = found.list.map((s) => ({
        customerTenantId: s.customerTenantId,
        subscriptionId: s.subscriptionId,
        offerName: s.offerName,
        quantity: s.quantity,
        status: s.status,
        term: [s.termDuration, s.billingCycle].filter((x) => x !== '').join(' '),
        commitmentEnd: s.commitmentEndDate ?? '',
        autoRenew: s.autoRenewEnabled === null ? '' : s.autoRenewEnabled ? 'yes' : 'no',
        productId: s.productId ?? '',
        match: s.match,
      }));
      process.stdout.write(renderTable(Object.keys(rows[0]!), rows, process.stdout.columns ?? 160));
      process.stdout.write(`${found.list.length} subscription(s), snapshot ${found.date}\n`);
    });
}
