/**
 * The server's alerts (`serve --alerts FILE`; docs/alerts.md): every `checkEverySeconds` it looks
 * at the partner's newest snapshot, and when that changed (another processed date, or the same one
 * imported again) it evaluates the rules on it, delivers the alerts that fire to every webhook and
 * stores what fired, so that an alert is sent once until it clears. It runs beside the API, one
 * evaluation at a time, and never fails the server: errors are logged and the next check tries again.
 */
import type { SnapshotInfo, Store } from '../store/store.ts';
import { type Notice, webhookBody } from './bodies.ts';
import type { AlertsConfig } from './config.ts';
import { type DeliveryOutcome, deliver } from './deliver.ts';
import { type Alert, evaluateRules, type FiredAlert, stateOf, transition } from './evaluate.ts';
import { gatherInputs } from './inputs.ts';

export interface AlertsLog {
  info(message: string): void;
  warn(message: string): void;
}

/** What the rules say about a snapshot, before anything is sent or stored. */
export interface AlertPreview {
  /** The snapshot read; null when the partner has none (or none of the date asked for). */
  readonly processedDate: string | null;
  /** Every alert whose condition holds. */
  readonly alerts: readonly Alert[];
  /** Of those, the ones not stored as fired: a server would send them. */
  readonly firing: readonly Alert[];
  /** Stored as fired and no longer holding: a server would clear them. */
  readonly cleared: readonly FiredAlert[];
}

/** Evaluates the rules on the partner's latest snapshot (or the one given) without sending or storing. */
export async function previewAlerts(
  store: Store,
  config: AlertsConfig,
  partnerId: string,
  processedDate?: string,
): Promise<AlertPreview> {
  const date =
    processedDate === undefined
      ? await store.latestSnapshot(partnerId)
      : (await store.listSnapshots(partnerId)).some((s) => s.processedDate === processedDate)
        ? processedDate
        : null;
  if (date === null) return { processedDate: null, alerts: [], firing: [], cleared: [] };
  const inputs = await gatherInputs(store, partnerId, date, config.rules);
  const alerts = evaluateRules(config, inputs);
  const { firing, cleared } = transition(alerts, await store.listAlertStates(partnerId));
  return { processedDate: date, alerts, firing, cleared };
}

/** One evaluation of the server's, as the status and the logs tell it. */
export interface Evaluation {
  readonly processedDate: string;
  readonly importedAt: string;
  readonly evaluatedAt: string;
  /** Alerts holding on the snapshot. */
  readonly holding: number;
  /** Alerts that fired (delivered now). */
  readonly fired: number;
  readonly cleared: number;
  readonly deliveries: readonly DeliveryOutcome[];
}

export interface AlertsStatus {
  readonly partnerId: string;
  readonly source: string;
  readonly checkEverySeconds: number;
  readonly evaluations: number;
  readonly lastEvaluation: Evaluation | null;
  readonly lastError: string | null;
}

export interface AlertEvaluatorOptions {
  readonly store: Store;
  readonly config: AlertsConfig;
  readonly partnerId: string;
  readonly log: AlertsLog;
  readonly now?: () => Date;
}

export class AlertEvaluator {
  readonly #store: Store;
  readonly #config: AlertsConfig;
  readonly #partnerId: string;
  readonly #log: AlertsLog;
  readonly #now: () => Date;
  readonly #stop = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #seen: string | undefined;
  #evaluations = 0;
  #last: Evaluation | null = null;
  #lastError: string | null = null;

  constructor(options: AlertEvaluatorOptions) {
    this.#store = options.store;
    this.#config = options.config;
    this.#partnerId = options.partnerId;
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
  }

  /** Checks now, then every `checkEverySeconds`. */
  start(): void {
    if (this.#stop.signal.aborted || this.#timer !== undefined || this.#running !== undefined) return;
    this.#log.info(
      `alerts: ${this.#config.rules.length} rule(s) from ${this.#config.source} for partner ${this.#partnerId}, ` +
        `${this.#config.webhooks.length} webhook(s); checking for new snapshots every ${this.#config.checkEveryMs / 1000} s`,
    );
    this.#schedule(0);
  }

  /** Stops checking; a delivery in progress is abandoned (what it fired is not stored). */
  async stop(): Promise<void> {
    this.#stop.abort();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  status(): AlertsStatus {
    return {
      partnerId: this.#partnerId,
      source: this.#config.source,
      checkEverySeconds: this.#config.checkEveryMs / 1000,
      evaluations: this.#evaluations,
      lastEvaluation: this.#last,
      lastError: this.#lastError,
    };
  }

