import type { Knex } from 'knex';
import { championOf } from '../models/registry/model-registry';
import { brierScore } from './metrics/brier';
import { rocAuc } from './metrics/roc';
import { psiAgainst } from './drift-psi';
import type { DriftReference } from './drift-reference';
import { predictedOutcomes, recentPredictions } from './store/recent-predictions';
import { findVersionReference } from './store/training-runs';

export interface DriftThresholds {
  windowMs: number;
  minPredictions: number;
  psi: number;
  minOutcomes: number;
  maxAucDrop: number;
  maxBrierRise: number;
  lateThresholdMin: number;
}

export interface DriftResult {
  model: string;
  version: number | null;
  windowFrom: Date;
  windowTo: Date;
  predictions: number;
  featurePsi: Record<string, number>;
  predictionPsi: number | null;
  outcomes: number;
  liveAuc: number | null;
  liveBrier: number | null;
  drifted: boolean;
  /** Why a retrain is due, one line per threshold passed; or why nothing could be judged. */
  reasons: string[];
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Compares the champion's recent predictions with the reference distributions kept by the run
 * that trained it (PSI of every rolling input and of P(late)), and, where real arrivals are
 * known, its live AUC and Brier with those it had on its holdout.
 */
export async function checkDrift(db: Knex, model: string, t: DriftThresholds, now = new Date()): Promise<DriftResult> {
  const windowFrom = new Date(now.getTime() - t.windowMs);
  const base: DriftResult = {
    model, version: null, windowFrom, windowTo: now, predictions: 0, featurePsi: {}, predictionPsi: null, outcomes: 0, liveAuc: null, liveBrier: null, drifted: false, reasons: [],
  };
  const champion = await championOf(db, model);
  if (!champion) return { ...base, reasons: ['no champion: nothing to check'] };
  const kept = await findVersionReference(db, model, champion.version);
  if (!kept) return { ...base, version: champion.version, reasons: [`version ${champion.version} has no reference distributions (it was not trained through the retrain queue)`] };
  const reference = kept.reference as DriftReference;
  const label = String(champion.version);
  const result: DriftResult = { ...base, version: champion.version };
  const reasons: string[] = [];

  const recent = await recentPredictions(db, label, windowFrom, now);
  result.predictions = recent.length;
  if (recent.length >= t.minPredictions) {
    for (const [name, ref] of Object.entries(reference.features)) {
      const value = psiAgainst(ref, recent.map((p) => p.features[name] ?? Number.NaN));
      result.featurePsi[name] = r3(value);
      if (value > t.psi) reasons.push(`feature ${name}: PSI ${r3(value)} > ${t.psi}`);
    }
    result.predictionPsi = r3(psiAgainst(reference.pLate, recent.map((p) => p.pLate)));
    if (result.predictionPsi > t.psi) reasons.push(`P(late): PSI ${result.predictionPsi} > ${t.psi}`);
  }

  const outcomes = await predictedOutcomes(db, label, windowFrom, now, t.lateThresholdMin);
  result.outcomes = outcomes.length;
  const holdout = kept.challengerMetrics as { auc?: number; brier?: number } | null;
  if (outcomes.length >= t.minOutcomes && holdout) {
    const late = outcomes.map((o) => o.late);
    const p = outcomes.map((o) => o.pLate);
    result.liveAuc = r3(rocAuc(late, p));
    result.liveBrier = r3(brierScore(late, p));
    if (holdout.auc !== undefined && result.liveAuc < holdout.auc - t.maxAucDrop) reasons.push(`live AUC ${result.liveAuc} < holdout AUC ${r3(holdout.auc)} − ${t.maxAucDrop} (${outcomes.length} arrived legs)`);
    if (holdout.brier !== undefined && result.liveBrier > holdout.brier + t.maxBrierRise) reasons.push(`live Brier ${result.liveBrier} > holdout Brier ${r3(holdout.brier)} + ${t.maxBrierRise} (${outcomes.length} arrived legs)`);
  }
  return { ...result, drifted: reasons.length > 0, reasons };
}
