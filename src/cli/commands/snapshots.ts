import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import { normalizeGuid } from '../../domain/guid.ts';
import { SnapshotService } from '../../service/snapshot-service.ts';
import { CliError } from '../cli-error.ts';
import { renderTable } from '../formats.ts';
import { partnerOption, positiveInt } from '../options.ts';
import { withStore } from '../with-store.ts';

/** Collection runs `seatwise snapshots` shows. */
const RUNS_SHOWN = 20;

export function registerSnapshots(program: Command): void {
  program
    .command('snapshots')
    .description("list a partner's processed dates with row, customer and product counts and completeness")
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .option('--partner <guid>', 'partner tenant id; default: the demo partner')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts) => {
      const partnerId = partnerOption(opts.partner);
      const [list, runs] = await withStore(resolveDbPath(opts.db), (store) =>
        Promise.all([
          new SnapshotService(store).list(partnerId),
          store.listCollectionRuns(partnerId, RUNS_SHOWN),
        ]),
      );
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      const width = process.stdout.columns ?? 120;
      if (runs.length > 0) {
        process.stdout.write(`Daily collection runs (serve --collect-at), newest first:\n`);
        const shown = runs.map((r) => ({
          processedDate: r.processedDate,
          startedAt: r.startedAt.replace('T', ' ').slice(0, 19),
          attempt: r.attempt,
          outcome: r.outcome,
          customers: r.customers ?? '',
          missing: r.missingCustomers ?? '',
          error: r.error === null ? '' : r.error.length > 80 ? `${r.error.slice(0, 79)}…` : r.error,
        }));
        process.stdout.write(`${renderTable(Object.keys(shown[0]!), shown, width)}\n`);
      }
      if (list.length === 0) {
        process.stdout.write(`no snapshots for partner ${partnerId}\n`);
        return;
      }
      // The last run for each date, where the server's collection made or tried it.
      const lastRun = new Map<string, string>();
      for (const r of runs) if (!lastRun.has(r.processedDate)) lastRun.set(r.processedDate, r.outcome);
      const rows = list.map((s) => ({
        processedDate: s.processedDate,
        rows: s.rows,
        customers: s.customers,
        products: s.products,
        complete: s.missingCustomers.length === 0 ? 'yes' : `no: ${s.missingCustomers.length} missing`,
        source: s.source,
        importedAt: s.importedAt.replace('T', ' ').slice(0, 19),
        ...(runs.length === 0 ? {} : { lastRun: lastRun.get(s.processedDate) ?? '' }),
      }));
      process.stdout.write(renderTable(Object.keys(rows[0]!), rows, width));
      for (const s of list.filter((x) => x.missingCustomers.length > 0)) {
        process.stdout.write(`${s.processedDate} is missing customers: ${s.missingCustomers.join(', ')}\n`);
      }
    });

  program
    .command('prune')
    .description('remove snapshots older than the last N days (UTC), for one partner or all')
    .requiredOption('--keep-days <n>', 'days to keep, counting today')
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .option('--partner <guid>', 'only this partner (default: every partner)')
    .action(async (opts) => {
      const keepDays = positiveInt('--keep-days', opts.keepDays);
      let partnerId: string | undefined;
      if (opts.partner !== undefined) {
        partnerId = normalizeGuid(opts.partner);
        if (partnerId === undefined) throw new CliError(`--partner must be a GUID, got '${opts.partner}'`, 2);
      }
      const result = await withStore(resolveDbPath(opts.db), (store) =>
        new SnapshotService(store).prune({ keepDays, ...(partnerId ? { partnerId } : {}) }),
      );
      process.stdout.write(
        `removed ${result.snapshots} snapshot(s), ${result.rows} rows, dated before ${result.before}\n`,
      );
    });
}
