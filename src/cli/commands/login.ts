/**
 * `seatwise login` / `seatwise logout`: the stored sign-in that `seatwise collect` uses when it is
 * given no --token-command or --token-env (docs/connect.md). The sign-in code, and with it
 * @azure/msal-node, is loaded only inside the actions, so `seatwise --help` never loads it.
 */
import type { Command } from '@commander-js/extra-typings';
import { resolveDbPath } from '../../config.ts';
import type { TokenSource } from '../../ingest/collect/token-source.ts';
import {
  defaultCredentialsPath,
  readStoredSignIn,
  removeStoredSignIn,
} from '../../ingest/sign-in/credentials-file.ts';
import { CliError } from '../cli-error.ts';

const DB_HELP =
  'DuckDB file or postgres:// URL the sign-in is kept beside (default ./data/seatwise.duckdb or $SEATWISE_DB)';
const CREDENTIALS_HELP =
  'the sign-in file (default: <db>.credentials.json beside a DuckDB file, ./data/seatwise.credentials.json with PostgreSQL)';

/** The sign-in file: `--credentials`, else beside the database. */
export function credentialsFile(flag: string | undefined, db: string | undefined): string {
  return flag === undefined ? defaultCredentialsPath(resolveDbPath(db)) : flag;
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description(
      'sign in to the partner tenant once (device code: works with multi-factor sign-in) and store the refresh token for `collect`',
    )
    .requiredOption(
      '--tenant <tenant>',
      "the partner tenant's id (GUID) or domain, e.g. contoso.onmicrosoft.com",
    )
    .requiredOption('--client-id <app id>', 'the Entra app registration (public client flows enabled)')
    .option('--authority <url>', 'the identity platform', 'https://login.microsoftonline.com')
    .option('--credentials <file>', CREDENTIALS_HELP)
    .option('--db <path|url>', DB_HELP)
    .action(async (opts) => {
      const file = credentialsFile(opts.credentials, opts.db);
      const { login, SignInError } = await import('../../ingest/sign-in/sign-in.ts');
      try {
        const result = await login({
          tenant: opts.tenant,
          clientId: opts.clientId,
          authority: opts.authority,
          credentialsFile: file,
          onCode: (p) => {
            const minutes = Math.max(1, Math.round(p.expiresInSeconds / 60));
            process.stdout.write(
              `To sign in, open ${p.verificationUri} and enter the code ${p.userCode}\n` +
                `(as a user of the partner tenant; the code expires in ${minutes} min). Waiting…\n`,
            );
          },
        });
        process.stdout.write(
          `Signed in as ${result.username} (tenant ${result.tenantId}).\n` +
            `Stored in ${result.file} (mode 0600); \`seatwise collect\` uses it when given no --token-command or --token-env.\n`,
        );
      } catch (err) {
        if (err instanceof SignInError) throw new CliError(err.message, /^--/.test(err.message) ? 2 : 1);
        throw err;
      }
    });

  program
    .command('logout')
    .description(
      "remove the stored sign-in (its refresh token); the user's sessions can be revoked in Entra ID",
    )
    .option('--credentials <file>', CREDENTIALS_HELP)
    .option('--db <path|url>', DB_HELP)
    .action(async (opts) => {
      const file = credentialsFile(opts.credentials, opts.db);
      let who = '';
      try {
        const stored = await readStoredSignIn(file);
        if (stored !== undefined) who = ` of ${stored.username}`;
      } catch {
        // A file that cannot be read as a sign-in is removed all the same.
      }
      const removed = await removeStoredSignIn(file);
      process.stdout.write(
        removed ? `Removed the sign-in${who}: ${file}\n` : `No stored sign-in at ${file}\n`,
      );
    });
}

export interface SignedInOptions {
  readonly credentials?: string | undefined;
  readonly clientSecretEnv?: string | undefined;
  readonly clientCertificate?: string | undefined;
  readonly db?: string | undefined;
}

/**
 * `collect`'s tokens from the stored sign-in, checked once before the run starts so that a sign-in
 * that no longer works is reported as such, not as a failed customer.
 */
export async function signedInTokens(opts: SignedInOptions): Promise<TokenSource> {
  const file = credentialsFile(opts.credentials, opts.db);
  if (opts.clientSecretEnv !== undefined && opts.clientCertificate !== undefined)
    throw new CliError('give at most one of --client-secret-env and --client-certificate', 2);
  let secret: string | undefined;
  if (opts.clientSecretEnv !== undefined) {
    secret = process.env[opts.clientSecretEnv];
    if (secret === undefined || secret.trim() === '')
      throw new CliError(`--client-secret-env: environment variable ${opts.clientSecretEnv} is not set`, 2);
  }
  const { readCertificateFile, SignInError, storedSignInTokenSource } = await import(
    '../../ingest/sign-in/sign-in.ts'
  );
  try {
    if ((await readStoredSignIn(file).catch(() => 'unreadable')) === undefined)
      throw new CliError(
        `no token: give --token-command or --token-env, or sign in once with \`seatwise login\` (no stored sign-in at ${file})`,
        2,
      );
    const credential =
      secret !== undefined
        ? { kind: 'secret' as const, secret }
        : opts.clientCertificate !== undefined
          ? await readCertificateFile(opts.clientCertificate)
          : undefined;
    const source = await storedSignInTokenSource({
      credentialsFile: file,
      ...(credential === undefined ? {} : { credential }),
    });
    await source.get();
    return source;
  } catch (err) {
    if (err instanceof SignInError) throw new CliError(`the stored sign-in (${file}): ${err.message}`);
    throw err;
  }
}
