/**
 * The daily collection's runs as both stores keep them (`collection_runs`): the run as JSON, keyed
 * by partner and start, with its processed date. The SQL is plain enough for both dialects.
 */
import type { CollectionRunRecord } from './store.ts';

export const RECORD_RUN_SQL = {
  duckdb:
    'INSERT OR REPLACE INTO collection_runs (partner_id, processed_date, started_at, run_json) VALUES ($1, CAST($2 AS DATE), $3, $4)',
  postgres:
    'INSERT INTO collection_runs (partner_id, processed_date, started_at, run_json) VALUES ($1, $2::date, $3, $4)' +
    ' ON CONFLICT (partner_id, started_at) DO UPDATE SET processed_date = EXCLUDED.processed_date, run_json = EXCLUDED.run_json',
} as const;

/** Newest first; `$2` is the limit. */
export const LIST_RUNS_SQL =
  'SELECT run_json FROM collection_runs WHERE partner_id = $1 ORDER BY started_at DESC LIMIT $2';

export function runParams(partnerId: string, run: CollectionRunRecord): string[] {
  return [partnerId, run.processedDate, run.startedAt, JSON.stringify(run)];
}

export function runsOf(values: readonly unknown[]): CollectionRunRecord[] {
  return values.map((v) => JSON.parse(String(v)) as CollectionRunRecord);
}
