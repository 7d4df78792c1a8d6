import type { Knex } from 'knex';

/**
 * Unresolved predicted-delay alerts of shipments whose arrival is recorded (at most `limit`). No
 * order, so the scan stays within the unresolved alerts' partial indexes however long the history.
 */
export async function findArrivedShipmentAlerts(db: Knex, limit: number): Promise<{ tenant: string; shipmentId: string }[]> {
  const result = await db.raw(
    `SELECT a.tenant, a.subject_id FROM alerts a
     JOIN shipment_status s ON s.tenant = a.tenant AND s.shipment_id = a.subject_id
     WHERE a.kind = 'predicted_delay' AND a.subject_type = 'shipment' AND a.state <> 'resolved' AND s.arrived_at IS NOT NULL
     LIMIT ?`,
    [limit],
  );
  return (result.rows as { tenant: string; subject_id: string }[]).map((r) => ({ tenant: r.tenant, shipmentId: r.subject_id }));
}
