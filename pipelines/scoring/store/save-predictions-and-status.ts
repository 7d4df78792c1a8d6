import type { Knex } from 'knex';
import { runStatement, together, type SqlStatement } from '../../../core/store/sql-statement';
import { predictionsInsert, type StoredPrediction } from './insert-predictions';
import { shipmentStatusUpsert, type ShipmentStatusUpdate } from './upsert-shipment-status';

/** A batch's kept predictions and its shipments' status: none, one or two statements, to run as one. */
export function predictionsAndStatus(predictions: StoredPrediction[], statuses: ShipmentStatusUpdate[]): SqlStatement[] {
  return [...(predictions.length > 0 ? [predictionsInsert(predictions)] : []), ...(statuses.length > 0 ? [shipmentStatusUpsert(statuses)] : [])];
}

/**
 * A batch's kept predictions and its shipments' status in one statement (the insert as a
 * data-modifying CTE): one round trip, and all or nothing even outside a transaction, so a failed
 * statement leaves nothing half written. Predictions are still stored at least once, not exactly
 * once: a batch committed but not acknowledged (a crash, Redis away) is scored and stored again.
 */
export async function savePredictionsAndStatus(db: Knex, predictions: StoredPrediction[], statuses: ShipmentStatusUpdate[]): Promise<void> {
  const statement = together(predictionsAndStatus(predictions, statuses));
  if (statement) await runStatement(db, statement);
}
