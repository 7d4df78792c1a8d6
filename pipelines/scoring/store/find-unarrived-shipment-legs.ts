import type { Knex } from 'knex';
import { findShipmentLegs, shipmentKey, type ShipmentRef } from '../../../features/store/find-shipment-legs';
import type { ShipmentLeg } from '../../../features/shipment-leg';

/**
 * The legs of the given shipments that have not arrived (no arrival in shipment_status), keyed
 * `tenant\0shipmentId`: what scoring scores. An arrived shipment is finished, so its later
 * reports are neither scored nor alerted on. The two reads run side by side.
 */
export async function findUnarrivedShipmentLegs(db: Knex, refs: ShipmentRef[]): Promise<Map<string, ShipmentLeg[]>> {
  if (refs.length === 0) return new Map();
  const [legs, arrived] = await Promise.all([
    findShipmentLegs(db, refs),
    db.raw(
      `SELECT s.tenant, s.shipment_id FROM unnest(?::text[], ?::text[]) AS r(tenant, shipment_id)
       JOIN shipment_status s USING (tenant, shipment_id) WHERE s.arrived_at IS NOT NULL`,
      [refs.map((r) => r.tenant), refs.map((r) => r.shipmentId)] as unknown as Knex.RawBinding[],
    ),
  ]);
  for (const row of arrived.rows as { tenant: string; shipment_id: string }[]) legs.delete(shipmentKey(row.tenant, row.shipment_id));
  return legs;
}
