import type { Knex } from 'knex';

/** Deliveries still pending after `olderThanMs` (their job may have been lost): enqueued again. */
export async function findStaleDeliveries(db: Knex, olderThanMs: number, limit: number): Promise<number[]> {
  const rows = (
    await db.raw(
      `SELECT id FROM webhook_deliveries WHERE state = 'pending' AND updated_at < now() - make_interval(secs => ?) ORDER BY id LIMIT ?`,
      [olderThanMs / 1000, limit],
    )
  ).rows as { id: number }[];
  return rows.map((r) => r.id);
}
