import type { Knex } from 'knex';
import type { ShipmentLeg } from '../shipment-leg';
import { upsertShipmentLegs } from './upsert-shipment-legs';

/**
 * Makes `legs` (seq 0…n−1) the whole plan of one shipment: legs are replaced by seq and legs
 * beyond the new plan removed (with their outcomes), in one transaction.
 */
export async function replaceShipmentPlan(db: Knex, tenant: string, shipmentId: string, legs: ShipmentLeg[]): Promise<void> {
  await db.transaction(async (trx) => {
    await upsertShipmentLegs(trx, tenant, legs);
    await trx('shipment_legs').where({ tenant, shipment_id: shipmentId }).andWhere('seq', '>=', legs.length).delete();
  });
}
