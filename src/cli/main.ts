/** The `seatwise` command line. Each command lives in `commands/`; this file wires them up. */
import { Command, CommanderError } from '@commander-js/extra-typings';
import { VERSION } from '../version.ts';
import { CliError } from './cli-error.ts';
import { registerAlerts } from './commands/alerts.ts';
import { registerCollect } from './commands/collect.ts';
import { registerDemo } from './commands/demo.ts';
import { registerExport } from './commands/export.ts';
import { registerImport } from './commands/import.ts';
import { registerInsights } from './commands/insights.ts';
import { registerLogin } from './commands/login.ts';
import { registerPrices } from './commands/prices.ts';
import { registerQuery } from './commands/query.ts';
import { registerServe } from './commands/serve.ts';
import { registerSnapshots } from './commands/snapshots.ts';
import { registerSubscriptions } from './commands/subscriptions.ts';
import { registerToken } from './commands/token.ts';

export function buildProgram(): Command {
  const program = new Command()
    .name('seatwise')
    .description('Partner Center licenses-deployment analytics, self-hosted')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerImport(program);
  registerCollect(program);
  registerLogin(program);
  registerDemo(program);
  registerToken(program);
  registerQuery(program);
  registerExport(program);
  registerSnapshots(program);
  registerSubscriptions(program);
  registerPrices(program);
  registerInsights(program);
  registerAlerts(program);
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliError) {
      process.stderr.write(`seatwise: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`seatwise: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
