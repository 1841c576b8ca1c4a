/**
 * `seatwise collect`: one snapshot pulled live from a Partner-Center-compatible API, written once,
 * at the end, in one transaction. The HTTP is the SDK's client (src/sdk/), the fetching order in
 * ingest/collect/, the mapping in ingest/sources/partner-center.ts, the run in ../collect-run.ts
 * (shared with the server's daily schedule); this file turns flags into options and results into
 * output.
 */
import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import { todayUtc } from '../../domain/dates.ts';
import { formatSummary } from '../../ingest/collect/summary.ts';
import { CollectFailed, collectSettings, PARTNER_CENTER_API, runCollect } from '../collect-run.ts';
import { withStore } from '../with-store.ts';

export { COLLECT_ENV } from '../collect-run.ts';

const JSON_HELP = `
With --json, stdout is one JSON object (also when the run fails, then with "written": false):
  partnerId, processedDate     the snapshot (partner GUID, YYYY-MM-DD)
  written                      whether the store was changed
  customersListed              customers GET /v1/customers returned
  customersCollected           customers whose subscribed SKUs and subscriptions were read
  rows, customers, products    what was stored
  subscriptions                {subscriptions, customers, byMatch: {exact, name, catalog, none}}
                               subscriptions stored and how each was matched to a product
  excluded                     [{reason, count, examples}] SKUs left out (free/trial, company-wide, no paid seats)
  missingCustomers             [{customerId, tenantId, name, error}] customers whose subscribedskus or
                               subscriptions call failed after retries
  skippedCustomers             customers not asked for after the first failure (without --allow-partial)
  requests, retries            HTTP requests made, and how many were retries
  rawDir                       the --save-raw directory or null
  seconds                      wall time
  error                        why nothing was written (only when written is false)

Without --allow-partial a customer that still fails after retries fails the run: nothing is
written and the exit code is 1. With it, the others are stored and the snapshot records which
customers are missing.`;

export function registerCollect(program: Command): void {
  program
    .command('collect')
    .description(
      'pull one snapshot live from a Partner-Center-compatible API (customers, then their subscribed SKUs and subscriptions) and store it at the end, all or nothing',
    )
    .option('--base-url <url>', 'API root (/v1 is added)', PARTNER_CENTER_API)
    .option(
      '--token-command <cmd>',
      'shell command printing a bearer token; run again before it expires and after a 401',
    )
    .option('--token-env <var>', 'environment variable holding a bearer token')
    .option('--credentials <file>', 'no --token-*: use this `seatwise login` file (default: beside --db)')
    .option('--client-secret-env <var>', 'stored sign-in: redeem as a confidential app, secret in VAR')
    .option('--client-certificate <pem>', 'stored sign-in: redeem with this certificate and its key')
    .option('--concurrency <n>', 'customers read at once (subscribedskus, then subscriptions)', '8')
    .option('--date <day>', 'processed date YYYY-MM-DD of the snapshot (default: today, UTC)')
    .option(
      '--save-raw <dir>',
      'also save the responses (customers.json, subscribedskus/<id>.json, subscriptions/<id>.json) for `import --format partner-center`',
    )
    .option('--allow-partial', 'store the customers that could be read and record the ones that could not')
    .option('--partner <guid>', 'partner tenant id the rows belong to; default: the demo partner')
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .option('--json', 'print one JSON summary object instead of text (fields below)')
    .addHelpText('after', JSON_HELP)
    .action(async (opts) => {
      const settings = await collectSettings(opts);
      const db = resolveDbPath(opts.db);
      let summary: Awaited<ReturnType<typeof runCollect>>;
      try {
        summary = await runCollect(settings, opts.date ?? todayUtc(), {
          withStore: (work) => withStore(db, work),
          onProblem: (line) => process.stderr.write(`${line}\n`),
          progress: true,
        });
      } catch (err) {
        if (err instanceof CollectFailed && opts.json === true)
          process.stdout.write(`${JSON.stringify({ ...err.summary, error: err.message })}\n`);
        throw err;
      }
      process.stdout.write(opts.json === true ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    });
}
