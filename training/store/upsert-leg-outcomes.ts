import type { Knex } from 'knex';

export interface LegOutcome {
  shipmentId: string;
  seq: number;
  /** Epoch ms; departure may be unknown. */
  departedAt?: number;
  arrivedAt: number;
}

/** Stores what happened on legs (the legs must exist), replacing earlier outcomes. */
export async function upsertLegOutcomes(db: Knex, tenant: string, outcomes: LegOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const col = <T>(f: (o: LegOutcome) => T) => outcomes.map(f);
  await db.raw(
    `INSERT INTO leg_outcomes (tenant, shipment_id, seq, departed_at, arrived_at)
     SELECT ?, s, q, to_timestamp(d / 1000.0), to_timestamp(a / 1000.0)
     FROM unnest(?::text[], ?::int[], ?::bigint[], ?::bigint[]) AS u(s, q, d, a)
     ON CONFLICT (tenant, shipment_id, seq) DO UPDATE SET departed_at = excluded.departed_at, arrived_at = excluded.arrived_at`,
    [tenant, col((o) => o.shipmentId), col((o) => o.seq), col((o) => o.departedAt ?? null), col((o) => o.arrivedAt)] as unknown as Knex.RawBinding[],
  );
}
