/**
 * The server's daily collection (`serve --collect-at HH:MM`): runs a collection on a croner
 * schedule, one at a time, retries a failed one with growing delays while the next scheduled run
 * is still ahead, and keeps the recent runs for `GET /seatwise/v1/status`. What a run does is the
 * caller's (`run`); the store keeps answering from the previous snapshot meanwhile, because a run
 * writes its snapshot in one transaction at its end.
 */
import { Cron } from 'croner';

/** What a finished run stored. */
export interface CollectionResult {
  readonly processedDate: string;
  readonly customers: number;
  /** Customers whose data could not be read (only with --allow-partial; else the run fails). */
  readonly missingCustomers: number;
}

export interface CollectionRun {
  /** 1 for the scheduled run, 2… for its retries. */
  readonly attempt: number;
  readonly trigger: 'schedule' | 'retry';
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly outcome: 'running' | 'stored' | 'failed';
  readonly processedDate: string | null;
  readonly customers: number | null;
  readonly missingCustomers: number | null;
  readonly error: string | null;
}

export interface CollectionStatus {
  readonly schedule: { readonly pattern: string; readonly timezone: string; readonly description: string };
  readonly running: boolean;
  readonly nextRun: string | null;
  /** A retry waiting for its time, if the last run failed. */
  readonly nextRetry: string | null;
  /** The most recent first. */
  readonly runs: readonly CollectionRun[];
}

export interface CollectionScheduleOptions {
  /** A croner pattern: `M H * * *` for a daily time, or with seconds. */
  readonly pattern: string;
  readonly timezone: string;
  /** How the schedule reads in the status (e.g. `daily at 02:30 Europe/Paris`). */
  readonly description: string;
  readonly run: (signal: AbortSignal) => Promise<CollectionResult>;
  /** Delays before the 1st, 2nd… retry of a failed run. */
  readonly retryDelaysMs?: readonly number[];
  /** Runs kept for the status. */
  readonly keep?: number;
  readonly log?: { info(message: string): void; warn(message: string): void };
  /** Keeps each finished run (the store's `recordCollectionRun`); a failure is logged, not thrown. */
  readonly record?: (run: CollectionRun) => Promise<void>;
}

/** 5 min, 15 min, 30 min, then hourly, 2-hourly…: at most a day's worth before the next run. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze(
  [5, 15, 30, 60, 120, 240, 480].map((m) => m * 60_000),
);

/** The croner pattern of a daily `HH:MM`, or undefined when `text` is not one. */
export function dailyPattern(text: string): string | undefined {
  const m = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(text);
  return m === null ? undefined : `${Number(m[2])} ${Number(m[1])} * * *`;
}

/** Whether croner reads `pattern` (five fields, or six with seconds first). */
export function isCronPattern(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

/** Whether `zone` is a time zone this runtime knows (`Europe/Paris`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export class CollectionSchedule {
  readonly #options: CollectionScheduleOptions;
  readonly #delays: readonly number[];
  readonly #keep: number;
  readonly #runs: CollectionRun[] = [];
  #cron: Cron | undefined;
  #current: Promise<void> | undefined;
  #abort = new AbortController();
  #retry: { timer: NodeJS.Timeout; at: Date } | undefined;
  #stopped = false;

  constructor(options: CollectionScheduleOptions) {
    this.#options = options;
    this.#delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#keep = options.keep ?? 20;
  }

  start(): void {
    if (this.#cron !== undefined || this.#stopped) return;
    this.#cron = new Cron(this.#options.pattern, { timezone: this.#options.timezone }, () => {
      this.#begin('schedule', 1);
    });
  }

  /** Stops the schedule and any waiting retry, aborts a run in progress and waits for it to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cron?.stop();
    this.#clearRetry();
    this.#abort.abort(new Error('the server is shutting down'));
    await this.#current;
  }

  status(): CollectionStatus {
    const next = this.#stopped ? null : (this.#cron?.nextRun() ?? null);
    return {
      schedule: {
        pattern: this.#options.pattern,
        timezone: this.#options.timezone,
        description: this.#options.description,
      },
      running: this.#current !== undefined,
      nextRun: next === null ? null : next.toISOString(),
      nextRetry: this.#retry === undefined ? null : this.#retry.at.toISOString(),
      runs: [...this.#runs].reverse(),
    };
  }

  /** Starts a run unless one is in progress (then this tick is skipped, and logged). */
  #begin(trigger: CollectionRun['trigger'], attempt: number): void {
    if (this.#stopped) return;
    if (this.#current !== undefined) {
      this.#options.log?.warn(`scheduled collection skipped: the previous run is still in progress`);
      return;
    }
    // A scheduled run replaces a retry still waiting from the day before.
    this.#clearRetry();
    const index = this.#runs.push({
      attempt,
      trigger,
      startedAt: new Date().toISOString(),
      endedAt: null,
      outcome: 'running',
      processedDate: null,
      customers: null,
      missingCustomers: null,
      error: null,
    });
    const started = this.#runs[index - 1]!;
    this.#options.log?.info(`collection started (attempt ${attempt})`);
    this.#current = this.#options
      .run(this.#abort.signal)
      .then(
        (result) => {
          this.#finish(started, {
            outcome: 'stored',
            processedDate: result.processedDate,
            customers: result.customers,
            missingCustomers: result.missingCustomers,
          });
          this.#options.log?.info(
            `collection stored ${result.processedDate}: ${result.customers} customers, ${result.missingCustomers} missing`,
          );
        },
        (err: unknown) => {
          const error = err instanceof Error ? err.message : String(err);
          this.#finish(started, { outcome: 'failed', error });
          this.#scheduleRetry(attempt, error);
        },
      )
      .finally(() => {
        this.#current = undefined;
      });
  }

  #finish(run: CollectionRun, change: Partial<CollectionRun>): void {
    const i = this.#runs.indexOf(run);
    const finished: CollectionRun = { ...run, ...change, endedAt: new Date().toISOString() };
    if (i >= 0) this.#runs[i] = finished;
    while (this.#runs.length > this.#keep) this.#runs.shift();
    this.#options.record?.(finished).catch((err: unknown) => {
      this.#options.log?.warn(
        `collection run not recorded in the store: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
  }

  #scheduleRetry(attempt: number, error: string): void {
    const delay = this.#delays[attempt - 1];
    const next = this.#cron?.nextRun() ?? null;
    const at = delay === undefined ? undefined : new Date(Date.now() + delay);
    if (this.#stopped || at === undefined || (next !== null && at >= next)) {
      this.#options.log?.warn(
        `collection failed (attempt ${attempt}), no retry before the next run: ${error}`,
      );
      return;
    }
    this.#options.log?.warn(
      `collection failed (attempt ${attempt}), retrying at ${at.toISOString()}: ${error}`,
    );
    const timer = setTimeout(() => {
      this.#retry = undefined;
      this.#begin('retry', attempt + 1);
    }, delay);
    this.#retry = { timer, at };
  }

  #clearRetry(): void {
    if (this.#retry !== undefined) clearTimeout(this.#retry.timer);
    this.#retry = undefined;
  }
}
