/**
 * Imports CSV row files through the store's direct CSV load when it can (Store.loadRowCsv): the
 * store reads the files with its own CSV reader while `checkRowCsvFiles` reads them in JavaScript,
 * and the store commits only when both agree and every value already is in stored form. It is
 * the fast path for files that need no normalising (`seatwise export`'s, the bench generator's,
 * any written with canonical values). For any other file, and for every file with an error, it
 * declines without changing anything, and the caller reads the files with `readRowFiles`, which
 * normalises values and reports errors by line.
 */
import { stat } from 'node:fs/promises';
import { normalizeGuid } from '../domain/guid.ts';
import type { RowCsvFile, RowCsvLoad, Store } from '../store/store.ts';
import { checkRowCsvFiles, readCsvShape } from './direct-csv-check.ts';
import type { RowFileSummary } from './read-row-files.ts';

export interface DirectImportOptions {
  /** Partner tenant the rows belong to (any GUID form). */
  readonly partnerId: string;
  /** Recorded with the snapshots, e.g. `import rows`. */
  readonly source: string;
  readonly onProgress?: (bytesDone: number, totalBytes: number) => void;
}

export type DirectImportOutcome =
  | { readonly loaded: true; readonly summary: RowFileSummary }
  | { readonly loaded: false; readonly reason: string };

export async function importRowCsvDirect(
  store: Store,
  files: readonly string[],
  options: DirectImportOptions,
): Promise<DirectImportOutcome> {
  const partnerId = normalizeGuid(options.partnerId);
  if (partnerId === undefined) throw new RangeError(`partnerId must be a GUID, got '${options.partnerId}'`);
  if (store.loadRowCsv === undefined) return { loaded: false, reason: 'the store has no direct CSV load' };
  const shapes: RowCsvFile[] = [];
  const sampledDays = new Set<string>();
  let convertCase = false;
  let totalBytes = 0;
  for (const file of files) {
    const shape = await readCsvShape(file);
    if (!shape.ok) return { loaded: false, reason: shape.reason };
    shapes.push(shape.file);
    for (const day of shape.days) sampledDays.add(day);
    convertCase ||= shape.convertCase;
    totalBytes += (await stat(file)).size;
  }
  const stop = new AbortController();
  const check = checkRowCsvFiles(shapes, stop.signal);
  const onProgress = options.onProgress;
  const load = {
    partnerId,
    files: shapes,
    check,
    source: options.source,
    ...(onProgress === undefined
      ? {}
      : { onProgress: (f: number) => onProgress(f * totalBytes, totalBytes) }),
  };
  try {
    let attempt: RowCsvLoad = { ...load, days: [...sampledDays].sort(), convertCase };
    let outcome = await store.loadRowCsv(attempt);
    // What the first rows suggested did not hold for all of them: the files hold other dates too
    // (which the check has listed by now), or values further down are in another case. Each can
    // happen once, so this tries at most twice more.
    for (
      let retry = 0;
      retry < 2 && !outcome.loaded && (outcome.days !== undefined || outcome.convertCase);
      retry++
    ) {
      attempt = {
        ...attempt,
        days: outcome.days ?? attempt.days,
        convertCase: attempt.convertCase || outcome.convertCase === true,
      };
      outcome = await store.loadRowCsv(attempt);
    }
    if (!outcome.loaded) return { loaded: false, reason: outcome.reason };
    return {
      loaded: true,
      summary: {
        rows: outcome.rows,
        customers: outcome.customers,
        products: outcome.products,
        dates: [...outcome.days],
        files: files.length,
      },
    };
  } finally {
    // Never leave the check reading in the background of whatever comes next.
    stop.abort();
    await check;
  }
}
