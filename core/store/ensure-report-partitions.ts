import type { Knex } from 'knex';

const dayMs = 86_400_000;

/** UTC day number since the epoch of an instant. */
export function dayOf(ms: number): number {
  return Math.floor(ms / dayMs);
}

function partitionName(day: number): string {
  return `reports_p${new Date(day * dayMs).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/**
 * Autovacuum of a report partition every million reports inserted, however large it has grown
 * (the default waits for a fifth more rows, so the newest hours of a busy day would stay unvacuumed
 * until the day's partition is complete, or for ever): a vacuumed page is all-visible, and device
 * feature reads of it use the primary key alone (migration 0034). About a minute at 20,000 reports/s.
 */
const reportPartitionVacuum = 'autovacuum_vacuum_insert_threshold = 1000000, autovacuum_vacuum_insert_scale_factor = 0';

/**
 * Creates the daily `reports` partitions for the given UTC days if they do not exist yet.
 * Several consumers may race here: an advisory lock serialises the DDL between them.
 */
export async function ensureReportPartitions(db: Knex, days: Iterable<number>): Promise<void> {
  const wanted = [...new Set(days)].sort((a, b) => a - b);
  if (wanted.length === 0) return;
  const existing = await db
    .select<{ relname: string }[]>('c.relname')
    .from('pg_inherits as i')
    .join('pg_class as c', 'c.oid', 'i.inhrelid')
    .join('pg_class as p', 'p.oid', 'i.inhparent')
    .where('p.relname', 'reports')
    .whereIn('c.relname', wanted.map(partitionName));
  const have = new Set(existing.map((r) => r.relname));
  const missing = wanted.filter((d) => !have.has(partitionName(d)));
  if (missing.length === 0) return;
  await db.transaction(async (trx) => {
    await trx.raw("SELECT pg_advisory_xact_lock(hashtext('flowcast:reports-partitions'))");
    for (const day of missing) {
      const from = new Date(day * dayMs).toISOString();
      const to = new Date((day + 1) * dayMs).toISOString();
      // DDL takes no bind parameters; both bounds are ISO strings we made ourselves.
      await trx.raw(`CREATE TABLE IF NOT EXISTS ?? PARTITION OF reports FOR VALUES FROM ('${from}') TO ('${to}') WITH (${reportPartitionVacuum})`, [
        partitionName(day),
      ]);
    }
  });
}

/** Keeps partitions for today and the next `daysAhead` days. */
export async function ensureUpcomingPartitions(db: Knex, daysAhead: number, now = Date.now()): Promise<void> {
  const today = dayOf(now);
  await ensureReportPartitions(
    db,
    Array.from({ length: daysAhead + 1 }, (_, i) => today + i),
  );
}
