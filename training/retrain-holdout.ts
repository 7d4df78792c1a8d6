import type { Knex } from 'knex';
import type { DelayModel } from '../models/delay-model';
import { delayFeatureCatalog } from '../models/delay-feature-catalog';
import { buildDelayDataset } from './build-delay-dataset';
import type { HoldoutScore } from './champion-decision';
import type { DelayDataset } from './delay-dataset';
import { encodeRange } from './encode-dataset';
import { classifierMetrics, quantileMetrics } from './evaluate-predictions';

export interface Holdout {
  from: number;
  to: number;
  dataset: DelayDataset;
  late: Float32Array;
}

/**
 * The recent holdout both models are judged on: the legs of the challenger's test period (the
 * latest part of its data range, never used to fit or tune it), read point-in-time like any
 * training data, capped to a seeded sample of `maxRows`.
 */
export async function buildHoldout(
  db: Knex, o: { tenant: string; from: number; to: number; maxRows: number; lateThresholdMin: number; onProgress?: (done: number, total: number) => void },
): Promise<Holdout> {
  const dataset = await buildDelayDataset({
    db, tenant: o.tenant, catalog: delayFeatureCatalog, from: o.from, to: o.to, sample: o.maxRows, seed: 20240601, onProgress: o.onProgress,
  });
  const late = Float32Array.from(dataset.delayMin, (d) => (d > o.lateThresholdMin ? 1 : 0));
  return { from: o.from, to: o.to, dataset, late };
}

/** A model's P(late) for every holdout leg, encoded with the model's own encoder. */
export function predictHoldout(model: DelayModel, h: Holdout): { pLate: Float32Array; p50Min: Float32Array; p90Min: Float32Array } {
  return model.predictEncoded(encodeRange(model.artifact.encoder, h.dataset, [0, h.dataset.size]));
}

export function scoreOnHoldout(h: Holdout, p: { pLate: Float32Array; p50Min: Float32Array; p90Min: Float32Array }): HoldoutScore {
  const c = classifierMetrics(h.late, p.pLate);
  const q = quantileMetrics(h.dataset.delayMin, p.p50Min, p.p90Min);
  return { rows: h.dataset.size, auc: c.auc, prAuc: c.prAuc, brier: c.brier, mae: q.mae };
}
