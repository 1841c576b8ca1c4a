/**
 * `serve --collect-at HH:MM`: the daily collection the server runs, with the same options as
 * `seatwise collect` (collect-run.ts). The flags are checked, and a stored sign-in redeemed once,
 * before the server starts, so a mistake stops `serve` at once rather than at the first run.
 */
import { join } from 'node:path';
import { todayUtc } from '../domain/dates.ts';
import type { ServerCollection } from '../main.ts';
import { CliError } from './cli-error.ts';
import { type CollectFlags, collectSettings, runCollect } from './collect-run.ts';

export interface ServeCollectFlags extends CollectFlags {
  readonly collectAt?: string | undefined;
  readonly collectTz?: string | undefined;
  readonly collectCron?: string | undefined;
}

/** Test hook, deliberately not a flag: the schedule's retry delays in ms (`200,400`). */
export const SCHEDULE_RETRY_ENV = 'SEATWISE_SCHEDULE_RETRY_DELAYS_MS';

/** Flags that only mean something with a schedule, as commander names them. */
const COLLECTION_ONLY = [
  ['tokenCommand', '--token-command'],
  ['tokenEnv', '--token-env'],
  ['credentials', '--credentials'],
  ['clientSecretEnv', '--client-secret-env'],
  ['clientCertificate', '--client-certificate'],
  ['allowPartial', '--allow-partial'],
  ['saveRaw', '--save-raw'],
  ['partner', '--partner'],
  ['collectTz', '--collect-tz'],
] as const;

/** The server's collection, or undefined when no schedule is asked for. */
export async function serverCollection(flags: ServeCollectFlags): Promise<ServerCollection | undefined> {
  const { dailyPattern, isCronPattern, isTimeZone, CollectionSchedule } = await import(
    '../service/collection-schedule.ts'
  );
  if (flags.collectAt === undefined && flags.collectCron === undefined) {
    const stray = COLLECTION_ONLY.find(([key]) => flags[key] !== undefined);
    if (stray !== undefined)
      throw new CliError(`${stray[1]} configures the daily collection: give --collect-at HH:MM too`, 2);
    return undefined;
  }
  if (flags.collectAt !== undefined && flags.collectCron !== undefined)
    throw new CliError('give one of --collect-at and --collect-cron', 2);
  const timezone = flags.collectTz ?? 'UTC';
  if (!isTimeZone(timezone))
    throw new CliError(`--collect-tz must be a time zone such as UTC or Europe/Paris, got '${timezone}'`, 2);
  let pattern: string;
  let description: string;
  if (flags.collectAt !== undefined) {
    const daily = dailyPattern(flags.collectAt);
    if (daily === undefined)
      throw new CliError(`--collect-at must be a time HH:MM (24-hour), got '${flags.collectAt}'`, 2);
    pattern = daily;
    description = `daily at ${flags.collectAt} ${timezone}`;
  } else {
    pattern = flags.collectCron!;
    if (!isCronPattern(pattern))
      throw new CliError(`--collect-cron must be a cron pattern such as '30 2 * * *', got '${pattern}'`, 2);
    description = `cron '${pattern}' ${timezone}`;
  }
  const settings = await collectSettings(flags);
  const retryDelaysMs = retryDelays();
  return {
    partnerId: settings.partnerId,
    create: (store, log) =>
      new CollectionSchedule({
        pattern,
        timezone,
        description,
        log,
        ...(retryDelaysMs === undefined ? {} : { retryDelaysMs }),
        record: (run) =>
          store.recordCollectionRun(settings.partnerId, {
            // A failed run collected for the UTC day it started on.
            processedDate: run.processedDate ?? run.startedAt.slice(0, 10),
            attempt: run.attempt,
            trigger: run.trigger,
            startedAt: run.startedAt,
            endedAt: run.endedAt ?? new Date().toISOString(),
            outcome: run.outcome === 'stored' ? 'stored' : 'failed',
            customers: run.customers,
            missingCustomers: run.missingCustomers,
            error: run.error,
          }),
        run: async (signal) => {
          // The day in UTC when the run starts, as Partner Center dates its data.
          const day = todayUtc();
          const saveRaw = settings.saveRaw === undefined ? undefined : join(settings.saveRaw, day);
          const run = runCollect({ ...settings, saveRaw }, day, {
            withStore: (work) => work(store),
            onProblem: (line) => log.warn(`collection: ${line}`),
          });
          // On shutdown the run is abandoned: it stores nothing, the store closing under it.
          const aborted = new Promise<never>((_, reject) => {
            if (signal.aborted) reject(signal.reason);
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          });
          run.catch(() => undefined);
          const summary = await Promise.race([run, aborted]);
          return {
            processedDate: summary.processedDate,
            customers: summary.customers,
            missingCustomers: summary.missingCustomers.length,
          };
        },
      }),
  };
}

function retryDelays(): number[] | undefined {
  const text = process.env[SCHEDULE_RETRY_ENV];
  if (text === undefined || text.trim() === '') return undefined;
  const list = text.split(',').map((d) => Number(d.trim()));
  if (list.some((d) => !Number.isFinite(d) || d < 0))
    throw new CliError(`${SCHEDULE_RETRY_ENV} must be comma-separated milliseconds`, 2);
  return list;
}