  /**
   * Looks at the newest snapshot and evaluates it when it changed since the last evaluation.
   * Returns the evaluation, or null when there was nothing new. Rejects on a store error.
   */
  async check(): Promise<Evaluation | null> {
    const snapshots = await this.#store.listSnapshots(this.#partnerId);
    const newest = newestOf(snapshots);
    if (newest === undefined) return null;
    // The import time is kept to the second: the counts tell apart most replacements within one.
    const seen = `${newest.processedDate}@${newest.importedAt}#${newest.rows}/${newest.customers}/${newest.products}`;
    if (seen === this.#seen) return null;
    const evaluation = await this.#evaluate(newest);
    // Abandoned by a stop: not seen, so that a restart evaluates it again.
    if (evaluation !== null) this.#seen = seen;
    return evaluation;
  }

  #schedule(delayMs: number): void {
    if (this.#stop.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.check()
        .then(
          () => {
            this.#lastError = null;
          },
          (err: unknown) => {
            const message = err instanceof Error ? err.message : String(err);
            if (message !== this.#lastError) this.#log.warn(`alerts: evaluation failed: ${message}`);
            this.#lastError = message;
          },
        )
        .finally(() => {
          this.#running = undefined;
          this.#schedule(this.#config.checkEveryMs);
        });
    }, delayMs);
    // A pending check never keeps the process alive.
    this.#timer.unref();
  }

  async #evaluate(snapshot: SnapshotInfo): Promise<Evaluation | null> {
    const { processedDate, importedAt } = snapshot;
    const inputs = await gatherInputs(this.#store, this.#partnerId, processedDate, this.#config.rules);
    const alerts = evaluateRules(this.#config, inputs);
    const stored = await this.#store.listAlertStates(this.#partnerId);
    const { firing, cleared } = transition(alerts, stored);
    const notify = firing.length > 0 || (this.#config.notifyCleared && cleared.length > 0);
    let deliveries: DeliveryOutcome[] = [];
    if (notify) {
      const notice: Notice = { partnerId: this.#partnerId, processedDate, alerts: firing, cleared };
      deliveries = await Promise.all(
        this.#config.webhooks.map((webhook) =>
          deliver(webhook, webhookBody(webhook.format, notice), this.#config.delivery, {
            signal: this.#stop.signal,
            onRetry: (message) => this.#log.warn(`alerts: ${message}`),
          }),
        ),
      );
      if (this.#stop.signal.aborted) return null;
      for (const d of deliveries) {
        if (d.ok) this.#log.info(`alerts: delivered to ${d.target} (${d.attempts} attempt(s))`);
        else
          this.#log.warn(`alerts: delivery to ${d.target} failed after ${d.attempts} attempt(s): ${d.error}`);
      }
    }
    // Fired alerts are stored once a webhook took them; when every webhook failed they fire again
    // on the next evaluation. Cleared ones are forgotten either way.
    const delivered = firing.length > 0 && deliveries.some((d) => d.ok);
    const firedAt = this.#now().toISOString();
    const set = delivered ? firing.map((a) => stateOf(a, processedDate, firedAt)) : [];
    if (set.length > 0 || cleared.length > 0) {
      await this.#store.saveAlertStates(
        this.#partnerId,
        set,
        cleared.map((c) => c.key),
      );
    }
    const evaluation: Evaluation = {
      processedDate,
      importedAt,
      evaluatedAt: firedAt,
      holding: alerts.length,
      fired: set.length,
      cleared: cleared.length,
      deliveries,
    };
    this.#evaluations++;
    this.#last = evaluation;
    this.#log.info(
      `alerts: evaluated the snapshot of ${processedDate} (imported ${importedAt}): ${alerts.length} holding, ` +
        `${firing.length} new, ${cleared.length} cleared${firing.length > 0 && !delivered ? ' (not delivered: they fire again on the next snapshot)' : ''}`,
    );
    return evaluation;
  }
}

/** The newest snapshot: the latest processed date (the store lists them newest first). */
function newestOf(snapshots: readonly SnapshotInfo[]): SnapshotInfo | undefined {
  let newest: SnapshotInfo | undefined;
  for (const s of snapshots) if (newest === undefined || s.processedDate > newest.processedDate) newest = s;
  return newest;
}
