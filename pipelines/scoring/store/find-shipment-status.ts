import type { Knex } from 'knex';

export interface ShipmentStatusRow {
  last_report_ts: Date;
  last_device_id: string | null;
  last_lat: number | null;
  last_lon: number | null;
  last_location_ts: Date | null;
  current_leg_seq: number | null;
  arrived_at: Date | null;
  p_late: number | null;
  delay_p50_min: number | null;
  delay_p90_min: number | null;
  model_version: string | null;
  predicted_at: Date | null;
}

/** What the scoring consumer last knew of one shipment, if it saw any report of it. */
export async function findShipmentStatus(db: Knex, tenant: string, shipmentId: string): Promise<ShipmentStatusRow | undefined> {
  return (await db('shipment_status').where({ tenant, shipment_id: shipmentId }).first()) as ShipmentStatusRow | undefined;
}
