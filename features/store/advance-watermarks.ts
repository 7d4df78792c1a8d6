import type { Knex } from 'knex';

/** Moves this consumer's watermark of each tenant forward (never back); its own row, so consumers never wait on each other. */
export async function advanceWatermarks(db: Knex, instance: string, maxTs: Map<string, number>): Promise<void> {
  if (maxTs.size === 0) return;
  const tenants = [...maxTs.keys()].sort();
  await db.raw(
    `INSERT INTO feature_watermarks AS w (tenant, instance, max_ts)
     SELECT tenant, ?, max_ts FROM unnest(?::text[], ?::bigint[]) AS u(tenant, max_ts)
     ON CONFLICT (tenant, instance) DO UPDATE SET max_ts = greatest(w.max_ts, excluded.max_ts), updated_at = now()`,
    [instance, tenants, tenants.map((t) => maxTs.get(t) ?? 0)] as unknown as Knex.RawBinding[],
  );
}
