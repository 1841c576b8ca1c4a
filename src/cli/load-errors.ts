import type { LoadOutcome, RowError } from '../store/store.ts';
import { CliError } from './cli-error.ts';

/** Prints every problem as `file:line: reason` on stderr and fails the command. */
export function rejectLoad(errors: readonly RowError[], truncated: boolean, what = 'import'): never {
  for (const e of errors) process.stderr.write(`${e.file}:${e.line}: ${e.reason}\n`);
  const more = truncated ? ' (more errors not shown)' : '';
  throw new CliError(
    `${what} rejected: ${errors.length} error(s)${more}; the store is unchanged. Fix the lines above and run it again`,
  );
}

/** The outcome of a load that succeeded, or the command fails with its errors. */
export function loaded(outcome: LoadOutcome, what?: string): Extract<LoadOutcome, { ok: true }> {
  if (!outcome.ok) rejectLoad(outcome.errors, outcome.truncated, what);
  return outcome;
}
