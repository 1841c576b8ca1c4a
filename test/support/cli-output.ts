/** What the real bin prints, parsed: a partner's snapshots (`snapshots --json`) and E5 rows (`query`). */
import { expect } from 'vitest';
import { runCli } from './cli.ts';

/** One entry of `seatwise snapshots --json`. */
export interface SnapshotJson {
  processedDate: string;
  rows: number;
  customers: number;
  products: number;
  source: string;
  missingCustomers: string[];
}

/** The partner's snapshots in `db`, newest first; the command must succeed without a word on stderr. */
export async function snapshotsOf(db: string, partner: string): Promise<SnapshotJson[]> {
  const r = await runCli(['snapshots', '--db', db, '--partner', partner, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as SnapshotJson[];
}

/** An ungrouped E5 row as `seatwise query --format json|ndjson` prints it (the fields the tests read). */
export interface QueriedRow {
  processedDateTime: string;
  customerTenantId: string;
  customerName: string;
  channel: string;
  productId: string;
  licensesDeployed: number;
  licensesSold: number;
}
