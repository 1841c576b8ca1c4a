/**
 * `serve --alerts FILE`: the alerts the server evaluates after every new snapshot (src/alerts/,
 * docs/alerts.md). The file is read and checked before the server starts, so a mistake in it stops
 * `serve` with its message before the port is taken; the evaluator starts once the server listens.
 */
import type { AlertsConfig } from '../alerts/config.ts';
import type { AlertEvaluator, AlertsLog } from '../alerts/evaluator.ts';
import type { Store } from '../store/store.ts';
import { CliError } from './cli-error.ts';

export interface ServerAlerts {
  readonly partnerId: string;
  readonly config: AlertsConfig;
  /** Makes the evaluator once the store is open (`start()` it when the server listens). */
  create(store: Store, log: AlertsLog): Promise<AlertEvaluator>;
}

/**
 * The server's alerts, or undefined without `--alerts`. `knownPartner` is the partner the server
 * otherwise works for (its daily collection's, or the demo partner with `--demo`), used when the
 * file names none.
 */
export async function serverAlerts(
  file: string | undefined,
  knownPartner: string | undefined,
): Promise<ServerAlerts | undefined> {
  if (file === undefined) return undefined;
  const config = await readAlertsFile(file);
  const partnerId = config.partnerId ?? knownPartner;
  if (partnerId === undefined) {
    throw new CliError(
      `${config.source}: partnerId: missing (the server collects for no partner and serves no demo, so the file must name the partner)`,
      2,
    );
  }
  return {
    partnerId,
    config,
    create: async (store, log) => {
      const { AlertEvaluator } = await import('../alerts/evaluator.ts');
      return new AlertEvaluator({ store, config, partnerId, log });
    },
  };
}

/**
 * Reads an alerts file; a problem with it is a usage error (exit 2) with the file's message. The
 * reader (and its YAML parser) is loaded only here, so that other commands start without it.
 */
export async function readAlertsFile(file: string): Promise<AlertsConfig> {
  const { AlertsFileError, loadAlertsFile } = await import('../alerts/config.ts');
  try {
    return await loadAlertsFile(file);
  } catch (err) {
    if (err instanceof AlertsFileError) throw new CliError(err.message, 2);
    throw err;
  }
}
