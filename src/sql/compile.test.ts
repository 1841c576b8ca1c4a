import { describe, expect, it } from 'vitest';
import { DIMENSIONS, type Dimension } from '../domain/fields.ts';
import type { FilterExpr } from '../query/ast.ts';
import type { QueryPlan } from '../query/query-plan.ts';
import {
  compileCustomerLatestDate,
  compileCustomerProducts,
  compileDeploymentCount,
  compileDeploymentPage,
  compileDeploymentPageWithTotal,
  compileLatestSnapshot,
  compilePartnerSummary,
  compileSnapshotList,
  pageWithTotal,
} from './compile.ts';
import { duckdbDialect, postgresDialect } from './dialect.ts';

const SPAN = { start: 0, end: 0 };
const eq = (field: Dimension, value: string): FilterExpr => ({
  kind: 'comparison',
  field,
  op: 'eq',
  value,
  span: SPAN,
});
const ne = (field: Dimension, value: string): FilterExpr => ({
  kind: 'comparison',
  field,
  op: 'ne',
  value,
  span: SPAN,
});
const and = (left: FilterExpr, right: FilterExpr): FilterExpr => ({
  kind: 'logical',
  op: 'and',
  left,
  right,
  span: SPAN,
});
const or = (left: FilterExpr, right: FilterExpr): FilterExpr => ({
  kind: 'logical',
  op: 'or',
  left,
  right,
  span: SPAN,
});

const PARTNER = '11111111-AAAA-4AAA-8AAA-111111111111';
const DAY = '2026-11-20';
const base: QueryPlan = {
  partnerId: PARTNER,
  processedDate: DAY,
  filter: null,
  groupBy: [],
  top: 100,
  skip: 200,
};

const ROW_SELECT =
  'SELECT "service_code" AS "serviceCode", "service_name" AS "serviceName", "channel" AS "channel",' +
  ' "customer_tenant_id" AS "customerTenantId", "customer_name" AS "customerName", "product_id" AS "productId",' +
  ' "product_name" AS "productName", "licenses_deployed" AS "licensesDeployed", "licenses_sold" AS "licensesSold"';
const SCOPE = 'FROM "deployment" WHERE "partner_id" = $1 AND "processed_date" = CAST($2 AS DATE)';

