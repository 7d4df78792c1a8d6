import type { Knex } from 'knex';
import { ImportError } from '../../core/errors';

/** The span of planned departures of a tenant's labelled legs, [from, to), narrowed by whichever bound is given. */
export async function legTimeRange(db: Knex, tenant: string, from?: number, to?: number): Promise<{ from: number; to: number }> {
  const row = (await db.raw(
    `SELECT (extract(epoch FROM min(l.planned_departure)) * 1000)::float8 AS lo, (extract(epoch FROM max(l.planned_departure)) * 1000)::float8 AS hi
     FROM shipment_legs l JOIN leg_outcomes o USING (tenant, shipment_id, seq) WHERE l.tenant = ?`,
    [tenant],
  )).rows[0] as { lo: number | null; hi: number | null };
  if (row.lo === null || row.hi === null) throw new ImportError(`tenant ${tenant} has no legs with a known arrival: import history first (flowcast import flights)`);
  return { from: from ?? row.lo, to: to ?? row.hi + 1 };
}
