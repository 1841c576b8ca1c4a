import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import { normalizeGuid } from '../../domain/guid.ts';
import { CliError } from '../cli-error.ts';
import { renderTable } from '../formats.ts';
import { readAlertsFile } from '../serve-alerts.ts';
import { withStore } from '../with-store.ts';

export function registerAlerts(program: Command): void {
  const alerts = program.command('alerts').description('alert rules on seats, deployment, cost and renewals');
  alerts
    .command('test')
    .description('print what an alerts file would fire on the latest snapshot, sending and storing nothing')
    .requiredOption('--alerts <file>', 'the alerts file (JSON or YAML; see docs/alerts.md)')
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .option('--partner <guid>', "partner tenant id (default: the file's partnerId)")
    .option('--date <YYYY-MM-DD>', 'evaluate this snapshot instead of the latest')
    .option('--json', 'print JSON instead of a table')
    .option('--send', 'also deliver the alerts to the webhooks, marked as a test (stores nothing)')
    .action(async (opts) => {
      const config = await readAlertsFile(opts.alerts);
      let partnerId = config.partnerId;
      if (opts.partner !== undefined) {
        partnerId = normalizeGuid(opts.partner) ?? null;
        if (partnerId === null) throw new CliError(`--partner must be a GUID, got '${opts.partner}'`, 2);
      }
      if (partnerId === null)
        throw new CliError(`${config.source} names no partnerId: give --partner <guid>`, 2);
      if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date))
        throw new CliError(`--date must be a day YYYY-MM-DD, got '${opts.date}'`, 2);
      const pid = partnerId;
      const { previewAlerts } = await import('../../alerts/evaluator.ts');
      const preview = await withStore(resolveDbPath(opts.db), (store) =>
        previewAlerts(store, config, pid, opts.date),
      );
      const firingKeys = new Set(preview.firing.map((a) => a.key));

      let deliveries: { target: string; ok: boolean; attempts: number; error: string | null }[] = [];
      if (opts.send === true && preview.processedDate !== null) {
        const [{ webhookBody }, { deliver }] = await Promise.all([
          import('../../alerts/bodies.ts'),
          import('../../alerts/deliver.ts'),
        ]);
        const notice = {
          partnerId: pid,
          processedDate: preview.processedDate,
          alerts: preview.alerts,
          cleared: [],
          test: true,
        };
        deliveries = await Promise.all(
          config.webhooks.map((w) =>
            deliver(w, webhookBody(w.format, notice), config.delivery, {
              onRetry: (message) => process.stderr.write(`${message}\n`),
            }),
          ),
        );
      }

      if (opts.json) {
        process.stdout.write(
          `${JSON.stringify(
            {
              partnerId: pid,
              processedDate: preview.processedDate,
              alerts: preview.alerts.map((a) => ({ ...a, alreadyFired: !firingKeys.has(a.key) })),
              cleared: preview.cleared.map((c) => ({ key: c.key, message: c.message, firedAt: c.firedAt })),
              ...(opts.send === true ? { deliveries } : {}),
            },
            null,
            2,
          )}\n`,
        );
      } else if (preview.processedDate === null) {
        process.stdout.write(
          opts.date === undefined
            ? `no snapshots for partner ${pid}: nothing to evaluate\n`
            : `partner ${pid} has no snapshot of ${opts.date} (seatwise snapshots lists them)\n`,
        );
      } else {
        const n = preview.alerts.length;
        process.stdout.write(
          `${n} alert${n === 1 ? '' : 's'} on the snapshot of ${preview.processedDate} (partner ${pid}), ` +
            `${preview.firing.length} not yet sent by a server\n`,
        );
        if (n > 0) {
          const rows = preview.alerts.map((a) => ({
            rule: a.rule,
            customer: a.customerName,
            product: a.productName ?? '',
            message: a.message.startsWith(`${a.customerName}: `)
              ? a.message.slice(a.customerName.length + 2)
              : a.message,
            sent: firingKeys.has(a.key) ? 'no' : 'yes',
          }));
          process.stdout.write(
            renderTable(Object.keys(rows[0]!), rows, process.stdout.columns ?? Number.POSITIVE_INFINITY),
          );
        }
        for (const c of preview.cleared) process.stdout.write(`would clear: ${c.message}\n`);
        for (const d of deliveries) {
          process.stdout.write(
            d.ok
              ? `sent a test message to ${d.target}\n`
              : `could not send to ${d.target} after ${d.attempts} attempt(s): ${d.error}\n`,
          );
        }
      }
      const failed = deliveries.filter((d) => !d.ok).length;
      if (failed > 0) throw new CliError(`${failed} webhook(s) did not take the test message`, 1);
    });
}