describe('compileDeploymentPage', () => {
  it('pages an unfiltered snapshot by its ord range (same text on both dialects)', () => {
    for (const dialect of [duckdbDialect, postgresDialect]) {
      expect(compileDeploymentPage(base, dialect)).toEqual({
        sql: `${ROW_SELECT} ${SCOPE} AND "ord" >= CAST($3 AS BIGINT) AND "ord" < CAST($4 AS BIGINT) ORDER BY "ord"`,
        params: [PARTNER, DAY, 200, 300],
      });
    }
  });

  it('clamps the ord range of a skip at the largest safe integer', () => {
    const skip = Number.MAX_SAFE_INTEGER;
    expect(compileDeploymentPage({ ...base, skip }, duckdbDialect).params).toEqual([
      PARTNER,
      DAY,
      skip,
      skip,
    ]);
  });

  it('binds filter literals, upper-cases GUID literals and strips their braces', () => {
    const plan: QueryPlan = {
      ...base,
      filter: or(
        eq('serviceCode', 'O365'),
        and(ne('channel', 'Direct'), eq('customerTenantId', '{0a0a0a0a-0000-4000-8000-00000000000f}')),
      ),
    };
    const params = [PARTNER, DAY, 'O365', 'Direct', '0A0A0A0A-0000-4000-8000-00000000000F'];
    for (const dialect of [duckdbDialect, postgresDialect]) {
      const lower = (x: string) =>
        dialect === duckdbDialect ? `lower(${x})` : `lower(${x} COLLATE "und-x-icu")`;
      const where =
        ` AND (${lower('"service_code"')} = ${lower('$3')}` +
        ` OR (${lower('"channel"')} <> ${lower('$4')} AND "customer_tenant_id" = $5))`;
      expect(compileDeploymentPage(plan, dialect)).toEqual({
        sql: `${ROW_SELECT} ${SCOPE}${where} ORDER BY "ord" LIMIT $6 OFFSET $7`,
        params: [...params, 100, 200],
      });
      expect(compileDeploymentCount(plan, dialect)).toEqual({
        sql: `SELECT count(*) AS "total" ${SCOPE}${where}`,
        params,
      });
    }
  });

  it('keeps a non-GUID literal on a GUID field as an upper-cased value that cannot match', () => {
    const { params } = compileDeploymentPage(
      { ...base, filter: eq('productId', '{not-a-guid}') },
      duckdbDialect,
    );
    expect(params).toEqual([PARTNER, DAY, '{NOT-A-GUID}', 100, 200]);
  });

  it('groups, sums as BIGINT and orders byte-wise per dialect', () => {
    const plan: QueryPlan = { ...base, groupBy: ['channel', 'serviceCode'], filter: ne('channel', 'direct') };
    const select =
      'SELECT "channel" AS "channel", "service_code" AS "serviceCode",' +
      ' CAST(sum("licenses_deployed") AS BIGINT) AS "licensesDeployed",' +
      ' CAST(sum("licenses_sold") AS BIGINT) AS "licensesSold"';
    const where = `${SCOPE} AND lower("channel") <> lower($3)`;
    const pgWhere = `${SCOPE} AND lower("channel" COLLATE "und-x-icu") <> lower($3 COLLATE "und-x-icu")`;
    expect(compileDeploymentPage(plan, duckdbDialect)).toEqual({
      sql:
        `${select} ${where} GROUP BY "channel", "service_code"` +
        ' ORDER BY "channel" ASC, "service_code" ASC LIMIT $4 OFFSET $5',
      params: [PARTNER, DAY, 'direct', 100, 200],
    });
    expect(compileDeploymentPage(plan, postgresDialect)).toEqual({
      sql:
        `${select} ${pgWhere} GROUP BY "channel", "service_code"` +
        ' ORDER BY "channel" COLLATE "C" ASC, "service_code" COLLATE "C" ASC LIMIT $4 OFFSET $5',
      params: [PARTNER, DAY, 'direct', 100, 200],
    });
    for (const [dialect, w] of [
      [duckdbDialect, where],
      [postgresDialect, pgWhere],
    ] as const) {
      expect(compileDeploymentCount(plan, dialect)).toEqual({
        sql: `SELECT count(*) AS "total" FROM (SELECT 1 ${w} GROUP BY "channel", "service_code") AS "g"`,
        params: [PARTNER, DAY, 'direct'],
      });
    }
  });

  it('joins the count to a filtered page in one statement, sharing the parameters', () => {
    const plan: QueryPlan = { ...base, filter: eq('productId', '0A0A0A0A-0000-4000-8000-00000000000F') };
    const where = `${SCOPE} AND "product_id" = $3`;
    const columns = [...DIMENSIONS, 'licensesDeployed', 'licensesSold'].map((c) => `"p"."${c}"`).join(', ');
    expect(compileDeploymentPageWithTotal(plan, duckdbDialect)).toEqual({
      sql:
        `SELECT ${columns}, "t"."total" FROM (SELECT count(*) AS "total" ${where}) AS "t"` +
        ` LEFT JOIN (${ROW_SELECT}, "ord" AS "ord" ${where} ORDER BY "ord" LIMIT $4 OFFSET $5) AS "p"` +
        ' ON true ORDER BY "p"."ord"',
      params: [PARTNER, DAY, '0A0A0A0A-0000-4000-8000-00000000000F', 100, 200],
    });
  });

  it('counts with a window beside the rows of one customer and beside groups', () => {
    const customer = eq('customerTenantId', '0A0A0A0A-0000-4000-8000-00000000000F');
    for (const filter of [customer, and(eq('channel', 'direct'), customer)]) {
      const { sql } = compileDeploymentPageWithTotal({ ...base, filter }, duckdbDialect);
      expect(sql).toMatch(
        /^SELECT "service_code" AS "serviceCode", .*, count\(\*\) OVER \(\) AS "total" FROM "deployment" WHERE /,
      );
      expect(sql).toMatch(/ ORDER BY "ord" LIMIT \$\d OFFSET \$\d$/);
    }
    // Either customer may match: not pinned, so not held whole in a window.
    const either = or(customer, eq('customerTenantId', '0B0B0B0B-0000-4000-8000-00000000000F'));
    expect(compileDeploymentPageWithTotal({ ...base, filter: either }, duckdbDialect).sql).toContain(
      ' LEFT JOIN ',
    );
    const plan: QueryPlan = { ...base, groupBy: ['channel'] };
    expect(compileDeploymentPageWithTotal(plan, postgresDialect, { groups: true })).toEqual({
      sql:
        'SELECT "channel" AS "channel", CAST(sum("licenses_deployed") AS BIGINT) AS "licensesDeployed",' +
        ' CAST(sum("licenses_sold") AS BIGINT) AS "licensesSold", count(*) OVER () AS "total"' +
        ' FROM "deployment_groups" WHERE "partner_id" = $1 AND "processed_date" = CAST($2 AS DATE)' +
        ' GROUP BY "channel" ORDER BY "channel" COLLATE "C" ASC LIMIT $3 OFFSET $4',
      params: [PARTNER, DAY, 100, 200],
    });
  });

  it('counts an unfiltered page beside its ord range, without ordering it again', () => {
    expect(compileDeploymentPageWithTotal(base, duckdbDialect)).toEqual({
      sql:
        `${ROW_SELECT}, (SELECT count(*) AS "total" ${SCOPE}) AS "total" ${SCOPE}` +
        ' AND "ord" >= CAST($3 AS BIGINT) AND "ord" < CAST($4 AS BIGINT) ORDER BY "ord"',
      params: [PARTNER, DAY, 200, 300],
    });
  });

  it('splits the page from its total; an empty page has the total alone, or none to read', () => {
    const rows = { rowCount: 2, columns: { channel: ['a', 'b'], licensesSold: [1, 2], total: [7, 7] } };
    expect(pageWithTotal(rows)).toEqual({
      rows: { rowCount: 2, columns: { channel: ['a', 'b'], licensesSold: [1, 2] } },
      totalCount: 7,
    });
    const empty = { rowCount: 1, columns: { channel: [null], licensesSold: [null], total: [7] } };
    expect(pageWithTotal(empty)).toEqual({
      rows: { rowCount: 0, columns: { channel: [], licensesSold: [] } },
      totalCount: 7,
    });
    const none = { rowCount: 0, columns: { channel: [], licensesSold: [], total: [] } };
    expect(pageWithTotal(none).totalCount).toBeNull();
  });

  it('rejects paging values the query layer should never let through', () => {
    expect(() => compileDeploymentPage({ ...base, top: -1 }, duckdbDialect)).toThrow(RangeError);
    expect(() => compileDeploymentPage({ ...base, skip: 1.5 }, duckdbDialect)).toThrow(RangeError);
  });
});

