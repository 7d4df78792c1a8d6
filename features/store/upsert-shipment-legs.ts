import type { Knex } from 'knex';
import type { ShipmentLeg } from '../shipment-leg';

/** Stores shipments and their legs (replacing a leg with the same seq): for importers, the API and tests. */
export async function upsertShipmentLegs(db: Knex, tenant: string, legs: ShipmentLeg[]): Promise<void> {
  if (legs.length === 0) return;
  const ids = [...new Set(legs.map((l) => l.shipmentId))].sort();
  await db.raw(
    `INSERT INTO shipments (tenant, shipment_id) SELECT ?, unnest(?::text[]) ON CONFLICT DO NOTHING`,
    [tenant, ids] as unknown as Knex.RawBinding[],
  );
  const sorted = [...legs].sort((a, b) => (a.shipmentId < b.shipmentId ? -1 : a.shipmentId > b.shipmentId ? 1 : a.seq - b.seq));
  const col = <T>(f: (l: ShipmentLeg) => T) => sorted.map(f);
  await db.raw(
    `INSERT INTO shipment_legs (tenant, shipment_id, seq, mode, from_hub, to_hub, planned_departure, planned_arrival, carrier)
     SELECT ?, s, q, m, f, t, to_timestamp(d / 1000.0), to_timestamp(a / 1000.0), c
     FROM unnest(?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[]) AS u(s, q, m, f, t, d, a, c)
     ON CONFLICT (tenant, shipment_id, seq) DO UPDATE SET
       mode = excluded.mode, from_hub = excluded.from_hub, to_hub = excluded.to_hub,
       planned_departure = excluded.planned_departure, planned_arrival = excluded.planned_arrival, carrier = excluded.carrier`,
    [
      tenant, col((l) => l.shipmentId), col((l) => l.seq), col((l) => l.mode), col((l) => l.from), col((l) => l.to),
      col((l) => l.plannedDeparture), col((l) => l.plannedArrival), col((l) => l.carrier ?? null),
    ] as unknown as Knex.RawBinding[],
  );
}
