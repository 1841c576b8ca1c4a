/**
 * `seatwise collect`: one snapshot pulled live from a Partner-Center-compatible API, written once,
 * at the end, in one transaction. The HTTP is the SDK's client (src/sdk/), the fetching order in
 * ingest/collect/, the mapping in ingest/sources/partner-center.ts; this file turns flags into
 * options and results into output.
 */
import type { Command } from '@commander-js/extra-typings';
import cliProgress from 'cli-progress';
import { resolveDbPath } from '../../config.ts';
import { isIsoDay, todayUtc } from '../../domain/dates.ts';
import { normalizeGuid } from '../../domain/guid.ts';
import { type CollectResult, collectPartnerCenter } from '../../ingest/collect/collect.ts';
import { openRawDir } from '../../ingest/collect/raw-dir.ts';
import { type CollectSummary, formatSummary, missingCustomers } from '../../ingest/collect/summary.ts';
import {
  commandTokenSource,
  staticTokenSource,
  type TokenSource,
  tokenCredentials,
} from '../../ingest/collect/token-source.ts';
import { feedRowColumns } from '../../ingest/row-files.ts';
import { buildPartnerCenterSnapshot } from '../../ingest/sources/partner-center.ts';
import { countSubscriptions } from '../../ingest/sources/subscriptions.ts';
import { createPartnerClient, type RetryOptions } from '../../sdk/index.ts';
import { CliError } from '../cli-error.ts';
import { partnerOption, positiveInt } from '../options.ts';
import { mappingOptions } from '../source-options.ts';
import { withStore } from '../with-store.ts';
import { signedInTokens } from './login.ts';

/** Test hooks, deliberately not flags: retry delays in ms (`10,20,30`) and the per-attempt timeout. */
export const COLLECT_ENV = Object.freeze({
  retryDelaysMs: 'SEATWISE_COLLECT_RETRY_DELAYS_MS',
  timeoutMs: 'SEATWISE_COLLECT_TIMEOUT_MS',
});

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
    .requiredOption(
      '--base-url <url>',
      'API root, e.g. https://api.partnercenter.microsoft.com (/v1 is added)',
    )
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
      const started = performance.now();
      const partnerId = partnerOption(opts.partner);
      const processedDate = opts.date ?? todayUtc();
      if (!isIsoDay(processedDate))
        throw new CliError(`--date must be YYYY-MM-DD, got '${processedDate}'`, 2);
      const concurrency = positiveInt('--concurrency', opts.concurrency);
      if (!/^https?:\/\/[^/]/i.test(opts.baseUrl))
        throw new CliError(`--base-url must be an http(s) URL, got '${opts.baseUrl}'`, 2);
      // Neither token option: the stored sign-in of `seatwise login` (docs/connect.md).
      const tokens =
        opts.tokenCommand === undefined && opts.tokenEnv === undefined
          ? await signedInTokens(opts)
          : tokenSource(opts.tokenCommand, opts.tokenEnv);
      const allowPartial = opts.allowPartial === true;
      const env = envNumbers();
      const client = createPartnerClient({
        // The SDK's paths start with /v1; --base-url may or may not end with it.
        baseUrl: opts.baseUrl.replace(/\/+$/, '').replace(/\/v1$/i, ''),
        credentials: tokenCredentials(tokens),
        // One MS-CorrelationId for the whole run.
        correlationId: crypto.randomUUID(),
        retry: {
          ...COLLECT_RETRY,
          ...(env.retryDelaysMs === undefined ? {} : { delaysMs: env.retryDelaysMs }),
        },
        ...(env.timeoutMs === undefined ? {} : { timeoutMs: env.timeoutMs }),
      });
      const raw = opts.saveRaw === undefined ? undefined : await openRawDir(opts.saveRaw);
      const progress = countProgress('customers');
      let result: CollectResult;
      try {
        result = await collectPartnerCenter({
          client,
          concurrency,
          failFast: !allowPartial,
          onProgress: progress.update,
          ...(raw === undefined
            ? {}
            : { onSubscribedSkus: raw.saveSubscribedSkus, onSubscriptions: raw.saveSubscriptions }),
        });
      } catch (err) {
        throw new CliError(
          `collect failed, nothing written: ${err instanceof Error ? err.message : String(err)}`,
        );
      } finally {
        progress.stop();
      }
      await raw?.saveCustomers(result.pages);

      const missing = missingCustomers(result.failures);
      const base: CollectSummary = {
        partnerId,
        processedDate,
        written: false,
        customersListed: result.customers.length,
        customersCollected: result.subscribedSkus.size,
        rows: 0,
        customers: 0,
        products: 0,
        subscriptions: countSubscriptions([], 0),
        excluded: [],
        missingCustomers: missing,
        skippedCustomers: result.skipped,
        requests: result.requests,
        retries: result.retries,
        rawDir: raw?.dir ?? null,
        seconds: 0,
      };
      const fail = (error: string): never => {
        const seconds = (performance.now() - started) / 1000;
        if (opts.json === true) process.stdout.write(`${JSON.stringify({ ...base, seconds, error })}\n`);
        throw new CliError(error);
      };
      if (missing.length > 0 && !allowPartial) {
        const names = missing.map((m) => `${m.tenantId} (${m.name}): ${m.error}`).join('; ');
        fail(
          `${missing.length} customer(s) could not be read after retries, nothing written ` +
            `(--allow-partial stores the rest): ${names}`,
        );
      }
      if (missing.length > 0 && missing.length === result.customers.length)
        fail(`no customer could be read, nothing written: ${missing[0]?.error ?? ''}`);

      const mapped = await withStore(resolveDbPath(opts.db), async (store) => {
        const read = buildPartnerCenterSnapshot(
          // Failed customers have no subscribedskus or subscriptions entry: no rows, no subscriptions.
          {
            customers: result.customers,
            subscribedSkus: result.subscribedSkus,
            subscriptions: result.subscriptions,
          },
          { ...(await mappingOptions(store, {}, { partnerId, processedDate })), source: 'collect' },
        );
        if (!read.ok) {
          for (const e of read.errors) process.stderr.write(`${e.file}:${e.line}: ${e.reason}\n`);
          return fail(`the responses could not be mapped: ${read.errors.length} error(s), nothing written`);
        }
        const request = {
          partnerId: read.load.partnerId,
          source: 'collect',
          dates: [processedDate],
          ...(allowPartial && missing.length > 0
            ? { missingCustomers: missing.map((m) => normalizeGuid(m.tenantId) ?? m.tenantId) }
            : {}),
          ...(read.load.subscriptions === undefined ? {} : { subscriptions: read.load.subscriptions }),
        };
        const outcome = await store.load(request, (sink) =>
          feedRowColumns(read.load.rows, 'collect', sink, read.load.origin),
        );
        if (!outcome.ok) {
          for (const e of outcome.errors) process.stderr.write(`${e.file}:${e.line}: ${e.reason}\n`);
          return fail(
            `the responses could not be stored: ${outcome.errors.length} error(s), nothing written`,
          );
        }
        return read;
      });
      const summary: CollectSummary = {
        ...base,
        written: true,
        rows: mapped.summary.rows,
        customers: mapped.summary.customers,
        products: mapped.summary.products,
        subscriptions: mapped.summary.subscriptions ?? countSubscriptions([], 0),
        excluded: mapped.summary.excluded,
        seconds: (performance.now() - started) / 1000,
      };
      process.stdout.write(opts.json === true ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    });
}

