/**
 * Bearer tokens for `seatwise collect`: a fixed one (from an environment variable) or one printed by
 * a shell command (e.g. `az account get-access-token --query accessToken -o tsv`), which is run again
 * shortly before a JWT's `exp` and once after a 401. Tokens never appear in errors or logs.
 */
import { execFile } from 'node:child_process';

export interface TokenSource {
  /** Whether `get({ rejected })` can produce a different token after a 401. */
  readonly refreshable: boolean;
  /**
   * A token that is not about to expire. With `rejected` (the token a 401 answered), a new one is
   * obtained unless another call has already replaced it.
   */
  get(options?: { rejected?: string }): Promise<string>;
}

/**
 * A token source as a Partner Center client's credentials function (the SDK's `Credentials`): after
 * a 401 it asks for a token other than the refused one. A fixed token comes back unchanged, which
 * tells the client there is no other and the 401 stands.
 */
export function tokenCredentials(
  tokens: TokenSource,
): (options: { forceRefresh: boolean; rejectedToken?: string }) => Promise<string> {
  return ({ forceRefresh, rejectedToken }) =>
    tokens.get(forceRefresh && rejectedToken !== undefined ? { rejected: rejectedToken } : {});
}

export class TokenError extends Error {
  override readonly name = 'TokenError';
}

/** A token that never changes (`--token-env`): a 401 is final. */
export function staticTokenSource(token: string): TokenSource {
  if (token.trim() === '') throw new TokenError('the token is empty');
  const value = token.trim();
  return { refreshable: false, get: async () => value };
}

export interface CommandTokenOptions {
  /** Least remaining lifetime of a JWT before the command is run again (default 60 s). */
  readonly refreshBeforeMs?: number;
  /** Time the command may take (default 60 s). */
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /** Runs the command and resolves with its stdout (injectable for tests). */
  readonly run?: (command: string, timeoutMs: number) => Promise<string>;
}

/** Runs `command` through `/bin/sh -c` for each new token; its trimmed stdout is the token. */
export function commandTokenSource(command: string, options: CommandTokenOptions = {}): TokenSource {
  const refreshBefore = options.refreshBeforeMs ?? 60_000;
  const timeout = options.timeoutMs ?? 60_000;
  const now = options.now ?? Date.now;
  const run = options.run ?? runShell;
  let current: { token: string; expiresAt: number | undefined } | undefined;
  // Concurrent callers share one run of the command instead of each starting their own.
  let pending: Promise<string> | undefined;

  function fetchNew(): Promise<string> {
    pending ??= (async () => {
      try {
        const token = (await run(command, timeout)).trim();
        if (token === '') throw new TokenError('the token command printed nothing');
        current = { token, expiresAt: jwtExpiry(token) };
        return token;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  }

  return {
    refreshable: true,
    get: async ({ rejected } = {}) => {
      if (pending !== undefined) return pending;
      if (current !== undefined) {
        const fresh = current.expiresAt === undefined || current.expiresAt - now() > refreshBefore;
        if (fresh && current.token !== rejected) return current.token;
      }
      return fetchNew();
    },
  };
}

/** The `exp` of a JWT in ms since the epoch, read without verifying; undefined for other tokens. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const exp = typeof claims === 'object' && claims !== null ? (claims as { exp?: unknown }).exp : undefined;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function runShell(command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      { timeout: timeoutMs, maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve(stdout);
          return;
        }
        // stderr, not stdout: stdout may hold a token even when the command fails.
        const detail = stderr.trim().split('\n')[0] ?? '';
        const why = error.killed ? `timed out after ${timeoutMs} ms` : `failed (exit ${String(error.code)})`;
        reject(new TokenError(`the token command ${why}${detail ? `: ${detail}` : ''}`));
      },
    );
  });
}
