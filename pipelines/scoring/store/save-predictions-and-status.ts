import type { Knex } from 'knex';
import { predictionsInsert, type StoredPrediction } from './insert-predictions';
import type { SqlStatement } from './sql-statement';
import { shipmentStatusUpsert, type ShipmentStatusUpdate } from './upsert-shipment-status';

/**
 * A batch's kept predictions and its shipments' status in one statement (the insert as a
 * data-modifying CTE): one round trip, and all or nothing even outside a transaction, so a failed
 * statement leaves nothing half written. Predictions are still stored at least once, not exactly
 * once: a batch committed but not acknowledged (a crash, Redis away) is scored and stored again.
 */
export async function savePredictionsAndStatus(db: Knex, predictions: StoredPrediction[], statuses: ShipmentStatusUpdate[]): Promise<void> {
  const parts: SqlStatement[] = [];
  if (predictions.length > 0) parts.push(predictionsInsert(predictions));
  if (statuses.length > 0) parts.push(shipmentStatusUpsert(statuses));
  const [first, second] = parts;
  if (!first) return;
  const { sql, bindings } = second ? { sql: `WITH kept_predictions AS (${first.sql}) ${second.sql}`, bindings: [...first.bindings, ...second.bindings] } : first;
  await db.raw(sql, bindings);
}