describe('snapshot and legacy queries', () => {
  it('renders dates as text per dialect', () => {
    expect(compileLatestSnapshot(PARTNER, duckdbDialect)).toEqual({
      sql:
        `SELECT strftime("processed_date", '%Y-%m-%d') AS "processedDate" FROM "snapshots"` +
        ' WHERE "partner_id" = $1 ORDER BY "processed_date" DESC LIMIT 1',
      params: [PARTNER],
    });
    expect(compileLatestSnapshot(PARTNER, postgresDialect).sql).toContain(
      `to_char("processed_date", 'YYYY-MM-DD') AS "processedDate"`,
    );
    expect(compileSnapshotList(PARTNER, duckdbDialect)).toEqual({
      sql:
        `SELECT strftime("processed_date", '%Y-%m-%d') AS "processedDate", "row_count" AS "rowCount",` +
        ' "customer_count" AS "customerCount", "product_count" AS "productCount",' +
        ` strftime("imported_at", '%Y-%m-%dT%H:%M:%SZ') AS "importedAt", "source" AS "source",` +
        ' "missing_customers" AS "missingCustomers" FROM "snapshots"' +
        ' WHERE "partner_id" = $1 ORDER BY "processed_date" DESC',
      params: [PARTNER],
    });
  });

  it('E1 sums sold and deployed capped at sold per (service code, channel), byte-wise', () => {
    expect(compilePartnerSummary(PARTNER, DAY, postgresDialect)).toEqual({
      sql:
        'SELECT "service_code" AS "serviceCode", "channel" AS "channel",' +
        ' CAST(sum("licenses_sold") AS BIGINT) AS "licensesSold",' +
        ' CAST(sum(least("licenses_deployed", "licenses_sold")) AS BIGINT) AS "cappedDeployed"' +
        ` ${SCOPE} GROUP BY "service_code", "channel"` +
        ' ORDER BY "service_code" COLLATE "C" ASC, "channel" COLLATE "C" ASC',
      params: [PARTNER, DAY],
    });
  });

  it('E3 normalises the customer id and reads that customer in ord order', () => {
    const customer = '{0a0a0a0a-0000-4000-8000-000000000001}';
    const normal = '0A0A0A0A-0000-4000-8000-000000000001';
    expect(compileCustomerLatestDate(PARTNER, customer, duckdbDialect)).toEqual({
      sql:
        `SELECT strftime(max("processed_date"), '%Y-%m-%d') AS "processedDate" FROM "deployment"` +
        ' WHERE "partner_id" = $1 AND "customer_tenant_id" = $2 HAVING count(*) > 0',
      params: [PARTNER, normal],
    });
    expect(compileCustomerProducts(PARTNER, customer, DAY, duckdbDialect)).toEqual({
      sql:
        'SELECT "customer_tenant_id" AS "customerTenantId", "customer_name" AS "customerName",' +
        ' "product_id" AS "productId", "product_name" AS "productName", "service_code" AS "serviceCode",' +
        ' "service_name" AS "serviceName", "channel" AS "channel", "licenses_deployed" AS "licensesDeployed",' +
        ` "licenses_sold" AS "licensesSold" ${SCOPE} AND "customer_tenant_id" = $3 ORDER BY "ord"`,
      params: [PARTNER, DAY, normal],
    });
  });
});

