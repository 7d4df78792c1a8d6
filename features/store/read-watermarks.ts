import type { Knex } from 'knex';

/** The newest event time (epoch ms) each tenant's feature state has seen, over every consumer. */
export async function readWatermarks(db: Knex, tenants: string[]): Promise<Map<string, number>> {
  if (tenants.length === 0) return new Map();
  const result = await db.raw(
    `SELECT tenant, max(max_ts) AS max_ts FROM feature_watermarks WHERE tenant = ANY(?::text[]) GROUP BY tenant`,
    [tenants] as unknown as Knex.RawBinding[],
  );
  return new Map((result.rows as { tenant: string; max_ts: number | string }[]).map((r) => [r.tenant, Number(r.max_ts)]));
}
