import type { Knex } from 'knex';
import type { DriftResult } from '../drift-check';

/** Keeps a drift check with what it measured and, when it enqueued one, the retrain run. */
export async function recordDriftCheck(db: Knex, r: DriftResult, runId: number | null): Promise<number> {
  const [row] = (await db('drift_checks').insert({
    model_name: r.model, version: r.version, window_from: r.windowFrom, window_to: r.windowTo, predictions: r.predictions,
    feature_psi: JSON.stringify(r.featurePsi), prediction_psi: r.predictionPsi, outcomes: r.outcomes, live_auc: r.liveAuc, live_brier: r.liveBrier,
    drifted: r.drifted, reasons: JSON.stringify(r.reasons), run_id: runId,
  }).returning('id')) as { id: number }[];
  return (row as { id: number }).id;
}