/** A run of thousands of calls is throttled more than once: up to 6 waits for `Retry-After` per call. */
const COLLECT_RETRY: RetryOptions = Object.freeze({ max429Retries: 6, maxRetryAfterSeconds: 120 });

function tokenSource(command: string | undefined, envVar: string | undefined): TokenSource {
  if ((command === undefined) === (envVar === undefined))
    throw new CliError('give exactly one of --token-command and --token-env', 2);
  if (command !== undefined) return commandTokenSource(command);
  const value = process.env[envVar ?? ''];
  if (value === undefined || value.trim() === '')
    throw new CliError(`--token-env: environment variable ${envVar} is not set`, 2);
  return staticTokenSource(value);
}

function envNumbers(): { retryDelaysMs?: number[]; timeoutMs?: number } {
  const delays = process.env[COLLECT_ENV.retryDelaysMs];
  const timeout = process.env[COLLECT_ENV.timeoutMs];
  const out: { retryDelaysMs?: number[]; timeoutMs?: number } = {};
  if (delays !== undefined && delays.trim() !== '') {
    const list = delays.split(',').map((d) => Number(d.trim()));
    if (list.some((d) => !Number.isFinite(d) || d < 0))
      throw new CliError(`${COLLECT_ENV.retryDelaysMs} must be comma-separated milliseconds`, 2);
    out.retryDelaysMs = list;
  }
  if (timeout !== undefined && timeout.trim() !== '') {
    const ms = Number(timeout);
    if (!Number.isFinite(ms) || ms <= 0)
      throw new CliError(`${COLLECT_ENV.timeoutMs} must be milliseconds`, 2);
    out.timeoutMs = ms;
  }
  return out;
}

/** A customers-done bar on an interactive stderr; silent in pipes, CI and tests. */
function countProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { update: (_done: number, _total: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream, format: `${label} [{bar}] {value}/{total}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let startedBar = false;
  return {
    update: (done: number, total: number) => {
      if (!startedBar) {
        bar.start(total, done);
        startedBar = true;
      } else bar.update(done);
    },
    stop: () => {
      if (startedBar) bar.stop();
    },
  };
}
