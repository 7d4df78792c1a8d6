import type { Knex } from 'knex';
import type { ShipmentLeg } from '../shipment-leg';

export interface ShipmentRef {
  tenant: string;
  shipmentId: string;
}

/** The legs of the given shipments, keyed `tenant\0shipmentId`, in seq order. */
export async function findShipmentLegs(db: Knex, refs: ShipmentRef[]): Promise<Map<string, ShipmentLeg[]>> {
  const out = new Map<string, ShipmentLeg[]>();
  if (refs.length === 0) return out;
  const result = await db.raw(
    `SELECT l.tenant, l.shipment_id, l.seq, l.mode, l.from_hub, l.to_hub, l.carrier,
            (extract(epoch FROM l.planned_departure) * 1000)::bigint AS dep,
            (extract(epoch FROM l.planned_arrival) * 1000)::bigint AS arr
     FROM unnest(?::text[], ?::text[]) AS r(tenant, shipment_id)
     JOIN shipment_legs l USING (tenant, shipment_id)
     ORDER BY l.tenant, l.shipment_id, l.seq`,
    [refs.map((r) => r.tenant), refs.map((r) => r.shipmentId)] as unknown as Knex.RawBinding[],
  );
  for (const row of result.rows as LegRow[]) {
    const key = shipmentKey(row.tenant, row.shipment_id);
    const leg: ShipmentLeg = {
      shipmentId: row.shipment_id, seq: row.seq, mode: row.mode, from: row.from_hub, to: row.to_hub,
      plannedDeparture: Number(row.dep), plannedArrival: Number(row.arr), ...(row.carrier ? { carrier: row.carrier } : {}),
    };
    out.set(key, [...(out.get(key) ?? []), leg]);
  }
  return out;
}

export const shipmentKey = (tenant: string, shipmentId: string): string => `${tenant}\u0000${shipmentId}`;

interface LegRow {
  tenant: string;
  shipment_id: string;
  seq: number;
  mode: ShipmentLeg['mode'];
  from_hub: string;
  to_hub: string;
  carrier: string | null;
  dep: number | string;
  arr: number | string;
}
