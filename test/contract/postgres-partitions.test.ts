/**
 * `deployment`'s day partitions on PostgreSQL (docs/scaling.md, "Growth"): a query on one day
 * reads exactly that day's partition, as PostgreSQL's own plan shows, and retention drops whole
 * partitions where it can. One fresh database for the file, dropped at the end; skipped, with a
 * printed line, where no server answers at `$SEATWISE_TEST_PG` (default: the local server).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeploymentQuery } from '../../src/query/parse-query.ts';
import type { QueryPlan } from '../../src/query/query-plan.ts';
import { compileDeploymentCount, compileDeploymentPage } from '../../src/sql/compile.ts';
import { postgresDialect } from '../../src/sql/dialect.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { RawRow, Store } from '../../src/store/store.ts';
import {
  createTestDatabase,
  probePostgres,
  type TestDatabase,
  warnPostgresSkipped,
} from '../support/postgres.ts';

const probe = await probePostgres();
const absent = probe.state === 'absent';
if (probe.state === 'absent') warnPostgresSkipped(probe);

const A = 'A0000000-0000-4000-8000-00000000000A';
const B = 'B0000000-0000-4000-8000-00000000000B';
const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03'] as const;
const [D1, D2, D3] = DAYS;

/** `customers` rows of one day, as a source maps them (raw values in ROW_FIELDS order). */
function day(date: string, customers: number): RawRow[] {
  return Array.from({ length: customers }, (_, i) => ({
    line: i + 2,
    values: [
      `${date}T00:00:00`,
      i % 2 === 0 ? 'o365' : 'crm',
      'Service',
      i % 3 === 0 ? 'direct' : 'reseller',
      `0A0A0A0A-0000-4000-8000-${String(i).padStart(12, '0')}`,
      `Customer ${i}`,
      '6FD2C87F-B296-42F0-B197-1E91E994B900',
      'OFFICE 365 E3',
      i,
      i + 1,
    ],
  }));
}

async function loadDays(store: Store, partnerId: string, days: readonly string[]): Promise<void> {
  const outcome = await store.load({ partnerId, source: 'test' }, async (sink) => {
    for (const d of days) await sink.rows(`${d}.json`, day(d, 50));
  });
  expect(outcome.ok).toBe(true);
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** Every relation a plan reads, depth first. */
function relations(node: PlanNode): string[] {
  return [
    ...(node['Relation Name'] ? [node['Relation Name']] : []),
    ...(node.Plans ?? []).flatMap(relations),
  ];
}

describe.skipIf(absent)('postgres day partitions', () => {
  let db: TestDatabase;
  let store: Store;
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await openPostgresStore({ url: db.url });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await store?.close();
    await db?.drop();
  });

  async function children(): Promise<string[]> {
    const r = await client.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'deployment'::regclass ORDER BY 1",
    );
    return r.rows.map((row) => row.name);
  }

  async function plannedRelations(query: { sql: string; params: readonly unknown[] }): Promise<string[]> {
    const r = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
      `EXPLAIN (FORMAT JSON) ${query.sql}`,
      [...query.params],
    );
    return relations(r.rows[0]!['QUERY PLAN'][0]!.Plan);
  }

  it('creates one partition per loaded day', async () => {
    await loadDays(store, A, DAYS);
    await loadDays(store, B, [D1, D2]);
    expect(await children()).toEqual([
      'deployment_p20260301',
      'deployment_p20260302',
      'deployment_p20260303',
    ]);
  });

  it.each([
    ['a page', {}],
    ['a filtered page', { filter: "serviceCode eq 'O365' and channel ne 'direct'", top: '10', skip: '5' }],
    ['a grouping', { groupby: 'customerTenantId' }],
    ['a point filter', { filter: "customerTenantId eq '0a0a0a0a-0000-4000-8000-000000000007'" }],
  ])('plans %s on one day, and its count, to read only that day’s partition', async (_, params) => {
    const plan: QueryPlan = { ...parseDeploymentQuery(params), partnerId: A, processedDate: D2 };
    for (const query of [
      compileDeploymentPage(plan, postgresDialect),
      compileDeploymentCount(plan, postgresDialect),
    ]) {
      const read = await plannedRelations(query);
      expect(read.length).toBeGreaterThan(0);
      expect(new Set(read)).toEqual(new Set(['deployment_p20260302']));
    }
    // And the store answers from it.
    const page = await store.deploymentPage(plan);
    expect(page.totalCount).toBeGreaterThan(0);
  });

  it("prunes one partner's old rows and drops a partition only once no partner has rows in it", async () => {
    expect(await store.deleteSnapshotsBefore(D2, A)).toEqual({ snapshots: 1, rows: 50 });
    // B still has rows on D1: the partition stays, with only B's rows.
    expect(await children()).toContain('deployment_p20260301');
    const left = await client.query('SELECT DISTINCT partner_id FROM deployment_p20260301');
    expect(left.rows.map((r) => r.partner_id)).toEqual([B]);
    expect(await store.deleteSnapshotsBefore(D2, B)).toEqual({ snapshots: 1, rows: 50 });
    expect(await children()).toEqual(['deployment_p20260302', 'deployment_p20260303']);
  });

  it('prunes every partner by dropping whole partitions', async () => {
    const before = await children();
    expect(before).toEqual(['deployment_p20260302', 'deployment_p20260303']);
    expect(await store.deleteSnapshotsBefore(D3)).toEqual({ snapshots: 2, rows: 100 });
    expect(await children()).toEqual(['deployment_p20260303']);
    expect((await store.listSnapshots(A)).map((s) => s.processedDate)).toEqual([D3]);
    expect(await store.listSnapshots(B)).toEqual([]);
  });
});