describe('injection', () => {
  const hostile = [
    "x' OR '1'='1",
    "'; DROP TABLE deployment; --",
    "\\'",
    '"; DROP TABLE "deployment"; --',
    "' || chr(39) || '",
    '/* */ -- ;',
  ];

  it('puts hostile literals only in params, on every field, dialect and query shape', () => {
    for (const dialect of [duckdbDialect, postgresDialect]) {
      for (const field of DIMENSIONS) {
        for (const value of hostile) {
          const plan: QueryPlan = {
            ...base,
            filter: or(eq(field, value), ne(field, value)),
            groupBy: [field],
          };
          for (const q of [
            compileDeploymentPage(plan, dialect),
            compileDeploymentPage({ ...plan, groupBy: [] }, dialect),
            compileDeploymentCount(plan, dialect),
          ]) {
            expect(q.sql).not.toContain(value);
            expect(q.sql).not.toMatch(/DROP|OR '1'|;|--|\/\*/);
            expect(q.params).toContain(
              field === 'customerTenantId' || field === 'productId' ? value.toUpperCase() : value,
            );
          }
        }
      }
      for (const value of hostile) {
        for (const q of [
          compileLatestSnapshot(value, dialect),
          compileSnapshotList(value, dialect),
          compilePartnerSummary(value, value, dialect),
          compileCustomerLatestDate(value, value, dialect),
          compileCustomerProducts(value, value, value, dialect),
        ]) {
          expect(q.sql).not.toContain(value);
          expect(q.params).toContain(value);
        }
      }
    }
  });
});

