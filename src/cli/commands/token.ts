import type { Command } from '@commander-js/extra-typings';
import { issueLocalToken } from '../../auth/local-issuer.ts';
import { isPostgresUrl, resolveDbPath, resolveKeyFile } from '../../config.ts';
import { openIssuerKey, openStore } from '../../open-store.ts';
import { CliError } from '../cli-error.ts';
import { parseDurationSeconds } from '../duration.ts';
import { partnerOption } from '../options.ts';

export function registerToken(program: Command): void {
  program
    .command('token')
    .description(
      'print a bearer token signed by the local issuer (its key lives beside a DuckDB file, inside PostgreSQL, or in --key-file)',
    )
    .option(
      '--db <path|url>',
      'DuckDB file or postgres:// URL (default ./data/seatwise.duckdb or $SEATWISE_DB)',
    )
    .option('--key-file <path>', 'local issuer key file (default: beside a DuckDB file, inside PostgreSQL)')
    .option('--partner <guid>', 'partner tenant id (tid); default: the demo partner')
    .option('--user <upn>', 'user principal name', 'admin@contoso.example')
    .option('--roles <r1,r2>', 'comma-separated roles')
    .option('--app-only', 'an application token with no user (rejected by the analytics endpoints)')
    .option('--expires-in <duration>', 'lifetime: 90s, 30m, 1h, 7d', '1h')
    .action(async (opts) => {
      const seconds = parseDurationSeconds(opts.expiresIn);
      if (seconds === undefined)
        throw new CliError(`--expires-in must look like 30m, 1h or 7d, got '${opts.expiresIn}'`, 2);
      const db = resolveDbPath(opts.db);
      const keyFile = resolveKeyFile(opts.keyFile);
      // A key kept in PostgreSQL needs the store; a key file does not.
      const store = keyFile === undefined && isPostgresUrl(db) ? await openStore({ db }) : undefined;
      let key: Awaited<ReturnType<typeof openIssuerKey>>;
      try {
        key = await openIssuerKey(db, store, keyFile);
      } finally {
        await store?.close();
      }
      const roles = (opts.roles ?? '')
        .split(',')
        .map((r) => r.trim())
        .filter((r) => r !== '');
      const token = await issueLocalToken(key, {
        partnerId: partnerOption(opts.partner),
        user: opts.user,
        roles,
        appOnly: opts.appOnly === true,
        expiresInSeconds: seconds,
      });
      process.stdout.write(`${token}\n`);
    });
}
