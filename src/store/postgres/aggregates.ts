/**
 * Per-snapshot aggregates (`deployment_groups`, described in src/sql/query.ts): rewritten by each
 * load, in its transaction, from the rows it has just stored, so they always agree with them.
 */
import type pg from 'pg';

const GROUP_COLUMNS =
  'partner_id, processed_date, service_code, service_name, channel, product_id, product_name';

/** Replaces the aggregates of the partner's `dates` with those of the rows now stored. */
export async function replaceGroups(client: pg.PoolClient, partnerId: string, dates: readonly string[]) {
  const scope = 'partner_id = $1 AND processed_date = ANY($2::date[])';
  await client.query(`DELETE FROM deployment_groups WHERE ${scope}`, [partnerId, dates]);
  await client.query(
    `INSERT INTO deployment_groups (${GROUP_COLUMNS}, row_count, licenses_deployed, licenses_sold, capped_deployed)` +
      ` SELECT ${GROUP_COLUMNS}, count(*), sum(licenses_deployed), sum(licenses_sold),` +
      ` sum(least(licenses_deployed, licenses_sold)) FROM deployment WHERE ${scope} GROUP BY ${GROUP_COLUMNS}`,
    [partnerId, dates],
  );
}
