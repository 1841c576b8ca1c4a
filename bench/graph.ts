/**
 * Graph ingest benchmark: 10,000 customer tenants × 8 SKUs, one `subscribedSkus` response
 * file each (pretty-printed, with service plans, as Graph Explorer saves them), read, mapped and
 * loaded into a fresh store.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CLASSIFICATION } from '../src/domain/classify.ts';
import { skuCatalog } from '../src/domain/sku-catalog.ts';
import { DEFAULT_EXCLUSIONS } from '../src/domain/sku-exclusions.ts';
import { feedRowColumns } from '../src/ingest/row-files.ts';
import { readGraphFiles } from '../src/ingest/sources/graph.ts';
import { openDuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { customerId } from './generate.ts';

const PARTNER = 'BE7C0000-0000-4000-8000-000000000002';

export interface GraphBenchResult {
  tenants: number;
  skusPerTenant: number;
  rows: number;
  readSeconds: number;
  loadSeconds: number;
  totalSeconds: number;
}

export async function runGraphBench(tenants = 10_000, skusPerTenant = 8): Promise<GraphBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'seatwise-bench-graph-'));
  try {
    const files = join(dir, 'graph');
    await mkdir(files);
    const skus = skuCatalog().slice(0, skusPerTenant);
    for (let t = 0; t < tenants; t++) {
      const tenant = customerId(t).toLowerCase();
      const value = skus.map((s, i) => ({
        accountName: 'Tenant',
        appliesTo: 'User',
        capabilityStatus: 'Enabled',
        consumedUnits: (t * 7 + i * 3) % 40,
        id: `${tenant}_${s.skuId.toLowerCase()}`,
        prepaidUnits: { enabled: 10 + ((t + i) % 50), suspended: 0, warning: i === 0 ? 1 : 0, lockedOut: 0 },
        servicePlans: [1, 2, 3].map((p) => ({
          servicePlanId: `00000000-0000-0000-0000-00000000000${p}`,
          servicePlanName: `PLAN_${p}`,
          provisioningStatus: 'Success',
          appliesTo: 'User',
        })),
        skuId: s.skuId.toLowerCase(),
        skuPartNumber: s.partNumber,
        subscriptionIds: [`${tenant.slice(0, 8)}-0000-4000-8000-000000000001`],
      }));
      const body = { customerTenantId: tenant, customerName: `Tenant ${t}, Ltd.`, value };
      await writeFile(join(files, `${tenant}.json`), JSON.stringify(body, null, 2));
    }
    const store = await openDuckDbStore({ path: join(dir, 'graph.duckdb') });
    try {
      const started = performance.now();
      const read = await readGraphFiles([files], {
        partnerId: PARTNER,
        processedDate: '2026-11-20',
        channel: 'reseller',
        catalog: new Map(skuCatalog().map((s) => [s.skuId, s])),
        classification: DEFAULT_CLASSIFICATION,
        exclusions: DEFAULT_EXCLUSIONS,
      });
      if (!read.ok) throw new Error(`graph bench data rejected: ${JSON.stringify(read.errors.slice(0, 3))}`);
      const readDone = performance.now();
      const loaded = await store.load(
        { partnerId: PARTNER, source: 'bench', dates: ['2026-11-20'] },
        (sink) => feedRowColumns(read.load.rows, 'graph', sink, read.load.origin),
      );
      if (!loaded.ok)
        throw new Error(`graph bench rows refused: ${JSON.stringify(loaded.errors.slice(0, 3))}`);
      const done = performance.now();
      return {
        tenants,
        skusPerTenant,
        rows: read.summary.rows,
        readSeconds: Math.round(readDone - started) / 1000,
        loadSeconds: Math.round(done - readDone) / 1000,
        totalSeconds: Math.round(done - started) / 1000,
      };
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