describe('per-snapshot aggregates (CompileOptions.groups)', () => {
  const groups = { groups: true } as const;
  const sqlOf = (q: { sql: string }) => q.sql;

  it('answers group-bys and counts on the aggregates when no customer field is involved', () => {
    const plan: QueryPlan = { ...base, groupBy: ['serviceCode', 'channel'], filter: ne('productName', 'x') };
    for (const dialect of [duckdbDialect, postgresDialect]) {
      expect(sqlOf(compileDeploymentPage(plan, dialect, groups))).toContain('FROM "deployment_groups" WHERE');
      expect(sqlOf(compileDeploymentCount(plan, dialect, groups))).toContain(
        'FROM "deployment_groups" WHERE',
      );
      // Without the option, the rows as always; the same parameters either way.
      expect(sqlOf(compileDeploymentPage(plan, dialect))).toContain('FROM "deployment" WHERE');
      expect(compileDeploymentPage(plan, dialect, groups).params).toEqual(
        compileDeploymentPage(plan, dialect).params,
      );
    }
  });

  it('counts ungrouped rows as the sum of the aggregates’ row counts, but pages the rows themselves', () => {
    const plan: QueryPlan = { ...base, filter: eq('serviceCode', 'o365') };
    expect(sqlOf(compileDeploymentCount(plan, postgresDialect, groups))).toMatch(
      /^SELECT CAST\(sum\("row_count"\) AS BIGINT\) AS "total" FROM "deployment_groups" WHERE/,
    );
    expect(sqlOf(compileDeploymentPage(plan, postgresDialect, groups))).toContain('FROM "deployment" WHERE');
  });

  it('reads the rows whenever a customer field is grouped or filtered on', () => {
    for (const plan of [
      { ...base, groupBy: ['customerTenantId', 'channel'] },
      { ...base, groupBy: ['serviceCode'], filter: eq('customerName', 'Contoso') },
      { ...base, filter: ne('customerTenantId', 'x') },
    ] as QueryPlan[]) {
      expect(sqlOf(compileDeploymentCount(plan, postgresDialect, groups))).toContain(
        'FROM "deployment" WHERE',
      );
      expect(sqlOf(compileDeploymentPage(plan, postgresDialect, groups))).toContain(
        'FROM "deployment" WHERE',
      );
    }
  });

  it('sums the capped deployed seats the aggregates keep for E1', () => {
    const sql = compilePartnerSummary(PARTNER, DAY, postgresDialect, groups).sql;
    expect(sql).toContain(
      'CAST(sum("capped_deployed") AS BIGINT) AS "cappedDeployed" FROM "deployment_groups"',
    );
    expect(compilePartnerSummary(PARTNER, DAY, postgresDialect).sql).toContain(
      'least("licenses_deployed", "licenses_sold")',
    );
  });

  it('counts the customers of a whole snapshot from the count its load recorded', () => {
    const plan: QueryPlan = { ...base, groupBy: ['customerTenantId'] };
    expect(compileDeploymentCount(plan, postgresDialect, groups)).toEqual({
      sql: 'SELECT "customer_count" AS "total" FROM "snapshots" WHERE "partner_id" = $1 AND "processed_date" = CAST($2 AS DATE)',
      params: [PARTNER, DAY],
    });
    // Filtered, the groups are counted from the rows.
    expect(
      sqlOf(compileDeploymentCount({ ...plan, filter: eq('channel', 'direct') }, postgresDialect, groups)),
    ).toContain('GROUP BY "customer_tenant_id"');
  });
});
