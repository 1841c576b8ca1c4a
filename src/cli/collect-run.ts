/**
 * One collection, as `seatwise collect` and the server's daily schedule (`serve --collect-at`) run
 * it: the flags turned into settings, then customers, subscribed SKUs and subscriptions read with
 * the SDK's client, mapped, and stored at the end in one transaction, or nothing stored.
 */
import cliProgress from 'cli-progress';
import { isIsoDay } from '../domain/dates.ts';
import { normalizeGuid } from '../domain/guid.ts';
import { type CollectResult, collectPartnerCenter } from '../ingest/collect/collect.ts';
import { openRawDir } from '../ingest/collect/raw-dir.ts';
import { type CollectSummary, missingCustomers } from '../ingest/collect/summary.ts';
import {
  commandTokenSource,
  staticTokenSource,
  type TokenSource,
  tokenCredentials,
} from '../ingest/collect/token-source.ts';
import { feedRowColumns } from '../ingest/row-files.ts';
import { buildPartnerCenterSnapshot } from '../ingest/sources/partner-center.ts';
import { countSubscriptions } from '../ingest/sources/subscriptions.ts';
import { createPartnerClient, type RetryOptions } from '../sdk/index.ts';
import type { Store } from '../store/store.ts';
import { CliError } from './cli-error.ts';
import { signedInTokens } from './commands/login.ts';
import { partnerOption, positiveInt } from './options.ts';
import { mappingOptions } from './source-options.ts';

/** Test hooks, deliberately not flags: retry delays in ms (`10,20,30`) and the per-attempt timeout. */
export const COLLECT_ENV = Object.freeze({
  retryDelaysMs: 'SEATWISE_COLLECT_RETRY_DELAYS_MS',
  timeoutMs: 'SEATWISE_COLLECT_TIMEOUT_MS',
});

export const PARTNER_CENTER_API = 'https://api.partnercenter.microsoft.com';

/** The collection flags, as `collect` and `serve` take them. */
export interface CollectFlags {
  readonly baseUrl: string;
  readonly tokenCommand?: string | undefined;
  readonly tokenEnv?: string | undefined;
  readonly credentials?: string | undefined;
  readonly clientSecretEnv?: string | undefined;
  readonly clientCertificate?: string | undefined;
  readonly concurrency: string;
  readonly saveRaw?: string | undefined;
  readonly allowPartial?: boolean | undefined;
  readonly partner?: string | undefined;
  readonly db?: string | undefined;
}

export interface CollectSettings {
  readonly partnerId: string;
  readonly baseUrl: string;
  readonly tokens: TokenSource;
  readonly concurrency: number;
  readonly allowPartial: boolean;
  readonly saveRaw: string | undefined;
}

/** Checks the flags and gets the token source (a stored sign-in is redeemed once here). */
export async function collectSettings(flags: CollectFlags): Promise<CollectSettings> {
  const concurrency = positiveInt('--concurrency', flags.concurrency);
  if (!/^https?:\/\/[^/]/i.test(flags.baseUrl))
    throw new CliError(`--base-url must be an http(s) URL, got '${flags.baseUrl}'`, 2);
  // Neither token option: the stored sign-in of `seatwise login` (docs/connect.md).
  const tokens =
    flags.tokenCommand === undefined && flags.tokenEnv === undefined
      ? await signedInTokens(flags)
      : tokenSource(flags.tokenCommand, flags.tokenEnv);
  return {
    partnerId: partnerOption(flags.partner),
    baseUrl: flags.baseUrl,
    tokens,
    concurrency,
    allowPartial: flags.allowPartial === true,
    saveRaw: flags.saveRaw,
  };
}

/** A collection that stored nothing; `summary` says what was read before it stopped. */
export class CollectFailed extends CliError {
  constructor(
    message: string,
    readonly summary: CollectSummary,
  ) {
    super(message);
  }
}

export interface CollectRunHooks {
  /** Runs `work` on the store; the store is needed only at the end, to map and store. */
  readonly withStore: <T>(work: (store: Store) => Promise<T>) => Promise<T>;
  /** Each mapping or storing problem, as `file:line: reason`. */
  readonly onProblem?: (line: string) => void;
  readonly progress?: boolean;
}

/** Collects one snapshot for `processedDate` and stores it, or throws CollectFailed. */
export async function runCollect(
  settings: CollectSettings,
  processedDate: string,
  hooks: CollectRunHooks,
): Promise<CollectSummary> {
  const started = performance.now();
  if (!isIsoDay(processedDate)) throw new CliError(`--date must be YYYY-MM-DD, got '${processedDate}'`, 2);
  const { partnerId, allowPartial } = settings;
  const env = envNumbers();
  const client = createPartnerClient({
    // The SDK's paths start with /v1; --base-url may or may not end with it.
    baseUrl: settings.baseUrl.replace(/\/+$/, '').replace(/\/v1$/i, ''),
    credentials: tokenCredentials(settings.tokens),
    // One MS-CorrelationId for the whole run.
    correlationId: crypto.randomUUID(),
    retry: {
      ...COLLECT_RETRY,
      ...(env.retryDelaysMs === undefined ? {} : { delaysMs: env.retryDelaysMs }),
    },
    ...(env.timeoutMs === undefined ? {} : { timeoutMs: env.timeoutMs }),
  });
  const raw = settings.saveRaw === undefined ? undefined : await openRawDir(settings.saveRaw);
  const progress = countProgress('customers', hooks.progress === true ? process.stderr : undefined);
  let result: CollectResult;
  try {
    result = await collectPartnerCenter({
      client,
      concurrency: settings.concurrency,
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
    throw new CollectFailed(error, { ...base, seconds: (performance.now() - started) / 1000 });
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

  const mapped = await hooks.withStore(async (store) => {
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
      for (const e of read.errors) hooks.onProblem?.(`${e.file}:${e.line}: ${e.reason}`);
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
      for (const e of outcome.errors) hooks.onProblem?.(`${e.file}:${e.line}: ${e.reason}`);
      return fail(`the responses could not be stored: ${outcome.errors.length} error(s), nothing written`);
    }
    return read;
  });
  return {
    ...base,
    written: true,
    rows: mapped.summary.rows,
    customers: mapped.summary.customers,
    products: mapped.summary.products,
    subscriptions: mapped.summary.subscriptions ?? countSubscriptions([], 0),
    excluded: mapped.summary.excluded,
    seconds: (performance.now() - started) / 1000,
  };
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
function countProgress(label: string, stream: NodeJS.WriteStream | undefined) {
  if (stream?.isTTY !== true) return { update: (_done: number, _total: number) => {}, stop: () => {} };
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
